#!/usr/bin/env bash
# Registers kernel/ with DKMS, so that every installed and future kernel gets the module rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../kernel"
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' dkms.conf)
[ -n "$version" ] || { echo "dkms-install: no PACKAGE_VERSION in kernel/dkms.conf" >&2; exit 1; }
# Re-adding the same version replaces the sources DKMS copied earlier.
if dkms status "xt_pktstat/$version" | grep -q .; then
	dkms remove "xt_pktstat/$version" --all
fi
dkms add "$PWD"
dkms install "xt_pktstat/$version"
