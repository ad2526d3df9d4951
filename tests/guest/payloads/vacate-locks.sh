# The range vacate runs the mobility callbacks without slab_mutex and
# cpus_read_lock(): the test cache's migrate() creates and destroys a
# cache (migrate_hook 1, slab_mutex), then takes a cpu offline and back
# online (migrate_hook 2, cpus_write_lock()) while vacatectl empties
# blocks of its slabs (the blocks that hold nothing but mobile slab pages
# and free pages, once 60000 objects filled some).  Held across the
# callbacks, either lock would deadlock: the payload would never end.
d=/sys/kernel/debug/slub_mobility_test
for hook in 1 2; do
	# Each round starts from no objects: the first round's moves put its
	# objects in slabs anywhere, and blocks holding other caches' mobile
	# slabs only would give the hook nothing to run on.
	echo "free 1 0" > $d/control
	echo "alloc 60000" > $d/control
	blocks=$(vmc-blocks-of M | head -n 4)
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
done
echo "vacate-locks: cpus online $(cat /sys/devices/system/cpu/online)"
echo "vmcompact-vacate-locks: done"
