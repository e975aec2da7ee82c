#!/bin/bash
# Guest side of vm-rulecost.sh (runs inside the test VM as root): pktgen injects UDP
# packets to 127.0.0.1:6000 into a dummy device's receive path; raw PREROUTING holds 200
# identical rules with one match; per-rule cost = (1/pps - 1/pps_without_rules) / 200.
set -euo pipefail
COUNT=${COUNT:-300000}
RULES=${RULES:-200}
IPT=iptables-legacy

modprobe -a pktgen dummy iptable_raw xt_comment nfnetlink_acct xt_nfacct xt_pktstat
ip link add pg0 type dummy
ip link set pg0 up
ip link set lo up
nfacct add rulecost

pgset() { echo "$1" >"$2"; }

# pps of one pktgen run of COUNT packets
run_pktgen() {
	local pg=/proc/net/pktgen/pg0
	pgset "rem_device_all" /proc/net/pktgen/kpktgend_0
	pgset "add_device pg0" /proc/net/pktgen/kpktgend_0
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
	pgset "start" /proc/net/pktgen/pgctrl
	grep -o '[0-9]*pps' $pg | head -n1 | tr -d 'pps'
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

# a rule's packet counter must show every packet went through it
check_hits() {
	local hits
	hits=$($IPT -t raw -nvxL PREROUTING | awk 'NR == 3 { print $1 }')
	[ "$hits" = "$COUNT" ] || { echo "rule 1 saw $hits packets, not $COUNT" >&2; exit 1; }
}

# measure MATCHES under the current clocksource and print the per-rule costs
measure() {
	local base base2 m
	declare -A pps
	$IPT -t raw -F
	base=$(run_pktgen)
	for m in pktstat nfacct comment; do
		case $m in
		pktstat) load_rules -m pktstat --period 1ms --samples 1000 --name rulecost ;;
		nfacct) load_rules -m nfacct --nfacct-name rulecost ;;
		comment) load_rules -m comment --comment rulecost ;;
		esac
		pps[$m]=$(run_pktgen)
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
