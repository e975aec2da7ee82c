# Unloading the module while a file of a removed set is still polled: by epoll (the file
# stays registered until closed) and by poll() (a caller woken by the removal that has not
# run yet). The module's exit must not return while a wait entry can reach its memory; a
# use after free shows as an oops (the guest panics) or a WARNING, which the dmesg check fails.

rt_runtime=/proc/sys/kernel/sched_rt_runtime_us
# Since 6.12 a deadline server gives CPU 1's normal tasks 50 ms a second whatever the
# real-time limit says; its runtime 0 lets the busy loop hold the CPU (kernels before have none,
# and their real-time limit off is enough).
fair_server=/sys/kernel/debug/sched/fair_server/cpu1/runtime

# fair_server_runtime [NS]: prints CPU 1's fair server runtime (nothing on kernels without
# one), or sets it to NS.
fair_server_runtime() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug ||
		fail "cannot mount debugfs"
	[ -e $fair_server ] || return 0
	if (($#)); then
		echo "$1" >$fair_server || fail "cannot set $fair_server to $1"
	else
		cat $fair_server
	fi
}

# hogging PID: PID is the real-time busy loop (sh, SCHED_FIFO), running on CPU 1.
hogging() {
	awk '$2 == "(sh)" && $3 == "R" && $39 == 1 && $41 == 1 { ok = 1 } END { exit !ok }' "/proc/$1/stat"
}

# sleeps PID: how often PID has slept (its voluntary context switches). The busy loop sleeps
# while it starts (its pages come over 9p), and each sleep lets CPU 1's other tasks run.
sleeps() {
	awk '$1 == "voluntary_ctxt_switches:" { print $2 }' "/proc/$1/status"
}

# settled PID: the busy loop holds CPU 1 and has not slept for half a second.
settled() {
	local before
	hogging "$1" && before=$(sleeps "$1") && sleep 0.5 && hogging "$1" &&
		[ "$(sleeps "$1")" = "$before" ]
}

# An epoll fd keeps a stream file registered while its set is deleted and the module
# unloaded; closing it afterwards touches nothing freed.
test_unload_epoll() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name ep ||
		fail "rule refused"
	delete_under_reader ep stream epoll registered
	wait_for 5 rmmod xt_pktstat || fail "rmmod failed after the last rule was deleted"
	touch go
	wait_for 10 grep -q '^closed' status || fail "the epoll reader did not close: $(cat status)"
	wait "$READER" || fail "epoll reader: $(tail -n1 status)"
	echo "epoll reader: $(tr '\n' ' ' <status)"
	modprobe xt_pktstat || fail "modprobe after rmmod failed"
}

# A poll() caller on CPU 1 is woken by the deletion of its set but cannot run (a real-time
# busy loop holds CPU 1; CPU 1's softirq thread, raised above it, keeps RCU going): rmmod
# must wait until it has run and left the set's wait queue.
test_unload_poll_race() {
	iptables -A INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name pr ||
		fail "rule refused"
	# this shell and what it starts stay on CPU 0, away from the busy loop
	taskset -pc 0 $BASHPID >/dev/null || fail "taskset failed"
	taskset -c 1 "$VM_HELPERS/pktread" $PS_DIR/pr/stream poll 60000 2>status &
	local poller=$!
	wait_for 10 grep -q polling status || fail "the poller did not start"
	wait_for 10 asleep $poller || fail "the poller is not asleep"
	local runtime softirqd fair
	runtime=$(cat $rt_runtime)
	fair=$(fair_server_runtime)
	softirqd=$(pgrep -x ksoftirqd/1) || fail "no ksoftirqd/1"
	chrt -f -p 60 "$softirqd" || fail "cannot raise ksoftirqd/1"
	echo -1 >$rt_runtime || fail "cannot lift the real-time limit"
	[ -z "$fair" ] || fair_server_runtime 0
	# a loop without system calls: one that looked for a stop file slept now and then under
	# load (counted by sleeps) and let the poller run
	taskset -c 1 chrt -f 50 sh -c 'while :; do :; done' &
	local hog=$!
	# a loaded host slows the guest: the loop must hold CPU 1, done starting, before the
	# poller is woken
	wait_for 20 settled $hog || fail "the busy loop does not hold CPU 1 as real-time without sleeping"
	local hog_sleeps
	hog_sleeps=$(sleeps $hog)
	dmesg -C
	iptables -D INPUT -p udp --dport 5555 -m pktstat --period 1ms --samples 100 --name pr ||
		fail "cannot delete the rule"
	[ "$(awk '{ print $3 }' /proc/$poller/stat)" = R ] || fail "the poller was not woken (state $(awk '{ print $3 }' /proc/$poller/stat))"
	rmmod xt_pktstat 2>rmmod.err &
	local rm=$!
	sleep 2
	kill -0 $rm 2>/dev/null
	local waited=$? seen
	# what the poller printed while the loop held its CPU: "readable" means it ran meanwhile
	seen=$(tr '\n' ' ' <status)
	hog_sleeps=$(($(sleeps $hog) - hog_sleeps))
	kill $hog
	wait $hog
	# in the reverse order of the setup: 6.12 refuses the real-time limit back (EBUSY) while
	# the fair server is off
	[ -z "$fair" ] || fair_server_runtime "$fair"
	echo "$runtime" >$rt_runtime
	chrt -o -p 0 "$softirqd"
	wait $rm || fail "rmmod failed: $(cat rmmod.err)"
	wait $poller || fail "poller: $(tail -n1 status)"
	dmesg | grep xt_pktstat
	((hog_sleeps == 0)) || fail "the busy loop slept $hog_sleeps time(s) while rmmod waited: the poller could run (the test's premise failed)"
	((waited == 0)) || fail "rmmod returned while the woken poll() caller was still on the set's queue (the poller had printed: $seen)"
	dmesg | grep -q 'xt_pktstat: waiting for 1 removed set' || fail "rmmod did not say what it waited for"
	modprobe xt_pktstat || fail "modprobe after rmmod failed"
}
