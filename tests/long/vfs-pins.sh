# Blocks held by directory dentries and lone shadow entries
# (tests/host/vfs-pins.sh) on each debug kernel: lockdep and KASAN watch
# d_prune_leaf_children() and the inode evictions of the vacate.
source "$(dirname "$0")/../host/vfs-pins.sh"
for k in debug debug-slub; do
	vfs_pins_test "$k-vfs-pins" "$k-" "$DEBUG_REPORT_RE" \
		--kernel "$root/build/guest/bzImage-$k"
done
