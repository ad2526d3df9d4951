#!/bin/bash
# Build the vmcompact guest kernel: Debian's linux-source-6.1 tarball, the
# patch series in guest-kernel/patches/series, tinyconfig plus the fragments
# in guest-kernel/config/.  Out of tree, under build/.
#
#   scripts/build-kernel.sh             -> build/guest/bzImage
#   DEBUG=1 scripts/build-kernel.sh     -> build/guest/bzImage-debug
#                                          (KASAN, lockdep, DEBUG_VM)
#   DEBUG=slub scripts/build-kernel.sh  -> build/guest/bzImage-debug-slub
#                                          (the same, and slub_debug on
#                                          every cache)
#
# PATCH_DIR (a directory with a series file), KERNEL_BUILD_DIR (instead of
# build/kernel) and KERNEL_OUT (the bzImage to write) let
# scripts/check-patches.sh build other series in scratch trees.
#
# The patched source is a git tree (build/kernel/src) whose first commit is
# the pristine tarball; re-applying the series resets it with
# `git reset --hard`, which rewrites only files that differ, so make's
# timestamps stay right and unchanged files are not rebuilt.  An unchanged
# tarball + series + config does not even start make.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
debug=${DEBUG:-0}
tarball=${LINUX_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
kdir=${KERNEL_BUILD_DIR:-$root/build/kernel}
src=$kdir/src
patches=${PATCH_DIR:-$root/guest-kernel/patches}
cfg=$root/guest-kernel/config
frags=("$cfg/vmcompact.config")
case "$debug" in
0)	frags+=("$cfg/distro.config")
	obj=$kdir/obj
	out=${KERNEL_OUT:-$root/build/guest/bzImage} ;;
1)	frags+=("$cfg/debug.config")
	obj=$kdir/obj-debug
	out=${KERNEL_OUT:-$root/build/guest/bzImage-debug} ;;
slub)	frags+=("$cfg/debug.config" "$cfg/debug-slub.config")
	obj=$kdir/obj-debug-slub
	out=${KERNEL_OUT:-$root/build/guest/bzImage-debug-slub} ;;
*)	echo "build-kernel: DEBUG=$debug: want 0, 1 or slub" >&2; exit 1 ;;
esac

die() { echo "build-kernel: $*" >&2; exit 1; }
# No automatic gc: packing the pristine tree's objects in the background
# took minutes of the cpu that the compile needs.
git_src() {
	git -C "$src" -c user.name=vmcompact -c user.email=build@vmcompact.invalid \
		-c gc.auto=0 -c maintenance.auto=false "$@"
}

[ -f "$tarball" ] || die "$tarball missing: run 'make deps' (package linux-source-6.1)"

series_files() {
	[ -f "$patches/series" ] || return 0
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$patches/series"
}

# Identity of everything the result depends on.
stamp_of() {
	{
		stat -c '%n %s %Y' "$tarball"
		series_files | while read -r p; do
			[ -f "$patches/$p" ] || die "series names $p, which is not in $patches"
			sha256sum "$patches/$p"
		done
		sha256sum "${frags[@]}"
		echo "debug=$debug"
	} | sha256sum | cut -d' ' -f1
}

stamp=$(stamp_of)
if [ -f "$out" ] && [ "$(cat "$obj/.vmcompact-stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "build-kernel: $out is up to date"
	exit 0
fi

# 1. Pristine tree, once per tarball.
tar_id=$(stat -c '%s %Y' "$tarball")
if [ "$(cat "$kdir/tarball-id" 2>/dev/null)" != "$tar_id" ] || [ ! -d "$src/.git" ]; then
	echo "build-kernel: extracting $tarball"
	rm -rf "$src" "$kdir"/obj "$kdir"/obj-debug "$kdir"/obj-debug-slub
	mkdir -p "$src"
	tar -xf "$tarball" -C "$src" --strip-components=1
	git_src init -q
	git_src add -f -A
	git_src commit -q -m pristine
	git_src tag pristine
	echo "$tar_id" > "$kdir/tarball-id"
	rm -f "$kdir/applied" "$kdir/applied-head"
fi

# 2. The series, in order; stop at the first patch that does not apply.
#    Patches already applied are not applied again when they are the
#    start of the wanted series (the normal and debug builds share the
#    tree; a patch added at the end; check-patches.sh's growing prefixes):
#    re-applying would touch the patched files and rebuild what uses them.
#    Work in progress in the tree (docs/kernel-workflow.md) is never thrown
#    away: uncommitted changes, or commits that are not the applied
#    series, stop the build.
wanted=$kdir/wanted
series_files | while read -r p; do sha256sum "$patches/$p"; done > "$wanted"
[ -z "$(git_src status --porcelain --untracked-files=no)" ] ||
	die "$src has uncommitted changes: commit and export them, or git -C $src stash"
patch_ids() { while read -r f; do git_src patch-id --stable < "$f" | cut -d' ' -f1; done; }
# Commits rewritten in the tree and exported (a rebase) are the series.
exported() {
	cmp -s <(git_src log -p --reverse pristine..HEAD | git_src patch-id --stable | cut -d' ' -f1) \
	       <(series_files | sed "s|^|$patches/|" | patch_ids)
}
applied=$kdir/applied
if [ -f "$kdir/applied-head" ] && [ "$(git_src rev-parse HEAD)" != "$(cat "$kdir/applied-head")" ]; then
	exported ||
		die "$src has commits that are not in $patches: export them (docs/kernel-workflow.md), or git -C $src reset --hard $(cat "$kdir/applied-head")"
	# The tree is the series already: nothing to apply.
	cp "$wanted" "$applied"
fi
touch "$applied"
have=$(wc -l < "$applied")
if ! cmp -s "$applied" <(head -n "$have" "$wanted"); then
	git_src am --abort >/dev/null 2>&1 || true
	git_src reset -q --hard pristine
	: > "$applied"
	have=0
fi
n=0
while read -r sum p; do
	n=$((n + 1))
	[ "$n" -le "$have" ] && continue
	if ! git_src am -q --keep-cr "$p" >"$kdir/am.log" 2>&1; then
		git_src am --abort >/dev/null 2>&1 || true
		cat "$kdir/am.log" >&2
		die "patch $n of the series, $(basename "$p"), does not apply"
	fi
	echo "$sum  $p" >> "$applied"
done < "$wanted"
git_src rev-parse HEAD > "$kdir/applied-head"
echo "build-kernel: $n patches applied ($((n - have)) just now)"

# 3. Config: tinyconfig + fragments; every requested option must survive.
#    KCONFIG_ALLOW_UNKNOWN=1 (check-patches.sh) lets through options that
#    a prefix of the series does not define yet.
# DEBUG=slub differs from DEBUG=1 in a few options: starting from a copy
# of its objects, the build is incremental.
if [ "$debug" = slub ] && [ ! -d "$obj" ] && [ -f "$kdir/obj-debug/vmlinux" ]; then
	cp -a "$kdir/obj-debug" "$obj"
fi
mkdir -p "$obj"
kmake() { make -C "$src" O="$obj" CC="ccache gcc" -j"$(nproc)" "$@"; }
kmake -s tinyconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "${frags[@]}" >"$obj/merge.log"
kmake -s olddefconfig >/dev/null
defined=$obj/defined-symbols
if [ "${KCONFIG_ALLOW_UNKNOWN:-0}" = 1 ]; then
	grep -rhoE '^[[:space:]]*(menu)?config [A-Z0-9_]+' --include='Kconfig*' "$src" |
		awk '{print "CONFIG_" $2}' | sort -u > "$defined"
fi
for f in "${frags[@]}"; do
	grep -E '^CONFIG_[A-Z0-9_]+=' "$f" | while IFS= read -r want; do
		if [ "${KCONFIG_ALLOW_UNKNOWN:-0}" = 1 ] && ! grep -qxF "${want%%=*}" "$defined"; then
			continue
		fi
		grep -qxF "$want" "$obj/.config" ||
			die "$(basename "$f"): $want did not stick (missing dependency?)"
	done
	sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$f" | while read -r off; do
		! grep -q "^$off=" "$obj/.config" ||
			die "$(basename "$f"): $off is still set"
	done
done

# 4. Build.  With CONFIG_MODULES=y the modules too, installed next to the
#    bzImage (build/guest/modules for build/guest/bzImage, modules-debug
#    for bzImage-debug) for the guest images that load them.
echo "build-kernel: building in $obj"
targets=(bzImage)
grep -qx 'CONFIG_MODULES=y' "$obj/.config" && targets+=(modules)
kmake "${targets[@]}"
mkdir -p "$(dirname "$out")"
if [ ${#targets[@]} -gt 1 ]; then
	moddir=$(dirname "$out")/modules$(basename "$out" | sed 's/^bzImage//')
	rm -rf "$moddir"
	kmake -s INSTALL_MOD_PATH="$moddir" INSTALL_MOD_STRIP=1 modules_install >/dev/null
	echo "build-kernel: modules in $moddir"
fi
cp "$obj/arch/x86/boot/bzImage" "$out"
echo "$stamp" > "$obj/.vmcompact-stamp"
echo "build-kernel: $out"
