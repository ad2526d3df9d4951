# Directory dentries with cached children, and inodes with a lone shadow
# entry (tests/guest/payloads/vfs-pins.sh): the blocks they sit in are
# emptied.  An ext2 image with two trees, every file holding its path:
# a/ 12000 directories of 2 files; b/ 100 directories of 240 files, each
# directory's entries in one page.
source "$(dirname "$0")/../lib.sh"
tree=$run/tree
mkdir -p "$tree/a" "$tree/b"
perl -e '
	sub mk { my ($d, $n) = @_; mkdir "$d";
		for my $i (0 .. $n - 1) { open(my $f, ">", "$d/f$i") or die;
			print $f "$d/f$i\n"; close($f) } }
	chdir $ARGV[0] or die;
	mk("a/d$_", 2) for 0 .. 11999;
	mk("b/d$_", 240) for 0 .. 99;' "$tree"
truncate -s 512M "$run/vfs.img"
if ! mkfs.ext2 -q -F -b 4096 -N 70000 -d "$tree" "$run/vfs.img"; then
	fail "vfs-pins-image: mkfs.ext2 -d failed"
	exit 1
fi
rm -rf "$tree"
vm_payload_test vfs-pins 1500 --mem 1024 --disk "$run/vfs.img" --no-page-reporting
