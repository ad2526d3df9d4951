# Directory dentries with cached children, and inodes with a lone shadow
# entry (tests/guest/payloads/vfs-pins.sh): the blocks they sit in are
# emptied.  An ext2 image with two trees, every file holding its path:
# a/ 12000 directories of 2 files; b/ 100 directories of 240 files, each
# directory's entries in one page.  tests/long/vfs-pins.sh runs it on the
# debug kernels.
source "$(dirname "$0")/../lib.sh"

# vfs_pins_test VM PREFIX REPORT_RE [vm-run options]
vfs_pins_test() {
	local vm=$1 prefix=$2 re=$3 tree=$run/tree
	shift 3
	mkdir -p "$tree/a" "$tree/b"
	perl -e '
		sub mk { my ($d, $n) = @_; mkdir "$d";
			for my $i (0 .. $n - 1) { open(my $f, ">", "$d/f$i") or die;
				print $f "$d/f$i\n"; close($f) } }
		chdir $ARGV[0] or die;
		mk("a/d$_", 2) for 0 .. 11999;
		mk("b/d$_", 240) for 0 .. 99;' "$tree"
	truncate -s 512M "$run/$vm.img"
	if ! mkfs.ext2 -q -F -b 4096 -N 70000 -d "$tree" "$run/$vm.img"; then
		fail "${prefix}vfs-pins-image: mkfs.ext2 -d failed"
		return 1
	fi
	rm -rf "$tree"
	vm_start "$vm" --payload vfs-pins --timeout 1800 --mem 1024 \
		--disk "$run/$vm.img" --no-page-reporting "$@"
	vm_payload_check "$vm" vfs-pins 1500 "$prefix" "$re"
	wait "${vm_pid_of[$vm]}" 2>/dev/null
	rm -f "$run/$vm.img"
}

[ "${BASH_SOURCE[0]}" = "$0" ] && vfs_pins_test vfs-pins "" "$KERNEL_REPORT_RE"
