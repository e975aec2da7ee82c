#!/usr/bin/env bash
# The dashboard under load: SETS counter sets of 100 µs windows with traffic in a share BUSY of
# the windows and bursts past the threshold, played by bench/dashboard/dashboard-feed.ts into a fake proc
# dir; pktstat-top runs in a 132x40 tmux terminal. Prints its CPU use (all threads, the drain
# thread included), its RSS and its V8 heap (in use / size, from bench/dashboard/heap-probe.ts) after the
# warm-up, every minute, and at the end.
# Usage: bench/dashboard/dashboard-cpu.sh [seconds=30] [sets=64] [busy=0.5]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30} sets=${2:-64} busy=${3:-0.5}
warmup=10
command -v tmux >/dev/null || { echo "dashboard-cpu: tmux missing: apt-get install tmux" >&2; exit 1; }
dir=$(mktemp -d /dev/shm/pktstat-bench.XXXXXX)
sock="pktstat-bench-$$"
T() { tmux -L "$sock" "$@"; }
feed=
cleanup() { T kill-server 2>/dev/null || true; [ -n "$feed" ] && kill "$feed" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
node dist/bench/dashboard/dashboard-feed.js "$dir" "$sets" "$busy" $((seconds + warmup + 5)) &
feed=$!
sleep 1
heapfile="$dir/heap"
T new-session -d -s bench -x 132 -y 40 "PKTSTAT_HEAP_FILE=$heapfile exec node --import ./dist/bench/dashboard/heap-probe.js dist/tui/src/cli.js --proc-dir $dir --threshold 200kpps"
pid=$(T display -p -t bench '#{pane_pid}')
ticks=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# The drain thread's share (the addon names it pktstat-drain).
drain_cpu() { for t in /proc/$pid/task/*; do [ "$(cat "$t/comm")" = pktstat-drain ] && awk '{ print $14 + $15 }' "$t/stat"; done | awk '{ s += $1 } END { print s + 0 }'; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
heap() { awk '{ printf "heap %d / %d MiB", $1 / 1024, $2 / 1024 }' "$heapfile"; }
sleep "$warmup"
c0=$(cpu) d0=$(drain_cpu) r0=$(rss) t0=$(date +%s.%N)
h0=$(heap)
echo "start: RSS $((r0 / 1024)) MiB, $h0 after ${warmup} s"
# CPU of one step, % of one core: all threads, then the drain thread.
share() { awk -v a="$1" -v b="$2" -v t0="$3" -v t1="$4" -v hz="$ticks" 'BEGIN { printf "%.1f%%", 100 * (b - a) / hz / (t1 - t0) }'; }
elapsed=0 cs=$c0 ds=$d0 ts=$t0
while [ "$elapsed" -lt "$seconds" ]; do
	step=$(( seconds - elapsed < 60 ? seconds - elapsed : 60 ))
	sleep "$step"
	elapsed=$((elapsed + step))
	if [ "$elapsed" -lt "$seconds" ]; then
		c=$(cpu) d=$(drain_cpu) t=$(date +%s.%N)
		echo "  ${elapsed} s: CPU $(share "$cs" "$c" "$ts" "$t") (drain $(share "$ds" "$d" "$ts" "$t")) in the last ${step} s, RSS $(( $(rss) / 1024 )) MiB, $(heap)"
		cs=$c ds=$d ts=$t
	fi
done
c1=$(cpu) d1=$(drain_cpu) r1=$(rss) t1=$(date +%s.%N)
h1=$(heap)
echo "end:   RSS $((r1 / 1024)) MiB, $h1 after $((warmup + seconds)) s"
awk -v c0="$c0" -v c1="$c1" -v d0="$d0" -v d1="$d1" -v t0="$t0" -v t1="$t1" -v hz="$ticks" -v n="$sets" -v busy="$busy" 'BEGIN {
	pct = 100 * (c1 - c0) / hz / (t1 - t0)
	drain = 100 * (d1 - d0) / hz / (t1 - t0)
	printf "dashboard: %d sets of 100 µs windows, traffic in %.0f%% of windows: %.1f%% of one core over %.0f s (goal < 15%%)\n", n, busy * 100, pct, t1 - t0
	printf "  of which the drain thread %.1f%%, the JavaScript side (model, drawing) %.1f%%\n", drain, pct - drain
}'
echo "RSS: $((r0 / 1024)) MiB -> $((r1 / 1024)) MiB ($(( (r1 - r0) )) KiB); V8 $h0 -> $h1"
echo "screen at the end:"
T capture-pane -p -t bench | sed -n "1,4p"; T capture-pane -p -t bench | grep -m1 "drain "
