#!/bin/bash
# The drain thread against the real module, inside the test guest:
#   test/vm/run-script bench/addon/addon-vm.sh [SETS] [PACKETS_PER_SET]
# Needs the host build first (make all, npm ci). Creates SETS rules of 100 us windows, sends
# UDP through them while Drain drains, then checks the samples against the kernel's totals.
set -euo pipefail
sets=${1:-16} packets=${2:-20000}
modprobe xt_pktstat
for ((i = 0; i < sets; i++)); do
	iptables -A INPUT -p udp --dport $((9000 + i)) -m pktstat --period 100us --samples 1024 --name "vm$i"
done
# A FIFO of two samples, to see losses counted end to end.
iptables -A INPUT -p udp --dport 9999 -m pktstat --period 100us --samples 2 --name vmloss
node dist/bench/addon/addon-vm.js "$sets" "$packets" "$VM_HELPERS/udpsend"
