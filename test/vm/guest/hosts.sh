# Two hosts for the real-kernel tests that need a wire: namespaces a and b on a veth pair,
# and a TCP transfer between them counted from the sender's own numbers. Sourced by lib.sh.

# two_hosts: namespaces a (10.99.0.1, fd99::1 on va) and b (10.99.0.2, fd99::2 on vb). Static
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
}

# receive_by_napi: b's veth merges what it receives by GRO: GRO on, and NAPI, which an XDP
# program that passes everything gives a veth on every kernel (GRO on alone does since 5.13).
receive_by_napi() {
	on b ethtool -K vb gro on >/dev/null || fail "ethtool -K vb gro on failed"
	on b "$VM_HELPERS/xdppass" vb >xdp.out 2>&1 &
	wait_for 10 grep -q attached xdp.out || fail "cannot attach XDP to vb: $(cat xdp.out)"
}

# on NS CMD...: CMD in namespace NS (a background job calls ip netns exec itself, so its pid is CMD's).
on() {
	ip netns exec "$@"
}

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
