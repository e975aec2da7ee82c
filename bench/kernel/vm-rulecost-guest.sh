#!/bin/bash
# Guest side of vm-rulecost.sh (runs inside the test VM as root): pktgen injects UDP
# packets to 127.0.0.1:6000 into a dummy device's receive path; raw PREROUTING holds 200
# identical rules with one match; per-rule cost = (1/pps - 1/pps_without_rules) / 200.
# Then the flood: pktstat (and comment) rules with one pktgen thread, and with two on two
# vCPUs at once (each thread's own pps), so per-packet cost under two CPUs is compared with one.
# --readers N: instead, pktstat alone, without readers and with N readers of a stream file
# draining it (read to EOF every 10 ms, as pktstat-top does); see readers_measure.
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

# READERS pktread processes following set $1's stream, each its own position; on the last
# CPU, away from pktgen's kpktgend_0, so that they cost the packet path only what they do
# to the set (its lock, its cache lines), not CPU time taken from the sender.
start_readers() {
	local i cpu=$(($(nproc) - 1)) set=$1
	rm -rf /tmp/readers && mkdir /tmp/readers
	READER_PIDS=()
	for ((i = 0; i < READERS; i++)); do
		taskset -c $cpu "$VM_HELPERS/pktread" /proc/net/xt_pktstat/$set/stream follow /tmp/readers/stop 10 \
			>/tmp/readers/$i 2>/dev/null &
		READER_PIDS+=($!)
	done
}

# every reader ended at the same last sample (they opened at slightly different times, so
# their first samples differ); READ_SAMPLES read and READ_LOST lost over all readers
stop_readers() {
	local i last= mine
	touch /tmp/readers/stop
	wait "${READER_PIDS[@]}"
	read -r READ_SAMPLES READ_LOST < <(cat /tmp/readers/* |
		awk '/^[0-9]/ { n++ } /^# lost / { lost += $3 } END { printf "%d %d\n", n, lost }')
	for ((i = 0; i < READERS; i++)); do
		mine=$(grep '^[0-9]' /tmp/readers/$i | tail -n1)
		: "${last:=$mine}"
		[ -n "$mine" ] && [ "$mine" = "$last" ] ||
			{ echo "reader $i ended at '$mine', reader 0 at '$last'" >&2; exit 1; }
	done
}

# --readers N: the pktstat rules plus one more rule of a second set, "ctl", that sees the same
# packets; ROUNDS times, alternating so that drift in the shared host hits all alike: no
# readers, N readers of ctl's stream (the same reading work, away from the measured set: what
# the readers' CPU use costs under emulation), N readers of the measured set's stream (that,
# plus whatever they do to the set the packet path counts into). Medians of each.
median() {
	printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"
}

readers_measure() {
	local i base base2 none=() ctl=() set=() rounds=${ROUNDS:-3}
	COUNT=${READERS_COUNT:-60000}
	$IPT -t raw -F
	base=$(run_pktgen)
	load_rules -m pktstat --period 1ms --samples 1000 --name rulecost
	$IPT -t raw -A PREROUTING -p udp --dport 6000 -m pktstat --period 1ms --samples 1000 --name ctl
	for ((i = 0; i < rounds; i++)); do
		none+=("$(run_pktgen)")
		start_readers ctl
		ctl+=("$(run_pktgen)")
		stop_readers
		start_readers rulecost
		set+=("$(run_pktgen)")
		stop_readers
	done
	check_hits $((3 * rounds * COUNT))
	$IPT -t raw -F
	base2=$(run_pktgen)
	echo "clocksource $(cat $cs/current_clocksource): pktgen netif_receive, $COUNT packets, $RULES pktstat rules + 1 (ctl) in raw PREROUTING ($IPT)"
	echo "no rules: $base pps (again at the end: $base2 pps)"
	echo "pps, no readers: ${none[*]}; $READERS readers of ctl: ${ctl[*]}; $READERS readers of the set: ${set[*]}"
	awk -v b="$base" -v r="$RULES" -v n="$READERS" -v s="$READ_SAMPLES" -v l="$READ_LOST" \
		-v m0="$(median "${none[@]}")" -v m1="$(median "${ctl[@]}")" -v m2="$(median "${set[@]}")" 'BEGIN {
		c0 = (1e9 / m0 - 1e9 / b) / r; c1 = (1e9 / m1 - 1e9 / b) / r; c2 = (1e9 / m2 - 1e9 / b) / r
		printf "pktstat, no reader:                  median %d pps, %.2f ns/rule\n", m0, c0
		printf "pktstat, %d readers of another set:   median %d pps, %.2f ns/rule\n", n, m1, c1
		printf "pktstat, %d readers of its own set:   median %d pps, %.2f ns/rule (last round: %d samples read, %d lost)\n", n, m2, c2, s, l
		printf "ratio own-set readers / no reader: %.2f; own-set readers / other-set readers: %.2f\n", c2 / c0, c2 / c1
	}'
}

# pktstat reads CLOCK_REALTIME per packet: its cost follows the clocksource, which
# under emulation may be an emulated device; measure again with tsc when it is offered.
cs=/sys/devices/system/clocksource/clocksource0
echo "clocksources available: $(cat $cs/available_clocksource)"
if ((READERS > 0)); then
	readers_measure
	exit 0
fi
measure
if [ "$(cat $cs/current_clocksource)" != tsc ] && grep -qw tsc $cs/available_clocksource; then
	echo tsc >$cs/current_clocksource
	measure
fi
flood
