# Host side of the QEMU harness, sourced by run, run-script and shell.
# Builds everything the guest needs, then boots Debian's kernel under TCG with the host
# root read-only over 9p and a writable 9p share ($VM_OUT) for the job and its results.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
VM_BUILD=$VM_DIR/build
VM_PACKAGES=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static iptables
	libxtables-dev pkg-config gcc make cpio kmod iproute2 util-linux nftables)

vm_die() { echo "vm: $*" >&2; exit 2; }

vm_install_deps() {
	local p missing=()
	for p in "${VM_PACKAGES[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	((${#missing[@]} == 0)) && return
	echo "vm: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
		vm_die "apt-get install ${missing[*]} failed"
}

# Newest kernel that has both headers (to build against) and an image (to boot).
vm_find_kver() {
	local d k
	KVER=
	for d in $(ls -d /lib/modules/*/build 2>/dev/null | sort -V); do
		k=$(basename "$(dirname "$d")")
		[ -e "/boot/vmlinuz-$k" ] && KVER=$k
	done
	[ -n "$KVER" ] || vm_die "no kernel with both /lib/modules/KVER/build and /boot/vmlinuz-KVER"
}

# Module, extension and C helpers into this run's own directory $VM_RUN (runs may overlap).
# Build output goes to the log; only failures are shown. VM_MODULE_SRC builds the module
# from another tree (e.g. a deliberately broken copy, to see the suite catch it).
vm_build() {
	local log src=${VM_MODULE_SRC:-$REPO/kernel}
	mkdir -p "$VM_BUILD"
	# runs older than a day are nobody's any more
	find "$VM_BUILD" -maxdepth 1 -name 'run.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null
	VM_RUN=$(mktemp -d "$VM_BUILD/run.XXXXXX")
	log=$VM_RUN/build.log
	# VM_PACKAGED: the guest's root has the Debian packages installed (test/deb), whose module
	# and extension are the ones to test.
	[ -n "${VM_PACKAGED:-}" ] || vm_build_module "$src" "$log"
	make -s -C "$VM_DIR/helpers" OUT="$VM_RUN" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; vm_die "building test/vm/helpers failed (log: $log)"; }
}

# vm_build_module SRC LOG: the module (installed in the guest by vm_depmod) and the extension.
vm_build_module() {
	local src=$1 log=$2
	make -C "$src" modules KERNEL_DIR="/lib/modules/$KVER/build" \
		PKTSTAT_VERSION="$("$REPO/scripts/version.sh")" >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; vm_die "building $src/xt_pktstat.ko failed (log: $log)"; }
	cp "$src/xt_pktstat.ko" "$VM_RUN/" 2>/dev/null || vm_die "$src/xt_pktstat.ko was not built"
	vm_depmod
	make -C "$REPO/iptables" all >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; vm_die "building iptables/libxt_pktstat.so failed (log: $log)"; }
}

# depmod on the host (seconds; a minute in the guest): a tree whose kernel/ links to the real
# one plus extra/xt_pktstat.ko. The guest lays its modules.* files and the module over its
# /lib/modules/$KVER.
vm_depmod() {
	local base=$VM_RUN/modroot tree f
	tree=$base/lib/modules/$KVER
	rm -rf "$base"
	mkdir -p "$tree/extra"
	ln -s "/lib/modules/$KVER/kernel" "$tree/kernel"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		ln -s "/lib/modules/$KVER/$f" "$tree/$f"
	done
	cp "$VM_RUN/xt_pktstat.ko" "$tree/extra/"
	depmod -b "$base" "$KVER" || vm_die "depmod for $KVER failed"
	rm "$tree/kernel" "$tree"/modules.builtin "$tree"/modules.builtin.modinfo "$tree"/modules.order
}

# busybox /init plus the virtio and 9p modules; rebuilt only when KVER or the init script changes.
vm_initramfs() {
	local img=$VM_BUILD/initramfs-$KVER.gz root m
	INITRAMFS=$img
	[ "$img" -nt "$VM_DIR/guest/init" ] && [ "$img" -nt "$VM_DIR/lib.sh" ] && return
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,mnt,mods}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
		drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci fs/netfs/netfs \
		fs/fscache/fscache net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p; do
		cp "/lib/modules/$KVER/kernel/$m.ko" "$root/mods/" || vm_die "missing module $m.ko"
		echo "${m##*/}" >>"$root/mods/order"
	done
	cp "$VM_DIR/guest/init" "$root/init"
	chmod +x "$root/init"
	# The kernel's module autoloader runs /run/vm-modprobe in the initramfs root: hand over
	# to the chroot (stage2 puts a plain one at the same path in the chroot for iptables).
	mkdir -p "$root/run"
	printf '#!/bin/sh\nexec /bin/busybox chroot /mnt /sbin/modprobe "$@"\n' >"$root/run/vm-modprobe"
	chmod +x "$root/run/vm-modprobe"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.$$" && mv "$img.$$" "$img"
	rm -rf "$root"
}

vm_prepare() {
	vm_install_deps
	vm_find_kver
	vm_build
	vm_initramfs
}

# vm_boot OUTDIR TIMEOUT [interactive]: OUTDIR holds job.sh (run in the chroot as root, with
# OUT=/run/vmout pointing at OUTDIR). The chroot is the host's root, or VM_ROOT (a tree that
# holds this checkout at the same path, e.g. an overlay on the host's root). The serial console
# goes to OUTDIR/console.log, or to the terminal when interactive. Fails on timeout, panic, or a guest that did not reach the end.
vm_boot() {
	local out=$1 limit=$2 interactive=${3:-} rc
	local qemu=(qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 1024 -nographic -no-reboot
		-kernel "/boot/vmlinuz-$KVER" -initrd "$INITRAMFS"
		-append "console=ttyS0 quiet panic=-1 oops=panic softlockup_panic=1 vm_kver=$KVER vm_repo=$REPO vm_run=$VM_RUN ${VM_APPEND:-}"
		-virtfs "local,path=${VM_ROOT:-/},mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$out,mount_tag=vmout,security_model=none,multidevs=remap")
	rm -f "$out/finished"
	if [ -n "$interactive" ]; then
		"${qemu[@]}"
		return
	fi
	timeout -k 5 "$limit" "${qemu[@]}" </dev/null >"$out/console.log" 2>&1
	rc=$?
	if ((rc == 124 || rc == 137)); then
		VM_ERROR="guest timed out after ${limit}s"
	elif grep -q 'Kernel panic' "$out/console.log"; then
		VM_ERROR="guest kernel panic: $(grep -m1 'Kernel panic' "$out/console.log")"
	elif [ ! -e "$out/finished" ]; then
		VM_ERROR="guest did not finish its job (qemu exit $rc)"
	else
		VM_ERROR=
		return 0
	fi
	return 1
}

# Lines of the guest's kernel log that mean a kernel bug.
vm_bad_dmesg() {
	grep -E 'BUG:|WARNING:|Oops|general protection|RCU stall|rcu_.*stall' "$1" 2>/dev/null
}

# vm_group NAME FILE TEST...: one boot that runs the tests (functions of FILE) with the guest's
# run_tests; a tally line per test (tally.sh), then one for a failed boot and one for dmesg.
vm_group() {
	local g=$1 file=$2 out=$VM_RUN/$1 t line boot_error bad
	shift 2
	mkdir -p "$out"
	cat >"$out/job.sh" <<-JOB
		export VM_HELPERS=$VM_RUN
		. "$VM_DIR/guest/lib.sh"
		. "$file"
		run_tests $*
	JOB
	vm_boot "$out" "${VM_TIMEOUT:-300}"
	boot_error=$VM_ERROR
	for t in "$@"; do
		line=$(grep -m1 -E "^(ok|FAIL) $t(:|$)" "$out/results" 2>/dev/null)
		[ -n "$line" ] || line="FAIL $t: no result (${boot_error:-the guest job ended early})"
		tally_line "$line"
	done
	if [ -n "$boot_error" ]; then
		tally_line "FAIL boot-$g: $boot_error (console: $out/console.log)"
		tail -n 20 "$out/console.log"
	fi
	bad=$(vm_bad_dmesg "$out/dmesg.txt")
	if [ -n "$bad" ]; then
		tally_line "FAIL dmesg-$g: kernel log shows a problem ($out/dmesg.txt)"
		echo "$bad" | head -n 20
	elif [ -e "$out/dmesg.txt" ]; then
		tally_line "ok dmesg-$g"
	fi
}
