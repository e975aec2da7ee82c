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
