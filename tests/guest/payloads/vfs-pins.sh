# Blocks held by the dentries and inodes of a cached tree on ext2 (/dev/vda,
# made by tests/host/vfs-pins.sh; every file holds its own path), in the
# two states that kept the scenario's last blocks from being emptied:
#  dirs:   directories whose cached children live in other blocks.  Each
#          child holds its parent, so a directory's dentry is never
#          unused, nor its inode, which the dentry holds: the callbacks
#          must let the children go first.
#  shadow: files and directories of one page, which reclaim evicted,
#          leaving a lone shadow entry in the page cache where the page
#          was; their inodes are as idle as the inode shrinker takes them.
#          (Shadow entries in nodes, of bigger files, keep their inodes
#          until the workingset shrinker frees the nodes, as they keep
#          them from the inode shrinker.)
# Each phase vacates (FREE) the blocks that its objects made mobile (map
# class M: mobile slab pages and free pages only), and only those: at
# least 90% of them must be emptied.  Then every file reads back.
cg=/sys/fs/cgroup
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b ? 100 * a / b : 0 }'; }
done_exit() { echo "FAIL vfs-pins-$1"; echo "vmcompact-vfs-pins: done"; exit 1; }

mount -t ext2 /dev/vda /mnt || done_exit mount
mount -t cgroup2 none $cg && echo +memory > $cg/cgroup.subtree_control &&
	vmc-memcg-mkdir $cg/t || done_exit cgroup
# The tops of the two trees hold more than a phase lets go (/mnt/a has
# 12000 children): looked up now, their slabs are older than the phases,
# whose blocks are those with no mobile slab page before (--new).
ls -ld /mnt/a /mnt/b > /dev/null
# Made now, so that their tmpfs dentries (which tmpfs holds) do not land
# in the blocks of the tree.
for f in m0 cand new out again names contents; do : > /tmp/$f; done

# vacate_blocks NAME: FREE the blocks of /tmp/cand that are still class
# M; PASS if there are at least 3 and at least 90% are emptied.
vacate_blocks() {
	local name=$1 n rc done_blocks
	vmc-mobile-blocks | grep -xFf /tmp/cand > /tmp/new
	n=$(wc -l < /tmp/new)
	vacatectl vacate $(cat /tmp/new) --mode free > /tmp/out 2>&1
	rc=$?
	done_blocks=$(sed -n 's/^blocks done: *//p' /tmp/out)
	done_blocks=${done_blocks:-0}
	# A block that holds something immobile by the time it is acted on
	# ("impossible": an allocation of the vacate itself landed there) is
	# not the phase's.
	n=$((n - $(grep -c '^block .*failed.*impossible' /tmp/out)))
	grep '^block .*failed' /tmp/out | head -n 5 | sed "s/^/vfs-pins: $name: /"
	# Not counted, to tell why: does a failed block empty when asked
	# again, once RCU has freed what the first request let go?
	sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): failed.*/\1/p' /tmp/out |
		head -n 5 | while read -r pfn; do
			sleep 1
			echo "again: $(vacatectl vacate --pfn $((pfn)) --mode free 2>&1 | grep '^block' | head -n 1)"
		done > /tmp/again
	sed "s/^/vfs-pins: $name: /" /tmp/again
	if [ $n -ge 3 ] && [ $done_blocks -ge $(((n * 9 + 9) / 10)) ]; then
		echo "PASS vfs-pins-$name ($done_blocks of the $n blocks it made mobile emptied, $(percent $done_blocks $n)%)"
	else
		echo "FAIL vfs-pins-$name: $done_blocks of the $n blocks it made mobile emptied ($(percent $done_blocks $n)%; at least 3 blocks and 90% wanted); vacatectl rc $rc: $(grep -v '^block' /tmp/out | tail -n 3 | tr '\n' ' ')| $(grep '^block .*failed' /tmp/out | head -n 1) | $(head -n 1 /tmp/again)"
	fi
}

# dirs: the directories of /mnt/a first (ls -ld stats each directory, not
# what is in it): the blocks they make mobile are the ones vacated.  Then
# their children, which land in other blocks.  The page cache alone goes,
# so that no inode keeps a page or a shadow entry.
vmc-mobile-blocks --counts > /tmp/m0
ls -ld /mnt/a/* > /dev/null
sync
echo 1 > /proc/sys/vm/drop_caches
vmc-mobile-blocks --new /tmp/m0 > /tmp/cand
ls -lR /mnt/a > /dev/null
sync
echo 1 > /proc/sys/vm/drop_caches
vacate_blocks dirs

# shadow: read every file of /mnt/b (100 directories of 240) in a memory
# cgroup, then reclaim the cgroup's page cache: reclaim leaves a shadow
# entry for each evicted page.
# vfs_cache_pressure 0 keeps the shrinkers off the dentries and inodes.
# The reads updated atimes: written back, the inodes are clean again.
vmc-mobile-blocks --counts > /tmp/m0
echo 0 > /proc/sys/vm/vfs_cache_pressure
sh -c "echo \$\$ > $cg/t/cgroup.procs; find /mnt/b -type f | xargs cat > /dev/null"
sync
cat $cg/t/memory.current > $cg/t/memory.reclaim 2> /dev/null
echo 100 > /proc/sys/vm/vfs_cache_pressure
echo "vfs-pins: shadow: the cgroup's page cache after reclaim: $(sed -n 's/^file //p' $cg/t/memory.stat) bytes"
vmc-mobile-blocks --new /tmp/m0 > /tmp/cand
vacate_blocks shadow

# Every file reads back its own path: the contents of the files, in the
# order of their sorted names, are those names.
find /mnt/a /mnt/b -type f | sort > /tmp/names
xargs cat < /tmp/names | sed 's|^|/mnt/|' > /tmp/contents
files=$(wc -l < /tmp/names)
if [ "$files" -gt 0 ] && cmp -s /tmp/names /tmp/contents; then
	echo "PASS vfs-pins-files-intact ($files files)"
else
	echo "FAIL vfs-pins-files-intact: $(cmp /tmp/names /tmp/contents 2>&1 | head -n 1) ($files files)"
fi
umount /mnt && echo "PASS vfs-pins-umount" || echo "FAIL vfs-pins-umount"
echo "vmcompact-vfs-pins: done"
