#!/usr/bin/env bash
# Runs every test suite in turn (each one even when an earlier one failed), then repeats each
# suite's closing line and prints the grand total as `N passed, N failed`.
# Usage: scripts/run-tests.sh [GROUP]...   (default: unit, vm, then releases-kernel)
# GROUP: unit, vm, one suite of unit (core, iptables, node, terminal, prometheus), a Debian
# release (bullseye, bookworm, trixie, forky: every suite on it), RELEASE-kernel (its kernel
# groups, scripts/test-release.sh --kernel) or releases-kernel (that of every release but the
# build machine's own, whose vm suite runs them all).
set -uo pipefail
cd "$(dirname "$0")/.." || exit
. scripts/tally.sh
. test/vm/lib.sh

unit_suites=(core iptables node terminal prometheus)
vm_suites=(vm deb)

# node_test DIR: node --test on the test files under DIR, named one by one: Node 20 searches a
# directory given to --test, Node 22 and later take it for a file and fail.
node_test() {
	find "$1" -name '*.test.js' -exec node --test --test-reporter=spec {} +
}

run_suite() {
	case "$1" in
	core)     make -s -C test/core run ;;
	iptables) make -s -C iptables check ;;
	node)     node_test dist/test/unit ;;
	terminal) test/tui-term/run.sh ;;
	# The exporter under two real Prometheus servers, and the fleet kit under promtool.
	prometheus) export -f node_test; timeout 180 bash -c 'node_test dist/test/prometheus' ;;
	vm)       test/vm/run ;;
	# The Debian packages installed, upgraded and purged on the release's root, in QEMU.
	deb)      test/deb/run ;;
	# another Debian release: everything, or the kernel groups alone (scripts/test-release.sh)
	*-kernel) scripts/test-release.sh "${1%-kernel}" --kernel ;;
	*)        scripts/test-release.sh "$1" ;;
	esac
}

groups=("$@")
((${#groups[@]})) || groups=(unit vm releases-kernel)
suites=()
for g in "${groups[@]}"; do
	case "$g" in
	unit) suites+=("${unit_suites[@]}") ;;
	vm)   suites+=("${vm_suites[@]}") ;;
	core | iptables | node | terminal | prometheus) suites+=("$g") ;;
	releases-kernel)
		for r in "${VM_RELEASES[@]}"; do
			[ "$r" = "$VM_HOST_RELEASE" ] || suites+=("$r-kernel")
		done ;;
	*)
		[[ " ${VM_RELEASES[*]} " == *" ${g%-kernel} "* ]] || {
			echo "run-tests: unknown group '$g' (unit, vm, a suite of unit, RELEASE, RELEASE-kernel or releases-kernel; RELEASE: ${VM_RELEASES[*]})" >&2
			exit 2
		}
		suites+=("$g") ;;
	esac
done

# Some tests drop to the user nobody to check permission errors, and nobody must reach the
# repo for that: a checkout in a private directory (mktemp -d) gets search permission.
dir=$PWD
while [ "$dir" != / ]; do
	[ "$(stat -c %A "$dir" | cut -c10)" != - ] || chmod o+x "$dir"
	dir=$(dirname "$dir")
done

# Other releases' kernel suites run side by side with the suites after the unit suites (a
# guest's tests wait on traffic and timers much of the time, so together they end sooner than
# in a row), each into its own log, shown in the order given. The unit suites run alone: their
# terminal and Prometheus tests keep time.
declare -A side_log side_pid
start_side_suites() {
	local s
	for s in "${suites[@]}"; do
		[[ $s == *-kernel ]] || continue
		side_log[$s]=$(mktemp)
		run_suite "$s" >"${side_log[$s]}" 2>&1 &
		side_pid[$s]=$!
	done
}

# side_output NAME RC: a side suite's output, and its exit status RC (the main shell waits for
# it: tally_run's pipeline is a subshell, which cannot).
side_output() {
	cat "${side_log[$1]}"
	rm -f "${side_log[$1]}"
	return "$2"
}

summary=() broken=() side_started=
for s in "${suites[@]}"; do
	if [ -z "$side_started" ] && [[ " ${unit_suites[*]} " != *" $s "* ]]; then
		start_side_suites
		side_started=1
	fi
	echo "=== $s tests"
	if [ -n "${side_pid[$s]:-}" ]; then
		wait "${side_pid[$s]}"
		tally_run side_output "$s" $?
	else
		tally_run run_suite "$s"
	fi
	summary+=("$s: $tally_run_passed passed, $tally_run_failed failed")
	((tally_run_failed == 0)) || broken+=("$s")
done

echo "=== summary"
printf '%s\n' "${summary[@]}"
((${#broken[@]} == 0)) || echo "failing suites: ${broken[*]}"
tally_end
