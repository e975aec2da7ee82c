#!/usr/bin/env bash
# Runs the real pktstat-top binary in a tmux terminal over a replay CSV written here, and checks
# what the screen shows: table, charts, help, NO_COLOR, resize, and that every way out (q,
# Ctrl-C, SIGTERM, SIGHUP, a crash) restores the terminal.
# Ends with "N passed, N failed". Needs tmux and a built dist/ (make node).
set -uo pipefail
cd "$(dirname "$0")/../.."
. scripts/tally.sh
CLI=$PWD/dist/tui/src/cli.js
work=$(mktemp -d)
sock="pktstat-tui-$$"
T() { tmux -L "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$work"' EXIT
screen() { T capture-pane -p -t tui "$@"; }
# Keys one at a time, each once the screen shows the one before (up to 2 s for a key that changes
# nothing): Ink hands a chunk of several keys to the app as one input.
keys() {
	local k prev i
	for k in "$@"; do
		prev=$(screen)
		T send-keys -t tui "$k"
		for i in $(seq 40); do
			[ "$(screen)" != "$prev" ] && break
			sleep 0.05
		done
	done
}
# Waits up to 5 s for the screen to match an extended regex.
expect() {
	local what=$1 re=$2 i
	for i in $(seq 50); do
		if screen | grep -Eq -- "$re"; then ok "$what"; return 0; fi
		sleep 0.1
	done
	not_ok "$what (no /$re/ on screen)" "$(screen)"
}

if ! command -v tmux >/dev/null; then
	not_ok "tmux missing: apt-get install tmux"
	tally_end
	exit
fi
if [ ! -f "$CLI" ]; then
	not_ok "$CLI missing: run make node first"
	tally_end
	exit
fi

# 400 windows of 100 µs; window i has i % 50 frames of 1000 bytes each, the last one 17.
csv=$work/lab.csv
{
	echo 'start_ns,end_ns,frames,bytes,lost'
	t=1764288000000000000
	for i in $(seq 0 399); do
		f=$((i % 50))
		echo "$((t + i * 100000)),$((t + (i + 1) * 100000)),$f,$((f * 1000)),0"
	done
} >"$csv"

# A shell in an 80x24 terminal, so that the terminal's state after exit can be inspected. TZ=UTC:
# the bursts list shows local times.
T new-session -d -s tui -x 80 -y 24 "env -u NO_COLOR TZ=UTC PS1='$ ' bash --norc --noprofile"
# The terminal modes raw mode changes, as the shell sees them now.
# The marker is typed as "STTY""-MODES", so only the command's output ends with STTY-MODES.
modes() {
	local i
	T send-keys -t tui "clear; stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo)$' | tr '\n' ' '; echo STTY\"\"-MODES" Enter
	for i in $(seq 50); do
		screen | grep -q 'STTY-MODES$' && break
		sleep 0.1
	done
	screen | grep 'STTY-MODES$' | tail -n 1 | sed 's/STTY-MODES$//'
}
# Waits (up to 5 s) until the dashboard has the terminal in raw mode: Ink sets it after its first
# frame, and keys or signals sent before would reach a cooked terminal.
raw_mode() {
	local tty i
	tty=$(T display -p -t tui '#{pane_tty}')
	for i in $(seq 50); do
		stty -a -F "$tty" | grep -qw -- -icanon && return 0
		sleep 0.1
	done
	not_ok "the dashboard put the terminal in raw mode" "$(stty -a -F "$tty")"
}
# Waits (up to 5 s) until the screen has not changed for 0.3 s: the app has drawn what the last
# key did and subscribed the handlers of what it shows.
settled() {
	local prev now i
	prev=$(screen -e)
	for i in $(seq 16); do
		sleep 0.3
		now=$(screen -e)
		[ "$now" = "$prev" ] && return 0
		prev=$now
	done
}
before=$(modes)
cursor() { T display -p -t tui '#{cursor_flag}'; }
# After the dashboard ended in way $1: the shell's screen back, the cursor shown, the modes as before.
restored() {
	local way=$1 now
	if screen | grep -q '^SHELL-SCREEN$' && ! screen | grep -q '^> lab'; then ok "$way restores the shell screen"; else not_ok "$way restores the shell screen" "$(screen)"; fi
	if [ "$(cursor)" = 1 ]; then ok "$way shows the cursor again"; else not_ok "$way shows the cursor again" "cursor_flag $(cursor)"; fi
	now=$(modes)
	if [ -n "$before" ] && [ "$now" = "$before" ]; then ok "terminal modes restored after $way ($now)"; else not_ok "terminal modes restored after $way" "before: $before after: $now"; fi
}
# Sends signal $1 to the dashboard (the shell's child).
signal() { kill "-$1" "$(pgrep -P "$(T display -p -t tui '#{pane_pid}')")"; }
T send-keys -t tui "clear; echo SHELL-SCREEN; node $CLI --replay $csv; echo EXIT=\$?" Enter

# Table at 80 columns: all 400 windows (40 ms) in the newest sparkline column; peak 49 frames,
# 9800 frames in 40 ms = 245k pkt/s, 9.8 MB in 40 ms = 1.96 Gb/s, no threshold, nothing lost.
expect 'table row of the replayed set' '^> lab +100µs +█ +49 +245k +1\.96G +- +0$'
expect 'details of the selected set at 80 columns' '^lab: fifo -  total 9\.80k fr 9\.80MB  peak 49 fr 49\.0kB  bursts -  lost 0$'
expect 'chart title with the time span of 71 columns' 'frames per 100µs window  lab  span 7\.1ms'
expect 'frames axis labelled up to the peak' '^ +49 ┤'
expect 'bytes axis in human units' '^49\.0kB ┤'
expect 'status line' 'replay lab\.csv \| lost 0 \| \? help'
if screen | grep -q SHELL-SCREEN; then not_ok 'the dashboard is on the alternate screen' "$(screen)"; else ok 'the dashboard is on the alternate screen'; fi
# The dashboard draws row by row: no cursor jumping about; every way out shows it again.
if [ "$(cursor)" = 0 ]; then ok 'the cursor is hidden on the dashboard'; else not_ok 'the cursor is hidden on the dashboard' "cursor_flag $(cursor)"; fi
# A colour is SGR 30-38 or 90-97 (39 is tmux resetting to the default colour).
colour=$'\e\\[([0-9]+;)*(3[0-8]|9[0-7])(;[0-9]+)*m'
if screen -e | grep -Eq "$colour"; then ok 'charts are coloured without NO_COLOR'; else not_ok 'charts are coloured without NO_COLOR'; fi
lines=$(screen | grep -c .)
if [ "$lines" -le 24 ] && ! screen | grep -q '.\{81\}'; then ok 'fits 80x24'; else not_ok "fits 80x24 ($lines lines)" "$(screen)"; fi

raw_mode
T send-keys -t tui '?'
expect 'help after ?' 'pktstat-top keys'
expect 'help lists the delete key' "d +delete the selected set's rules"
expect 'help lists the threshold, bursts and histogram keys' "^│ +h +histogram of the selected set's windows"
T send-keys -t tui x
expect 'help closes on a key' '^> lab '

# Zoom: a column holds two windows and shows the larger, so the top stays 49 (the sum is 97).
T send-keys -t tui '+'
expect 'zoom: the title says two windows per column' 'frames: peak of 2×100µs windows per column, ▒ above avg  lab  span 14\.2ms'
expect 'zoom: the chart top is the biggest window, not a sum' '^ +49 ┤'
keys + +
expect 'zoom 8: the whole file in view, still peak 49' 'peak of 8×100µs windows per column.*span 40ms'
if screen | grep -Eq '^ +(9[0-9]|[1-9][0-9]{2}) ┤'; then not_ok 'zoom 8: no summed column' "$(screen)"; else ok 'zoom 8: no summed column'; fi
keys - - -
expect 'zoom back to one window per column' 'frames per 100µs window  lab'
T send-keys -t tui Left
expect 'paging back with ←' 'ending 7\.1ms before the latest'
T send-keys -t tui Right

# Wider and taller: more table columns and more chart columns.
T resize-window -t tui -x 132 -y 30
expect 'resize: the table gains the totals columns' 'bytes bursts +lost *$'
expect 'resize: total frames shown' '^> lab .* 9\.80k +9\.80M +- +0$'
expect 'resize: the chart spans 123 columns' 'span 12\.3ms$'
if screen | grep -q '^lab: fifo'; then not_ok 'resize: no details line when the table shows everything' "$(screen)"; else ok 'resize: no details line when the table shows everything'; fi
T resize-window -t tui -x 80 -y 24
expect 'resize back: 71 columns again' 'span 7\.1ms'
if screen | grep -q '^> lab.*9\.80M'; then not_ok 'resize back: totals leave the table at 80 columns' "$(screen)"; else ok 'resize back: totals leave the table at 80 columns'; fi

T send-keys -t tui q
expect 'q exits with status 0' '^EXIT=0'
restored q

# Thresholds and bursts, without colour. 450 kpps at 100 µs: a window of more than 45 frames is
# hot, so each run of 46..49 frames is a burst of 4 windows, 190 frames, 190 kB, peak 49 frames
# (490k pkt/s, 3.92 Gb/s): 8 of them, the last still running at the end of the file.
T send-keys -t tui "clear; echo SHELL-SCREEN; NO_COLOR=1 node $CLI --replay $csv --threshold 450kpps; echo EXIT=\$?" Enter
expect 'NO_COLOR run shows the burst count' '^> lab +100µs +█ +49 +245k +1\.96G +8 +0$'
if screen -e | grep -Eq "$colour"; then not_ok 'no colour with NO_COLOR' "$(screen -e | grep -E "$colour" | head -3)"; else ok 'no colour with NO_COLOR'; fi
# 71 columns end at window 399: hot windows 346-349 and 396-399 are columns 17-20 and 67-70.
expect 'hot columns marked on the axis without colour' '^ +0 ┼─{17}▲▲▲▲─{46}▲▲▲▲$'
expect 'the threshold in the title' '╌ 450kpps ▲ hot'
expect 'the threshold line at 45 frames, in the top row (42-49)' '^ +49 ┤╌+▁'
expect 'the last burst on the status line' '\| last burst lab 00:00:00\.039600 400µs peak 49 fr \|'
settled
T send-keys -t tui b
expect 'b lists the bursts' 'bursts of lab above 450kpps: 8, biggest peak first'
expect 'b: equal peaks, earliest first, with every figure' '^> 2025-11-28 00:00:00\.004600 +400µs +4 +190 +190kB +490k +3\.92G *$'
expect 'b: the second burst next' '^  2025-11-28 00:00:00\.009600 +400µs +4 +190 +190kB +490k +3\.92G *$'
keys Down Enter
# Window 100 is 300 windows before the end; its end a quarter of 71 columns from the right.
expect 'Enter moves the charts to the burst' 'span 7\.1ms, ending 28\.3ms before the latest'
T send-keys -t tui b
expect 'b again' 'bursts of lab above'
T send-keys -t tui Escape
expect 'Esc closes the list' 'frames per 100µs window  lab'
T send-keys -t tui h
# i % 50 for 400 windows: 8 of each value; 32..49 are 18 values, 144 windows, above 45 frames.
expect 'h: the histogram' 'windows of lab by frames \(400 windows of 100µs\)'
expect 'h: the zero bucket' '^ +0  │█+ 8$'
expect 'h: the 32-63 bucket, marked hot' '^ +32-63 ▲│█+ 144$'
T send-keys -t tui x
expect 'h closes on a key' '^> lab '
T send-keys -t tui t
expect 't asks for the threshold, showing the current one' '^│ > 450kpps'
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace x Enter
expect 't: a bad rate is one line, the prompt stays' "threshold 'x': expected a rate such as 50kpps or 800Mbps"
keys BSpace 2 . 5 M p p s Enter
expect 't: a threshold above every window: no bursts' '^> lab .* 0 +0$'
expect 't: the status line says so' 'lab: threshold 2\.5Mpps'
T send-keys -t tui t
expect 't again shows the threshold set' '^│ > 2\.5Mpps'
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
expect 't with nothing clears it' '^> lab .* - +0$'
raw_mode
T send-keys -t tui C-c
expect 'Ctrl-C exits' '^EXIT=0'
restored Ctrl-C

# Live: the real drain addon over a directory that plays /proc/net/xt_pktstat (`stream` is a
# regular file that only grows, read on from where the drain stopped). 100 past windows of 1 ms
# with 10 frames and 100000 bytes each, all read by the first round: the FIFO column (how far
# behind the latest read was, of 256) is 0 from the next round on.
proc=$work/proc
for s in web db; do
	mkdir -p "$proc/$s"
	printf 'name: %s\nperiod_ns: 1000000\ncapacity: 256\nrules: 1\n' "$s" >"$proc/$s/config"
	printf 'frames: 1000\nbytes: 10000000\nsamples: 100\nlost: 0\nqueued: 3\n' >"$proc/$s/stats"
	echo '# timestamp frames bytes' >"$proc/$s/stream"
done
w=$(( $(date +%s%N) / 1000000 * 1000000 - 200000000 ))
for i in $(seq 1 100); do echo "$((w + i * 1000000)) $((i * 10)) $((i * 100000))"; done >>"$proc/web/stream"
T resize-window -t tui -x 132 -y 30
T send-keys -t tui "clear; node $CLI --proc-dir $proc; echo EXIT=\$?" Enter
expect 'live: every set listed, the first selected' '^> db +1ms +0/256 '
# (The traffic is older than the sparkline's 1.6 s by the time node is up: only totals are sure.)
expect 'live: web with its FIFO fill and totals' '^  web +1ms +0/256 .* +1\.00k +10\.0M +- +0$'
T send-keys -t tui Down
expect 'live: ↓ selects web and charts it' 'frames per 1ms window  web  span'
T send-keys -t tui p
expect 'live: p pauses the view' '^PAUSED \| drain'
T send-keys -t tui p
expect 'live: p resumes' '^live \| drain'
T send-keys -t tui q
expect 'live: q exits' '^EXIT=0'
T send-keys -t tui "clear; node $CLI --proc-dir $proc --rule web; echo EXIT=\$?" Enter
expect 'live --rule: only the focused set' '^> web +1ms'
if screen | grep -q '^  db '; then not_ok 'live --rule: db not watched' "$(screen)"; else ok 'live --rule: db not watched'; fi
T send-keys -t tui q
expect 'live --rule: q exits' '^EXIT=0'
T send-keys -t tui "clear; echo SHELL-SCREEN; node $CLI --replay $csv; echo EXIT=\$?" Enter
expect 'dashboard up for SIGTERM' '^> lab '
raw_mode
signal TERM
expect 'SIGTERM ends the dashboard cleanly' '^EXIT=0'
restored SIGTERM
T send-keys -t tui "clear; echo SHELL-SCREEN; node $CLI --replay $csv; echo EXIT=\$?" Enter
expect 'dashboard up for SIGHUP' '^> lab '
raw_mode
signal HUP
expect 'SIGHUP ends the dashboard cleanly' '^EXIT=0'
restored SIGHUP

# A crash: an exception no code expects, thrown from outside the app (a preloaded module throws
# on SIGUSR2). The terminal comes back first, then the error is shown on the shell's screen.
echo "process.on('SIGUSR2', () => { throw new Error('injected by the test'); });" >"$work/crash.mjs"
T send-keys -t tui "clear; echo SHELL-SCREEN; node --import $work/crash.mjs $CLI --replay $csv; echo EXIT=\$?" Enter
expect 'dashboard up for a crash' '^> lab '
raw_mode
signal USR2
expect 'a crash exits with status 70' '^EXIT=70'
expect 'a crash is named on the shell screen' '^pktstat-top: internal error: Error: injected by the test'
restored 'a crash'

# A replay file whose name carries an escape sequence (OSC 0 would retitle the terminal): shown with
# '?' for each control character, never acted on. The shell's glob hands the name over.
cp "$csv" "$work/"$'ev\e]0;pwned\a.csv'
T send-keys -t tui "clear; node $CLI --replay $work/ev*.csv; echo EXIT=\$?" Enter
expect 'a file name with an escape sequence is shown with ?' 'replay ev\?\]0;pwned\?\.csv \| lost 0'
title=$(T display -p -t tui '#{pane_title}')
if [ "$title" != pwned ]; then ok 'the escape sequence in the name never reached the terminal'; else bad 'the escape sequence in the name never reached the terminal' "pane title: $title"; fi
T send-keys -t tui q
expect 'q exits the replay of the strange name' '^EXIT=0'

# Errors: one line on stderr naming the problem, non-zero exit.
check_error() {
	local what=$1 re=$2; shift 2
	local out rc
	out=$(node "$CLI" "$@" 2>&1 </dev/null); rc=$?
	if [ "$rc" -ne 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] && printf '%s' "$out" | grep -Eq -- "$re"; then
		ok "$what"
	else
		not_ok "$what (exit $rc)" "$out"
	fi
}
printf 'start_ns,end_ns,frames,bytes,lost\n1,2,3,4,0\n2,3,x,4,0\n' >"$work/bad.csv"
check_error 'malformed replay names the line' "bad\.csv line 3: field 3 'x' is not an unsigned integer" --replay "$work/bad.csv"
check_error 'missing replay file' 'cannot read replay file .*/nope\.csv: ENOENT' --replay "$work/nope.csv"
check_error 'module not loaded' 'is missing: .*modprobe xt_pktstat' --proc-dir "$work/no-such-dir"
check_error 'unknown rule' "unknown rule 'dns': no .*/proc/dns \(counter sets here: db, web\)" --proc-dir "$proc" --rule dns --export csv
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$work" "$proc" "$proc/web" && chmod 400 "$proc/web/stream"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups node "$CLI" --proc-dir "$proc" --rule web --export csv 2>&1 </dev/null); rc=$?
	if [ "$rc" -ne 0 ] && [ "$out" = "pktstat-top: cannot read $proc/web/stream: not permitted, run pktstat-top as root" ]; then
		ok 'not permitted as nobody'
	else
		not_ok "not permitted as nobody (exit $rc)" "$out"
	fi
fi
check_error 'bad duration' "^pktstat-top: --duration '10x' has an unknown unit 'x'" --duration 10x --replay "$csv"
check_error 'export needs a rule' '--export csv needs --rule NAME' --export csv

tally_end
