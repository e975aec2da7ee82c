#!/usr/bin/env bash
# Usage: scripts/test-release.sh RELEASE [--kernel | GROUP|TEST...]
# The suites on one Debian release (bullseye, bookworm, trixie, forky): the userspace suites
# inside the release's root, with its compiler, libxtables, Node, tmux and Prometheus (on a
# copy-on-write view of the repo, so its builds leave the checkout alone), then the real-kernel
# suite on its kernel (test/vm/run --release RELEASE GROUP...). Without GROUPs every group
# runs, then the Debian packages' suite (built on the release: test/deb/run); where its Node
# is older than 20 and runs no pktstat-top, the core suite and the kernel groups alone. With
# GROUPs only those, and no userspace suites; --kernel: the kernel groups. Ends with
# `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
. scripts/tally.sh
. test/vm/lib.sh

(($# >= 1)) || vm_die "usage: scripts/test-release.sh RELEASE [GROUP|TEST...]"
VM_RELEASE=$1
shift
vm_release

# What a kernel changes: the module's counting, files, readers, unload and GSO parsing.
kernel_groups=(counts stream readers unload wire)
[ "${1:-}" != --kernel ] || set -- "${kernel_groups[@]}"

packages=
if (($# == 0)); then
	node=$(vm_in_root node -p 'process.versions.node.split(".")[0]') || node=0
	# pktstat-top needs Node 20 (package.json's engines): with an older one (bullseye's 12)
	# only the core suite runs there, and the Debian packages are not for it. Its iptables
	# (1.8.7) also loads an extension only for a match the kernel has, which the build
	# machine's has not: its binaries meet the extension in the guest (`counts`).
	if ((node >= 20)); then
		suites=(unit)
		packages=1
	else
		suites=(core)
		set -- "${kernel_groups[@]}"
		echo "$VM_RELEASE: Node $node runs no pktstat-top, and its iptables loads no extension without the module: the core suite in its root, the kernel groups ($*)"
	fi
	echo "=== $VM_RELEASE userspace suites: ${suites[*]}"
	# the checkout's builds are the host's: build again with the release's tools
	# (the addon too, with its node-gyp against its Node, where pktstat-top runs)
	rebuild=:
	if [ "$VM_ROOT" != / ]; then
		rebuild='make -s -C iptables clean && make -s -C test/core clean'
		((node < 20)) || rebuild+=' && node-gyp rebuild --nodedir=/usr >/dev/null'
	fi
	tally_run vm_in_root --scratch bash -c "$rebuild && scripts/run-tests.sh ${suites[*]}"
fi
echo "=== $VM_RELEASE real-kernel suite"
tally_run test/vm/run --release "$VM_RELEASE" "$@"
if [ -n "$packages" ]; then
	echo "=== $VM_RELEASE Debian packages"
	tally_run test/deb/run "$VM_RELEASE"
fi
tally_end
