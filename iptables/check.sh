#!/usr/bin/env bash
# make check: libxt_pktstat.so without a kernel module.
#  1. test_pktstat loads the built .so through libxtables and asserts parsing,
#     refusal messages, print/save strings and the save/restore round trip.
#  2. Automatic naming against a fake /proc/net/xt_pktstat (private mount namespace).
#  3. The real iptables/ip6tables binaries, legacy and nft, in a private network
#     namespace so the host's rules are never touched: --help, exact refusal
#     lines, and iptables-restore --test printing the parsed rules.
#  4. The same binaries refusing a rule that disagrees with an existing set,
#     whose config file is faked (private mount and network namespaces).
# Needs root (unshare). Ends with "N passed, N failed"; exit status 1 on failure.
set -u
cd "$(dirname "$0")" || exit 2

. ../scripts/tally.sh
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT


echo "# 1. parser, print and save through libxtables"
tally_run ./test_pktstat
tally_run ./test_pktstat -6

echo "# 2. automatic names from /proc/net/xt_pktstat (tmpfs over /proc, private mount namespace)"
notproc='!pktstat: cannot read /proc/net/xt_pktstat to choose a name (Not a directory); give one with --name'
# shellcheck disable=SC2016 # expanded by the inner shell
tally_run unshare -m --propagation private sh -c '
	mount -t tmpfs pktstat-check /proc || exit 3
	./test_pktstat --auto 0 1 2
	./test_pktstat --rev0 --auto 0 1 2
	mkdir -p /proc/net/xt_pktstat/0 /proc/net/xt_pktstat/1 /proc/net/xt_pktstat/3 \
		/proc/net/xt_pktstat/12 /proc/net/xt_pktstat/007 /proc/net/xt_pktstat/web
	./test_pktstat --auto 2 4 5 6
	i=0; while [ $i -lt 40 ]; do mkdir -p /proc/net/xt_pktstat/$i; i=$((i + 1)); done
	./test_pktstat --auto 40 41
	rm -r /proc/net/xt_pktstat && : >/proc/net/xt_pktstat
	./test_pktstat --auto "$1"
' sh "$notproc"

echo "# 3. the real iptables binaries (private network namespace)"
XTABLES_LIBDIR=$PWD:$(pkg-config --variable=xtlibdir xtables)
export XTABLES_LIBDIR

# expect_refusal PROG "ARGS" "MESSAGE": exit status 2 and stderr holds "PROG vX (backend): MESSAGE".
expect_refusal() {
	prefix=$(unshare -n "$1" --version 2>/dev/null)
	# shellcheck disable=SC2086 # ARGS is a word list on purpose
	unshare -n "$1" $2 >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -qxF "$prefix: $3" "$tmp/err"; then
		ok "$1 $2 -> $3"
	else
		not_ok "$1 $2 -> want exit 2 and \"$prefix: $3\", got exit $rc: $(tr '\n' '|' <"$tmp/err")"
	fi
}

for ipt in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
	if ! command -v "$ipt" >/dev/null; then
		not_ok "$ipt not installed (apt-get install iptables)"
		continue
	fi
	if ! unshare -n true 2>/dev/null; then
		not_ok "$ipt: cannot create a network namespace (run as root)"
		continue
	fi

	unshare -n "$ipt" -m pktstat --help >"$tmp/help" 2>/dev/null
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q '^  --period P ' "$tmp/help" &&
	   grep -q '^  --samples N ' "$tmp/help" && grep -q '^  --name NAME ' "$tmp/help" &&
	   grep -q '1 \.\. 1048576' "$tmp/help" && grep -q 'Range 1us \.\. 1h' "$tmp/help"; then
		ok "$ipt -m pktstat --help lists --period, --samples, --name with ranges"
	else
		not_ok "$ipt -m pktstat --help (exit $rc) lacks the pktstat options"
	fi

	expect_refusal "$ipt" "-A INPUT -m pktstat --period 0 --samples 20" \
		'pktstat: --period "0": must not be zero (range 1us..1h)'
	expect_refusal "$ipt" "-A INPUT -m pktstat --period 2h --samples 20" \
		'pktstat: --period "2h": unknown unit "h" (use ns, us, ms or s)'
	expect_refusal "$ipt" "-A INPUT -m pktstat --period 100" \
		'pktstat: --samples is required (FIFO capacity, 1..1048576)'
	expect_refusal "$ipt" "-A INPUT -m pktstat --samples 20" \
		'pktstat: --period is required (window width, 1us..1h, e.g. --period 100ms)'
	expect_refusal "$ipt" "-A INPUT -m pktstat --period 100 --samples 1048577" \
		'pktstat: --samples "1048577": out of range 1..1048576'
	expect_refusal "$ipt" "-A INPUT -m pktstat --period 100 --samples 20 --name a/b" \
		"pktstat: --name \"a/b\": bad character '/' (allowed: A-Z a-z 0-9 _ . -)"

	# --test parses every rule and builds the table without committing it; -v prints
	# each rule through the extension's print function (legacy back end only).
	restore=$ipt-restore
	printf '%s\n' '*filter' \
		'-A INPUT -p udp -m pktstat --period 100 --samples 20' \
		'-A INPUT -p tcp -m pktstat --period 100 --samples 20' \
		'-A OUTPUT -m pktstat --period 250us --samples 5 --name web' \
		'COMMIT' | unshare -n "$restore" --test -v >"$tmp/out" 2>"$tmp/err"
	rc=$?
	case $ipt in
	*legacy)
		if [ "$rc" -eq 0 ] &&
		   grep -q ' pktstat period 100ms samples 20 name 0$' "$tmp/out" &&
		   grep -q ' pktstat period 100ms samples 20 name 1$' "$tmp/out" &&
		   grep -q ' pktstat period 250us samples 5 name web$' "$tmp/out"; then
			ok "$restore --test: unnamed rules become 0 and 1, print shows period/samples/name"
		else
			not_ok "$restore --test (exit $rc): $(tr '\n' '|' <"$tmp/out") $(tr '\n' '|' <"$tmp/err")"
		fi ;;
	*)
		if [ "$rc" -eq 0 ]; then
			ok "$restore --test accepts pktstat rules"
		else
			not_ok "$restore --test (exit $rc): $(tr '\n' '|' <"$tmp/err")"
		fi ;;
	esac

	# Rules of one file that disagree on a set the kernel does not hold yet: the kernel would
	# refuse the commit without a word, so the extension names each conflict (agreeing rules
	# say nothing); an unnamed rule skips the number an earlier rule named.
	printf '%s\n' '*filter' \
		'-A INPUT -m pktstat --period 100us --samples 20 --name dns' \
		'-A INPUT -m pktstat --period 1ms --samples 20 --name dns' \
		'-A INPUT -m pktstat --period 100us --samples 50 --name dns' \
		'-A INPUT -m pktstat --period 100us --samples 20 --name dns' \
		'-A INPUT -m pktstat --period 1ms --samples 5 --name 0' \
		'-A INPUT -m pktstat --period 1ms --samples 5' \
		'COMMIT' | unshare -n "$restore" --test -v >"$tmp/out" 2>"$tmp/err"
	rc=$?
	grep -v '^Warning: Extension pktstat' "$tmp/err" >"$tmp/notes"
	# The legacy binaries call themselves iptables-restore / ip6tables-restore.
	prog=$(echo "$restore" | sed 's/-legacy-restore$/-restore/')
	if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/notes")" -eq 2 ] &&
	   grep -qxF "$prog: pktstat: set \"dns\" has --period 100us in an earlier rule, this rule says 1ms" "$tmp/notes" &&
	   grep -qxF "$prog: pktstat: set \"dns\" has --samples 20 in an earlier rule, this rule says 50" "$tmp/notes"; then
		ok "$restore --test names two conflicts between rules of one file"
	else
		not_ok "$restore --test conflicts (exit $rc): $(tr '\n' '|' <"$tmp/err")"
	fi
	case $ipt in
	*legacy)
		if grep -q ' pktstat period 1ms samples 5 name 1$' "$tmp/out"; then
			ok "$restore --test: an unnamed rule after --name 0 becomes 1"
		else
			not_ok "$restore --test: unnamed rule after --name 0: $(tr '\n' '|' <"$tmp/out")"
		fi ;;
	esac
done

echo "# 4. a rule that disagrees with its existing set (fake config under tmpfs over /proc)"
# shellcheck disable=SC2016 # expanded by the inner shell
tally_run unshare -m -n --propagation private sh -c '
	mount -t tmpfs pktstat-check /proc || exit 3
	mkdir -p /proc/net/xt_pktstat/dns
	printf "name: dns\nperiod_ns: 100000\ncapacity: 20\nrules: 1\n" >/proc/net/xt_pktstat/dns/config
	for ipt in iptables-legacy iptables-nft ip6tables-legacy ip6tables-nft; do
		prefix=$($ipt --version 2>/dev/null)
		for args in "--period 1ms --samples 20|set \"dns\" has --period 100us, this rule says 1ms" \
			"--period 100us --samples 50|set \"dns\" has --samples 20, this rule says 50"; do
			want="$prefix: pktstat: ${args#*|}"
			# shellcheck disable=SC2086 # the options are a word list
			$ipt -A INPUT -m pktstat ${args%%|*} --name dns >/dev/null 2>"$1/err"
			rc=$?
			if [ "$rc" -eq 2 ] && grep -qxF "$want" "$1/err"; then
				echo "ok - $ipt ${args%%|*} --name dns -> ${args#*|}"
			else
				echo "not ok - $ipt ${args%%|*}: want exit 2 and \"$want\", got exit $rc: $(tr "\n" "|" <"$1/err")"
			fi
		done
		# the same values pass the extension (no kernel module here: refused later)
		$ipt -A INPUT -m pktstat --period 100us --samples 20 --name dns >/dev/null 2>"$1/err"
		rc=$?
		if [ "$rc" -ne 2 ] && ! grep -q "pktstat: " "$1/err"; then
			echo "ok - $ipt: --period 100us --samples 20 --name dns agrees with the set"
		else
			echo "not ok - $ipt: an agreeing rule was refused (exit $rc): $(tr "\n" "|" <"$1/err")"
		fi
	done
'

# The 2011 README's commands. Debian has no /lib/xtables: the pktstat-only
# commands need nothing from it; the host kernel has no xt_pktstat, so the -A
# must get past parsing and fail only when the kernel refuses the match.
XTABLES_LIBDIR=$PWD:/lib/xtables unshare -n iptables -m pktstat --help >"$tmp/help" 2>/dev/null
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^  --period P ' "$tmp/help"; then
	ok "README: XTABLES_LIBDIR=\$PWD:/lib/xtables iptables -m pktstat --help"
else
	not_ok "README: XTABLES_LIBDIR=\$PWD:/lib/xtables iptables -m pktstat --help (exit $rc)"
fi
XTABLES_LIBDIR=$PWD:/lib/xtables unshare -n iptables -m pktstat --period 100 --samples 20 -A INPUT \
	>/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 2 ] && ! grep -q 'pktstat: ' "$tmp/err"; then
	ok "README: iptables -m pktstat --period 100 --samples 20 -A INPUT parses (exit $rc at the kernel step)"
else
	not_ok "README: iptables -m pktstat --period 100 --samples 20 -A INPUT (exit $rc): $(tr '\n' '|' <"$tmp/err")"
fi

tally_end
