# The range vacate runs the mobility callbacks without slab_mutex and
# cpus_read_lock(): the test cache's migrate() creates and destroys a
# cache (vmc.hook=1: migrate_hook 1, slab_mutex), or takes a cpu offline
# and back online (vmc.hook=2: migrate_hook 2, cpus_write_lock()), while
# vacatectl empties blocks of its slabs: the blocks of nothing but mobile
# slab pages and free pages whose mobile slab pages its 60000 objects
# added to the most.  Held across the callbacks, either lock would
# deadlock: the payload would never end.  One hook per boot: in a guest
# whose earlier vacate moved the objects, new slabs filled the holes of
# mixed blocks first, and blocks of mobile slabs only could all be other
# caches'.
d=/sys/kernel/debug/slub_mobility_test
hook=$(vmc-param hook "")
vmc-mobile-blocks --counts > /tmp/before
echo "alloc 60000" > $d/control
# Hook 2 runs once per slab page: one block is hundreds of cpu offline
# and online cycles, and a deadlock shows at the first.
nblocks=4
[ "$hook" = 2 ] && nblocks=1
blocks=$(vmc-mobile-blocks --grown /tmp/before | head -n $nblocks)
runs0=$(cat $d/migrate_hook_runs)
echo $hook > $d/migrate_hook
vacatectl vacate $blocks --mode free > /tmp/locks.out 2>&1
rc=$?
echo 0 > $d/migrate_hook
runs=$(($(cat $d/migrate_hook_runs) - runs0))
echo verify > $d/control
status=$(cat $d/status)
detail="vacatectl rc $rc on $(($(echo $blocks | wc -w) / 2)) blocks, $runs hook runs, $status"
if [ $runs -gt 0 ] && grep -q " corrupt=0 memcg=0" <<EOT
$status
EOT
then
	echo "PASS vacate-locks-hook$hook ($detail)"
else
	echo "FAIL vacate-locks-hook$hook: $detail; $(tail -n 3 /tmp/locks.out | tr '\n' ' ')"
fi
echo "vacate-locks: cpus online $(cat /sys/devices/system/cpu/online)"
echo "vmcompact-vacate-locks: done"
