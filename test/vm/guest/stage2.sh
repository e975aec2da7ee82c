#!/bin/bash
# Runs in the chroot on the release's root: makes `modprobe xt_pktstat` work as written (an
# overlay over the read-only /lib/modules/$KVER), then runs the host's job and saves dmesg.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
export OUT=/run/vmout KVER REPO RUN
cd /

# modules.* and extra/xt_pktstat.ko come from the host side's depmod (test/vm/lib.sh vm_depmod).
# A run without them (VM_PACKAGED) tests the module DKMS installed.
mods=/lib/modules/$KVER
if [ -d "$RUN/modroot" ]; then
	mkdir -p /run/modules/work
	cp -a "$RUN/modroot/lib/modules/$KVER" /run/modules/upper &&
		modprobe overlay &&
		mount -t overlay modules -o "lowerdir=$mods,upperdir=/run/modules/upper,workdir=/run/modules/work" "$mods" ||
		echo "vm-stage2: installing xt_pktstat.ko in $mods failed"
fi
# /proc/sys/kernel/modprobe names /run/vm-modprobe; iptables-legacy runs it in the chroot.
printf '#!/bin/sh\nexec /sbin/modprobe "$@"\n' >/run/vm-modprobe
chmod +x /run/vm-modprobe
# an addon built for this release's Node (test/vm/lib.sh vm_build) replaces the host's
addon=build/Release/pktstat_drain.node
[ ! -e "$RUN/$addon" ] || mount --bind "$RUN/$addon" "$REPO/$addon" ||
	echo "vm-stage2: cannot use $RUN/$addon"
ip link set lo up
# Loopback traffic is processed as it is sent; a large backlog keeps bursts from being dropped.
sysctl -qw net.core.netdev_max_backlog=100000

if [ -e "$OUT/interactive" ]; then
	# interactive: the serial console is the terminal; the file may hold a command to run
	# in place of the shell (test/vm/demo) and the host terminal's size
	modprobe xt_pktstat
	export XTABLES_LIBDIR=$RUN/iptables:$(pkg-config --variable=xtlibdir xtables) VM_HELPERS=$RUN
	export TERM=${VM_TERM:-xterm-256color} PS1='vm# '
	cd "$REPO"
	[ -s "$OUT/size" ] && stty -F /dev/ttyS0 rows "$(cut -d' ' -f1 "$OUT/size")" cols "$(cut -d' ' -f2 "$OUT/size")"
	if [ -s "$OUT/interactive" ]; then
		setsid -c bash "$OUT/interactive" </dev/ttyS0 >/dev/ttyS0 2>&1
	else
		echo "Guest shell: repo at $REPO, XTABLES_LIBDIR=$XTABLES_LIBDIR. 'exit' powers off."
		setsid -c bash --norc -i </dev/ttyS0 >/dev/ttyS0 2>&1
	fi
else
	bash "$OUT/job.sh" >"$OUT/job.out" 2>&1
	echo $? >"$OUT/job.rc"
fi
dmesg >"$OUT/dmesg.txt"
touch "$OUT/finished"
sync
