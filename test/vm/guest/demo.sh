#!/bin/bash
# The demo inside the test guest: two pktstat rules, a generator sending bursts of UDP at
# random sizes and gaps, and pktstat-top on the console. Quitting pktstat-top powers off.
# Run by test/vm/demo with the repo as the working directory.
set -u
stty rows "${DEMO_ROWS:-24}" cols "${DEMO_COLS:-80}" 2>/dev/null
export TERM=${DEMO_TERM:-xterm-256color}

iptables -A INPUT -p udp --dport 5001 -m pktstat --period 1ms --samples 4096 --name bursts
iptables -A INPUT -p udp --dport 5002 -m pktstat --period 100us --samples 65536 --name fine
ip6tables -A INPUT -p udp --dport 5001 -m pktstat --period 1ms --samples 4096 --name bursts

# A burst of 50..2000 datagrams every 0.2..1.2 s; a steady trickle on the fine-grained rule.
generator() {
	while :; do
		"$VM_HELPERS/udpsend" 127.0.0.1 5001 $((50 + RANDOM % 1950)) $((64 + RANDOM % 1400))
		"$VM_HELPERS/udpsend" ::1 5001 $((RANDOM % 300)) 512
		"$VM_HELPERS/udpsend" 127.0.0.1 5002 $((1 + RANDOM % 40)) 100
		sleep "0.$((2 + RANDOM % 9))"
	done >/dev/null 2>&1
}
generator &
generator_pid=$!

node dist/tui/src/cli.js
kill "$generator_pid"
