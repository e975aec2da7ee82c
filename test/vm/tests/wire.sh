# Counting what the wire carries: GSO/GRO super-packets between two network namespaces on a
# veth pair, a (the sender) and b (the receiver). Every count is exact against the sender's
# own numbers (what it sent, or its socket's TCP_INFO) and `stats`' skbs against iptables'
# rule counters, which count super-packets.

# two_hosts: namespaces a (10.99.0.1, fd99::1 on va) and b (10.99.0.2, fd99::2 on vb),
# b's veth with GRO on (which gives veth its NAPI, so received frames are merged). Static
# neighbours: while ARP or ND resolves, a neighbour's queue keeps only a few super-packets.
two_hosts() {
	ip netns add a && ip netns add b || fail "ip netns add failed"
	ip link add va address 02:00:00:00:99:01 netns a type veth peer name vb \
		address 02:00:00:00:99:02 netns b || fail "cannot add the veth pair"
	ip -n a neigh add 10.99.0.2 lladdr 02:00:00:00:99:02 dev va nud permanent &&
		ip -n a neigh add fd99::2 lladdr 02:00:00:00:99:02 dev va nud permanent &&
		ip -n b neigh add 10.99.0.1 lladdr 02:00:00:00:99:01 dev vb nud permanent &&
		ip -n b neigh add fd99::1 lladdr 02:00:00:00:99:01 dev vb nud permanent ||
		fail "cannot add the static neighbours"
	ip -n a addr add 10.99.0.1/24 dev va && ip -n b addr add 10.99.0.2/24 dev vb &&
		ip -n a addr add fd99::1/64 dev va nodad && ip -n b addr add fd99::2/64 dev vb nodad ||
		fail "cannot address the veth pair"
	ip -n a link set va up && ip -n b link set vb up && ip -n a link set lo up &&
		ip -n b link set lo up || fail "cannot bring the links up"
	ip netns exec b ethtool -K vb gro on >/dev/null || fail "ethtool -K vb gro on failed"
}

# on NS CMD...: CMD in namespace NS (a background job calls ip netns exec itself, so its pid is CMD's).
on() {
	ip netns exec "$@"
}

# check_set NS SET FRAMES BYTES SKBS SKB_BYTES: the set's stats and its data stream, and its
# rule's iptables counters (the first rule of the only chain NS's CMD has one in).
check_set() {
	local ns=$1 set=$2
	on "$ns" cat "$PS_DIR/$set/stats" >"$set.stats" || fail "cannot read $ns's $set/stats"
	check_eq "$ns $set frames" "$3" "$(kv "$set.stats" frames)"
	check_eq "$ns $set bytes" "$4" "$(kv "$set.stats" bytes)"
	check_eq "$ns $set skbs" "$5" "$(kv "$set.stats" skbs)"
	check_eq "$ns $set skb_bytes" "$6" "$(kv "$set.stats" skb_bytes)"
	on "$ns" cat "$PS_DIR/$set/data" >"$set.data" || fail "cannot read $ns's $set/data"
	check_stream "$set.data" 1000000
	check_eq "$ns $set data's last totals" "$3 $4" "$F $B"
}

# UDP with UDP_SEGMENT: each send is one skb at the sender, its segments on the wire. The
# receiver gets the same frames and bytes; as how many skbs depends on the veth (5.10's cuts
# them), its own rule counter says.
udp_gso() {
	local cmd=$1 addr=$2 h b_skbs b_skb_bytes
	h=$(udp_overhead "$addr")
	two_hosts
	on a "$cmd" -A OUTPUT -o va -p udp --dport 5600 -m pktstat --period 1ms --samples 1000 --name out &&
		on b "$cmd" -A INPUT -i vb -p udp --dport 5600 -m pktstat --period 1ms --samples 1000 --name in ||
		fail "$cmd refused the rules"
	# 10 sends of 64 segments of 1000 bytes, 10 of 7 segments of 1200 with a short last one
	on a "$VM_HELPERS/udpsend" "$addr" 5600 10 64000 1000 || fail "UDP_SEGMENT send failed"
	on a "$VM_HELPERS/udpsend" "$addr" 5600 10 7700 1200 || fail "UDP_SEGMENT send failed"
	sleep 0.2
	local frames=$((10 * 64 + 10 * 7)) bytes=$((10 * (64000 + 64 * h) + 10 * (7700 + 7 * h)))
	local skb_bytes=$((10 * (64000 + h) + 10 * (7700 + h)))
	check_set a out $frames $bytes 20 $skb_bytes
	check_eq "a's rule counters ($cmd)" "20 $skb_bytes" "$(rule_counters "on a $cmd" OUTPUT 1)"
	read -r b_skbs b_skb_bytes <<<"$(rule_counters "on b $cmd" INPUT 1)"
	check_set b in $frames $bytes "$b_skbs" "$b_skb_bytes"
}

test_udp_gso_v4() { udp_gso iptables 10.99.0.2; }
test_udp_gso_v6() { udp_gso ip6tables fd99::2; }

# tcp_transfer ADDR PORT BYTES OVERHEAD: a TCP transfer of BYTES from a to b's ADDR:PORT,
# counted by the sets and rules the caller made.
# OVERHEAD: header bytes of each segment below TCP. Sets WIRE_FRAMES and WIRE_BYTES from the
# sender's TCP_INFO: its segments, and their payload plus headers (its SYN carries 8 more
# option bytes than the others with timestamps, 12 more without).
tcp_transfer() {
	local addr=$1 port=$2 bytes=$3 overhead=$4 r segs sent ts sink
	ip netns exec b "$VM_HELPERS/tcpxfer" sink "$port" ready 2>sink.err &
	sink=$!
	wait_for 10 test -e ready || fail "the receiver did not listen: $(cat sink.err)"
	r=$(on a "$VM_HELPERS/tcpxfer" send "$addr" "$port" "$bytes") || fail "the transfer failed"
	echo "sender: $r"
	read -r _ segs _ sent _ ts <<<"$r"
	((sent >= bytes)) || fail "TCP_INFO says $sent bytes sent of $bytes"
	WIRE_FRAMES=$segs
	WIRE_BYTES=$((sent + segs * (overhead + 20 + 12 * ts) + (ts ? 8 : 12)))
	wait $sink || fail "the receiver failed: $(cat sink.err)"
}

# tcp_offloads CMD ADDR MODE: 20 MB from a to b with the sender's TSO/GSO and the receiver's
# GRO as MODE says (tso: all on; gro: only GRO; none: all off). Both sides count exactly the
# sender's segments and wire bytes; the skbs say where super-packets were. TCP hands the
# stack super-packets whatever the device offers: without TSO/GSO, the device layer cuts
# them after netfilter's hooks, and the veth carries single frames (its link counter).
tcp_offloads() {
	local cmd=$1 addr=$2 mode=$3 a_skbs a_skb_bytes b_skbs b_skb_bytes link_tx
	local ip_hdr=$(($(udp_overhead "$addr") - 8))
	two_hosts
	case $mode in
	gro) on a ethtool -K va tso off gso off >/dev/null ;;
	none) on a ethtool -K va tso off gso off >/dev/null && on b ethtool -K vb gro off >/dev/null ;;
	esac || fail "ethtool -K failed"
	on a "$cmd" -A OUTPUT -o va -p tcp --dport 5601 -m pktstat --period 1ms --samples 100000 --name out &&
		on b "$cmd" -A INPUT -i vb -p tcp --dport 5601 -m pktstat --period 1ms --samples 100000 --name in ||
		fail "$cmd refused the rules"
	tcp_transfer "$addr" 5601 20000000 $ip_hdr
	sleep 0.2
	read -r a_skbs a_skb_bytes <<<"$(rule_counters "on a $cmd" OUTPUT 1)"
	read -r b_skbs b_skb_bytes <<<"$(rule_counters "on b $cmd" INPUT 1)"
	link_tx=$(on a cat /sys/class/net/va/statistics/tx_packets)
	echo "frames $WIRE_FRAMES, skbs: sender $a_skbs receiver $b_skbs, va's tx_packets $link_tx"
	check_set a out "$WIRE_FRAMES" "$WIRE_BYTES" "$a_skbs" "$a_skb_bytes"
	check_set b in "$WIRE_FRAMES" "$WIRE_BYTES" "$b_skbs" "$b_skb_bytes"
	((a_skbs * 4 < WIRE_FRAMES)) || fail "the sender's TCP sent $a_skbs skbs for $WIRE_FRAMES frames"
	case $mode in
	tso) ((link_tx < WIRE_FRAMES)) || fail "with TSO the veth carried $link_tx packets" ;;
	gro) ((link_tx >= WIRE_FRAMES)) || fail "without TSO/GSO the veth carried only $link_tx packets"
		((b_skbs * 4 < WIRE_FRAMES)) || fail "GRO merged only into $b_skbs skbs" ;;
	none) ((link_tx >= WIRE_FRAMES)) || fail "without TSO/GSO the veth carried only $link_tx packets"
		check_eq "receiver skbs without GRO" "$WIRE_FRAMES" "$b_skbs" ;;
	esac
}

test_tcp_tso_v4() { tcp_offloads iptables 10.99.0.2 tso; }
test_tcp_tso_v6() { tcp_offloads ip6tables fd99::2 tso; }
test_tcp_gro_v4() { tcp_offloads iptables 10.99.0.2 gro; }
test_tcp_gro_v6() { tcp_offloads ip6tables fd99::2 gro; }
test_tcp_no_offloads_v4() { tcp_offloads iptables 10.99.0.2 none; }

# A TCP transfer through a VXLAN tunnel over the veth: a's underlay sees tunnelled TSO
# super-packets, each segment with its own outer IP, UDP, VXLAN, Ethernet, inner IP and TCP
# headers. Static neighbours and no IPv6 on the tunnel: only the transfer crosses it.
test_vxlan_tso() {
	local ns peer me a_skbs a_skb_bytes
	two_hosts
	for ns in a b; do
		[ $ns = a ] && me=1 peer=2 || me=2 peer=1
		on $ns ip link add vx0 address 02:00:00:00:00:0$me type vxlan id 42 local 10.99.0.$me \
			remote 10.99.0.$peer dstport 4789 dev v$ns || fail "cannot add vx0 in $ns"
		on $ns sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1 &&
			on $ns ip addr add 10.98.0.$me/24 dev vx0 &&
			on $ns ip link set vx0 up &&
			on $ns ip neigh add 10.98.0.$peer lladdr 02:00:00:00:00:0$peer dev vx0 nud permanent ||
			fail "cannot set up vx0 in $ns"
	done
	on a iptables -A OUTPUT -o va -p udp --dport 4789 -m pktstat --period 1ms --samples 100000 --name out ||
		fail "rule refused"
	# the underlay's bytes of a segment below the inner TCP header: IP, UDP, VXLAN, Ethernet, IP
	tcp_transfer 10.98.0.2 5602 5000000 $((20 + 8 + 8 + 14 + 20))
	sleep 0.2
	read -r a_skbs a_skb_bytes <<<"$(rule_counters "on a iptables" OUTPUT 1)"
	echo "frames $WIRE_FRAMES, skbs $a_skbs"
	check_set a out "$WIRE_FRAMES" "$WIRE_BYTES" "$a_skbs" "$a_skb_bytes"
	((a_skbs * 4 < WIRE_FRAMES)) || fail "the tunnel sent $a_skbs skbs for $WIRE_FRAMES frames"
}

# A virtual machine's TSO through a tap device (virtio_net_hdr): the kernel marks such
# super-packets untrusted (SKB_GSO_DODGY) and leaves their segment count to whoever
# segments, so the match computes it from the payload: 5 frames of 39,500 payload bytes
# at an MSS of 1000 are 200 frames of 40 header bytes each.
test_tap_gso() {
	local skb=$((40 + 39500))
	ip netns add b || fail "ip netns add failed"
	# /dev/net/tun appears when its module loads (nothing loads it on open here)
	modprobe tun || fail "modprobe tun failed"
	on b "$VM_HELPERS/tapsend" tap0 0 0 1 || fail "cannot create tap0"
	on b ip addr add 10.97.0.1/24 dev tap0 && on b ip link set tap0 up ||
		fail "cannot set tap0 up"
	on b iptables -A INPUT -i tap0 -p tcp --dport 5603 -m pktstat --period 1ms --samples 1000 --name in ||
		fail "rule refused"
	on b "$VM_HELPERS/tapsend" tap0 5 39500 1000 || fail "tapsend failed"
	sleep 0.2
	check_set b in $((5 * 40)) $((5 * skb + 5 * 39 * 40)) 5 $((5 * skb))
	check_eq "rule counters" "5 $((5 * skb))" "$(rule_counters "on b iptables" INPUT 1)"
}

# pktstat-top's bursts export on a TCP transfer into b: a threshold of 500 frames per 1 s
# window fires, though the whole transfer is fewer than 500 skbs, so counting what netfilter
# handles would never have fired it. The bursts are exactly those of the windows export.
test_tcp_burst_export() {
	local cli=$REPO/dist/tui/src/cli.js skbs
	[ -e "$cli" ] || fail "$cli is missing (npx tsc -p tsconfig.json)"
	two_hosts
	on b iptables -A INPUT -i vb -p tcp --dport 5604 -m pktstat --period 1s --samples 1000 --name in ||
		fail "rule refused"
	ip netns exec b node "$cli" --rule in --export csv --output w.csv 2>w.err &
	local pid_w=$!
	ip netns exec b node "$cli" --rule in --export bursts --threshold 500pps --output b.csv 2>b.err &
	local pid_b=$!
	wait_for 60 grep -q . w.csv 2>/dev/null || fail "no CSV header from the windows export: $(cat w.err)"
	wait_for 60 grep -q . b.csv 2>/dev/null || fail "no CSV header from the bursts export: $(cat b.err)"
	# the window each export started in is not a whole window: start in a later one
	sleep 1.5
	tcp_transfer 10.99.0.2 5604 10000000 20
	# idle windows end the burst before the exports stop
	sleep 3
	kill -TERM $pid_w $pid_b
	wait $pid_w || fail "windows export exited non-zero: $(tail -n1 w.err)"
	wait $pid_b || fail "bursts export exited non-zero: $(tail -n1 b.err)"
	skbs=$(on b cat "$PS_DIR/in/stats" | kv /dev/stdin skbs)
	((skbs < 500)) || fail "the transfer was $skbs skbs: a window of skbs could reach 500"
	awk -F, 'NR > 1 { f += $3; b += $4 } END { printf "%d %d\n", f, b }' w.csv >w.sums
	check_eq "windows CSV frames, bytes" "$WIRE_FRAMES $WIRE_BYTES" "$(cat w.sums)"
	check_bursts w.csv b.csv 1000000000 500 1e18
	((BURSTS >= 1)) || fail "no burst written: $(cat w.csv)"
	echo "$skbs skbs, $WIRE_FRAMES frames; bursts: $(tail -n +2 b.csv | cut -d, -f3,4,6 | tr '\n' ' ')"
}
