# Targeted reclaim of unused dentries and ext2 inodes: create small files
# on the ext2 disk (/dev/vda), drop the page cache, then empty the cheapest
# blocks.  The dentry and inode slabs in them must go (their counts drop,
# free blocks rise) while every file stays readable.
mount -t ext2 /dev/vda /mnt || { echo "FAIL reclaim-mount: no ext2 disk"; echo "vmcompact-reclaim: done"; exit 1; }
vmc-fragment /mnt 4 8 5000 > /dev/null || echo "FAIL reclaim-workload: vmc-fragment failed"
echo 1 > /proc/sys/vm/drop_caches
slabs() { awk -v c="$1" '$1 == c {print $2}' /proc/slabinfo; }
free_blocks() { vacatectl map | sed -n 's/^fully free blocks: *\([0-9]*\).*/\1/p'; }
d0=$(slabs dentry) i0=$(slabs ext2_inode_cache) f0=$(free_blocks)
vacatectl vacate --cheapest all --mode free > /tmp/reclaim.out 2>&1
rc=$?
d1=$(slabs dentry) i1=$(slabs ext2_inode_cache) f1=$(free_blocks)
detail="dentries $d0 -> $d1, ext2 inodes $i0 -> $i1, free blocks $f0 -> $f1"
if [ $rc = 0 ] && [ "$d1" -lt "$d0" ] && [ "$i1" -lt "$i0" ] && [ "$f1" -gt "$f0" ]; then
	echo "PASS reclaim-dentries-and-inodes ($detail)"
else
	echo "FAIL reclaim-dentries-and-inodes: rc $rc, $detail; $(tail -3 /tmp/reclaim.out | tr '\n' ' ')"
fi
# Every file is still there and readable: the reclaimed objects come back
# from disk on lookup.
n=$(find /mnt -type f | wc -l)
bad=0
for r in 0 1 2 3; do
	for i in 0 777 4999; do
		[ "$(cat /mnt/small$r/f$i)" = "/mnt/small$r" ] || bad=$((bad + 1))
	done
done
if [ "$n" = $((4 * 5000 + 4)) ] && [ $bad = 0 ] && vmc-fragment --verify /mnt 4 8 > /dev/null; then
	echo "PASS reclaim-files-intact ($n files)"
else
	echo "FAIL reclaim-files-intact: $n files, $bad bad small files"
fi
echo "vmcompact-reclaim: done"
