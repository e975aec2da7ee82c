#!/bin/bash
# Instructions per packet of the counting hot path (kernel/pktstat_core.c built for
# userspace, -O2), under callgrind: N packets in one window vs 2N, difference / N; for
# single frames and for 44-segment super-packets.
# The packet path takes no lock; its clock here is the driver's (a call and a load), so
# the kernel clock's own cost is not in this number: it is the core's own work.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kdir=$here/../../kernel
n=${N:-1000000}
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/drive.c" <<'C'
#include <stdlib.h>
#include <stdio.h>
#include "pktstat_core.h"

static volatile u64 clock_ns = 1764288000000000000ULL;
u64 pktstat_mono_now(void) { return clock_ns; }
s64 pktstat_real_offset(void) { return 0; }
u64 pktstat_pkt_now(void) { return clock_ns; }

int main(int argc, char **argv)
{
	static struct pktstat_rec ring[4];
	static struct pktstat_delta harvest[1];
	static struct pktstat_taken taken[1];
	static struct pktstat_pcpu pcpu[1];
	struct pktstat_core c = { .capacity = 4, .ring = ring, .harvest = harvest,
				  .taken = taken, .pcpu = pcpu, .ncpu = 1 };
	unsigned long i, n = strtoul(argv[1], NULL, 10);
	u32 segs = strtoul(argv[2], NULL, 10);

	(void)argc;
	pktstat_core_init(&c, 1000000000ULL);
	/* as the match calls it: constants for a single frame */
	if (segs == 1)
		for (i = 0; i < n; i++)
			pktstat_count(&c, &pcpu[0], 1, 100 + (i & 511), 0);
	else
		for (i = 0; i < n; i++)
			pktstat_count(&c, &pcpu[0], segs, 100 + (i & 511) + (segs - 1) * 1448,
				      (u64)(segs - 1) * 52);
	printf("%llu\n", (unsigned long long)pcpu[0].frames);
	return 0;
}
C
cc -O2 -pthread -I"$here/../../test/core" -I"$kdir" -o "$tmp/drive" "$tmp/drive.c" "$kdir/pktstat_core.c"

instr() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1.$2" "$tmp/drive" "$1" "$2" >/dev/null 2>&1
	awk '/^totals:/ { print $2 }' "$tmp/cg.$1.$2"
}
for segs in 1 44; do
	a=$(instr "$n" $segs)
	b=$(instr $((2 * n)) $segs)
	echo "callgrind, $segs-frame packets: $n packets $a instructions, $((2 * n)) packets $b instructions"
	awk -v a="$a" -v b="$b" -v n="$n" -v s="$segs" \
		'BEGIN { printf "hot path: %.2f instructions per %d-frame packet\n", (b - a) / n, s }'
done
