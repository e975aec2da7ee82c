# The one tally of the shell test suites, sourced: each result is a line (`ok - WHAT` /
# `not ok - WHAT`, or the VM suite's `ok NAME` / `FAIL NAME: reason`), a suite ends with
# `N passed, N failed`, and a run of another suite adds its closing line to the tally.
tally_passed=0
tally_failed=0

# tally_line LINE: prints a result line and counts it (a line starting "ok" passed).
tally_line() {
	echo "$1"
	case "$1" in
	ok\ *) tally_passed=$((tally_passed + 1)) ;;
	*) tally_failed=$((tally_failed + 1)) ;;
	esac
}

ok() { tally_line "ok - $1"; }

# not_ok WHAT [DETAIL]: DETAIL (e.g. a screen) follows as `#` lines.
not_ok() {
	tally_line "not ok - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'
}

# The closing line; the exit status says whether anything failed.
tally_end() {
	echo "$tally_passed passed, $tally_failed failed"
	((tally_failed == 0))
}

# tally_results FILE: "PASSED FAILED" of a suite's output: its last closing line (optionally
# "name: " first), else node's `ℹ pass`/`ℹ fail`, else its ok/not ok lines; "none" if none.
tally_results() {
	awk '
		/^([A-Za-z-]+: )?[0-9]+ passed, [0-9]+ failed/ { sub(/^[A-Za-z-]+: /, ""); p = $1; f = $3; closing = 1 }
		/^ℹ pass [0-9]+/ { np = $3 } /^ℹ fail [0-9]+/ { nf = $3 }
		/^ok - / { op++ } /^not ok - / { of++ }
		END {
			if (closing) print p, f
			else if (np != "") print np + 0, nf + 0
			else if (op + of > 0) print op + 0, of + 0
			else print "none"
		}
	' "$1"
}

# tally_run CMD...: runs a suite (its output passes through) and adds its results; a suite that
# printed none, or exited non-zero without a failure, counts one failure. The run's own counts
# are left in tally_run_passed and tally_run_failed.
tally_run() {
	local log rc p f
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	read -r p f <<<"$(tally_results "$log")"
	rm -f "$log"
	if [ "$p" = none ]; then
		p=0 f=1
		echo "not ok - $* printed no result (exit $rc)"
	elif ((rc != 0 && f == 0)); then
		f=1
		echo "not ok - $* exited $rc without reporting a failure"
	fi
	tally_run_passed=$p tally_run_failed=$f
	tally_passed=$((tally_passed + p)) tally_failed=$((tally_failed + f))
}
