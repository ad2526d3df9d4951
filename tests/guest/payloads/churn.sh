# Page-cache churn under memory pressure (tests/host/churn.sh): a file
# larger than RAM, written then read back, then tmpfs data that cannot be
# reclaimed (no swap) pushes its page cache out: reclaim leaves
# workingset shadow entries in place of the pages, in XArray nodes
# scattered over RAM.  The tmpfs data is then deleted, the shadow nodes
# stay.  (drop_caches would clear the shadow entries too.)  The census
# must name their cache (xa_node_mobile), the range vacate must move
# them, and the moved shadow nodes must still work: the workingset keeps
# counting them, and reading the file again finds them (refaults).
mb=1400
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }
census_pages() { vacatectl census | awk -v c=xa_node_mobile '$1 == c { print $2 }'; }

mount -t ext2 /dev/vda /mnt || { echo "FAIL churn-mount: no ext2 disk"; echo "vmcompact-churn: done"; exit 1; }
vmc-fragment /mnt 1 $mb 0 > /dev/null && vmc-fragment --verify /mnt 1 $mb > /dev/null ||
	echo "FAIL churn-workload: vmc-fragment failed"
mkdir -p /shm && mount -t tmpfs -o size=800m none /shm &&
	dd if=/dev/zero of=/shm/fill bs=1M count=760 2> /dev/null ||
	echo "FAIL churn-pressure: could not fill tmpfs"
rm -f /shm/fill
umount /shm
# Let reclaim (kswapd) finish with the pressure first: the count of
# shadow nodes must be still before the moves, to compare it after.
n=0 prev=-1
while [ $n -lt 30 ] && [ "$prev" != "$(vmstat workingset_nodes)" ]; do
	prev=$(vmstat workingset_nodes)
	sleep 3
	n=$((n + 1))
done
vacatectl census --top 6 | sed 's/^/churn: /'
pages0=$(census_pages)
if [ "${pages0:-0}" -gt 0 ]; then
	echo "PASS churn-census-names-shadow-nodes (xa_node_mobile: $pages0 slab pages in otherwise-free blocks, $prev shadow nodes)"
else
	echo "FAIL churn-census-names-shadow-nodes: xa_node_mobile not in the census; $prev shadow nodes"
fi

# The cheapest blocks hold only page cache left over: a first pass empties
# those, as far as the free memory allows; what is left to empty are the
# blocks of shadow nodes, which the second pass takes.
vacatectl vacate --cheapest all --mode free | grep -E '^(blocks|objects|fully|free)' | sed 's/^/churn: first pass: /'
nodes0=$(vmstat workingset_nodes) pages0=$(census_pages)
vacatectl vacate --cheapest all --mode free > /tmp/churn.out 2>&1
rc=$?
grep -v '^block ' /tmp/churn.out | sed 's/^/churn: second pass: /'
moved=$(sed -n 's/^objects moved: *//p' /tmp/churn.out)
nodes1=$(vmstat workingset_nodes) pages1=$(census_pages)
detail="rc $rc, $moved objects moved, shadow nodes $nodes0 -> $nodes1, xa_node_mobile pages in otherwise-free blocks ${pages0:-0} -> ${pages1:-0}"
# The moved nodes keep their place on the shadow LRU, counted once.
if [ $rc = 0 ] && [ "${moved:-0}" -gt 0 ] && [ "$nodes1" = "$nodes0" ] && [ "${pages1:-0}" -lt "${pages0:-0}" ]; then
	echo "PASS churn-shadow-nodes-move ($detail)"
else
	echo "FAIL churn-shadow-nodes-move: $detail"
fi

# The shadow entries still work: reading the file again refaults.
r0=$(vmstat workingset_refault_file)
vmc-fragment --verify /mnt 1 $mb > /dev/null; vrc=$?
r1=$(vmstat workingset_refault_file)
if [ $vrc = 0 ] && [ "$r1" -gt "$r0" ]; then
	echo "PASS churn-file-intact-and-refaults (file verified, $((r1 - r0)) refaults)"
else
	echo "FAIL churn-file-intact-and-refaults: verify rc $vrc, refaults $r0 -> $r1"
fi
echo "vmcompact-churn: done"
