#!/usr/bin/env bash
# `make lint`: eslint and prettier on the TypeScript, checkpatch --strict and sparse on the
# kernel module. Each check runs even when an earlier one failed; the exit status is non-zero
# when any of them found something.
set -uo pipefail
cd "$(dirname "$0")/.."

KERNEL_DIR=${KERNEL_DIR:-$(ls -d /lib/modules/"$(uname -r)"/build 2>/dev/null ||
	ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)}
failed=()

check() {
	local name=$1
	shift
	echo "--- $name"
	"$@" || failed+=("$name")
}

# checkpatch.pl and the two data files it reads, taken from Debian's linux-source tarball once.
checkpatch_dir=.lint/checkpatch
fetch_checkpatch() {
	[ -f $checkpatch_dir/checkpatch.pl ] && return 0
	local tarball
	tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)
	[ -n "$tarball" ] || { echo "lint: no /usr/src/linux-source-*.tar.xz: run scripts/install-deps.sh" >&2; return 1; }
	local top
	top=$(basename "$tarball" .tar.xz)
	mkdir -p $checkpatch_dir
	tar -xJf "$tarball" -C $checkpatch_dir --strip-components=2 \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" "$top/scripts/const_structs.checkpatch"
}

checkpatch() {
	fetch_checkpatch || return 1
	# compat.h is version checks by nature (LINUX_VERSION_CODE), which checkpatch flags;
	# *.mod.c is kbuild's generated module info, not ours.
	local files=() f
	for f in kernel/*.c kernel/*.h; do
		case $f in
		kernel/compat.h | kernel/*.mod.c) ;;
		*) files+=("$f") ;;
		esac
	done
	perl $checkpatch_dir/checkpatch.pl --strict --no-tree --terse --show-types \
		--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f "${files[@]}" | tee .lint/checkpatch.out
	! grep -q -E ": (ERROR|WARNING|CHECK):" .lint/checkpatch.out
}

# sparse through kbuild (C=2 checks every file, built or not); any diagnostic fails.
sparse() {
	local out
	out=$(make -s -C "$KERNEL_DIR" M="$PWD/kernel" C=2 CHECK=sparse modules 2>&1)
	local rc=$?
	echo "$out"
	((rc == 0)) && ! grep -q -E '(warning|error):' <<<"$out"
}

check eslint npx --no-install eslint --max-warnings 0 .
check prettier npx --no-install prettier --check --log-level warn .
check checkpatch checkpatch
check sparse sparse

if ((${#failed[@]})); then
	echo "lint: failed: ${failed[*]}"
	exit 1
fi
echo "lint: clean (eslint, prettier, checkpatch --strict, sparse)"
