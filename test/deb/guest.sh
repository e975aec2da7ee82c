# The installed packages in the guest (test/deb/run): the module DKMS built, the extension from
# the xtables directory (no XTABLES_LIBDIR), /usr/bin/pktstat-top. The version expected is the
# installed package's; the host checks that it is the one it installed.
unset XTABLES_LIBDIR

# check_module: `modprobe xt_pktstat` loaded DKMS's build, of the package's version.
check_module() {
	local v ko
	v=$(dpkg-query -W -f '${Version}' xt-pktstat-dkms) || fail "xt-pktstat-dkms is not installed"
	# .ko.xz where the release's kernel compresses its modules
	ko=$(ls /lib/modules/$KVER/updates/dkms/xt_pktstat.ko*) || fail "DKMS installed no module"
	modprobe xt_pktstat || fail "modprobe xt_pktstat failed"
	check_eq "modinfo -n xt_pktstat" "$ko" "$(modinfo -n xt_pktstat)"
	check_eq "loaded module's version" "$v" "$(cat /sys/module/xt_pktstat/version)"
	check_eq "loaded module's srcversion" "$(modinfo -F srcversion "$ko")" "$(cat /sys/module/xt_pktstat/srcversion)"
	echo "xt_pktstat $v from $ko"
}

# check_count: a rule counts exactly what was sent, in iptables' counters and the set's stats.
check_count() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 1000 --name deb ||
		fail "rule refused"
	iptables -S INPUT | grep -q -- '-m pktstat --period 1ms --samples 1000 --name deb' ||
		fail "iptables -S does not show the rule: $(iptables -S INPUT)"
	send 127.0.0.1 5555 300 200
	check_eq "rule counters" "300 $((300 * 228))" "$(rule_counters iptables INPUT 1)"
	check_eq "stats frames" 300 "$(kv "$PS_DIR/deb/stats" frames)"
	check_eq "stats bytes" $((300 * 228)) "$(kv "$PS_DIR/deb/stats" bytes)"
}

test_modprobe() {
	check_module
}

test_count() {
	check_count
}

# pktstat-top --rule NAME --export csv: its rows add up to what was sent.
test_export() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 100ms --samples 1000 --name tx ||
		fail "rule refused"
	pktstat-top --rule tx --export csv --duration 6s --output out.csv 2>err &
	local pid=$!
	wait_for 30 grep -q . out.csv 2>/dev/null || fail "no CSV header within 30 s: $(cat err)"
	send 127.0.0.1 5555 40 100
	sleep 0.3
	send 127.0.0.1 5555 10 1000
	wait $pid || fail "pktstat-top exited non-zero: $(tail -n1 err)"
	check_eq "CSV header" "start_ns,end_ns,frames,bytes,lost" "$(head -n1 out.csv)"
	check_eq "CSV sums" "50 $((40 * 128 + 10 * 1028)) 0" \
		"$(awk -F, 'NR > 1 { f += $3; b += $4; l += $5 } END { print f + 0, b + 0, l + 0 }' out.csv)"
}

# After version N+1 was installed over N: the rebuilt module loads and counts, and pktstat-top
# is N+1's.
test_upgraded() {
	check_module
	check_count
	check_eq "pktstat-top --version" "$(dpkg-query -W -f '${Version}' pktstat-top)" "$(pktstat-top --version)"
}
