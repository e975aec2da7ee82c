#!/usr/bin/env bash
# Every benchmark, one after the other; each prints its own numbers and ratios from one run.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "=== packet path: instructions per packet (callgrind, userspace build of the core)"
bench/kernel/core-callgrind.sh
echo "=== drain thread: addon vs plain TypeScript, drain thread CPU"
node dist/bench/addon/addon-bench.js
echo "=== pktstat-top --serve: scrape latency with 64 sets, CPU with 16 sets at 100 us"
node dist/bench/serve/serve-bench.js
echo "=== dashboard: burst detector, column builder, per-set track (windows/s)"
node dist/bench/dashboard/dashboard-bench.js
echo "=== dashboard: one frame of the main view, drawn by the Screen and by Ink"
node dist/bench/dashboard/frame-bench.js
echo "=== dashboard under load: 64 sets of 100 µs windows, CPU and RSS (DASHBOARD_SECONDS, default 30)"
bench/dashboard/dashboard-cpu.sh "${DASHBOARD_SECONDS:-30}"
echo "=== drain thread against the real module (QEMU guest)"
test/vm/run-script bench/addon/addon-vm.sh 16 10000
echo "=== rule cost: pktstat vs nfacct vs comment (QEMU guest, pktgen)"
bench/kernel/vm-rulecost.sh
