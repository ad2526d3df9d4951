# Files unlinked while open, on a frozen ext2 (issue 8, unmount and
# superblock rules): the inode callbacks must never pin such an inode.
# If they do, and its last holder lets go between isolate() and
# migrate(), the vacate does the final iput(): the eviction deletes the
# file, waits in sb_start_intwrite() for the thaw while holding s_umount,
# and the thaw waits for s_umount.  Here: 60 files held open by `tail -f`
# (empty) and unlinked, the file system frozen, every ext2 inode slab vacated
# with a 4 s window between isolate() and migrate() (the test driver's
# migrate_delay_ms), the holders killed inside the window, then the thaw.
# Both the vacate and the thaw must finish (60 s each, the hang check),
# and the holders must exit.
dbg=/sys/kernel/debug/slub_mobility_test
mount -t ext2 /dev/vda /mnt || { echo "FAIL freeze-unlinked-mount"; echo "vmcompact-freeze-unlinked: done"; exit 0; }
# Nothing else on it: the few slabs of ext2 inodes hold these files, and
# the first slab is isolated as the vacate starts.
mkdir -p /mnt/gone
pids=""
for i in $(seq 1 60); do
	: > /mnt/gone/$i	# empty: no page cache, so the callbacks take it
	tail -f /mnt/gone/$i > /dev/null 2>&1 &
	pids="$pids $!"
done
sleep 1
rm -f /mnt/gone/*
sync
fsfreeze --freeze /mnt || echo "FAIL freeze-unlinked-freeze: fsfreeze --freeze failed"
echo 4000 > $dbg/migrate_delay_ms
( echo "vacate_cache ext2_inode_cache" > $dbg/control; echo done > /tmp/vacate.done ) &
sleep 1
kill $pids
# finished FILE SECS: FILE appeared within SECS seconds.
finished() {
	local i=0
	while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	[ -e "$1" ]
}
if finished /tmp/vacate.done 60; then
	echo "PASS freeze-unlinked-vacate-returns"
else
	echo "FAIL freeze-unlinked-vacate-returns: vacate_cache ext2_inode_cache still running after 60 s"
fi
( fsfreeze --unfreeze /mnt && echo done > /tmp/thaw.done ) &
if finished /tmp/thaw.done 60; then
	echo "PASS freeze-unlinked-thaw-returns"
else
	echo "FAIL freeze-unlinked-thaw-returns: fsfreeze --unfreeze still waiting after 60 s"
	echo "vmcompact-freeze-unlinked: done"
	exit 0
fi
echo 0 > $dbg/migrate_delay_ms
wait
left=0
for p in $pids; do kill -0 $p 2>/dev/null && left=$((left + 1)); done
if [ $left = 0 ] && [ -z "$(ls /mnt/gone)" ]; then
	echo "PASS freeze-unlinked-files (holders gone, so are the unlinked files)"
else
	echo "FAIL freeze-unlinked-files: $left holders left, in gone/: $(ls /mnt/gone | wc -l)"
fi
umount /mnt && echo "PASS freeze-unlinked-umount" || echo "FAIL freeze-unlinked-umount"
echo "vmcompact-freeze-unlinked: done"
