# The figures of the fragmentation scenario (ENVIRONMENT.md) with vacate:
# after the workload (vmc-scenario), a request for half the missing blocks
# must drop at most 40% of the reclaimable slab objects, and the cheapest
# blocks, all of them, must make at least 95% of the free blocks that the
# free memory could fill.  Every file stays intact.
map_field() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" /tmp/map.out; }
map() { vacatectl map > /tmp/map.out; free=$(map_field "fully free blocks"); possible=$(map_field "free blocks possible"); }
# Objects in use in the caches that account as reclaimable (dentries,
# inodes...): what dropping the slab caches would throw away.  The caches
# are listed once, before the workload: reading sysfs makes inodes and
# dentries, which would land all over the fragmented memory.
for c in /sys/kernel/slab/*; do
	[ -L "$c" ] || [ "$(cat "$c/reclaim_account" 2>/dev/null)" != 1 ] && continue
	echo "${c##*/}"
done > /tmp/reclaimable-caches
reclaimable_objects() {
	awk 'NR == FNR { want[$1] = 1; next } ($1 in want) { n += $2 } END { print n + 0 }' \
		/tmp/reclaimable-caches /proc/slabinfo
}
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }'; }

# The files this payload writes are made before the workload too: the
# dentries and inodes of tmpfs files stay as long as the files do, and
# made later they would land in the blocks being emptied.
for f in map half all; do : > /tmp/$f.out; done

if ! vmc-scenario; then
	echo "FAIL scenario-workload: vmc-scenario failed"
	echo "vmcompact-scenario: done"
	exit 1
fi
# A probe moves nothing, but drains the per-cpu page lists and LRU
# batches first: free pages parked there would hide free blocks.
vacatectl vacate --cheapest all --mode probe > /dev/null 2>&1
map
free0=$free possible0=$possible objs0=$(reclaimable_objects)
missing=$((possible0 - free0))
half=$(((missing + 1) / 2))
echo "scenario: after the workload: $free0 fully free blocks of $possible0 possible ($(percent $free0 $possible0)%), $objs0 reclaimable slab objects"
vacatectl census --top 6 | sed 's/^/scenario: census: /'

if [ $half -gt 0 ] && vacatectl vacate --cheapest $half --mode free > /tmp/half.out 2>&1; then
	map
	objs1=$(reclaimable_objects)
	dropped=$((objs0 - objs1))
	[ $dropped -lt 0 ] && dropped=0
	share=$(percent $dropped $objs0)
	detail="asked for $half of $missing missing blocks: $free0 -> $free fully free, dropped $dropped of $objs0 reclaimable objects ($share%; dropping the slab caches: 100%)"
	if awk -v s="$share" 'BEGIN { exit !(s <= 40) }'; then
		echo "PASS scenario-half-drops-at-most-40pct ($detail)"
	else
		echo "FAIL scenario-half-drops-at-most-40pct: $detail"
	fi
else
	echo "FAIL scenario-half-drops-at-most-40pct: $missing missing blocks; $(tail -n 3 /tmp/half.out | tr '\n' ' ')"
fi

vacatectl vacate --cheapest all --mode free > /tmp/all.out 2>&1
rc=$?
map
share=$(percent $free $possible)
detail="$free fully free blocks of $possible possible ($share%; after the workload $free0 of $possible0; stock Linux on the same workload: make bench, docs/results.md)"
echo "scenario: $(grep -c '^block .*failed' /tmp/all.out) blocks could not be emptied, among them:"
grep '^block .*failed' /tmp/all.out | head -n 5 | sed 's/^/scenario: /'
vacatectl census --top 4 | sed 's/^/scenario: census after: /'
if [ $rc = 0 ] && awk -v s="$share" 'BEGIN { exit !(s >= 95) }'; then
	echo "PASS scenario-all-makes-95pct ($detail)"
else
	echo "FAIL scenario-all-makes-95pct: rc $rc, $detail"
fi

# The files: every small file of two rounds, and the count of all.
rounds=$(ls -d /mnt/small* | wc -l)
bad=0
for d in /mnt/small0 /mnt/small$((rounds - 1)); do
	for f in "$d"/f*; do
		read -r line < "$f"
		[ "$line" = "$d" ] || bad=$((bad + 1))
	done
done
n=$(find /mnt -type f | wc -l)
if [ $bad = 0 ] && [ "$n" -gt 0 ]; then
	echo "PASS scenario-files-intact ($n files, the small files of 2 rounds read back)"
else
	echo "FAIL scenario-files-intact: $bad bad small files of $n files"
fi
echo "vmcompact-scenario: done"
