#!/usr/bin/env bash
# Usage: scripts/install-deps.sh [deb]
# Installs what building and testing need, and only what is missing: Debian packages through
# apt-get, npm packages through `npm ci` when node_modules does not match package-lock.json.
# `deb`: only what `make deb` needs, on any Debian release: debian/control's Build-Depends
# (`apt-get build-dep`), lintian and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
case "${1:-}" in
"")
	debian_packages=(
		build-essential pkg-config kmod cpio iproute2 tmux valgrind
		iptables libxtables-dev nfacct
		qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static
		sparse linux-source-6.1 prometheus mmdebstrap
		dpkg-dev debhelper dh-dkms dkms lintian
	)
	missing=()
	for pkg in "${debian_packages[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
	done
	if ((${#missing[@]})); then
		echo "install-deps: installing Debian packages: ${missing[*]}"
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	;;
deb)
	if ! command -v lintian >/dev/null || ! dpkg-checkbuilddeps 2>/dev/null; then
		echo "install-deps: installing debian/control's Build-Depends and lintian"
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends lintian >/dev/null
		apt-get build-dep -y -qq --no-install-recommends ./ >/dev/null
	fi
	;;
*)
	echo "install-deps: unknown argument '$1' (none, or deb)" >&2
	exit 2
	;;
esac

# npm ci also compiles the native addon (package.json "install" runs node-gyp).
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f build/Release/pktstat_drain.node ]; then
	echo "install-deps: npm ci"
	npm ci --no-audit --no-fund --loglevel=error
fi
