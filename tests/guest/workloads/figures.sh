#!/bin/sh
# The figures of issue 9 after a workload, every baseline measured in the
# same guest, in this order (each from the state the previous one left):
#   after the workload; stock compaction (compact_memory); vacate of half
#   the missing blocks (--cheapest K --mode free; must drop at most MAXDROP%
#   of the reclaimable slab objects, default 10, and free at least 75% of
#   the K blocks); vacate of all
#   (--cheapest all --mode free; at least MINALL% of the free blocks the
#   free memory could fill, default 95); dropping every slab cache
#   (drop_caches 2) and compacting.
#
#   figures.sh caches          before the workload: list the caches that
#                              account as reclaimable (reading sysfs makes
#                              inodes and dentries, which would otherwise
#                              land all over the fragmented memory)
#   figures.sh measure PREFIX  after it: figures, and PASS/FAIL lines
#                              PREFIX-half-drops-at-most-10pct,
#                              PREFIX-half-frees-75pct-of-those-asked and
#                              PREFIX-all-makes-95pct
. "$(dirname "$0")/lib.sh"
caches=/run/vmc-reclaimable-caches
[ -d /run ] || caches=/tmp/vmc-reclaimable-caches
maxdrop=${MAXDROP:-10} minall=${MINALL:-95}

case "${1:-}" in
caches)
	for c in /sys/kernel/slab/*; do
		[ -L "$c" ] || [ "$(cat "$c/reclaim_account" 2>/dev/null)" != 1 ] && continue
		echo "${c##*/}"
	done > "$caches"
	exit 0 ;;
measure) p=${2:?figures.sh measure PREFIX} ;;
*) echo "usage: figures.sh caches | measure PREFIX" >&2; exit 2 ;;
esac
[ -s "$caches" ] || { echo "FAIL $p-figures: no list of reclaimable caches (figures.sh caches)"; exit 1; }

map_field() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" /tmp/vmc-map.out; }
map() {
	# A probe moves nothing, but drains the per-cpu page lists and LRU
	# batches first: free pages parked there would hide free blocks.
	vacatectl vacate --cheapest all --mode probe > /dev/null 2>&1
	vacatectl map > /tmp/vmc-map.out
	free=$(map_field "fully free blocks"); possible=$(map_field "free blocks possible")
}
reclaimable_objects() {
	awk 'NR == FNR { want[$1] = 1; next } ($1 in want) { n += $2 } END { print n + 0 }' \
		"$caches" /proc/slabinfo
}
percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

map
free0=$free possible0=$possible objs0=$(reclaimable_objects)
echo "$p: after the workload: $free0 fully free blocks of $possible0 possible ($(percent $free0 $possible0)%), $objs0 reclaimable slab objects"
vacatectl census --top 8 | sed "s/^/$p: census: /"

echo 1 > /proc/sys/vm/compact_memory
map
free1=$free possible1=$possible
echo "$p: stock compaction (compact_memory): $free1 of $possible1 ($(percent $free1 $possible1)%)"

missing=$((possible1 - free1))
half=$(((missing + 1) / 2))
objs1=$(reclaimable_objects)
if [ $half -gt 0 ] && vacatectl vacate --cheapest $half --mode free > /tmp/vmc-half.out 2>&1; then
	grep -E '^(block .*failed|blocks|pages|objects|fully|free blocks)' /tmp/vmc-half.out | sed "s/^/$p: half: /"
	map
	objs2=$(reclaimable_objects)
	dropped=$((objs1 - objs2))
	[ $dropped -lt 0 ] && dropped=0
	share=$(percent $dropped $objs1)
	detail="asked for $half of $missing missing blocks: $free1 -> $free fully free, dropped $dropped of $objs1 reclaimable objects ($share%; dropping the slab caches: 100%)"
	if at_least "$maxdrop" "$share"; then
		echo "PASS $p-half-drops-at-most-${maxdrop}pct ($detail)"
	else
		echo "FAIL $p-half-drops-at-most-${maxdrop}pct: $detail"
	fi
	# Dropping little is no merit if the blocks do not come free.  Not
	# all of them: in a live guest a few of the cheapest blocks hold a
	# page someone has pinned for the moment (why: pinned), and the
	# request does not replace a block that failed with the next one (on
	# the Debian guest, 20 of 23 and 28 of 25 in two runs).  Before the
	# series let jbd2 go of its buffers, 2 of 119 came free on ext4.
	if at_least "$(percent $((free - free1)) $half)" 75; then
		echo "PASS $p-half-frees-75pct-of-those-asked ($detail)"
	else
		echo "FAIL $p-half-frees-75pct-of-those-asked: $detail"
	fi
elif [ $half = 0 ]; then
	echo "PASS $p-half-drops-at-most-${maxdrop}pct (no block missing after compaction)"
	echo "PASS $p-half-frees-75pct-of-those-asked (no block missing after compaction)"
else
	echo "FAIL $p-half-drops-at-most-${maxdrop}pct: $missing missing blocks; $(tail -n 3 /tmp/vmc-half.out | tr '\n' ' ')"
fi

vacatectl vacate --cheapest all --mode free > /tmp/vmc-all.out 2>&1
rc=$?
map
share=$(percent $free $possible)
objs3=$(reclaimable_objects)
echo "$p: vacate --cheapest all: $(grep -c '^block .*failed' /tmp/vmc-all.out) blocks could not be emptied, among them:"
grep '^block .*failed' /tmp/vmc-all.out | head -n 5 | sed "s/^/$p: /"
grep -E '^(blocks|pages|objects|time|fully|free blocks)' /tmp/vmc-all.out | sed "s/^/$p: all: /"
vacatectl census --top 8 | sed "s/^/$p: census after all: /"
detail="$free fully free blocks of $possible possible ($share%; after the workload $(percent $free0 $possible0)%, stock compaction $(percent $free1 $possible1)%), $objs3 of $objs0 reclaimable objects left"
if [ $rc = 0 ] && at_least "$share" "$minall"; then
	echo "PASS $p-all-makes-${minall}pct ($detail)"
else
	echo "FAIL $p-all-makes-${minall}pct: rc $rc, $detail"
fi

echo 2 > /proc/sys/vm/drop_caches
echo 1 > /proc/sys/vm/compact_memory
map
echo "$p: then dropping every slab cache and compacting: $free of $possible ($(percent $free $possible)%), $(reclaimable_objects) reclaimable objects left"
