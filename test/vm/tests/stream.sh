# Reading stream (a position per open file) beside data (one shared position), lapped and
# late readers, poll, removal and namespaces while open, memory cgroup charges, and the
# message iptables prints for a rule that disagrees with its set.

# sample_lines FILE: the "TS FRAMES BYTES" lines alone.
sample_lines() {
	grep -E '^[0-9]+ [0-9]+ [0-9]+$' "$1"
}

# bursts N: N sends of 5 datagrams of 100 bytes, each in a window of its own (period 1ms).
bursts() {
	local i
	for i in $(seq "$1"); do send 127.0.0.1 5555 5 100; sleep 0.02; done
}

# Two stream readers that keep their file open and a data reader: each gets every sample.
test_stream_side_by_side() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 1000 --name sb ||
		fail "rule refused"
	local d=$PS_DIR/sb s
	exec 3<"$d/stream" 4<"$d/stream"
	for s in 1 2 3 4; do
		bursts 3
		# sequential reads after end-of-file continue where they stopped
		cat <&3 >>s1 || fail "read of stream (reader 1) failed"
		cat "$d/data" >>data || fail "read of data failed"
	done
	cat <&3 >>s1 && cat <&4 >s2 && cat "$d/data" >>data || fail "final reads failed"
	local samples
	samples=$(kv "$d/stats" samples)
	((samples >= 12)) || fail "12 bursts in separate windows gave only $samples samples"
	for s in s1 s2 data; do
		check_stream $s 1000000
		check_eq "$s: frames" 60 "$F"
		check_eq "$s: bytes" $((60 * 128)) "$B"
		check_eq "$s: samples" "$samples" "$N"
		check_eq "$s: lost" 0 "$LOST"
	done
	check_eq "headers of stream reader 1 (one open, reads never at 0 again)" 1 "$(header_count s1)"
	check_eq "headers of data (one per open)" 5 "$(header_count data)"
	cmp -s <(sample_lines s1) <(sample_lines s2) || fail "the two stream readers got different samples"
	cmp -s <(sample_lines s1) <(sample_lines data) || fail "stream and data got different samples"
	check_eq "stats readers while two streams are open" 2 "$(kv "$d/stats" readers)"
	check_eq "stats queued (data read everything)" 0 "$(kv "$d/stats" queued)"
	exec 3<&- 4<&-
	check_eq "stats readers after closing them" 0 "$(kv "$d/stats" readers)"
	check_eq "rule counters" "60 $((60 * 128))" "$(rule_counters iptables INPUT 1)"
}

# A reader lapped by the ring gets "# lost K" and the newest samples; an eager one loses
# nothing; data (unread) counts the same loss in stats.
test_stream_lapped() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 4 --name lp ||
		fail "rule refused"
	local d=$PS_DIR/lp i samples
	exec 3<"$d/stream" 4<"$d/stream"
	for i in $(seq 10); do
		bursts 1
		cat <&4 >>eager || fail "eager read failed"
	done
	cat <&4 >>eager
	samples=$(kv "$d/stats" samples)
	((samples >= 10)) || fail "10 bursts gave only $samples samples"
	cat <&3 >lapped || fail "lapped read failed"
	check_stream lapped 1000000
	check_eq "lapped: lost" $((samples - 4)) "$LOST"
	check_eq "lapped: samples" 4 "$N"
	check_eq "lapped: frames" 50 "$F"
	check_eq "lapped: one loss line, right after the header" "# lost $((samples - 4))" "$(sed -n 2p lapped)"
	check_stream eager 1000000
	check_eq "eager: lost" 0 "$LOST"
	check_eq "eager: samples" "$samples" "$N"
	check_eq "eager: frames" 50 "$F"
	check_eq "stats held" 4 "$(kv "$d/stats" held)"
	check_eq "stats lost (data unread)" $((samples - 4)) "$(kv "$d/stats" lost)"
	check_eq "stats queued (data unread)" 4 "$(kv "$d/stats" queued)"
	# data: the same loss, then the four newest
	read_data lp data
	check_stream data 1000000
	check_eq "data: lost" $((samples - 4)) "$LOST"
	check_eq "data: samples" 4 "$N"
	cmp -s <(sample_lines lapped) <(sample_lines data) || fail "data and the lapped stream differ"
}

# A stream opened after the traffic gets the history, even after data consumed it.
test_stream_late() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name lt ||
		fail "rule refused"
	local d=$PS_DIR/lt samples
	bursts 6
	read_data lt data
	samples=$(kv "$d/stats" samples)
	cat "$d/stream" >late || fail "read of stream failed"
	check_stream late 1000000
	check_eq "late: samples (history)" "$samples" "$N"
	check_eq "late: frames" 30 "$F"
	check_eq "late: lost" 0 "$LOST"
	cmp -s <(sample_lines late) <(sample_lines data) || fail "the late stream's history differs from data"
	check_eq "data after it was read" "# timestamp frames bytes" "$(cat "$d/data")"
	# pread at 0 on a kept-open stream: the header again, then what arrived since
	"$VM_HELPERS/pktread" "$d/stream" pread stop 30 >kept 2>err &
	local pid=$!
	bursts 3
	touch stop
	wait $pid || fail "pread reader: $(cat err)"
	check_stream kept 1000000
	check_eq "kept: frames" 45 "$F"
	check_eq "kept: samples" "$(kv "$d/stats" samples)" "$N"
	check_eq "kept: one header per pread" "$(sed -n 's/^rounds //p' err)" "$(header_count kept)"
}

# poll(): a stream reader at the end is not readable because data has samples waiting; it
# wakes when a sample past its own position exists.
test_stream_poll() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 10ms --samples 100 --name pl ||
		fail "rule refused"
	local d=$PS_DIR/pl
	send 127.0.0.1 5555 5 100
	sleep 0.05
	"$VM_HELPERS/pktread" "$d/stream" poll 500 2>idle
	check_eq "poll at the end of the stream, data unread" timeout "$(tail -n1 idle)"
	(($(kv "$d/stats" queued) >= 1)) || fail "data has no sample waiting"
	poll_wakes "$d/stream"
}

# Deleting the last rule while streams are open: their reads end, nothing breaks.
test_stream_delete_while_open() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name del ||
		fail "rule refused"
	send 127.0.0.1 5555 5 100
	exec 3<$PS_DIR/del/stream
	delete_under_reader del stream hold opened
	reader_ends
	cat <&3 >after 2>&1 && [ -s after ] && fail "a read after removal returned data: $(cat after)"
	exec 3<&-
}

# Namespaces: each stream sees its own namespace's set; a namespace that dies while a
# stream of it is open (opened through /proc/PID/net) ends that stream's reads.
test_stream_netns() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name nsx ||
		fail "rule refused"
	ip netns add a || fail "ip netns add failed"
	ip netns exec a ip link set lo up
	ip netns exec a iptables -A INPUT -p udp --dport 5555 -m pktstat --period 2ms --samples 10 --name nsx ||
		fail "rule refused in namespace a"
	ip netns exec a "$VM_HELPERS/udpsend" 127.0.0.1 5555 7 100 || fail "sending in namespace a failed"
	send 127.0.0.1 5555 3 100
	sleep 0.02
	ip netns exec a cat $PS_DIR/nsx/stream >in_a || fail "read in namespace a failed"
	cat $PS_DIR/nsx/stream >in_init || fail "read in the initial namespace failed"
	check_stream in_a 2000000
	check_eq "frames of namespace a's stream" 7 "$F"
	check_stream in_init 1000000
	check_eq "frames of the initial namespace's stream" 3 "$F"
	ip netns delete a || fail "ip netns delete failed"
	# namespace b, kept alive only by a sleeping process, dies while its stream is open
	ip netns add b || fail "ip netns add failed"
	ip netns exec b iptables -A INPUT -m pktstat --period 2ms --samples 10 --name nsb ||
		fail "rule refused in namespace b"
	ip netns exec b sleep 300 &
	local holder=$!
	wait_for 10 test -e /proc/$holder/net/xt_pktstat/nsb/stream ||
		fail "no stream under /proc/$holder/net"
	"$VM_HELPERS/pktread" /proc/$holder/net/xt_pktstat/nsb/stream hold go >held 2>status &
	READER=$!
	exec 5</proc/$holder/net/xt_pktstat/nsb/stream
	wait_for 10 grep -q opened status || fail "the reader did not open stream: $(cat status)"
	ip netns delete b || fail "ip netns delete failed"
	kill $holder
	wait $holder 2>/dev/null
	# the namespace's cleanup runs in a workqueue: until it removed the set, reads go on
	wait_for 20 eval '! cat <&5 >/dev/null 2>&1' ||
		fail "the dead namespace's stream still reads: $(lsns -t net 2>&1 | tr '\n' '|')"
	exec 5<&-
	reader_ends
	grep -q '^end: error' status || fail "the reader's read did not fail: $(tail -n1 status)"
	check_eq "the initial namespace's set is untouched" 3 "$(kv $PS_DIR/nsx/stats frames)"
}

# cgroup v2 memory controller in /sys/fs/cgroup; CG the test's cgroup with LIMIT as memory.max.
cg_setup() {
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup || fail "cannot mount cgroup2"
	grep -qw memory /sys/fs/cgroup/cgroup.controllers || fail "no memory controller"
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control || fail "cannot enable the memory controller"
	CG=/sys/fs/cgroup/pktstat-test
	rmdir $CG 2>/dev/null
	mkdir $CG || fail "cannot create $CG"
	echo "$1" >$CG/memory.max || fail "cannot set memory.max"
}

# in_cg COMMAND...: run COMMAND in the test's cgroup.
in_cg() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' $CG "$@"
}

# A ring of 2^20 samples (24 MiB) is charged to the cgroup of the process that adds the
# rule; one that does not fit is refused with nothing left behind; deleting uncharges.
# memory.current moves in per-CPU batches, hence the 1 MiB of slack (SLACK).
memcg_rules() {
	local ipt=$1 before after i accepted=0 refused=0
	local ring=$((1048576 * 24)) SLACK=1048576
	cg_setup 64M
	for i in 1 2 3 4; do
		before=$(cat $CG/memory.current)
		if in_cg "$ipt" -A INPUT -m pktstat --period 1ms --samples 1048576 --name big$i 2>err; then
			after=$(cat $CG/memory.current)
			echo "$ipt rule big$i accepted: memory.current $before -> $after (+$((after - before)))"
			((after - before >= ring - SLACK)) ||
				fail "big$i charged only $((after - before)) bytes, ring is $ring"
			((after - before < ring + 4 * 1048576)) ||
				fail "big$i charged $((after - before)) bytes, far over the ring's $ring"
			accepted=$((accepted + 1))
		else
			after=$(cat $CG/memory.current)
			echo "$ipt rule big$i refused ($(cat err)): memory.current $before -> $after"
			test -e $PS_DIR/big$i && fail "the refused big$i left $PS_DIR/big$i"
			((after - before < SLACK)) || fail "the refused big$i left $((after - before)) bytes charged"
			refused=$((refused + 1))
			break
		fi
	done
	check_eq "$ipt: 24 MiB rings accepted under memory.max 64M" 2 "$accepted"
	check_eq "$ipt: the third refused" 1 "$refused"
	check_eq "$ipt: pktstat rules in the table" 2 "$($ipt -S INPUT | grep -c pktstat)"
	check_eq "$ipt: no OOM kill" "oom_kill 0" "$(grep '^oom_kill ' $CG/memory.events)"
	before=$(cat $CG/memory.current)
	in_cg "$ipt" -F INPUT || fail "flush failed"
	wait_for 5 eval '[ -z "$(ls -A $PS_DIR)" ]' || fail "sets left after the flush: $(ls $PS_DIR)"
	after=$(cat $CG/memory.current)
	echo "$ipt flush: memory.current $before -> $after"
	((before - after >= 2 * ring - SLACK)) || fail "the flush uncharged only $((before - after)) bytes"
}

test_memcg_legacy() {
	memcg_rules iptables-legacy
}

test_memcg_nft() {
	memcg_rules iptables-nft
}

# Reader state is charged to the opener: 1000 open streams, each a fixed few KiB.
test_memcg_readers() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 65536 --name rd ||
		fail "rule refused"
	bursts 2
	cg_setup max
	in_cg bash -c '
		cg=$1 f=$2
		ulimit -n 4096 || exit 1
		before=$(cat $cg/memory.current)
		for i in $(seq 1000); do exec {fd}<"$f" || exit 1; done
		after=$(cat $cg/memory.current)
		echo "$before $after $(awk -F": " "\$1 == \"readers\" { print \$2 }" ${f%/stream}/stats)"
	' bash $CG $PS_DIR/rd/stream >charged || fail "opening 1000 streams failed"
	local before after readers
	read -r before after readers <charged
	echo "1000 open streams: memory.current $before -> $after (+$((after - before)))"
	check_eq "readers while open" 1000 "$readers"
	# a reader holds about 3 KiB; a copy of the ring (1.5 MiB) would be 1.5 GB for 1000
	((after - before >= 1000 * 2048)) || fail "1000 readers charged only $((after - before)) bytes"
	((after - before < 1000 * 16384)) || fail "1000 readers charged $((after - before)) bytes"
	check_eq "readers after they closed" 0 "$(kv $PS_DIR/rd/stats readers)"
}

# conflict CMD ADDR: a rule whose --period or --samples disagrees with the set is refused by
# iptables with a line naming the set, the option and both values; the kernel refuses it too.
conflict() {
	local ipt=$1 prefix
	prefix=$("$ipt" --version)
	"$ipt" -A INPUT -m pktstat --period 100us --samples 20 --name dns || fail "$ipt: rule refused"
	"$ipt" -A INPUT -m pktstat --period 1ms --samples 20 --name dns 2>err &&
		fail "$ipt: a rule with another --period was accepted"
	echo "$ipt: $(head -n1 err)"
	check_eq "$ipt --period message" "$prefix: pktstat: set \"dns\" has --period 100us, this rule says 1ms" "$(head -n1 err)"
	"$ipt" -A INPUT -m pktstat --period 100us --samples 50 --name dns 2>err &&
		fail "$ipt: a rule with other --samples was accepted"
	echo "$ipt: $(head -n1 err)"
	check_eq "$ipt --samples message" "$prefix: pktstat: set \"dns\" has --samples 20, this rule says 50" "$(head -n1 err)"
	# with the set hidden from iptables, the kernel is the one that refuses
	unshare -m --propagation private sh -c "mount -t tmpfs hide /proc &&
		exec $ipt -A INPUT -m pktstat --period 1ms --samples 20 --name dns" 2>err &&
		fail "$ipt: the kernel accepted a conflicting rule"
	echo "$ipt with the set hidden: $(cat err)"
	grep -q 'pktstat: set' err && fail "$ipt saw the hidden set: $(cat err)"
	# two rules of one restore file that disagree on a set not in the kernel yet: the kernel
	# refuses the commit without a word, the extension has named the conflict first
	local restore=$ipt-restore
	# the legacy binaries call themselves iptables-restore and ip6tables-restore
	[[ $ipt == *-legacy ]] && restore=${ipt%-legacy}-restore
	printf '%s\n' '*filter' \
		'-A INPUT -m pktstat --period 100us --samples 20 --name fresh' \
		'-A INPUT -m pktstat --period 1ms --samples 20 --name fresh' \
		'COMMIT' | "$ipt-restore" --noflush 2>err &&
		fail "$ipt-restore: a file with disagreeing rules was committed"
	echo "$ipt-restore: $(tr '\n' '|' <err)"
	grep -qxF "$restore: pktstat: set \"fresh\" has --period 100us in an earlier rule, this rule says 1ms" err ||
		fail "$ipt-restore did not name the conflict: $(cat err)"
	[ -e $PS_DIR/fresh ] && fail "$ipt-restore left set fresh behind"
	check_eq "$ipt: pktstat rules after the refusals" 1 "$("$ipt" -S INPUT | grep -c pktstat)"
	check_eq "$ipt: config rules" 1 "$(kv $PS_DIR/dns/config rules)"
	"$ipt" -A INPUT -m pktstat --period 100us --samples 20 --name dns || fail "$ipt: an agreeing rule was refused"
	check_eq "$ipt: config rules" 2 "$(kv $PS_DIR/dns/config rules)"
}

test_conflict_legacy_v4() {
	conflict iptables-legacy
}

test_conflict_nft_v4() {
	conflict iptables-nft
}

test_conflict_legacy_v6() {
	conflict ip6tables-legacy
}

test_conflict_nft_v6() {
	conflict ip6tables-nft
}
