# For tests/host/oom.sh: moving objects and holding blocks never calls the
# OOM killer.
#
# 1. A tenant at its limit: a cgroup v2 memory cgroup whose process holds
#    unreclaimable memory (vmc-hog, anonymous, no swap) and owns half the
#    mobile test cache's objects (allocated from inside it; the cache is
#    SLAB_ACCOUNT, and a moved object keeps its charge), memory.max set to
#    memory.current; the other half is the root cgroup's.  Vacating the
#    cache's slabs (FREE of their blocks through /dev/vacate, then the test
#    driver's "vacate") moves the root's objects and must not OOM-kill the
#    tenant: moves that cannot be charged fail, objects stay where they
#    are, intact.  The cgroup's "max" events show that the moves did reach
#    the limit.
# 2. HOLD of more blocks than the guest can spare (every fully free block
#    by name, plus 32 blocks of tmpfs pages, in a guest with most memory in
#    tmpfs): blocks past what the zone can give fail with ENOMEM; no OOM
#    killer, also for a new process while the blocks are held; after the
#    release the guest's free memory is back.
# Prints PASS/FAIL lines, then "vmcompact-oom: done".
d=/sys/kernel/debug/slub_mobility_test
cg=/sys/fs/cgroup
t=$cg/tenant
objs=65536

result() { # name status detail
	if [ "$2" = 0 ]; then echo "PASS $1 ($3)"; else echo "FAIL $1: $3"; fi
}
# The payload is never the OOM killer's victim; what it starts is, unless
# it says otherwise (victim, which execs its command: in the background,
# $! is the command's pid).
echo -1000 > /proc/self/oom_score_adj
victim='echo 0 > /proc/self/oom_score_adj; exec "$@"'
event() { sed -n "s/^$1 //p" $t/memory.events; }
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }
# OOM reports in the kernel log since the last call (which clears it).
oom_reports() {
	dmesg -c | grep -E 'invoked oom-killer|Out of memory|Killed process' | head -n 4 | tr '\n' '|'
}

mkdir -p $cg
mount -t cgroup2 none $cg
echo +memory > $cg/cgroup.subtree_control

# start_hog: the tenant's process, 32 MiB of anonymous memory, in the
# cgroup with no limit yet; its pid in $hog.
start_hog() {
	echo max > $t/memory.max
	rm -f /tmp/hog.out
	sh -c "echo 0 > /proc/self/oom_score_adj; echo \$\$ > $t/cgroup.procs; exec vmc-hog 32" > /tmp/hog.out &
	hog=$!
	vmc-wait-line /tmp/hog.out "^vmc-hog: ready" $hog 60 && return 0
	echo "oom: vmc-hog did not get ready"
	return 1
}
# A killed process leaves its cgroup at once (a zombie stays a child).
hog_alive() { grep -qx "$hog" $t/cgroup.procs; }
# at_limit: memory.max = memory.current, with nothing precharged: a high
# limit of 0 drains the per-cpu charge stocks and reclaims what can be
# reclaimed (it never OOM-kills), then the limit is set where usage is.
at_limit() {
	echo 0 > $t/memory.high
	echo max > $t/memory.high
	cat $t/memory.current > $t/memory.max
	echo "oom: $1: memory.current $(cat $t/memory.current), memory.max $(cat $t/memory.max)"
}
# tenant_check NAME MAX0 KILL0: after a vacate at the limit, the tenant is
# alive, its cgroup had no OOM kill (and the kernel log no OOM report), the
# moves hit the limit (more "max" events than MAX0), objects intact.
tenant_check() {
	local max1 kill1 alive=no st reports
	max1=$(event max) kill1=$(event oom_kill)
	hog_alive && alive=yes
	reports=$(oom_reports)
	[ $alive = yes ] && [ "$kill1" = "$3" ] && [ -z "$reports" ]
	result $1-no-oom-kill $? "tenant alive: $alive; memory.events oom_kill $3 -> $kill1, oom $(event oom); kernel: ${reports:-no OOM report}"
	[ "$max1" -gt "$2" ]
	result $1-reached-limit $? "memory.events max $2 -> $max1 (the moves' charges met memory.max)"
	echo verify > $d/control
	st=$(cat $d/status)
	echo "$st" | grep -q "objects=$objs corrupt=0 memcg=0$"
	result $1-objects-intact $? "$st"
}

# The test cache's slabs, before any memory cgroup but the root exists:
# once one does, every new slab of a SLAB_ACCOUNT cache gets its vector of
# obj_cgroup pointers at once, a kmalloc object that lands beside it and
# makes its block impossible to empty.  Half the objects are freed again:
# the tenant refills those slots from inside its cgroup, so every slab
# holds objects of the root (which move) and of the tenant (whose moves
# meet memory.max), and gets its vector only then, from wherever kmalloc
# has room by that time.
echo "alloc $objs" > $d/control
echo "free 2 1" > $d/control
# The tenant: its process first (its page tables and stack would otherwise
# fill the free holes of the cache's unmovable blocks, and make them
# impossible to empty), then its objects, charged to its cgroup.
vmc-memcg-mkdir $t
start_hog
sh -c "echo \$\$ > $t/cgroup.procs; echo 'alloc $objs' > $d/control"
echo "oom: test cache: $(cat $d/status)"
dmesg -c > /dev/null

# 1a. FREE, through /dev/vacate, of the blocks that hold nothing but
# mobile slab pages and free pages (the test cache's): the root's objects
# move, the tenant's meet its limit and stay.
set -- $(vmc-blocks-of M)
at_limit range
max0=$(event max) kill0=$(event oom_kill)
vacatectl vacate "$@" --mode free > /tmp/range.out 2>&1
tried=$(grep '^block ' /tmp/range.out | grep -vc ', impossible')
moved=$(sed -n 's/^objects moved: *//p' /tmp/range.out)
echo "oom: FREE of $(($# / 2)) blocks of mobile slab pages at the limit: $(grep -c ': ok, done' /tmp/range.out) done, $(grep -c ': failed' /tmp/range.out) failed, $tried not impossible; objects moved ${moved:-none}"
grep '^block ' /tmp/range.out | cut -c1-200 | sed 's/^/oom: range: /'
[ "$tried" -gt 0 ] && [ "${moved:-0}" -gt 0 ]
result memcg-range-moved $? "$tried blocks tried, ${moved:-no} objects moved (the root's; blockers of the others: $(sed -n 's/.*; blocker \(.*\)$/\1/p' /tmp/range.out | sort | uniq -c |
	awk '{ printf "%s%s in %d", sep, $2, $1; sep = ", " }'))"
tenant_check memcg-range $max0 $kill0

# 1b. The test driver's vacate: every slab holding an object.  A tenant
# killed in 1a is started again.
hog_alive || start_hog
at_limit vacate
max0=$(event max) kill0=$(event oom_kill)
echo vacate > $d/control
echo "oom: vacate at the limit: $(cat $d/status)"
tenant_check memcg-vacate $max0 $kill0
echo max > $t/memory.max
kill $hog 2>/dev/null
wait $hog 2>/dev/null
echo "free 1 0" > $d/control

# 2. HOLD of more than the guest can spare.  Leave about 160 MiB free, the
# rest in tmpfs data that nothing can reclaim (no swap).  Name every fully
# free block, then 32 blocks of tmpfs pages (LRU and free pages only), whose
# pages need as many free pages elsewhere: more than are left.  While the
# blocks are held, a new process touches 1 MiB: today's series, having
# taken the guest's free memory down to nothing, OOM-kills for it.
mkdir -p /mnt/fill
mount -t tmpfs -o size=100% none /mnt/fill
free_mb=$(($(sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' /proc/meminfo) / 1024))
dd if=/dev/zero of=/mnt/fill/data bs=1M count=$((free_mb - 160)) 2> /dev/null
vmc-blocktypes > /tmp/map
free_blocks=$(awk '$3 == 512 { printf "--pfn %s ", $1 }' /tmp/map)
lru_blocks=$(awk '$4 > 0 && $4 == $6 && $5 == 0 { printf "--pfn %s ", $1 }' /tmp/map | cut -d' ' -f1-64)
nr_free_before=$(vmstat nr_free_pages)
echo "oom: hold: $(($(echo $free_blocks | wc -w) / 2)) fully free blocks and $(($(echo $lru_blocks | wc -w) / 2)) of tmpfs pages by name; nr_free_pages $nr_free_before, $(grep -E '^(MemFree|Shmem):' /proc/meminfo | tr -s ' ' | tr '\n' ' ')"
dmesg -c > /dev/null
sh -c "$victim" sh vacatectl vacate $free_blocks $lru_blocks --mode hold > /tmp/hold.out 2> /tmp/hold.err &
holder=$!
vmc-wait-line /tmp/hold.err "^vacatectl: holding" $holder 600
held=$(grep -c ': ok.*, done' /tmp/hold.out) enomem=$(grep -c ': failed ENOMEM' /tmp/hold.out)
nr_free_held=$(vmstat nr_free_pages)
sh -c "$victim" sh vmc-hog 1 > /tmp/hog1.out &
h1=$!
vmc-wait-line /tmp/hog1.out "^vmc-hog: ready" $h1 60
newproc=$?
kill $h1 2>/dev/null
wait $h1 2>/dev/null
kill -TERM $holder 2>/dev/null
wait $holder
rc=$?
reports=$(oom_reports)
echo "oom: HOLD exited $rc: $held held, $enomem ENOMEM, $(grep -c '^block ' /tmp/hold.out) results; nr_free_pages $nr_free_held while held; $(tr '\n' ' ' < /tmp/hold.err)"
[ -z "$reports" ] && [ $rc = 0 ]
result hold-no-oom-kill $? "vacatectl exited $rc; kernel: ${reports:-no OOM report}"
[ $held -gt 0 ] && [ $enomem -gt 0 ]
result hold-enomem $? "$held blocks held, $enomem refused with ENOMEM ($(grep ': failed ENOMEM' /tmp/hold.out | head -n 1 | cut -d';' -f1)); nr_free_pages $nr_free_before before, $nr_free_held while held"
result hold-new-process $newproc "a new process touching 1 MiB while the blocks were held: $(cat /tmp/hog1.out)"
# Released: the free memory is back (but for what changed meanwhile),
# and a new process gets 16 MiB.
sleep 1
nr_free_after=$(vmstat nr_free_pages)
sh -c "$victim" sh vmc-hog 16 > /tmp/hog2.out &
h2=$!
vmc-wait-line /tmp/hog2.out "^vmc-hog: ready" $h2 30
ok=$?
kill $h2 2>/dev/null
wait $h2 2>/dev/null
[ $ok = 0 ] && [ $nr_free_after -ge $((nr_free_before - 2048)) ]
result hold-released $? "nr_free_pages $nr_free_before before, $nr_free_after after the release; a new 16 MiB process: $(cat /tmp/hog2.out)"
rm /mnt/fill/data
echo "vmcompact-oom: done"
