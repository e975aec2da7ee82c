#!/usr/bin/env bash
# Registers kernel/ with DKMS, so that every installed and future kernel gets the module rebuilt.
# DKMS's copy of the sources gets dkms.conf with package.json's version filled in.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(scripts/version.sh)
src=/usr/src/xt_pktstat-$version
# Re-adding the same version replaces the sources installed earlier.
if dkms status "xt_pktstat/$version" | grep -q .; then
	dkms remove "xt_pktstat/$version" --all
fi
rm -rf "$src"
install -d "$src"
install -m 0644 kernel/Makefile kernel/*.c kernel/*.h "$src/"
rm -f "$src"/*.mod.c
sed "s/#MODULE_VERSION#/$version/" kernel/dkms.conf >"$src/dkms.conf"
dkms add -m xt_pktstat -v "$version"
dkms install -m xt_pktstat -v "$version"
