# Helpers shared by the guest tests (tests/*.sh). Sourced in the chroot by the job that
# `run` writes; every test runs in its own subshell, so `fail` ends just that test.
# Environment: REPO, OUT (shared with the host), VM_HELPERS (the run's directory: udpsend and
# pktread, and iptables/, the extension built for this release).

PS_DIR=/proc/net/xt_pktstat
SYS_XTLIBDIR=$(pkg-config --variable=xtlibdir xtables)
export XTABLES_LIBDIR=$VM_HELPERS/iptables:$SYS_XTLIBDIR

# fail MESSAGE: the one-line reason the host prints after "FAIL NAME:".
fail() {
	# the first failure is the reason: later ones may follow from it
	[ -s "$REASON" ] || echo "$*" >"$REASON"
	echo "FAIL: $*"
	exit 1
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# send ADDR PORT COUNT SIZE: exactly COUNT UDP datagrams of SIZE payload bytes.
send() {
	"$VM_HELPERS/udpsend" "$@" || fail "udpsend $* failed"
}

# IP header + UDP header bytes that netfilter counts on top of the payload.
udp_overhead() {
	case "$1" in *:*) echo 48 ;; *) echo 28 ;; esac
}

# rule_counters CMD CHAIN INDEX: "packets bytes" of the INDEX-th rule (1-based) of CHAIN,
# from the tool's own counters (iptables -nvxL). CMD may be several words ("on a iptables").
rule_counters() {
	$1 -nvxL "$2" | awk -v n="$3" 'NR == n + 2 { print $1, $2; found = 1 } END { exit !found }' ||
		fail "$1 has no rule $3 in $2"
}

# read_data NAME FILE: one read of NAME's data (appended to FILE).
read_data() {
	cat "$PS_DIR/$1/data" >>"$2" || fail "cannot read $PS_DIR/$1/data"
}

# check_stream FILE PERIOD_NS: every line whole and well formed (headers, "# lost K",
# "TS FRAMES BYTES"), timestamps multiples of the period and strictly increasing, totals
# never decreasing. Sets F B (the last totals, 0 0 without samples), N (sample lines) and
# LOST (sum of the lost counts).
check_stream() {
	local r
	[ -z "$(tail -c1 "$1")" ] || fail "$1: the last line is not whole"
	r=$(awk -v p="$2" '
		function bad(m) { print "line " NR ": " m ": \"" $0 "\""; err = 1; exit 1 }
		/^# timestamp frames bytes$/ { next }
		/^# lost [0-9]+$/ { if ($3 == 0) bad("lost 0"); lost += $3; next }
		/^[0-9]+ [0-9]+ [0-9]+$/ {
			# timestamps exceed 2^53: compare them as strings of equal length and
			# check the period on the digits, never through a float
			if (n && (length($1) < length(ts) || (length($1) == length(ts) && ("" $1) <= ("" ts))))
				bad("timestamp not after " ts)
			if (mod_str($1, p) != 0) bad("timestamp not a multiple of " p)
			if ($2 + 0 < f || $3 + 0 < b) bad("totals went down")
			ts = $1; f = $2 + 0; b = $3 + 0; n++; next
		}
		{ bad("malformed line") }
		function mod_str(s, m,   i, r) {
			r = 0
			for (i = 1; i <= length(s); i++) r = (r * 10 + substr(s, i, 1)) % m
			return r
		}
		END { if (!err) printf "%d %d %d %d\n", f, b, n, lost }' "$1") || fail "$1: $r"
	read -r F B N LOST <<<"$r"
}

# header_count FILE: how many "# timestamp frames bytes" lines.
header_count() {
	grep -c '^# timestamp frames bytes$' "$1"
}

# check_bursts WINDOWS BURSTS PERIOD_NS FRAMES BYTES: the bursts export's CSV BURSTS holds
# exactly the bursts SPEC section 4 makes of the windows export's CSV WINDOWS, for limits of
# FRAMES frames and BYTES bytes per window (PERIOD_NS at most a second): a window (one
# period, nothing lost) is hot above a limit; a burst is a run of hot windows, ended by any
# other row; a run still going is not written. The exports started apart: only the bursts
# both saw whole are compared. Sets BURSTS (rows of BURSTS).
check_bursts() {
	# times exceed 2^53: compared as strings, widths from their last 9 digits
	awk -F, -v p="$3" -v lf="$4" -v lb="$5" 'NR > 1 {
			d = substr($2, 11) - substr($1, 11)
			if (substr($1, 1, 10) != substr($2, 1, 10)) d += 1000000000
			hot = $5 == 0 && d == p && ($3 > lf || $4 > lb)
			if (hot && run && ("" $1) == ("" e)) { e = $2; w++; f += $3; b += $4; if ($3 > pf) pf = $3; if ($4 > pb) pb = $4; next }
			if (run) printf "%s,%s,%d,%d,%d,%d,%d\n", s, e, w, f, b, pf, pb
			run = 0
			if (hot) { run = 1; s = $1; e = $2; w = 1; f = $3; b = $4; pf = $3; pb = $4 }
		}' "$1" >bursts.expected
	check_eq "bursts CSV header" "start_ns,end_ns,windows,frames,bytes,peak_frames,peak_bytes" "$(head -n1 "$2")"
	tail -n +2 "$2" >bursts.got
	BURSTS=$(wc -l <bursts.got)
	local from to
	from=$(awk -F, 'NR == 2 { print $1 }' "$1") to=$(tail -n1 "$1" | cut -d, -f2)
	awk -F, -v from="$from" -v to="$to" '("" $1) >= ("" from) && ("" $2) <= ("" to)' bursts.got >bursts.common
	check_eq "bursts = SPEC section 4 from the windows" "$(cat bursts.expected)" "$(cat bursts.common)"
}

# kv FILE KEY: the value of "KEY: value" in a config or stats file.
kv() {
	awk -v k="$2" -F': ' '$1 == k { print $2; found = 1 } END { exit !found }' "$1" ||
		fail "$1 has no '$2' line"
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		sleep 0.05
	done
}

# poll_wakes FILE: a poll() of FILE started now wakes once udp traffic to 127.0.0.1:5555 (a
# pktstat rule's) fills a window and a packet in a later window closes it.
poll_wakes() {
	"$VM_HELPERS/pktread" "$1" poll 20000 >/dev/null 2>status &
	local pid=$!
	wait_for 10 grep -q polling status || fail "the reader did not start polling"
	send 127.0.0.1 5555 5 100
	sleep 0.05
	send 127.0.0.1 5555 5 100
	wait_for 10 grep -q readable status || fail "poll did not wake within 10 s: $(cat status)"
	wait $pid || fail "poll: $(tail -n1 status)"
}

# delete_under_reader NAME FILE MODE READY: pktread on set NAME's FILE in MODE in the background
# (READER its pid, ./status its stderr), waiting for ./go; once it printed READY, more traffic,
# then NAME's rule (-p udp --dport 5555 --period 1ms --samples 100) is deleted and its
# directory must go.
delete_under_reader() {
	local name=$1
	"$VM_HELPERS/pktread" "$PS_DIR/$name/$2" "$3" go >held 2>status &
	READER=$!
	wait_for 10 grep -q "$4" status || fail "the reader did not get to '$4': $(cat status)"
	send 127.0.0.1 5555 5 100
	iptables -D INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name "$name" ||
		fail "cannot delete the rule"
	wait_for 5 test ! -e "$PS_DIR/$name" || fail "$PS_DIR/$name still there after its last rule went"
}

# reader_ends: let a `pktread ... hold go` reader (READER) go on; its reads must end.
reader_ends() {
	touch go
	wait_for 10 grep -q '^end:' status || fail "the reader's reads did not end: $(cat status)"
	wait "$READER" || fail "reader: $(tail -n1 status)"
	echo "reader: $(tail -n1 status)"
}

# voluntary_switches PID: how often PID went to sleep so far (each wake-up of a poller costs one).
voluntary_switches() {
	awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$1/status"
}

# asleep PID: PID sleeps in poll() itself, system call 7 or ppoll's 271 (a poller writing its
# "polling" line to a file on 9p sleeps there too, before it polls). Not wchan: before 5.16
# it reads 0 on Debian's kernels (no frame pointers).
asleep() {
	local nr state
	read -r nr _ <"/proc/$1/syscall" && state=$(awk '{ print $3 }' "/proc/$1/stat") &&
		[ "$state" = S ] && { [ "$nr" = 7 ] || [ "$nr" = 271 ]; }
}

# Clean slate before each test: no rules in either back end or family, no extra
# namespaces, the module loaded.
reset_net() {
	local t
	for t in iptables-legacy ip6tables-legacy; do
		"$t" -F && "$t" -X
	done
	lsmod | grep -q '^nf_tables ' && nft flush ruleset
	ip -all netns delete 2>/dev/null
	modprobe xt_pktstat
	wait_for 5 eval '[ -z "$(ls -A $PS_DIR 2>/dev/null)" ]' ||
		echo "warning: $PS_DIR not empty after reset: $(ls $PS_DIR)"
}

# run_tests NAME...: each in a subshell after reset_net; results to $OUT/results,
# each test's output to $OUT/logs/NAME.log.
run_tests() {
	local t rc
	mkdir -p "$OUT/logs"
	for t in "$@"; do
		reset_net >"$OUT/logs/$t.log" 2>&1
		export REASON=$OUT/logs/$t.reason
		rm -f "$REASON"
		# a test's background processes end with it
		rm -rf "/tmp/$t" && mkdir "/tmp/$t"
		(set -o pipefail; trap 'kill $(jobs -p) 2>/dev/null' EXIT; cd "/tmp/$t" && "$t") \
			>>"$OUT/logs/$t.log" 2>&1 </dev/null
		rc=$?
		if ((rc == 0)); then
			echo "ok $t" >>"$OUT/results"
		elif [ -s "$REASON" ]; then
			echo "FAIL $t: $(head -n1 "$REASON")" >>"$OUT/results"
		else
			echo "FAIL $t: exit $rc: $(tail -n1 "$OUT/logs/$t.log")" >>"$OUT/results"
		fi
		sync
	done
}

. "$(dirname "${BASH_SOURCE[0]}")/hosts.sh"
