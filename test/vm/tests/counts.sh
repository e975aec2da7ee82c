# Counting through iptables: the original README, exact totals against the rules' own
# counters in every back end and family, windows, overflow, table replacement, shared names,
# option checking, /proc files and unloading.

# The README of 2011, command for command.
test_readme() {
	local help here=$PWD
	rmmod xt_pktstat || fail "cannot unload xt_pktstat before loading it as the README does"
	# iptables/ as built for this release
	cd "$VM_HELPERS/iptables" || fail "no $VM_HELPERS/iptables"
	# --help may load the module already (iptables asks the kernel for the match's revision)
	dmesg -C
	help=$(XTABLES_LIBDIR=$PWD:/lib/xtables iptables -m pktstat --help 2>&1) ||
		fail "iptables -m pktstat --help failed: $(echo "$help" | tail -n1)"
	for o in --period --samples --name; do
		grep -q -- "$o" <<<"$help" || fail "--help does not list $o"
	done
	modprobe xt_pktstat || fail "modprobe xt_pktstat failed"
	dmesg | grep -q 'xt_pktstat: init!' || fail "no 'xt_pktstat: init!' line in the kernel log"
	XTABLES_LIBDIR=$PWD:/lib/xtables iptables -m pktstat --period 100 --samples 20 -A INPUT ||
		fail "the README's rule was refused"
	[ -r "$PS_DIR/0/data" ] || fail "no $PS_DIR/0/data after the README's rule"
	# No port filter here (as in the README): each datagram also brings an ICMP error back.
	send 127.0.0.1 9 10 100
	sleep 0.3
	cd "$here"
	cat "$PS_DIR/0/data" >data || fail "cat $PS_DIR/0/data failed"
	check_eq "first line" "# timestamp frames bytes" "$(head -n1 data)"
	check_stream data 100000000
	check_eq "totals vs iptables -nvxL" "$(rule_counters iptables INPUT 1)" "$F $B"
	((F >= 10)) || fail "only $F frames for 10 datagrams"
}

# exact_counts CMD ADDR: a UDP port rule, three batches of known sizes, totals exact in data,
# stats and the rule's own counters.
exact_counts() {
	local cmd=$1 addr=$2 h f b n lost
	h=$(udp_overhead "$addr")
	"$cmd" -A INPUT -p udp --dport 5555 -m pktstat --period 100 --samples 1000 --name ex ||
		fail "$cmd refused the rule"
	send "$addr" 5555 100 64
	sleep 0.25
	send "$addr" 5555 50 1000
	send "$addr" 5556 30 10	# another port: not counted
	sleep 0.25
	send "$addr" 5555 7 1
	sleep 0.25
	read_data ex data
	check_stream data 100000000
	check_eq "frames" 157 "$F"
	check_eq "bytes" $((100 * (h + 64) + 50 * (h + 1000) + 7 * (h + 1))) "$B"
	check_eq "lost" 0 "$LOST"
	((N >= 2)) || fail "expected samples of at least 2 windows, got $N"
	check_eq "rule counters ($cmd -nvxL)" "$F $B" "$(rule_counters "$cmd" INPUT 1)"
	check_eq "stats frames" "$F" "$(kv "$PS_DIR/ex/stats" frames)"
	check_eq "stats bytes" "$B" "$(kv "$PS_DIR/ex/stats" bytes)"
	# datagrams below the MTU are one frame each: both views agree
	check_eq "stats skbs" "$F" "$(kv "$PS_DIR/ex/stats" skbs)"
	check_eq "stats skb_bytes" "$B" "$(kv "$PS_DIR/ex/stats" skb_bytes)"
	check_eq "stats samples" "$N" "$(kv "$PS_DIR/ex/stats" samples)"
	check_eq "stats queued" 0 "$(kv "$PS_DIR/ex/stats" queued)"
}

test_exact_legacy_v4() { exact_counts iptables-legacy 127.0.0.1; }
test_exact_nft_v4() { exact_counts iptables-nft 127.0.0.1; }
test_exact_legacy_v6() { exact_counts ip6tables-legacy ::1; }
test_exact_nft_v6() { exact_counts ip6tables-nft ::1; }

# --period 100us: timestamps on 100000 ns boundaries, strictly increasing.
test_period_100us() {
	local i
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 100us --samples 100000 --name us ||
		fail "--period 100us refused"
	check_eq "config period_ns" 100000 "$(kv "$PS_DIR/us/config" period_ns)"
	for i in $(seq 20); do send 127.0.0.1 5555 50 200; done
	sleep 0.1
	read_data us data
	check_stream data 100000
	check_eq "frames" 1000 "$F"
	check_eq "bytes" $((1000 * 228)) "$B"
	((N >= 5)) || fail "20 bursts gave only $N windows of 100us"
	check_eq "rule counters" "$F $B" "$(rule_counters iptables INPUT 1)"
}

# --samples 2 and traffic over many windows without reading: "# lost K", totals exact,
# stats agree with the stream.
test_overflow() {
	local i samples
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 2 --name of ||
		fail "rule refused"
	for i in $(seq 10); do send 127.0.0.1 5555 5 100; sleep 0.02; done
	samples=$(kv "$PS_DIR/of/stats" samples)
	((samples >= 10)) || fail "10 sends in separate windows gave only $samples samples"
	check_eq "stats held" 2 "$(kv "$PS_DIR/of/stats" held)"
	check_eq "stats lost before reading" $((samples - 2)) "$(kv "$PS_DIR/of/stats" lost)"
	check_eq "stats queued before reading" 2 "$(kv "$PS_DIR/of/stats" queued)"
	# the set keeps the newest samples: data gets the loss, then the two newest
	read_data of data
	check_stream data 1000000
	check_eq "first read" "# lost $((samples - 2))" "$(sed -n 2p data)"
	check_eq "samples of the first read" 2 "$N"
	check_eq "frames of the newest sample" 50 "$F"
	# nothing more lost after data caught up
	send 127.0.0.1 5555 5 100
	sleep 0.02
	read_data of data
	check_stream data 1000000
	# a send may straddle windows: more than two new samples would lose the oldest again
	((LOST >= samples - 2)) || fail "lost in all: $LOST, fewer than the first read's $((samples - 2))"
	check_eq "frames" 55 "$F"
	check_eq "bytes" $((55 * 128)) "$B"
	check_eq "stats lost" "$LOST" "$(kv "$PS_DIR/of/stats" lost)"
	check_eq "stats samples = read + lost" "$((N + LOST))" "$(kv "$PS_DIR/of/stats" samples)"
	check_eq "stats queued" 0 "$(kv "$PS_DIR/of/stats" queued)"
	check_eq "rule counters" "$F $B" "$(rule_counters iptables INPUT 1)"
}

# save_restore CMD: save, restore, same rule text, counters continue.
save_restore() {
	local cmd=$1 f b n lost
	"$cmd" -A INPUT -p udp --dport 5555 -m pktstat --period 250us --samples 77 --name sr ||
		fail "rule refused"
	send 127.0.0.1 5555 20 100
	"$cmd-save" >saved || fail "$cmd-save failed"
	grep -- '-m pktstat' saved >rule1
	grep -q -- '--name sr' rule1 || fail "$cmd-save lost the name: $(cat rule1)"
	"$cmd-restore" <saved || fail "$cmd-restore refused its own save"
	"$cmd-save" | grep -- '-m pktstat' >rule2
	check_eq "rule after restore" "$(cat rule1)" "$(cat rule2)"
	check_eq "config period_ns" 250000 "$(kv "$PS_DIR/sr/config" period_ns)"
	check_eq "config capacity" 77 "$(kv "$PS_DIR/sr/config" capacity)"
	send 127.0.0.1 5555 10 100
	sleep 0.05
	read_data sr data
	check_stream data 250000
	check_eq "frames across restore" 30 "$F"
	check_eq "bytes across restore" $((30 * 128)) "$B"
}

test_save_restore_nft() { save_restore iptables-nft; }
test_save_restore_legacy() { save_restore iptables-legacy; }

# unrelated_change CMD: adding and deleting another rule keeps the set's counts.
unrelated_change() {
	local cmd=$1 f b n lost
	"$cmd" -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name un ||
		fail "rule refused"
	send 127.0.0.1 5555 20 100
	"$cmd" -A INPUT -p tcp --dport 1 -j ACCEPT || fail "adding another rule failed"
	send 127.0.0.1 5555 5 100
	"$cmd" -D INPUT -p tcp --dport 1 -j ACCEPT || fail "deleting the other rule failed"
	send 127.0.0.1 5555 10 100
	sleep 0.05
	read_data un data
	check_stream data 1000000
	check_eq "frames" 35 "$F"
	check_eq "bytes" $((35 * 128)) "$B"
	check_eq "rule counters" "$F $B" "$(rule_counters "$cmd" INPUT 1)"
}

test_unrelated_change_nft() { unrelated_change iptables-nft; }
test_unrelated_change_legacy() { unrelated_change iptables-legacy; }

# Rules sharing a name (also across families) add up; a conflicting period is refused.
test_shared_name() {
	local msg r1 r2 r3
	iptables -A INPUT -p udp --dport 6001 -m pktstat --period 10ms --samples 100 --name sh &&
		iptables -A INPUT -p udp --dport 6002 -m pktstat --period 10ms --samples 100 --name sh &&
		ip6tables -A INPUT -p udp --dport 6002 -m pktstat --period 10ms --samples 100 --name sh ||
		fail "rules sharing a name refused"
	check_eq "config rules" 3 "$(kv "$PS_DIR/sh/config" rules)"
	send 127.0.0.1 6001 10 100
	send 127.0.0.1 6002 4 500
	send ::1 6002 3 50
	if msg=$(iptables -A INPUT -p udp --dport 6003 -m pktstat --period 20ms --samples 100 --name sh 2>&1); then
		fail "a rule with a conflicting --period for 'sh' was accepted"
	fi
	grep -qF 'pktstat: set "sh" has --period 10ms, this rule says 20ms' <<<"$msg" ||
		fail "iptables's refusal does not name the conflict: $msg"
	check_eq "pktstat rules after the refusal" 2 "$(iptables -S INPUT | grep -c pktstat)"
	check_eq "config rules after the refusal" 3 "$(kv "$PS_DIR/sh/config" rules)"
	check_eq "config period_ns after the refusal" 10000000 "$(kv "$PS_DIR/sh/config" period_ns)"
	sleep 0.05
	read_data sh data
	check_stream data 10000000
	check_eq "frames" 17 "$F"
	check_eq "bytes" $((10 * 128 + 4 * 528 + 3 * 98)) "$B"
	read -r r1 _ < <(rule_counters iptables INPUT 1)
	read -r r2 _ < <(rule_counters iptables INPUT 2)
	read -r r3 _ < <(rule_counters ip6tables INPUT 1)
	check_eq "sum of the three rules' packets" "$F" $((r1 + r2 + r3))
}

# Each bad option is refused with a one-line message naming it, leaving nothing behind.
test_bad_options() {
	local spec word msg
	while IFS='|' read -r word spec; do
		if msg=$(iptables -A INPUT -m pktstat $spec 2>&1); then
			fail "accepted: -m pktstat $spec"
		fi
		msg=$(head -n1 <<<"$msg")
		grep -qi -- "$word" <<<"$msg" || fail "'$spec': message does not name $word: $msg"
		[ -z "$(ls -A $PS_DIR)" ] || fail "'$spec' left $(ls $PS_DIR) in $PS_DIR"
		check_eq "pktstat rules after '$spec'" 0 "$(iptables -S | grep -c pktstat)"
		echo "refused '$spec': $msg"
	done <<-'EOF2'
		period|--samples 10
		samples|--period 100
		samples|--period 100 --samples 0
		samples|--period 100 --samples 1048577
		period|--period 0 --samples 10
		period|--period 2h --samples 10
		period|--period 10xs --samples 10
		name|--period 100 --samples 10 --name a/b
		name|--period 100 --samples 10 --name abcdefghijklmnop
		name|--period 100 --samples 10 --name .hidden
	EOF2
}

# config and stats contents and file modes (test_nobody_reads_nothing: other users).
test_proc_files() {
	local d=$PS_DIR/pf
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 64 --name pf ||
		fail "rule refused"
	check_eq "mode of data" 400 "$(stat -c %a $d/data)"
	check_eq "mode of stream" 400 "$(stat -c %a $d/stream)"
	check_eq "mode of config" 444 "$(stat -c %a $d/config)"
	check_eq "mode of stats" 400 "$(stat -c %a $d/stats)"
	check_eq "config name" pf "$(kv $d/config name)"
	check_eq "config period_ns" 1000000 "$(kv $d/config period_ns)"
	check_eq "config capacity" 64 "$(kv $d/config capacity)"
	check_eq "config rules" 1 "$(kv $d/config rules)"
	send 127.0.0.1 5555 5 72
	sleep 0.01
	send 127.0.0.1 5555 1 72
	check_eq "stats frames" 6 "$(kv $d/stats frames)"
	check_eq "stats bytes" 600 "$(kv $d/stats bytes)"
	check_eq "stats lost" 0 "$(kv $d/stats lost)"
	# nobody read yet: everything pushed is held and queued for data
	kv $d/stats samples >samples
	(($(cat samples) >= 1)) || fail "no sample pushed"
	check_eq "stats queued" "$(cat samples)" "$(kv $d/stats queued)"
	check_eq "stats held" "$(cat samples)" "$(kv $d/stats held)"
	check_eq "stats readers" 0 "$(kv $d/stats readers)"
	grep -vqE '^[a-z_]+: ' $d/stats && fail "stats has a line that is not 'key: value'"
	grep -vqE '^[a-z_]+: ' $d/config && fail "config has a line that is not 'key: value'"
	read_data pf data
	check_stream data 1000000
	check_eq "frames read by root" 6 "$F"
}

# The module stays while a rule uses it and unloads after the last one.
test_rmmod() {
	iptables -A INPUT -m pktstat --period 1ms --samples 4 --name rm || fail "rule refused"
	rmmod xt_pktstat 2>/dev/null && fail "rmmod succeeded while a rule uses the module"
	[ -d $PS_DIR/rm ] || fail "the set vanished after a refused rmmod"
	iptables -D INPUT -m pktstat --period 1ms --samples 4 --name rm || fail "cannot delete the rule"
	wait_for 5 rmmod xt_pktstat || fail "rmmod failed after the last rule was deleted"
	[ ! -e $PS_DIR ] || fail "$PS_DIR is still there after rmmod"
	modprobe xt_pktstat || fail "modprobe after rmmod failed"
}

# Two iptables choosing a name at the same moment may choose the same number: the kernel
# refuses the later rule ("File exists", its log says why), so two unnamed rules never share a
# set by accident. Shown with the sets hidden from one iptables (it chooses 0, as a racing one
# would), then with pairs of iptables started together.
test_unnamed_race() {
	local ipt i rules sets refused
	for ipt in iptables-legacy iptables-nft; do
		"$ipt" -A INPUT -m pktstat --period 1ms --samples 10 || fail "$ipt: unnamed rule refused"
		dmesg -C
		unshare -m --propagation private sh -c "mount -t tmpfs hide /proc &&
			exec $ipt -A INPUT -m pktstat --period 1ms --samples 10" 2>err &&
			fail "$ipt: a rule that chose the existing set 0 as unused was accepted"
		echo "$ipt: $(tr '\n' '|' <err)"
		grep -q 'File exists' err || fail "$ipt: the refusal does not say 'File exists': $(cat err)"
		dmesg | grep -q 'xt_pktstat: set 0 exists: another iptables chose the same unused name' ||
			fail "$ipt: the kernel log does not say why: $(dmesg | tail -n 3)"
		check_eq "$ipt: rules of set 0" 1 "$(kv $PS_DIR/0/config rules)"
		"$ipt" -F INPUT || fail "$ipt -F failed"
		wait_for 5 test ! -e $PS_DIR/0 || fail "set 0 still there after the flush"
	done
	for i in $(seq 10); do
		iptables -w -A INPUT -m pktstat --period 1ms --samples 10 2>>race.err &
		iptables -w -A INPUT -m pktstat --period 1ms --samples 10 2>>race.err &
		wait
	done
	rules=$(iptables -S INPUT | grep -c pktstat)
	sets=$(ls $PS_DIR | wc -l)
	refused=$(grep -c 'File exists' race.err)
	echo "10 pairs of unnamed rules added at once: $rules added, $refused refused, $sets sets"
	check_eq "a set for every rule" "$rules" "$sets"
	check_eq "rules added or refused with 'File exists'" 20 $((rules + refused))
}
