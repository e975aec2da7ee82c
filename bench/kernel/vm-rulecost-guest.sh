#!/bin/bash
# Guest side of vm-rulecost.sh (runs inside the test VM as root): pktgen injects UDP
# packets to 127.0.0.1:6000 into a dummy device's receive path; raw PREROUTING holds 200
# identical rules with one match; per-rule cost = (1/pps - 1/pps_without_rules) / 200.
# Then the flood: pktstat (and comment) rules with one pktgen thread, and with two on two
# vCPUs at once (each thread's own pps), so per-packet cost under two CPUs is compared with one.
# --readers N: instead, pktstat alone, without readers and with N readers of a stream file
# draining it (read to EOF every 10 ms, as pktstat-top does); see readers_measure.
# --pollers N: instead, pktstat alone, without and with N idle poll() callers on another set;
# see pollers_measure.
# --module KO: instead, pktstat with the run's module and with KO, a build of it that differs in
# one thing (vm-rulecost.sh --clock: the packet clock); see modules_measure.
set -euo pipefail
COUNT=${COUNT:-300000}
RULES=${RULES:-200}
IPT=iptables-legacy
PKTSTAT=(-m pktstat --period 1ms --samples 1000 --name rulecost)
READERS=0 POLLERS=0 MODULE=
case ${1:-} in
--readers) READERS=${2:?--readers needs a number} ;;
--pollers) POLLERS=${2:?--pollers needs a number} ;;
--module) MODULE=${2:?--module needs a .ko} ;;
esac

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
	load_rules "${PKTSTAT[@]}"
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

# round_cost MATCH...: ns per rule of RULES rules with MATCH, after a no-rule run of its own
round_cost() {
	local base pps
	$IPT -t raw -F
	base=$(run_pktgen)
	load_rules "$@"
	pps=$(run_pktgen)
	check_hits
	rule_cost "$pps" "$base"
}

# Per-rule cost of pktstat, nfacct and comment under the current clocksource: ROUNDS rounds
# (default 5) of the three in turn, so that drift in the shared host hits all three alike;
# the ratios are of the medians.
measure() {
	local i cost p=() n=() c=()
	COUNT=${MEASURE_COUNT:-100000}
	for ((i = 0; i < ${ROUNDS:-5}; i++)); do
		cost=$(round_cost "${PKTSTAT[@]}")
		p+=("$cost")
		cost=$(round_cost -m nfacct --nfacct-name rulecost)
		n+=("$cost")
		cost=$(round_cost -m comment --comment rulecost)
		c+=("$cost")
	done
	$IPT -t raw -F
	echo "clocksource $(cat $cs/current_clocksource): pktgen netif_receive, $COUNT packets, $RULES rules in raw PREROUTING ($IPT), ${ROUNDS:-5} rounds"
	echo "pktstat ns/rule: ${p[*]}"
	echo "nfacct  ns/rule: ${n[*]}"
	echo "comment ns/rule: ${c[*]}"
	awk -v p="$(median "${p[@]}")" -v n="$(median "${n[@]}")" -v c="$(median "${c[@]}")" 'BEGIN {
		printf "median ns/rule: pktstat %.2f, nfacct %.2f, comment %.2f\n", p, n, c
		printf "ratio pktstat/nfacct: %.2f  pktstat/comment: %.2f\n", p / n, p / c
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
	load_rules "${PKTSTAT[@]}"
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


# rule_cost PPS BASE: ns per rule from a run's pps and the pps without rules
rule_cost() {
	awk -v p="$1" -v b="$2" -v r="$RULES" 'BEGIN { printf "%.2f", (1e9 / p - 1e9 / b) / r }'
}

# --pollers N: the pktstat rules and a set "idle" whose rule sees no packet. Runs without
# poll() callers, with N of them on idle's stream (on the last CPU, away from the sender;
# it never becomes readable), and without again. Besides the pps, the pollers' wake-ups
# during their run (voluntary context switches): a push of the measured set must neither
# wake nor cost anything for pollers of another set.
pollers_measure() {
	local base before with after woken cpu=$(($(nproc) - 1))
	COUNT=${POLLERS_COUNT:-30000}
	$IPT -t raw -F
	base=$(run_pktgen)
	load_rules "${PKTSTAT[@]}"
	$IPT -t raw -A PREROUTING -p tcp --dport 1 -m pktstat --period 1ms --samples 1000 --name idle
	before=$(run_pktgen)
	rm -rf /tmp/pollers && mkdir /tmp/pollers
	taskset -c $cpu bash -c 'ulimit -n 4096
		for ((p = 0; p < $1; p++)); do
			"$VM_HELPERS/pktread" /proc/net/xt_pktstat/idle/stream poll 3600000 2>/dev/null &
			echo $! >>/tmp/pollers/pids
		done
		wait' bash "$POLLERS" &
	local spawner=$!
	until [ -s /tmp/pollers/pids ] && (($(wc -l </tmp/pollers/pids) >= POLLERS)) &&
		(($(cat $(sed 's|.*|/proc/&/stat|' /tmp/pollers/pids) | awk '$3 == "S"' | wc -l) >= POLLERS)); do
		sleep 0.5
	done
	woken=$(switches)
	with=$(run_pktgen)
	woken=$(($(switches) - woken))
	kill $(cat /tmp/pollers/pids)
	wait $spawner 2>/dev/null || true
	after=$(run_pktgen)
	check_hits $((3 * COUNT))
	$IPT -t raw -F
	echo "clocksource $(cat $cs/current_clocksource): pktgen netif_receive, $COUNT packets, $RULES pktstat rules in raw PREROUTING ($IPT)"
	echo "no rules: $base pps"
	echo "pktstat, no pollers:                      $before pps, $(rule_cost "$before" "$base") ns/rule (after them: $after pps)"
	echo "pktstat, $POLLERS idle pollers of another set:  $with pps, $(rule_cost "$with" "$base") ns/rule; they woke $woken times"
	awk -v a="$before" -v c="$after" -v b="$with" 'BEGIN { printf "ratio pps with/without pollers: %.2f\n", b / ((a + c) / 2) }'
}

# switches: voluntary context switches of the pollers so far (each wake-up is one).
switches() {
	cat $(sed 's|.*|/proc/&/status|' /tmp/pollers/pids) |
		awk '$1 == "voluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}

# --module KO: per-rule cost of pktstat with the run's module (A) and with KO (B), ROUNDS times
# alternating, a no-rule run before each; medians.
modules_measure() {
	local i m cost a=() b=()
	COUNT=${MODULE_COUNT:-60000}
	for ((i = 0; i < ${ROUNDS:-5}; i++)); do
		for m in A B; do
			$IPT -t raw -F
			rmmod xt_pktstat
			if [ $m = A ]; then modprobe xt_pktstat; else insmod "$MODULE"; fi
			cost=$(round_cost "${PKTSTAT[@]}")
			if [ $m = A ]; then a+=("$cost"); else b+=("$cost"); fi
		done
	done
	$IPT -t raw -F
	echo "clocksource $(cat $cs/current_clocksource): pktgen netif_receive, $COUNT packets, $RULES pktstat rules in raw PREROUTING ($IPT)"
	echo "ns/rule, module A (the run's): ${a[*]}"
	echo "ns/rule, module B ($MODULE): ${b[*]}"
	awk -v a="$(median "${a[@]}")" -v b="$(median "${b[@]}")" \
		'BEGIN { printf "median ns/rule: A %.2f, B %.2f, B - A %.2f, ratio B/A %.2f\n", a, b, b - a, b / a }'
}

# pktstat reads its packet clock per packet: the clock's cost follows the clocksource, which
# under emulation may be an emulated device; measure again with tsc when it is offered.
cs=/sys/devices/system/clocksource/clocksource0
echo "clocksources available: $(cat $cs/available_clocksource)"
if ((READERS > 0)); then
	readers_measure
	exit 0
fi
if ((POLLERS > 0)); then
	pollers_measure
	exit 0
fi
if [ -n "$MODULE" ]; then
	modules_measure
	exit 0
fi
measure
if [ "$(cat $cs/current_clocksource)" != tsc ] && grep -qw tsc $cs/available_clocksource; then
	echo tsc >$cs/current_clocksource
	measure
fi
flood
