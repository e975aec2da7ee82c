# Host side of the QEMU harness, sourced by run, run-script and shell.
# Builds everything the guest needs inside the guest's release, then boots that release's
# kernel under TCG with its root read-only over 9p (the host's own root for the host's
# release, else a cached root of test/vm/release-root), the repo over 9p, and a writable
# 9p share for the job and its results. VM_RELEASE picks the release (default: the host's).

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
VM_BUILD=$VM_DIR/build
VM_PACKAGES=(qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static iptables
	libxtables-dev pkg-config gcc make cpio kmod iproute2 util-linux nftables ethtool procps)

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

# The releases the suite runs on, oldest first (README's table).
VM_RELEASES=(bullseye bookworm trixie forky)
VM_HOST_RELEASE=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")

# vm_release: sets VM_RELEASE (default the host's) and VM_ROOT, its root: / for the host's
# release, else the cached root (built when missing; a release that cannot be fetched fails).
vm_release() {
	VM_RELEASE=${VM_RELEASE:-$VM_HOST_RELEASE}
	[[ " ${VM_RELEASES[*]} " == *" $VM_RELEASE "* ]] ||
		vm_die "unknown release '$VM_RELEASE' (${VM_RELEASES[*]})"
	if [ "$VM_RELEASE" = "$VM_HOST_RELEASE" ]; then
		VM_ROOT=/
	else
		VM_ROOT=$("$VM_DIR/release-root" "$VM_RELEASE") || vm_die "no root for $VM_RELEASE"
	fi
}

# vm_in_root [--scratch] CMD...: CMD in the release's root, in this directory, with the repo
# at its own path (builds use the release's compiler, headers and libraries). --scratch: the repo as an
# overlay whose writes are dropped afterwards (in-tree builds of another release leave the
# checkout alone). The root is a mount point of its own: unshare in `make -C iptables check`
# needs that.
vm_in_root() {
	local scratch=
	[ "$1" != --scratch ] || { scratch=$(mktemp -d /var/tmp/vm-scratch.XXXXXX) && shift; }
	if [ "$VM_ROOT" = / ]; then
		"$@"
		return
	fi
	mkdir -p "$VM_ROOT$REPO"
	unshare -m --propagation private bash -c '
		root=$1 repo=$2 scratch=$3 cwd=$4
		shift 4
		mount --bind "$root" "$root" && mount -t proc proc "$root/proc" &&
			mount --rbind /dev "$root/dev" && mount -t tmpfs tmp "$root/tmp" && mkdir -p "$root$repo" || exit
		if [ -n "$scratch" ]; then
			mkdir "$scratch/upper" "$scratch/work" &&
				mount -t overlay repo -o "lowerdir=$repo,upperdir=$scratch/upper,workdir=$scratch/work" "$root$repo"
		else
			mount --bind "$repo" "$root$repo"
		fi || exit
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			TERM="${TERM:-dumb}" /bin/sh -c '\''cd "$0" && exec "$@"'\'' "$cwd" "$@"
	' vm_in_root "$VM_ROOT" "$REPO" "$scratch" "$PWD" "$@"
	local rc=$?
	[ -z "$scratch" ] || rm -rf "$scratch"
	return $rc
}

# The root's newest kernel that has both headers (to build against) and an image (to boot);
# the headers' build link is absolute within the root.
vm_find_kver() {
	local d k l
	KVER=
	for d in $(ls -d "$VM_ROOT"/lib/modules/*/build 2>/dev/null | sort -V); do
		k=$(basename "$(dirname "$d")")
		l=$(readlink "$d")
		[ "${l#/}" != "$l" ] && l=$VM_ROOT/$l || l=$(dirname "$d")/$l
		[ -e "$VM_ROOT/boot/vmlinuz-$k" ] && [ -d "$l" ] && KVER=$k
	done
	[ -n "$KVER" ] || vm_die "no kernel with both /lib/modules/KVER/build and /boot/vmlinuz-KVER in $VM_ROOT"
}

# Module, extension and C helpers built inside the release into this run's own directory
# $VM_RUN (runs may overlap): copies of kernel/ and iptables/ in $VM_RUN/kernel and
# $VM_RUN/iptables (where the guest's XTABLES_LIBDIR points), the helpers in $VM_RUN. On a
# release other than the host's, the addon too, by the release's node-gyp against its Node,
# into $VM_RUN/build/Release (the guest uses it in place of the host's). The module builds
# with W=1, the extension and the addon with -Wall -Wextra: their warnings go to
# $VM_RUN/warnings (test/vm/run fails on any). Build output goes to the log; only failures
# are shown. VM_MODULE_SRC builds the module from another tree (e.g. a deliberately broken
# copy, to see the suite catch it).
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
	if [ "$VM_ROOT" != / ]; then
		mkdir "$VM_RUN/addon"
		cp "$REPO/binding.gyp" "$VM_RUN/" && cp -r "$REPO/addon/src" "$VM_RUN/addon/" &&
			ln -s "$REPO/node_modules" "$VM_RUN/node_modules" || vm_die "cannot copy the addon"
		vm_in_root sh -c "cd '$VM_RUN' && node-gyp rebuild --nodedir=/usr" >"$log.addon" 2>&1 ||
			{ tail -n 30 "$log.addon" >&2; vm_die "building the addon for $VM_RELEASE's Node failed (log: $log.addon)"; }
	fi
	grep -h 'warning:' "$log".* >"$VM_RUN/warnings" 2>/dev/null
	vm_in_root make -s -C "$VM_DIR/helpers" OUT="$VM_RUN" >"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; vm_die "building test/vm/helpers failed (log: $log)"; }
}

# vm_build_module SRC LOG: the module (installed in the guest by vm_depmod) and the extension,
# built in the release's root.
vm_build_module() {
	local src=$1 log=$2
	mkdir "$VM_RUN/kernel" "$VM_RUN/iptables"
	cp "$src"/Makefile "$src"/*.[ch] "$VM_RUN/kernel/" || vm_die "cannot copy $src"
	cp "$REPO"/iptables/Makefile "$REPO"/iptables/*.c "$REPO"/iptables/*.man "$VM_RUN/iptables/" || vm_die "cannot copy iptables/"
	vm_in_root make -C "$VM_RUN/kernel" modules W=1 KERNEL_DIR="/lib/modules/$KVER/build" \
		PKTSTAT_VERSION="$("$REPO/scripts/version.sh")" >"$log.kernel" 2>&1 ||
		{ tail -n 30 "$log.kernel" >&2; vm_die "building $src/xt_pktstat.ko for $KVER failed (log: $log.kernel)"; }
	[ -e "$VM_RUN/kernel/xt_pktstat.ko" ] || vm_die "$src/xt_pktstat.ko was not built"
	vm_depmod
	vm_in_root make -C "$VM_RUN/iptables" all >"$log.iptables" 2>&1 ||
		{ tail -n 30 "$log.iptables" >&2; vm_die "building iptables/libxt_pktstat.so failed (log: $log.iptables)"; }
}

# depmod in the release's root (seconds; a minute in the guest): a tree whose kernel/ links to
# the real one plus extra/xt_pktstat.ko. The guest lays its modules.* files and the module
# over its /lib/modules/$KVER.
vm_depmod() {
	local base=$VM_RUN/modroot tree f
	tree=$base/lib/modules/$KVER
	rm -rf "$base"
	mkdir -p "$tree/extra"
	ln -s "/lib/modules/$KVER/kernel" "$tree/kernel"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		ln -s "/lib/modules/$KVER/$f" "$tree/$f"
	done
	cp "$VM_RUN/kernel/xt_pktstat.ko" "$tree/extra/"
	vm_in_root depmod -b "$base" "$KVER" || vm_die "depmod for $KVER failed"
	rm "$tree/kernel" "$tree"/modules.builtin "$tree"/modules.builtin.modinfo "$tree"/modules.order
}

# vm_mod_order NAME...: the modules NAME... of the root's kernel need, dependencies first,
# as paths under /lib/modules/$KVER from its modules.dep; built-in ones are left out.
vm_mod_order() {
	local dir=$VM_ROOT/lib/modules/$KVER
	awk -v want="$*" '
		function name(p) { sub(/.*\//, "", p); sub(/\.ko.*/, "", p); gsub(/-/, "_", p); return p }
		function visit(p,   i, n, d) {
			if (p in seen) return
			seen[p] = 1
			# modprobe loads the listed dependencies last to first
			n = split(deps[p], d, " ")
			for (i = n; i >= 1; i--) visit(d[i])
			print p
		}
		FILENAME ~ /modules.builtin$/ { builtin[name($0)] = 1; next }
		{ p = $1; sub(/:$/, "", p); path[name(p)] = p; $1 = ""; deps[p] = $0 }
		END {
			n = split(want, w, " ")
			for (i = 1; i <= n; i++) {
				if (w[i] in builtin) continue
				if (!(w[i] in path)) { print "no module " w[i] > "/dev/stderr"; exit 1 }
				visit(path[w[i]])
			}
		}' "$dir/modules.builtin" "$dir/modules.dep"
}

# busybox /init plus the modules that reach the 9p shares (uncompressed: busybox insmod reads
# no .ko.xz); rebuilt only when KVER or the init script changes.
vm_initramfs() {
	local img=$VM_BUILD/initramfs-$KVER.gz root m f mods
	INITRAMFS=$img
	[ "$img" -nt "$VM_DIR/guest/init" ] && [ "$img" -nt "$VM_DIR/lib.sh" ] && return
	mods=$(vm_mod_order virtio_pci 9pnet_virtio 9p) || vm_die "$KVER lacks what the 9p root needs"
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,dev,proc,sys,mnt,mods}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	for m in $mods; do
		f=$VM_ROOT/lib/modules/$KVER/$m
		m=${m##*/}
		case "$f" in
		*.ko) cp "$f" "$root/mods/$m" ;;
		*.ko.xz) xz -dc "$f" >"$root/mods/${m%.xz}" ;;
		*.ko.zst) zstd -qdc "$f" >"$root/mods/${m%.zst}" ;;
		*) false ;;
		esac || vm_die "cannot put $f in the initramfs"
		echo "${m%.ko*}" >>"$root/mods/order"
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
	vm_release
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
		-kernel "$VM_ROOT/boot/vmlinuz-$KVER" -initrd "$INITRAMFS"
		-append "console=ttyS0 quiet panic=-1 oops=panic softlockup_panic=1 vm_kver=$KVER vm_repo=$REPO vm_run=$VM_RUN ${VM_APPEND:-}"
		-virtfs "local,path=$VM_ROOT,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$REPO,mount_tag=repo,security_model=none,readonly=on,multidevs=remap"
		-virtfs "local,path=$out,mount_tag=vmout,security_model=none,multidevs=remap")
	rm -f "$out/finished"
	if [ -n "$interactive" ]; then
		"${qemu[@]}"
		return
	fi
	rm -f "$out/job.out"
	timeout -k 5 "$limit" "${qemu[@]}" </dev/null >"$out/console.log" 2>&1 &
	local qemu_pid=$! waited=0 boot_limit=${VM_BOOT_LIMIT:-180}
	# The job starts about 20 s into a boot (it makes job.out): a guest that has not started it
	# after VM_BOOT_LIMIT seconds hung while booting.
	while [ ! -e "$out/job.out" ] && kill -0 $qemu_pid 2>/dev/null && ((waited < boot_limit)); do
		sleep 1
		waited=$((waited + 1))
	done
	[ -e "$out/job.out" ] || kill $qemu_pid 2>/dev/null
	wait $qemu_pid
	rc=$?
	if [ ! -e "$out/job.out" ] && ((waited >= boot_limit)); then
		VM_ERROR="guest hung while booting: no job after ${boot_limit}s"
	elif [ ! -e "$out/job.out" ] && ! grep -q 'Kernel panic' "$out/console.log"; then
		VM_ERROR="guest stopped while booting, before its job (qemu exit $rc)"
	elif ((rc == 124 || rc == 137)); then
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
	# a minute a test, at least five: a 5.10 guest under TCG needs ~40 s for some
	local limit=${VM_TIMEOUT:-$((60 * $# > 300 ? 60 * $# : 300))}
	vm_boot "$out" "$limit"
	# A guest kernel that crashed or hung while booting, before the job began, ran none of this
	# project's code: it boots again, up to three boots, and says so. Seen on forky's 7.2 under
	# TCG on a loaded machine, in 3 of about 20 boots: an int3 of the kernel's boot-time text
	# patching in a timer function, and hangs.
	local boots=1
	while [ -n "$VM_ERROR" ] && [ ! -e "$out/job.out" ] && ((boots < 3)); do
		mv "$out/console.log" "$out/console.boot$boots.log"
		echo "vm: $g: $VM_ERROR, before the job ($out/console.boot$boots.log): booting again"
		boots=$((boots + 1))
		vm_boot "$out" "$limit"
	done
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
