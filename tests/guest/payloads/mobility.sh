# Slab object mobility from user space: the test cache's debugfs driver,
# /sys/kernel/slab/<cache>/{ops,defrag_used_ratio,shrink}, and memcg
# charges kept across moves.  Prints PASS/FAIL lines for the host.
d=/sys/kernel/debug/slub_mobility_test
s=/sys/kernel/slab/slub_mobility_test
cmd() { echo "$*" > $d/control && cat $d/status; }
field() { echo "$1" | sed -n "s/.*\b$2=\([0-9]*\).*/\1/p"; }
result() { # name condition-status detail
	if [ "$2" = 0 ]; then echo "PASS $1 ($3)"; else echo "FAIL $1: $3"; fi
}

grep -q "^isolate : smt_isolate" $s/ops && grep -q "^migrate : smt_migrate" $s/ops
result sysfs-ops-shows-callbacks $? "$(cat $s/ops)"

[ "$(cat $s/defrag_used_ratio)" = 30 ]
result sysfs-defrag-ratio-default-30 $? "$(cat $s/defrag_used_ratio)"
echo 101 > $s/defrag_used_ratio 2>/dev/null; r1=$?
echo abc > $s/defrag_used_ratio 2>/dev/null; r2=$?
echo 50 > $s/defrag_used_ratio; r3=$?
[ $r1 != 0 ] && [ $r2 != 0 ] && [ $r3 = 0 ] && [ "$(cat $s/defrag_used_ratio)" = 50 ]
result sysfs-defrag-ratio-validates $? "101:$r1 abc:$r2 50:$r3 now $(cat $s/defrag_used_ratio)"
echo 30 > $s/defrag_used_ratio

echo bogus > $d/control 2>/dev/null
result debugfs-rejects-bad-command $((! $?)) "bogus command refused"

# Objects that refuse to move keep their blocks from being emptied, and
# the result names their cache.  First, while whole blocks are still
# free for the test cache's new slabs (vmc-mobile-blocks --grown).
vmc-mobile-blocks --counts > /tmp/m0
cmd alloc 60000 > /dev/null
cmd stuck 7 0 > /dev/null
blocks=$(vmc-mobile-blocks --grown /tmp/m0 | head -n 2)
vacatectl vacate $blocks --mode free > /tmp/pinned.out 2>&1
grep -q '^block .*failed.*slab_pinned [0-9]*[^;]*; blocker slub_mobility_test$' /tmp/pinned.out
result vacate-names-the-cache-that-stayed $? "$(echo ${blocks:-no block grew}): $(grep '^block' /tmp/pinned.out | head -n 2 | tr '\n' ' ')"
cmd unstick > /dev/null
cmd free 1 0 > /dev/null

# Sparse slabs, then "echo 1 > shrink" packs them.
cmd alloc 30000 > /dev/null
cmd free 5 1 > /dev/null; cmd free 5 2 > /dev/null
cmd free 5 3 > /dev/null; cmd free 5 4 > /dev/null
before=$(awk '/^slub_mobility_test /{print $15}' /proc/slabinfo)
echo 1 > $s/shrink
after=$(awk '/^slub_mobility_test /{print $15}' /proc/slabinfo)
st=$(cmd verify)
[ "$after" -lt $((before / 2)) ] && [ "$(field "$st" corrupt)" = 0 ] && [ "$(field "$st" objects)" = 6000 ]
result sysfs-shrink-defragments $? "slabs $before -> $after, $st"

# Objects allocated in a memcg keep their charge when moved by a task in
# the root cgroup.
cmd free 1 0 > /dev/null
mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup
echo +memory > /sys/fs/cgroup/cgroup.subtree_control
vmc-memcg-mkdir /sys/fs/cgroup/t
echo $$ > /sys/fs/cgroup/t/cgroup.procs
cmd alloc 20000 > /dev/null
echo $$ > /sys/fs/cgroup/cgroup.procs
cmd free 3 0 > /dev/null
cmd free 3 1 > /dev/null
slab_before=$(awk '/^slab /{print $2}' /sys/fs/cgroup/t/memory.stat)
st=$(cmd vacate)
slab_after=$(awk '/^slab /{print $2}' /sys/fs/cgroup/t/memory.stat)
[ "$(field "$st" moved)" -gt 0 ] && [ "$(field "$st" memcg)" = 0 ] && [ "$(field "$st" corrupt)" = 0 ]
result memcg-charge-kept-after-move $? "$st"
# Charges are per object: the cgroup keeps (about) its slab charge, which
# would drop by the moved objects had they been charged to the mover.
[ "$slab_before" -gt 500000 ] && [ $((slab_after * 10)) -ge $((slab_before * 9)) ]
result memcg-slab-charge-stays $? "cgroup slab bytes $slab_before -> $slab_after"
cmd free 1 0 > /dev/null

# Some objects refuse to move: their slabs stay, nothing is lost.
cmd alloc 3000 > /dev/null
cmd stuck 7 0 > /dev/null
st=$(cmd vacate)
[ "$(field "$st" pinned)" -gt 0 ] && [ "$(field "$st" objects)" = 3000 ] && [ "$(field "$st" corrupt)" = 0 ]
result vacate-with-pinned-objects $? "$st"
cmd unstick > /dev/null
cmd free 1 0 > /dev/null
echo "vmcompact-mobility: done"
