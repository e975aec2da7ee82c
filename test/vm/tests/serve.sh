# pktstat-top --serve against the real module: a module missing at start, exact counts against
# `stats` and iptables' own counters, promtool on the exposition, scrapes during heavy traffic,
# two scrapers at once, the module unloaded while serving, SIGTERM.

# metric URL SERIES: the value of one series (label order as the exporter writes it), or nothing.
metric() {
	curl -sf "$1" | awk -v s="$2" '$1 == s { print $2; found = 1 } END { exit !found }'
}

# metric_is URL SERIES VALUE: true once SERIES has VALUE.
metric_is() {
	[ "$(metric "$1" "$2")" = "$3" ]
}

test_serve() {
	local cli=$REPO/dist/tui/src/cli.js url i f b max
	[ -e "$cli" ] || fail "$cli is missing (npx tsc -p tsconfig.json)"
	rmmod xt_pktstat || fail "cannot unload xt_pktstat to start without it"
	node "$cli" --serve 127.0.0.1:0 --threshold 20kpps 2>err &
	local pid=$!
	wait_for 60 grep -q '^pktstat-top: serving ' err || fail "not serving within 60 s: $(cat err)"
	url=$(sed -n 's/^pktstat-top: serving //p' err)
	grep -q 'is missing: the module is not loaded' err || fail "no word of the missing module: $(cat err)"
	check_eq "module loaded, before modprobe" 0 "$(metric "$url" pktstat_module_loaded)"

	modprobe xt_pktstat || fail "modprobe failed"
	iptables -A INPUT -p udp --dport 5557 -m pktstat --period 1ms --samples 4096 --name srv ||
		fail "rule refused"
	wait_for 30 metric_is "$url" 'pktstat_frames_total{set="srv"}' 0 ||
		fail "the set did not appear: $(curl -s "$url" | grep -v '^#' | head -n 5)"
	check_eq "module loaded" 1 "$(metric "$url" pktstat_module_loaded)"
	check_eq "drain running" 1 "$(metric "$url" pktstat_exporter_drain_running)"

	send 127.0.0.1 5557 40 100
	sleep 0.2
	send 127.0.0.1 5557 10 1000
	f=50 b=$((40 * 128 + 10 * 1028))
	wait_for 30 metric_is "$url" 'pktstat_frames_total{set="srv"}' $f ||
		fail "frames_total $(metric "$url" 'pktstat_frames_total{set="srv"}'), sent $f"
	curl -sf "$url" >m1 || fail "scrape failed"
	promtool check metrics <m1 >promtool.out 2>&1 || fail "promtool check metrics: $(head -n 3 promtool.out)"
	check_eq "bytes_total" $b "$(metric "$url" 'pktstat_bytes_total{set="srv"}')"
	check_eq "stats frames" $f "$(kv $PS_DIR/srv/stats frames)"
	check_eq "stats bytes" $b "$(kv $PS_DIR/srv/stats bytes)"
	check_eq "rule counters" "$f $b" "$(rule_counters iptables INPUT 1)"
	# Every packet came after the exporter began watching: the histograms hold them all.
	check_eq "window_frames_sum" $f "$(metric "$url" 'pktstat_window_frames_sum{set="srv"}')"
	check_eq "window_bytes_sum" $b "$(metric "$url" 'pktstat_window_bytes_sum{set="srv"}')"
	check_eq "lost samples" 0 "$(metric "$url" 'pktstat_lost_samples_total{set="srv"}')"
	max=$(metric "$url" 'pktstat_window_frames_max{set="srv"}')
	((max >= 1 && max <= 40)) || fail "window_frames_max $max outside 1..40"

	# Heavy traffic, scraped while it flows: every scrape whole and accepted by promtool.
	"$VM_HELPERS/udpsend" 127.0.0.1 5557 20000 64 &
	local sender=$!
	for i in 1 2 3 4 5; do
		curl -sf "$url" >heavy.$i || fail "scrape $i during heavy traffic failed"
		promtool check metrics <heavy.$i >promtool.out 2>&1 ||
			fail "promtool on scrape $i during traffic: $(head -n 3 promtool.out)"
	done
	wait $sender || fail "udpsend failed"
	f=$((f + 20000)) b=$((b + 20000 * 92))
	wait_for 60 metric_is "$url" 'pktstat_frames_total{set="srv"}' $f ||
		fail "after heavy traffic frames_total $(metric "$url" 'pktstat_frames_total{set="srv"}'), sent $f"
	check_eq "rule counters after heavy traffic" "$f $b" "$(rule_counters iptables INPUT 1)"
	check_eq "stats frames after heavy traffic" $f "$(kv $PS_DIR/srv/stats frames)"
	local lost unobserved sum
	lost=$(metric "$url" 'pktstat_lost_samples_total{set="srv"}')
	unobserved=$(metric "$url" 'pktstat_unobserved_windows_total{set="srv"}')
	sum=$(metric "$url" 'pktstat_window_frames_sum{set="srv"}')
	# What the histogram did not see is counted: with no loss it saw every frame.
	if [ "$lost" = 0 ]; then check_eq "window_frames_sum after heavy traffic" $f "$sum"; fi
	((sum <= f)) || fail "window_frames_sum $sum above the $f frames sent"
	echo "heavy traffic: lost samples $lost, unobserved windows $unobserved, frames in the histogram $sum of $f"

	# Two scrapers at once see the same numbers (a scrape changes nothing).
	curl -sf "$url" >s1 &
	local c1=$!
	curl -sf "$url" >s2 &
	wait $c1 $! || fail "one of two scrapes at once failed"
	local series
	for series in pktstat_frames_total pktstat_bytes_total pktstat_window_frames_sum \
		pktstat_window_bytes_sum pktstat_window_frames_max pktstat_bursts_total pktstat_burst_windows_total; do
		check_eq "$series in two scrapes at once" "$(grep "^$series{" s1)" "$(grep "^$series{" s2)"
	done
	[ -n "$(grep '^pktstat_bursts_total{' s1)" ] || fail "no bursts_total with --threshold"

	# The module unloaded while serving: the set goes, the exporter says so and keeps serving.
	iptables -D INPUT 1 || fail "cannot delete the rule"
	wait_for 10 rmmod xt_pktstat || fail "rmmod failed after the rule went"
	wait_for 30 metric_is "$url" pktstat_module_loaded 0 || fail "pktstat_module_loaded still 1"
	wait_for 10 eval "! curl -sf '$url' | grep -q 'set=\"srv\"'" || fail "the set is still reported"
	i=$(metric "$url" pktstat_exporter_drain_errors_total)
	((i >= 1)) || fail "drain errors $i after the module went"
	modprobe xt_pktstat || fail "modprobe failed"
	iptables -A INPUT -p udp --dport 5557 -m pktstat --period 1ms --samples 4096 --name srv ||
		fail "rule refused"
	wait_for 30 metric_is "$url" 'pktstat_frames_total{set="srv"}' 0 || fail "the set did not come back from zero"
	check_eq "module loaded again" 1 "$(metric "$url" pktstat_module_loaded)"

	kill -TERM $pid
	wait $pid || fail "pktstat-top --serve exited $? on SIGTERM: $(tail -n1 err)"
	curl -sf "$url" >/dev/null && fail "still answering after SIGTERM"
	return 0
}

# The fleet kit's unit runs pktstat-top as its own user with only the capabilities it names:
# with them (as setpriv grants them, no new privileges) it reads the root-only stream files
# and counts exactly; without them it refuses in one line.
test_serve_unit_capability() {
	local unit=$REPO/contrib/prometheus/pktstat-exporter.service cli=$REPO/dist/tui/src/cli.js
	local caps url pid f=25 b=$((25 * 128))
	caps=$(sed -n 's/^AmbientCapabilities=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_//g')
	check_eq "the unit's capabilities" dac_read_search "$caps"
	check_eq "its bounding set" "CAP_DAC_READ_SEARCH" "$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")"
	iptables -A INPUT -p udp --dport 5558 -m pktstat --period 1ms --samples 4096 --name cap ||
		fail "rule refused"
	local user=(setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs)

	"${user[@]}" --bounding-set=-all node "$cli" --serve 127.0.0.1:0 --duration 5s 2>err.none &&
		fail "it served without the capability"
	grep -q "cannot read $PS_DIR/cap/stream: not permitted" err.none ||
		fail "without the capability: $(cat err.none)"

	"${user[@]}" --inh-caps=+"$caps" --ambient-caps=+"$caps" --bounding-set=-all,+"$caps" \
		node "$cli" --serve 127.0.0.1:0 2>err &
	pid=$!
	wait_for 60 grep -q '^pktstat-top: serving ' err || fail "not serving within 60 s: $(cat err)"
	url=$(sed -n 's/^pktstat-top: serving //p' err)
	# CAP_DAC_READ_SEARCH is bit 2: the one capability it holds, and no other.
	check_eq "effective capabilities" 0000000000000004 "$(awk '$1 == "CapEff:" { print $2 }' /proc/$pid/status)"
	check_eq "uid" 65534 "$(awk '$1 == "Uid:" { print $3 }' /proc/$pid/status)"
	wait_for 30 metric_is "$url" 'pktstat_frames_total{set="cap"}' 0 ||
		fail "the set did not appear: $(curl -s "$url" | grep -v '^#' | head -n 5)"
	send 127.0.0.1 5558 $f 100
	wait_for 30 metric_is "$url" 'pktstat_frames_total{set="cap"}' $f ||
		fail "frames_total $(metric "$url" 'pktstat_frames_total{set="cap"}'), sent $f"
	check_eq "bytes_total" $b "$(metric "$url" 'pktstat_bytes_total{set="cap"}')"
	check_eq "window_frames_sum" $f "$(metric "$url" 'pktstat_window_frames_sum{set="cap"}')"
	check_eq "rule counters" "$f $b" "$(rule_counters iptables INPUT 1)"
	kill -TERM $pid
	wait $pid || fail "exit $? on SIGTERM: $(tail -n1 err)"
}
