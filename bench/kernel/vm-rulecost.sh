#!/bin/bash
# Per-rule cost of -m pktstat vs -m nfacct vs -m comment, measured in the test VM
# (test/vm/run-script); see vm-rulecost-guest.sh. Needs the Debian package nfacct.
# Usage: bench/kernel/vm-rulecost.sh [--readers N]  (N stream readers open during a second pktstat run)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
command -v nfacct >/dev/null || { echo "nfacct is not installed (apt-get install nfacct)" >&2; exit 1; }
# Debian's kernel distrusts the emulated TSC and falls back to HPET, whose reads cost
# hundreds of ns under TCG; real machines time with the TSC, so the guest is told to trust it.
VM_APPEND="tsc=reliable clocksource=tsc" exec "$here/../../test/vm/run-script" "$here/vm-rulecost-guest.sh" "$@"
