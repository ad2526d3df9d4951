# Repeated vacates in every mode (probe, free, hold) on a guest with ext2
# files and the mobile test cache fragmented: after each one the test
# cache's objects verify, the files read back whole, and no pageblock is
# left isolated (/proc/pagetypeinfo).  Between rounds the files are read
# again (their dentries and inodes come back) and the test cache churns.
d=/sys/kernel/debug/slub_mobility_test
rounds=3 big=16 files=4000

# Sum of the Isolate column of "Number of blocks type" in pagetypeinfo.
isolated() {
	awk '/^Number of blocks type/ { for (i = 1; i <= NF; i++) if ($i == "Isolate") col = i; next }
	     col && /^Node/ { n += $col } col && !/^Node/ { col = 0 }
	     END { print n + 0 }' /proc/pagetypeinfo
}
small_files_ok() {
	bad=0
	for r in $(seq 0 $((rounds - 1))); do
		for f in /mnt/small$r/f*; do
			read -r line < "$f"
			[ "$line" = "/mnt/small$r" ] || bad=$((bad + 1))
		done
	done
	[ $bad = 0 ]
}

if ! grep -q Isolate /proc/pagetypeinfo; then
	echo "FAIL repeat-pagetypeinfo: no Isolate column in /proc/pagetypeinfo"
fi
mount -t ext2 /dev/vda /mnt && vmc-fragment /mnt $rounds $big $files > /dev/null ||
	echo "FAIL repeat-workload: no ext2 disk or vmc-fragment failed"
echo 1 > /proc/sys/vm/drop_caches
echo "alloc 65536" > $d/control
echo "free 2 0" > $d/control
want=$(sed -n 's/.*objects=\([0-9]*\).*/\1/p' $d/status)

for round in $(seq 1 3); do
	for mode in probe free hold; do
		case $mode in
		hold) args="--cheapest 8 --hold-seconds 2" ;;
		*) args="--cheapest 16" ;;
		esac
		vacatectl vacate $args --mode $mode > /tmp/repeat.out 2> /tmp/repeat.err
		rc=$?
		echo verify > $d/control
		st=$(cat $d/status)
		iso=$(isolated)
		done_blocks=$(sed -n 's/^blocks \(done\|possible\): *//p' /tmp/repeat.out)
		small_files_ok; sf=$?
		vmc-fragment --verify /mnt $rounds $big > /dev/null; bf=$?
		detail="rc $rc, $done_blocks blocks done (or possible, probe), $iso isolated pageblocks, test cache: $st, $bad bad small files, big files rc $bf"
		if [ $rc = 0 ] && [ "$iso" = 0 ] && [ $sf = 0 ] && [ $bf = 0 ] &&
		   echo "$st" | grep -q "objects=$want corrupt=0 "; then
			echo "PASS repeat-$round-$mode ($detail)"
		else
			echo "FAIL repeat-$round-$mode: $detail; $(tail -n 2 /tmp/repeat.err | tr '\n' ' ')"
		fi
	done
	# Churn: more objects, some freed, in the test cache.
	echo "alloc 8192" > $d/control
	echo "free 4 1" > $d/control
	want=$(sed -n 's/.*objects=\([0-9]*\).*/\1/p' $d/status)
done
echo "vmcompact-repeat: done"
