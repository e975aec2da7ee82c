# Counting what the wire carries: GSO/GRO super-packets between two network namespaces on a
# veth pair, a (the sender) and b (the receiver) of guest/hosts.sh. Every count is exact against the sender's
# own numbers (what it sent, or its socket's TCP_INFO) and `stats`' skbs against iptables'
# rule counters, which count super-packets.

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

# tcp_offloads CMD ADDR MODE: 8 MB from a to b with the sender's TSO/GSO and the receiver's
# GRO as MODE says (tso: the sender's TSO/GSO; gro: only the receiver's GRO; none: neither). Both sides count exactly the
# sender's segments and wire bytes; the skbs say where super-packets were. TCP hands the
# stack super-packets whatever the device offers: without TSO/GSO, the device layer cuts
# them after netfilter's hooks, and the veth carries single frames (its link counter).
tcp_offloads() {
	local cmd=$1 addr=$2 mode=$3 a_skbs a_skb_bytes b_skbs b_skb_bytes link_tx
	local ip_hdr=$(($(udp_overhead "$addr") - 8))
	two_hosts
	case $mode in
	gro) on a ethtool -K va tso off gso off >/dev/null && receive_by_napi ;;
	none) on a ethtool -K va tso off gso off >/dev/null && on b ethtool -K vb gro off >/dev/null ;;
	esac || fail "ethtool -K failed"
	on a "$cmd" -A OUTPUT -o va -p tcp --dport 5601 -m pktstat --period 1ms --samples 100000 --name out &&
		on b "$cmd" -A INPUT -i vb -p tcp --dport 5601 -m pktstat --period 1ms --samples 100000 --name in ||
		fail "$cmd refused the rules"
	tcp_transfer "$addr" 5601 8000000 $ip_hdr
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
