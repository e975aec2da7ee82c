#!/bin/bash
# Guest side of vm-rulecost.sh (runs inside the test VM as root): pktgen injects UDP
# packets to 127.0.0.1:6000 into a dummy device's receive path; raw PREROUTING holds 200
# identical rules with one match; per-rule cost = (1/pps - 1/pps_without_rules) / 200.
# Then the flood: pktstat (and comment) rules with one pktgen thread, and with two on two
# vCPUs at once (each thread's own pps), so per-packet cost under two CPUs is compared with one.
# --readers N: pktstat is measured once more with N readers of the set's stream file
# draining it (read to EOF every 10 ms, as pktstat-top does) during the run.
set -euo pipefail
COUNT=${COUNT:-300000}
RULES=${RULES:-200}
IPT=iptables-legacy
READERS=0
if [ "${1:-}" = --readers ]; then
	READERS=${2:?--readers needs a number}
fi

modprobe -a pktgen dummy iptable_raw xt_comment nfnetlink_acct xt_nfacct xt_pktstat
ip link add pg0 type dummy
ip link set pg0 up
ip link set lo up
nfacct add rulecost

pgset() { echo "$1" >"$2"; }

# pps of each of N pktgen threads (N = 1 or 2, thread t on CPU t), each sending COUNT
# packets, all at once; one number per thread
run_pktgen() {
	local n=${1:-1} t pg
	for t in 0 1; do pgset "rem_device_all" /proc/net/pktgen/kpktgend_$t; done
	for ((t = 0; t < n; t++)); do
		pg=/proc/net/pktgen/pg0@$t
		pgset "add_device pg0@$t" /proc/net/pktgen/kpktgend_$t
		pgset "count $COUNT" $pg
		pgset "clone_skb 0" $pg
		pgset "pkt_size 60" $pg
		pgset "delay 0" $pg
		pgset "xmit_mode netif_receive" $pg
		pgset "dst_mac $(cat /sys/class/net/pg0/address)" $pg
		pgset "src_min 10.0.0.1" $pg
		pgset "src_max 10.0.0.1" $pg
		pgset "dst 127.0.0.1" $pg
		pgset "udp_src_min 9" $pg
		pgset "udp_src_max 9" $pg
		pgset "udp_dst_min 6000" $pg
		pgset "udp_dst_max 6000" $pg
	done
	pgset "start" /proc/net/pktgen/pgctrl
	for ((t = 0; t < n; t++)); do
		grep -o '[0-9]*pps' /proc/net/pktgen/pg0@$t | head -n1 | tr -d 'pps'
	done | paste -sd' '
}

# load RULES copies of "-p udp --dport 6000 MATCH" into raw PREROUTING
load_rules() {
	local i
	{
		echo "*raw"
		for ((i = 0; i < RULES; i++)); do
			echo "-A PREROUTING -p udp --dport 6000 $*"
		done
		echo "COMMIT"
	} | $IPT-restore
}

# a rule's packet counter must show every packet went through it (WANT, default COUNT)
check_hits() {
	local hits want=${1:-$COUNT}
	hits=$($IPT -t raw -nvxL PREROUTING | awk 'NR == 3 { print $1 }')
	[ "$hits" = "$want" ] || { echo "rule 1 saw $hits packets, not $want" >&2; exit 1; }
}

# READERS pktread processes following the set's stream, each its own position; on the last
# CPU, away from pktgen's kpktgend_0, so that they cost the packet path only what they do
# to the set (its lock, its cache lines), not CPU time taken from the sender.
start_readers() {
	local i cpu=$(($(nproc) - 1))
	rm -rf /tmp/readers && mkdir /tmp/readers
	READER_PIDS=()
	for ((i = 0; i < READERS; i++)); do
		taskset -c $cpu "$VM_HELPERS/pktread" /proc/net/xt_pktstat/rulecost/stream follow /tmp/readers/stop 10 \
			>/tmp/readers/$i 2>/dev/null &
		READER_PIDS+=($!)
	done
}

# every reader saw the same samples: READ_SAMPLES is how many
stop_readers() {
	local i n
	touch /tmp/readers/stop
	wait "${READER_PIDS[@]}"
	READ_SAMPLES=$(grep -c '^[0-9]' /tmp/readers/0)
	for ((i = 1; i < READERS; i++)); do
		n=$(grep -c '^[0-9]' /tmp/readers/$i)
		[ "$n" = "$READ_SAMPLES" ] || { echo "reader $i read $n samples, reader 0 $READ_SAMPLES" >&2; exit 1; }
	done
	((READ_SAMPLES > 0)) || { echo "the readers read no sample" >&2; exit 1; }
}

# measure MATCHES under the current clocksource and print the per-rule costs
measure() {
	local base base2 m
	declare -A pps
	$IPT -t raw -F
	base=$(run_pktgen)
	local methods="pktstat nfacct comment"
	((READERS > 0)) && methods="pktstat readers $methods"
	for m in $methods; do
		case $m in
		pktstat | readers) load_rules -m pktstat --period 1ms --samples 1000 --name rulecost ;;
		nfacct) load_rules -m nfacct --nfacct-name rulecost ;;
		comment) load_rules -m comment --comment rulecost ;;
		esac
		[ $m = readers ] && start_readers
		pps[$m]=$(run_pktgen)
		[ $m = readers ] && stop_readers
		check_hits
		$IPT -t raw -F
	done
	base2=$(run_pktgen)
	echo "clocksource $(cat $cs/current_clocksource): pktgen netif_receive, $COUNT packets, $RULES rules in raw PREROUTING ($IPT)"
	echo "no rules: $base pps (again at the end: $base2 pps)"
	awk -v b="$base" -v r="$RULES" -v p="${pps[pktstat]}" -v n="${pps[nfacct]}" -v c="${pps[comment]}" 'BEGIN {
		cp = (1e9 / p - 1e9 / b) / r; cn = (1e9 / n - 1e9 / b) / r; cc = (1e9 / c - 1e9 / b) / r
		printf "pktstat: %d pps, %.2f ns/rule\n", p, cp
		printf "nfacct:  %d pps, %.2f ns/rule\n", n, cn
		printf "comment: %d pps, %.2f ns/rule\n", c, cc
		printf "ratio pktstat/nfacct: %.2f  pktstat/comment: %.2f\n", cp / cn, cp / cc
	}'
	((READERS > 0)) || return 0
	awk -v b="$base" -v r="$RULES" -v p="${pps[pktstat]}" -v q="${pps[readers]}" -v n="$READERS" \
		-v s="$READ_SAMPLES" 'BEGIN {
		cp = (1e9 / p - 1e9 / b) / r; cq = (1e9 / q - 1e9 / b) / r
		printf "pktstat, no reader:          %d pps, %.2f ns/rule\n", p, cp
		printf "pktstat, %d stream readers:   %d pps, %.2f ns/rule (they read %d samples)\n", n, q, cq, s
		printf "ratio with/without readers: %.2f\n", cq / cp
	}'
}

# Per-rule cost with one sender, then with two senders on two vCPUs at once (mean of the
# threads' own per-packet costs), for pktstat and for comment, which shares nothing between
# CPUs: the host's two cores are shared, so the comment rule's own rise is the emulation's,
# and pktstat's rise beyond it is what two CPUs cost pktstat. The set must hold every packet.
flood() {
	local b1 b2 p1 p2 c1 c2 frames
	$IPT -t raw -F
	b1=$(run_pktgen 1)
	b2=$(run_pktgen 2)
	load_rules -m pktstat --period 1ms --samples 1000 --name rulecost
	p1=$(run_pktgen 1)
	check_hits
	p2=$(run_pktgen 2)
	check_hits $((3 * COUNT))
	frames=$(awk '$1 == "frames:" { print $2 }' /proc/net/xt_pktstat/rulecost/stats)
	[ "$frames" = $((3 * RULES * COUNT)) ] ||
		{ echo "stats: frames $frames, not $((3 * RULES * COUNT))" >&2; exit 1; }
	$IPT -t raw -F
	load_rules -m comment --comment rulecost
	c1=$(run_pktgen 1)
	c2=$(run_pktgen 2)
	$IPT -t raw -F
	echo "flood: 1 sender vs 2 senders on 2 vCPUs (pps of each sender; no rules: $b1 / $b2)"
	awk -v b1="$b1" -v b2="$b2" -v p1="$p1" -v p2="$p2" -v c1="$c1" -v c2="$c2" -v r="$RULES" '
	function cost(p, b) { return (1e9 / p - 1e9 / b) / r }
	function cost2(p, b) { split(p, pp, " "); split(b, bb, " ")
		return (cost(pp[1], bb[1]) + cost(pp[2], bb[2])) / 2 }
	BEGIN {
		pc1 = cost(p1, b1); pc2 = cost2(p2, b2); cc1 = cost(c1, b1); cc2 = cost2(c2, b2)
		printf "pktstat: 1 cpu %s pps, %.2f ns/rule; 2 cpus %s pps, %.2f ns/rule\n", p1, pc1, p2, pc2
		printf "comment: 1 cpu %s pps, %.2f ns/rule; 2 cpus %s pps, %.2f ns/rule\n", c1, cc1, c2, cc2
		printf "ratio 2 cpus/1 cpu: pktstat %.2f, comment %.2f, pktstat beyond comment %.2f\n",
		       pc2 / pc1, cc2 / cc1, (pc2 / pc1) / (cc2 / cc1)
	}'
}

# pktstat reads CLOCK_REALTIME per packet: its cost follows the clocksource, which
# under emulation may be an emulated device; measure again with tsc when it is offered.
cs=/sys/devices/system/clocksource/clocksource0
echo "clocksources available: $(cat $cs/available_clocksource)"
measure
if [ "$(cat $cs/current_clocksource)" != tsc ] && grep -qw tsc $cs/available_clocksource; then
	echo tsc >$cs/current_clocksource
	measure
fi
flood
