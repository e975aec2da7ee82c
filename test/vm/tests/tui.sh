# pktstat-top against the real module.

# --export csv while known traffic flows: the rows tile time and add up to what was sent.
test_tui_export() {
	local cli=$REPO/dist/tui/src/cli.js
	[ -e "$cli" ] || fail "$cli is missing (npx tsc -p tsconfig.json)"
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 100ms --samples 1000 --name tx ||
		fail "rule refused"
	node "$cli" --rule tx --export csv --duration 8s --output out.csv 2>err &
	local pid=$!
	wait_for 30 grep -q . out.csv 2>/dev/null || fail "no CSV header within 30 s: $(cat err)"
	send 127.0.0.1 5555 40 100
	sleep 0.3
	send 127.0.0.1 5555 10 1000
	sleep 0.3
	send 127.0.0.1 5555 3 10
	wait $pid || fail "pktstat-top exited non-zero: $(tail -n1 err)"
	check_eq "CSV header" "start_ns,end_ns,frames,bytes,lost" "$(head -n1 out.csv)"
	awk -F, 'NR > 1 {
			if (NF != 5 || $0 !~ /^[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+$/) { print "bad row " NR ": " $0; exit 1 }
			if (NR > 2 && ("" $1) != ("" end)) { print "row " NR " starts at " $1 ", previous ended at " end; exit 1 }
			end = $2; f += $3; b += $4; lost += $5; rows++
		}
		END { if (!rows) { print "no rows"; exit 1 } printf "%d %d %d\n", f, b, lost }' out.csv >sums ||
		fail "CSV: $(cat sums)"
	read -r f b lost <sums
	check_eq "CSV frames" 53 "$f"
	check_eq "CSV bytes" $((40 * 128 + 10 * 1028 + 3 * 38)) "$b"
	check_eq "CSV lost" 0 "$lost"
	check_eq "rule counters" "$f $b" "$(rule_counters iptables INPUT 1)"
}

# Two exports of one set side by side, and a `cat data` loop: every reader sees every sample.
# One export is stopped (SIGSTOP) while more windows pass than the set holds: it loses samples,
# and says so in its own rows; the other export and the data reader lose none. Both CSVs sum
# exactly to the counters' growth (stats, and iptables' own rule counters).
test_tui_two_exports() {
	local cli=$REPO/dist/tui/src/cli.js i
	[ -e "$cli" ] || fail "$cli is missing (npx tsc -p tsconfig.json)"
	# 100 windows of 10 ms: a reader stopped for more than a second is lapped.
	iptables -A INPUT -p udp --dport 5556 -m pktstat --period 10ms --samples 100 --name pair ||
		fail "rule refused"
	(while :; do cat $PS_DIR/pair/data >>data.txt || exit; sleep 0.05; done) &
	local reader=$!
	node "$cli" --rule pair --export csv --output a.csv 2>a.err &
	local pid_a=$!
	node "$cli" --rule pair --export csv --output b.csv 2>b.err &
	local pid_b=$!
	wait_for 60 grep -q . a.csv 2>/dev/null || fail "no CSV header from a within 60 s: $(cat a.err)"
	wait_for 60 grep -q . b.csv 2>/dev/null || fail "no CSV header from b within 60 s: $(cat b.err)"
	local f0 b0
	f0=$(kv $PS_DIR/pair/stats frames) b0=$(kv $PS_DIR/pair/stats bytes)
	send 127.0.0.1 5556 20 100
	sleep 0.5
	kill -STOP $pid_a
	# One datagram at a time: about one window with traffic each, far more than 100.
	for i in $(seq 1 160); do send 127.0.0.1 5556 1 100; done
	sleep 0.1
	kill -CONT $pid_a
	send 127.0.0.1 5556 5 1000
	sleep 1.5
	kill -TERM $pid_a $pid_b
	wait $pid_a || fail "export a exited non-zero: $(tail -n1 a.err)"
	wait $pid_b || fail "export b exited non-zero: $(tail -n1 b.err)"
	kill $reader
	wait $reader 2>/dev/null
	cat $PS_DIR/pair/data >>data.txt
	local sent_f=185 sent_b=$((180 * 128 + 5 * 1028))
	check_eq "stats growth" "$sent_f $sent_b" \
		"$(($(kv $PS_DIR/pair/stats frames) - f0)) $(($(kv $PS_DIR/pair/stats bytes) - b0))"
	check_eq "rule counters" "$sent_f $sent_b" "$(rule_counters iptables INPUT 1)"
	# Each CSV: rows tile time; sums; samples it accounts for (exact rows with traffic, plus
	# for each lost row its lost samples and the sample that announced them).
	local x f b lost samples lostrows
	for x in a b; do
		check_eq "$x: CSV header" "start_ns,end_ns,frames,bytes,lost" "$(head -n1 $x.csv)"
		awk -F, 'NR > 1 {
				if (NF != 5 || $0 !~ /^[0-9]+,[0-9]+,[0-9]+,[0-9]+,[0-9]+$/) { print "bad row " NR ": " $0; exit 1 }
				if (NR > 2 && ("" $1) != ("" end)) { print "row " NR " starts at " $1 ", previous ended at " end; exit 1 }
				end = $2; f += $3; b += $4; lost += $5
				if ($5 > 0) { samples += $5 + 1; lostrows++ } else if ($3 > 0) samples++
			}
			END { printf "%d %d %d %d %d\n", f, b, lost, samples, lostrows }' $x.csv >$x.sums ||
			fail "$x.csv: $(cat $x.sums)"
		read -r f b lost samples lostrows <$x.sums
		check_eq "$x: CSV frames, bytes" "$sent_f $sent_b" "$f $b"
		eval "${x}_lost=$lost ${x}_samples=$samples ${x}_lostrows=$lostrows"
	done
	# The data reader, every sample, none lost: the same count of samples as each export.
	check_stream data.txt 10000000
	check_eq "data reader lost" 0 "$LOST"
	check_eq "data reader samples = stats samples" "$(kv $PS_DIR/pair/stats samples)" "$N"
	check_eq "stats lost (data's readers)" 0 "$(kv $PS_DIR/pair/stats lost)"
	check_eq "b lost" 0 "$b_lost"
	check_eq "b samples = data's" "$N" "$b_samples"
	[ "$a_lost" -gt 0 ] && [ "$a_lostrows" -ge 1 ] ||
		fail "a was stopped past 100 windows with traffic but lost $a_lost samples"
	check_eq "a samples (with its losses) = data's" "$N" "$a_samples"
	echo "a: lost $a_lost in $a_lostrows rows; b: lost 0; data: $N samples"
}

# --export bursts and --export csv of one set side by side (each has its own position in
# `stream`): the bursts written are exactly SPEC section 4 worked out again from the windows,
# and the windows add up to what was sent (the rule counters).
test_tui_bursts_export() {
	local cli=$REPO/dist/tui/src/cli.js i
	[ -e "$cli" ] || fail "$cli is missing (npx tsc -p tsconfig.json)"
	iptables -A INPUT -p udp --dport 5557 -m pktstat --period 1ms --samples 4096 --name hot ||
		fail "rule refused"
	node "$cli" --rule hot --export csv --output w.csv 2>w.err &
	local pid_w=$!
	# 2 kpps and 2 Mbps at 1 ms: hot above 2 frames or above 250 bytes (two 128-byte datagrams).
	node "$cli" --rule hot --export bursts --threshold 2kpps --threshold 2Mbps --output b.csv 2>b.err &
	local pid_b=$!
	wait_for 60 grep -q . w.csv 2>/dev/null || fail "no CSV header from the windows export: $(cat w.err)"
	wait_for 60 grep -q . b.csv 2>/dev/null || fail "no CSV header from the bursts export: $(cat b.err)"
	sleep 1
	# Single datagrams (mostly cool windows) around back-to-back runs (hot windows).
	for i in 1 2 3; do
		send 127.0.0.1 5557 1 100
		sleep 0.2
		send 127.0.0.1 5557 $((100 * i)) 100
		sleep 0.2
		send 127.0.0.1 5557 1 100
	done
	# Idle windows end the last burst before both exports stop.
	sleep 1.5
	kill -TERM $pid_w $pid_b
	wait $pid_w || fail "windows export exited non-zero: $(tail -n1 w.err)"
	wait $pid_b || fail "bursts export exited non-zero: $(tail -n1 b.err)"
	local sent_f=606 sent_b=$((606 * 128))
	check_eq "rule counters" "$sent_f $sent_b" "$(rule_counters iptables INPUT 1)"
	awk -F, 'NR > 1 { f += $3; b += $4 } END { printf "%d %d\n", f, b }' w.csv >w.sums
	check_eq "windows CSV frames, bytes" "$sent_f $sent_b" "$(cat w.sums)"
	check_bursts w.csv b.csv 1000000 2 250
	((BURSTS >= 3)) || fail "only $BURSTS bursts from three runs of 100+ datagrams"
	echo "$BURSTS bursts: $(tail -n +2 b.csv | cut -d, -f3,4 | tr '\n' ' ')"
}

# The dashboard's `d` on set ssh, through its code path (the rules/ functions the dialog calls,
# with the real iptables and ip6tables; Ink alone takes over a minute to load under TCG): it
# lists and deletes the rules whose pktstat match names ssh, in both families, and nothing
# else. A firewall rule with `-m recent --name ssh`, and a rule of set web whose recent list is
# ssh, stay as they were.
test_tui_delete_key() {
	local rules=$REPO/dist/tui/src/rules/iptables.js
	[ -e "$rules" ] || fail "$rules is missing (npx tsc -p tsconfig.json)"
	iptables -A INPUT -p tcp --dport 22 -m recent --name ssh --rcheck --seconds 60 -j DROP ||
		fail "recent rule refused"
	iptables -A INPUT -p udp --dport 5560 -m pktstat --period 100ms --samples 100 --name ssh ||
		fail "pktstat rule refused"
	iptables -A INPUT -p udp --dport 5561 -m pktstat --period 100ms --samples 100 --name web \
		-m recent --name ssh --set || fail "pktstat + recent rule refused"
	ip6tables -A INPUT -p udp --dport 5560 -m pktstat --period 100ms --samples 100 --name ssh ||
		fail "ip6tables pktstat rule refused"
	# What must be left: every rule but the two of port 5560 (set ssh's own).
	iptables -S INPUT | grep -v -- '--dport 5560 ' >keep4
	ip6tables -S INPUT | grep -v -- '--dport 5560 ' >keep6
	[ "$(wc -l <keep4)" -eq 3 ] || fail "unexpected INPUT rules: $(iptables -S INPUT)"
	# What the confirmation lists, then what y does.
	node --input-type=module -e "
		import { deleteSetRules, findSetRules } from '$rules';
		const found = await findSetRules('ssh');
		if (typeof found === 'string') throw new Error(found);
		for (const r of found) console.log(r.shown);
		const err = await deleteSetRules(found);
		if (err !== null) throw new Error(err);" >listed 2>err || fail "d: $(cat err)"
	check_eq "iptables rules left" "$(cat keep4)" "$(iptables -S INPUT)"
	check_eq "ip6tables rules left" "$(cat keep6)" "$(ip6tables -S INPUT)"
	check_eq "rules listed" \
		"iptables -t filter -A INPUT -p udp -m udp --dport 5560 -m pktstat --period 100ms --samples 100 --name ssh
ip6tables -t filter -A INPUT -p udp -m udp --dport 5560 -m pktstat --period 100ms --samples 100 --name ssh" \
		"$(cat listed)"
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
