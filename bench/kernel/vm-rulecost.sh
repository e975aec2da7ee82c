#!/bin/bash
# Per-rule cost of -m pktstat vs -m nfacct vs -m comment, measured in the test VM
# (test/vm/run-script); see vm-rulecost-guest.sh. Needs the Debian package nfacct.
# Usage: bench/kernel/vm-rulecost.sh [--readers N | --pollers N | --clock]
#   --readers N  pktstat without and with N stream readers (of another set, of its own)
#   --pollers N  pktstat without and with N idle poll() callers of another set
#   --clock      pktstat with its packet clock, sched_clock(), and with local_clock()
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v nfacct >/dev/null || { echo "nfacct is not installed (apt-get install nfacct)" >&2; exit 1; }
if [ "${1:-}" = --clock ]; then
	# the module built once more with local_clock() as its packet clock, for the guest's kernel
	. "$here/../../test/vm/lib.sh"
	vm_release
	vm_find_kver
	# under the repo: the guest sees the host's files but has a /tmp of its own
	mkdir -p "$VM_BUILD"
	variant=$(mktemp -d "$VM_BUILD/clock.XXXXXX")
	trap 'rm -rf "$variant"' EXIT
	cp "$here"/../../kernel/{*.c,*.h,Makefile} "$variant"/
	sed -i 's/^#define pktstat_pkt_now()\t\tsched_clock()$/#define pktstat_pkt_now()\t\tlocal_clock()/' "$variant/pktstat_core.h"
	grep -q 'pktstat_pkt_now().*local_clock()' "$variant/pktstat_core.h" || { echo "no packet clock to replace" >&2; exit 1; }
	make -s -C "$variant" modules KERNEL_DIR="/lib/modules/$KVER/build" \
		PKTSTAT_VERSION="$("$here/../../scripts/version.sh")" >/dev/null || exit 1
	set -- --module "$variant/xt_pktstat.ko"
fi
# Debian's kernel distrusts the emulated TSC and falls back to HPET, whose reads cost
# hundreds of ns under TCG; real machines time with the TSC, so the guest is told to trust it.
VM_APPEND="tsc=reliable clocksource=tsc" "$here/../../test/vm/run-script" "$here/vm-rulecost-guest.sh" "$@"
