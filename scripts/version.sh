#!/bin/sh
# Prints the project's version: package.json's "version", the one place it is written.
# kernel/Makefile (MODULE_VERSION), scripts/dkms-install.sh and `make uninstall` read it here.
v=$(sed -n 's/^  "version": "\([^"]*\)",\{0,1\}$/\1/p' "$(dirname "$0")/../package.json")
[ -n "$v" ] || { echo "version: no top-level \"version\" in package.json" >&2; exit 1; }
echo "$v"
