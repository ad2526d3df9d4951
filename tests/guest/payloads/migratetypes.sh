# For tests/host/migratetypes.sh: the range vacate and pageblock migratetypes.
# A block that a FREE fails to empty keeps the type it had (an unmovable block
# full of slab must not come back MIGRATE_MOVABLE); a block it empties is
# MIGRATE_MOVABLE; blocks reserved by their type (CMA, the high-order atomic
# reserve) are refused and never change; the second block of a free page of
# two blocks can be held (isolating it splits that page at the block's edge);
# the free page counters (NR_FREE_PAGES, and NR_FREE_CMA_PAGES: CmaFree) agree
# with the free pages of the /dev/vacate map all along (also with anonymous
# memory in the CMA area), and CmaTotal with its CMA blocks; a cheapest
# request is bounded by the free pages that it counts on, not by those of
# held, CMA or HighAtomic blocks.  (Blocks isolated by someone else are not
# tried here: nothing keeps a block isolated for long but memory offlining,
# which holds the memory hotplug lock that every /dev/vacate call now takes.)
# Boot with cma=64M for the CMA part (SKIP without CONFIG_CMA).  Prints
# PASS/FAIL/SKIP lines, then "vmcompact-migratetypes: done".
d=/sys/kernel/debug/slub_mobility_test

result() { # name status detail
	if [ "$2" = 0 ]; then echo "PASS $1 ($3)"; else echo "FAIL $1: $3"; fi
}
# The migratetype names in MIGRATE_* order, as /proc/pagetypeinfo heads
# its block counts (Unmovable Movable Reclaimable HighAtomic [CMA] Isolate).
types=$(echo $(sed -n "s/^Number of blocks type//p" /proc/pagetypeinfo))
mt_of() { # NAME: its number, or -1
	echo $types | awk -v n="$1" '{ for (i = 1; i <= NF; i++) if ($i == n) { print i - 1; exit } print -1 }'
}
MOVABLE=$(mt_of Movable) CMA=$(mt_of CMA) HIGHATOMIC=$(mt_of HighAtomic)
echo "migratetypes: types $types; Movable $MOVABLE, HighAtomic $HIGHATOMIC, CMA $CMA"
# block_counts: "Name=N ..." over all zones, from /proc/pagetypeinfo.
block_counts() {
	awk -v types="$types" '
		/^Number of blocks type/ { f = 1; next }
		f && /^Node/ { for (i = 5; i <= NF; i++) c[i - 5] += $i }
		END { n = split(types, t, " ")
		      for (i = 1; i <= n; i++) printf "%s%s=%d", (i > 1 ? " " : ""), t[i], c[i - 1] }
	' /proc/pagetypeinfo
}
count_of() { # NAME COUNTS
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
cma_kb() { sed -n "s/^$1: *\([0-9]*\) kB$/\1/p" /proc/meminfo; }
has_cma=0
[ -n "$(cma_kb CmaTotal)" ] && [ "$(cma_kb CmaTotal)" -gt 0 ] && [ "$CMA" -ge 0 ] && has_cma=1

# free_check NAME: vmc-mapcheck, its lines named NAME-map-...: NR_FREE_PAGES
# (MemFree), and CmaFree with CMA, against the map's free pages, read just
# before and just after it, within 256 pages (half a block); Slab within
# its default margin; CmaTotal against its CMA blocks.  Up to 3 readings a
# second apart, until one passes.
free_check() {
	local out rc
	out=$(vmc-mapcheck -t 256 -n 3)
	rc=$?
	[ -n "$out" ] || echo "FAIL $1-map: vmc-mapcheck exited $rc and printed nothing"
	echo "$out" | sed -n "s/^\([A-Z]*\) map-/\1 $1-map-/p"
}

# start_hog MIB FILE: vmc-hog of all free memory but MIB, its output in
# FILE; its size (MiB) in $hog, its pid in $hogpid; waits until it is
# ready (status 0) or gone.
start_hog() {
	hog=$(($(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) - $1))
	vmc-hog $hog > "$2" &
	hogpid=$!
	vmc-wait-line "$2" "^vmc-hog: ready $hogpid\$" $hogpid 120
}

# The results of a vacatectl vacate in $1: "PFN STATUS" lines in $1.pfns
# (STATUS: done, failed, or refused for a failure flagged impossible).
result_pfns() {
	local pfn rest
	sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): \(.*\)$/\1 \2/p' "$1" |
		while read -r pfn rest; do
			case "$rest" in
			"ok, done"*|"ok, was free, done"*) echo "$((pfn)) done" ;;
			failed*impossible*) echo "$((pfn)) refused" ;;
			failed*) echo "$((pfn)) failed" ;;
			*) echo "$((pfn)) other" ;;
			esac
		done > "$1.pfns"
}
# kept_types NAME BEFORE AFTER RESULTS [skip]: every block that failed
# (and was not refused) has the type it had before; at least one of them
# was not MIGRATE_MOVABLE, or the check could not tell: FAIL, or with
# "skip" (for requests whose failures are left to chance) SKIP.
kept_types() {
	local r
	r=$(awk -v types="$types" -v movable=$MOVABLE '
		BEGIN { split(types, t, " ") }
		FILENAME == ARGV[1] { before[$1] = $2; next }
		FILENAME == ARGV[2] { after[$1] = $2; next }
		$2 == "failed" {
			n++
			if (before[$1] != movable) other++
			if (before[$1] != after[$1]) {
				bad++
				if (bad <= 6) list = list sprintf(" %d:%s->%s", $1, t[before[$1] + 1], t[after[$1] + 1])
			}
			kinds[t[before[$1] + 1]]++
		}
		END {
			for (k in kinds) what = what sprintf(" %s %d", k, kinds[k])
			if (!n) printf "2 no block failed: nothing to check"
			else if (bad) printf "1 %d of the %d blocks that failed changed type (pfn:before->after):%s", bad, n, list
			else if (!other) printf "2 all %d blocks that failed were Movable before: nothing to check", n
			else printf "0 %d blocks failed, all kept their type (before:%s)", n, what
		}' "$2" "$3" "$4")
	if [ "${r%% *}" = 2 ] && [ "${5:-}" = skip ]; then
		echo "SKIP $1: ${r#* }"
	else
		result "$1" "$([ "${r%% *}" = 0 ]; echo $?)" "${r#* }"
	fi
}
# movable_when_emptied NAME AFTER RESULTS: every block emptied (done) that
# is still free whole is MIGRATE_MOVABLE.
movable_when_emptied() {
	local r
	r=$(awk -v types="$types" -v movable=$MOVABLE '
		BEGIN { split(types, t, " ") }
		FILENAME == ARGV[1] { mt[$1] = $2; free[$1] = $3; next }
		$2 == "done" {
			n++
			if (free[$1] != 512) { busy++; next }
			if (mt[$1] != movable) { bad++; if (bad <= 6) list = list sprintf(" %d:%s", $1, t[mt[$1] + 1]) }
		}
		END {
			if (bad) printf "1 %d of the %d blocks emptied are free and not Movable:%s", bad, n, list
			else printf "0 %d blocks emptied, %d of them still free whole, all Movable", n, n - busy
		}' "$2" "$3")
	result "$1" "${r%% *}" "${r#* }"
}
# reserved_untouched NAME BEFORE AFTER RESULTS: the blocks of a reserved
# type before (CMA, HighAtomic) have it still, and none was acted on
# (no result but a refusal).  SKIP if there is no such block.
reserved_untouched() {
	local r
	r=$(awk -v types="$types" -v cma=$CMA -v ha=$HIGHATOMIC '
		BEGIN { split(types, t, " ") }
		FILENAME == ARGV[1] { if ($2 == cma || $2 == ha) { res[$1] = $2; n++ } next }
		FILENAME == ARGV[2] { after[$1] = $2; next }
		($1 in res) && $2 != "refused" { acted++; if (acted <= 6) alist = alist sprintf(" %d:%s", $1, $2) }
		END {
			for (p in res) if (after[p] != res[p]) {
				bad++; if (bad <= 6) list = list sprintf(" %d:%s->%s", p, t[res[p] + 1], t[after[p] + 1]) }
			if (!n) printf "2 no CMA or HighAtomic block"
			else if (bad || acted) printf "1 %d of the %d CMA/HighAtomic blocks changed type%s; %d acted on%s", bad, n, list, acted, alist
			else printf "0 %d CMA/HighAtomic blocks, none acted on, none changed type", n
		}' "$2" "$3" "$4")
	if [ "${r%% *}" = 2 ]; then
		echo "SKIP $1: ${r#* } in this guest (boot with cma=64M and CONFIG_CMA)"
	else
		result "$1" "${r%% *}" "${r#* }"
	fi
}

free_check boot

# 1. Blocks of the mobile test cache whose slabs each hold objects that
# refuse to move (stuck): FREE of them fails.  Slab pages are unmovable
# allocations: such blocks are MIGRATE_UNMOVABLE, and must stay so.
echo "alloc 65536" > $d/control
echo "stuck 8 0" > $d/control
named=$(vmc-blocks-of M)
echo "migratetypes: $(($(echo $named | wc -w) / 2)) blocks of mobile slab pages only"
vmc-blocktypes > /tmp/named.before
vacatectl vacate $named --mode free > /tmp/named.out 2>&1
vmc-blocktypes > /tmp/named.after
result_pfns /tmp/named.out
echo "migratetypes: named FREE: $(grep -c ' done$' /tmp/named.out.pfns) done, $(grep -c ' failed$' /tmp/named.out.pfns) failed, $(grep -c ' refused$' /tmp/named.out.pfns) refused"
kept_types named-failed-keep-type /tmp/named.before /tmp/named.after /tmp/named.out.pfns
free_check after-named
# FREE of one of the blocks that failed, twice: the second moves nothing,
# as every object that could move left the block the first time.  The
# stuck objects keep its slabs in use, with room in them: what its later slabs
# move must not land in its earlier ones, nor bounce between them from
# pass to pass.  (The objects of other blocks named in one request may
# land in the slabs of a block that request failed to empty.)
one=$(awk '$2 == "failed" { print "--pfn " $1; exit }' /tmp/named.out.pfns)
vacatectl vacate $one --mode free > /tmp/one1.out 2>&1
vacatectl vacate $one --mode free > /tmp/one2.out 2>&1
moved1=$(sed -n 's/^objects moved: *//p' /tmp/one1.out)
moved2=$(sed -n 's/^objects moved: *//p' /tmp/one2.out)
[ -n "$one" ] && [ "${moved2:-x}" = 0 ]
result named-moved-out $? "FREE of ${one:-no block}, twice: the first moved ${moved1:-?} objects, the second ${moved2:-?}"

# 2. CMA blocks named in a request: refused (impossible, "reserved"), and
# still CMA afterwards.  HOLD of a free one: today's series took it, and
# gave it back MIGRATE_MOVABLE.
if [ $has_cma = 1 ]; then
	vmc-blocktypes > /tmp/cma.before
	cfree=$(awk -v cma=$CMA '$2 == cma && $3 == 512 { print $1; exit }' /tmp/cma.before)
	cused=$(awk -v cma=$CMA '$2 == cma && $4 > 0 { print $1; exit }' /tmp/cma.before)
	for p in $cfree; do
		vacatectl vacate --pfn $p --mode hold --hold-seconds 1 > /tmp/cmahold.out 2>&1
	done
	for p in $cused; do
		vacatectl vacate --pfn $p --mode free > /tmp/cmafree.out 2>&1
	done
	vmc-blocktypes > /tmp/cma.after
	cat /tmp/cmahold.out /tmp/cmafree.out 2>/dev/null > /tmp/cma.out
	result_pfns /tmp/cma.out
	line=$(grep '^block ' /tmp/cma.out | tr '\n' '|')
	n=$(wc -l < /tmp/cma.out.pfns)
	[ -n "$cfree" ] && [ "$n" -ge 1 ] && [ "$(grep -c ' refused$' /tmp/cma.out.pfns)" = "$n" ] &&
		[ "$(grep -c 'reserved 512' /tmp/cma.out)" = "$n" ]
	result cma-named-refused $? "free CMA block ${cfree:-none} (HOLD), used CMA block ${cused:-none} (FREE): $line"
	reserved_untouched cma-named-untouched /tmp/cma.before /tmp/cma.after /tmp/cma.out.pfns
	free_check after-cma
else
	echo "SKIP cma-named-refused: /proc/meminfo has no CmaTotal (or it is 0): the guest kernel has no CONFIG_CMA or no cma= area"
fi

# 3. A free page larger than a block (order 10: two blocks): HOLD of its
# second block.  Isolating the block splits the page at the block's edge
# under zone->lock, so the block's half is on the isolated free list,
# where HOLD takes it, and the first half stays free and counted.  Left
# whole, the page stays on the first block's movable list, where anyone
# may allocate the held block's pages, and HOLD finds the block not
# isolated (EBUSY).  Two wholly free Movable blocks that start at a
# multiple of 1024 pages are one order-10 page: the buddy allocator merges
# two free halves of the same type.  (/proc/kpageflags cannot tell: it
# flags every page of a free page KPF_BUDDY.)
vmc-blocktypes > /tmp/big.before
big=$(awk -v m=$MOVABLE '
	$2 == m && $3 == 512 { free[$1] = 1 }
	END { for (p in free) if (p % 1024 == 0 && (p + 512) in free) print p }' /tmp/big.before |
	sort -n | head -n 1)
if [ -n "$big" ]; then
	second=$((big + 512))
	vacatectl vacate --pfn $second --mode hold --hold-seconds 4 > /tmp/big.out 2> /tmp/big.err &
	holder=$!
	vmc-wait-line /tmp/big.err "^vacatectl: holding" $holder 30
	vmc-blocktypes > /tmp/big.during
	wait $holder
	hrc=$?
	vmc-blocktypes > /tmp/big.after
	line=$(awk -v a=$big -v b=$second '$1 == a || $1 == b { printf " %d: free %d used %d;", $1, $3, $4 }' /tmp/big.during)
	[ $hrc = 0 ] && grep -q "^vacatectl: holding 1 blocks$" /tmp/big.err &&
		awk -v a=$big -v b=$second '
			$1 == b && $3 == 0 { held = 1 } $1 == a && $3 > 0 { first = 1 }
			END { exit !(held && first) }' /tmp/big.during &&
		awk -v b=$second -v m=$MOVABLE '$1 == b && $2 == m { ok = 1 } END { exit !ok }' /tmp/big.after
	result big-buddy-second-block-held $? "order-10 free page at pfn $big, HOLD of pfn $second: exit $hrc, $(grep '^block ' /tmp/big.out | tr '\n' '|') $(tr '\n' ' ' < /tmp/big.err); during the hold:$line"
	free_check after-big-buddy
else
	echo "SKIP big-buddy-second-block-held: no free order-10 page in two Movable blocks"
fi

# 4. Fragment tmpfs (small files between big ones, most then deleted), then
# FREE the cheapest blocks, all of them.  The test cache's blocks fail
# again; others may.
mkdir /tmp/f
vmc-fragment /tmp/f 3 40 3000 > /dev/null
rm /tmp/f/big* /tmp/f/small*/f*[1-9]
counts0=$(block_counts)
vmc-blocktypes > /tmp/all.before
vacatectl vacate --cheapest all --mode free > /tmp/all.out 2>&1
vmc-blocktypes > /tmp/all.after
counts1=$(block_counts)
result_pfns /tmp/all.out
echo "migratetypes: cheapest all: $(grep -c ' done$' /tmp/all.out.pfns) done, $(grep -c ' failed$' /tmp/all.out.pfns) failed, $(grep -c ' refused$' /tmp/all.out.pfns) refused"
echo "migratetypes: blocks by type before: $counts0; after: $counts1"
kept_types cheapest-failed-keep-type /tmp/all.before /tmp/all.after /tmp/all.out.pfns skip
movable_when_emptied cheapest-emptied-movable /tmp/all.after /tmp/all.out.pfns
reserved_untouched cheapest-reserved-untouched /tmp/all.before /tmp/all.after /tmp/all.out.pfns
if [ $has_cma = 1 ]; then
	[ "$(count_of CMA "$counts0")" = "$(count_of CMA "$counts1")" ] &&
		[ "$(count_of CMA "$counts0")" -gt 0 ]
	result cma-block-count $? "CMA blocks in /proc/pagetypeinfo: $(count_of CMA "$counts0") before, $(count_of CMA "$counts1") after"
fi
free_check after-cheapest

# 5. Everything still there: the test cache's objects (unstuck, their
# blocks emptied), the tmpfs files.
echo unstick > $d/control
vacatectl vacate $(vmc-blocks-of M) --mode free > /dev/null 2>&1
echo verify > $d/control
st=$(cat $d/status)
echo "$st" | grep -q "objects=65536 corrupt=0 memcg=0"
result test-cache-intact $? "$st"
bad=0
for r in 0 1 2; do
	bad=$((bad + $(grep -L -x "/tmp/f/small$r" /tmp/f/small$r/f* | wc -l)))
done
[ $bad = 0 ] && [ "$(ls /tmp/f/small*/ | grep -c '^f')" = 900 ]
result tmpfs-data-intact $? "$bad of 900 files changed"
free_check end

# 6. The bound of a cheapest request.  Emptying a block uses up a block's
# worth of the free pages outside wholly free blocks, so a cheapest request
# acts on no more blocks than those pages make up.  The free pages of held
# blocks (the balloon's) and of HighAtomic blocks are not among them, nor,
# erring on the safe side, those of CMA blocks (which take migrated pages,
# not moved slab objects).  Anonymous memory
# (vmc-hog) fills all but 200 MiB, so that those free pages, not the
# candidates, bound the request; 16 free Movable blocks are held; then a
# PROBE of the cheapest blocks, all of them, may name no more blocks than
# the free pages of the other blocks that are not wholly free make up
# (taken from the map before and after it, the larger), plus 4: free pages
# on per-cpu lists count for the kernel and not in the map, and pages
# change between the readings.  The series counted each held, CMA or
# HighAtomic block as a whole block of free pages.
slack_blocks() { # MAP: free pages of usable blocks not wholly free, in blocks
	awk -v cma=$CMA -v ha=$HIGHATOMIC '
		$2 != cma && $2 != ha && $3 < 512 { s += $3 }
		END { print int(s / 512) }' "$1"
}
start_hog 200 /tmp/hog.out
vmc-blocktypes > /tmp/bound.before
hold=$(awk -v m=$MOVABLE '$2 == m && $3 == 512 { printf " --pfn %d", $1; if (++n == 16) exit }' /tmp/bound.before)
vacatectl vacate $hold --mode hold --hold-seconds 600 > /tmp/bound.hold 2> /tmp/bound.herr &
holder=$!
vmc-wait-line /tmp/bound.herr "^vacatectl: holding" $holder 60
vmc-blocktypes > /tmp/bound.map1
vacatectl vacate --cheapest all --mode probe > /tmp/bound.out 2>&1
prc=$?
vmc-blocktypes > /tmp/bound.map2
# TERM: a shell starts background jobs with SIGINT ignored.
kill -TERM $holder
wait $holder
kill $hogpid
wait $hogpid 2> /dev/null
k=$(grep -c '^block ' /tmp/bound.out)
s1=$(slack_blocks /tmp/bound.map1) s2=$(slack_blocks /tmp/bound.map2)
[ $s1 -gt $s2 ] && s2=$s1
lru=$(awk -v m=$MOVABLE '$2 == m && $6 > 0' /tmp/bound.map1 | wc -l)
reserved=$(awk -v cma=$CMA -v ha=$HIGHATOMIC '$2 == cma || $2 == ha' /tmp/bound.map1 | wc -l)
detail="vmc-hog $hog MiB ($(head -n 1 /tmp/hog.out)); $(tail -n 1 /tmp/bound.herr); PROBE exit $prc, named $k blocks; the free pages of usable blocks not wholly free make $s2 blocks; $lru Movable blocks with LRU pages; $reserved CMA/HighAtomic blocks"
echo "migratetypes: bound: $detail"
# The free pages must bind, not the candidates: many more blocks with LRU
# pages than the bound, the hog ready, all 16 blocks held, and the PROBE
# done (a failed one names no block, and would pass the bound).
[ $lru -gt $((s2 + 32)) ] && grep -q "^vmc-hog: ready" /tmp/hog.out &&
	grep -q "^vacatectl: holding 16 blocks$" /tmp/bound.herr && [ $prc = 0 ]
result cheapest-bound-binds $? "$detail"
[ $k -le $((s2 + 4)) ]
result cheapest-bound-usable-free-pages $? "$detail"
free_check after-bound

# 7. CMA in use.  Movable allocations take CMA pages first while CmaFree
# is more than half of the zone's free pages: vmc-hog fills all but 64 MiB,
# and its anonymous pages take about half of the CMA area, which nothing
# else in this payload puts pages in.  (Only the part of the 64 MiB outside
# the area serves the kernel's own allocations: about half.)  With the
# hog's pages there, CmaFree and the free pages agree with the map; then a
# FREE of CMA blocks in use is refused for their type (as is step 2's free
# one: the kernel refuses on the type before it looks at a page), and a
# cheapest FREE, whose migrations may take CMA pages as targets, leaves
# every CMA block typed CMA and the counters right, then and once the hog
# is gone.
if [ $has_cma = 1 ]; then
	start_hog 64 /tmp/cmahog.out
	hogrc=$?
	vmc-blocktypes > /tmp/cmause.before
	cused=$(awk -v cma=$CMA '$2 == cma && $4 > 0 { printf " --pfn %d", $1; if (++n == 4) exit }' /tmp/cmause.before)
	inuse=$(awk -v cma=$CMA '$2 == cma { s += $4 } END { print s + 0 }' /tmp/cmause.before)
	free_check cma-in-use
	: > /tmp/cmause.out
	[ -n "$cused" ] && vacatectl vacate $cused --mode free > /tmp/cmause.out 2>&1
	vacatectl vacate --cheapest 16 --mode free > /tmp/cmause.cheap 2>&1
	cheaprc=$?
	vmc-blocktypes > /tmp/cmause.after
	free_check cma-in-use-after-free
	kill $hogpid
	wait $hogpid 2> /dev/null
	result_pfns /tmp/cmause.out
	n=$(wc -l < /tmp/cmause.out.pfns)
	detail="vmc-hog $hog MiB (ready: exit $hogrc); $inuse pages of CMA blocks in use; FREE of$cused: $(grep '^block ' /tmp/cmause.out | cut -d';' -f1 | tr '\n' '|')"
	echo "migratetypes: cma in use: $detail"
	[ $hogrc = 0 ] && [ $inuse -ge 2048 ] && [ "$n" -ge 1 ] &&
		[ "$(grep -c ' refused$' /tmp/cmause.out.pfns)" = "$n" ] &&
		[ "$(grep -c 'why: reserved 512' /tmp/cmause.out)" = "$n" ]
	result cma-in-use-named-refused $? "$detail"
	cat /tmp/cmause.out /tmp/cmause.cheap > /tmp/cmause.all
	result_pfns /tmp/cmause.all
	echo "migratetypes: cma in use: cheapest 16 (exit $cheaprc): $(grep -c ' done$' /tmp/cmause.all.pfns) done, $(grep -c ' failed$' /tmp/cmause.all.pfns) failed, $(grep -c ' refused$' /tmp/cmause.all.pfns) refused (with the named CMA blocks)"
	reserved_untouched cma-in-use-untouched /tmp/cmause.before /tmp/cmause.after /tmp/cmause.all.pfns
	free_check after-cma-in-use
else
	echo "SKIP cma-in-use-named-refused: no CMA area (CmaTotal 0, or no CONFIG_CMA)"
	echo "SKIP cma-in-use-untouched: no CMA area (CmaTotal 0, or no CONFIG_CMA)"
fi
echo "vmcompact-migratetypes: done"
