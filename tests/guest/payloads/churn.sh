# Page-cache churn under memory pressure (tests/host/churn.sh): a file
# larger than RAM, written then read back, then tmpfs data that cannot be
# reclaimed (no swap) pushes its page cache out: reclaim leaves
# workingset shadow entries in place of the pages, in XArray nodes
# scattered over RAM.  The tmpfs data is then deleted, the shadow nodes
# stay.  (drop_caches would clear the shadow entries too.)  The census
# must name their cache (xa_node_mobile), the range vacate must move
# them, and the moved shadow nodes must still work: reading the file
# again finds them (refaults).
mb=1400
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }
census_pages() { vacatectl census | awk -v c=xa_node_mobile '$1 == c { print $2 }'; }
done_() { echo "vmcompact-churn: done"; exit "$1"; }

mount -t ext2 /dev/vda /mnt || { echo "FAIL churn-mount: no ext2 disk"; done_ 1; }
vmc-fragment /mnt 1 $mb 0 > /dev/null && vmc-fragment --verify /mnt 1 $mb > /dev/null ||
	echo "FAIL churn-workload: vmc-fragment failed"
mkdir -p /shm && mount -t tmpfs -o size=800m none /shm &&
	dd if=/dev/zero of=/shm/fill bs=1M count=760 2> /dev/null ||
	echo "FAIL churn-pressure: could not fill tmpfs"
rm -f /shm/fill
umount /shm
# Let reclaim (kswapd) finish with the pressure first.
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

# The blocks of shadow nodes (and of the buffer heads of what is left of
# the page cache) are those of mobile slab pages ('M' in the map); the
# cheapest blocks are those of page cache, so name the former.
set -- $(vmc-blocks-of M)
echo "churn: $(($# / 2)) blocks of mobile slab pages"
vacatectl vacate "$@" --mode free > /tmp/churn.out 2>&1
rc=$?
grep -v '^block .*: ok' /tmp/churn.out | sed 's/^/churn: /'
moved=$(sed -n 's/^objects moved: *//p' /tmp/churn.out)
done_blocks=$(sed -n 's/^blocks done: *//p' /tmp/churn.out)
pages1=$(census_pages)
detail="rc $rc, $done_blocks of $(($# / 2)) blocks emptied, $moved objects moved, xa_node_mobile pages in otherwise-free blocks ${pages0:-0} -> ${pages1:-0}"
# The moved nodes land in other, already used blocks: the census total of
# xa_node_mobile hardly drops; what counts is the blocks emptied.
if [ $# -gt 0 ] && [ "${moved:-0}" -gt 0 ] && [ "${done_blocks:-0}" -gt 0 ]; then
	echo "PASS churn-shadow-nodes-move ($detail)"
else
	echo "FAIL churn-shadow-nodes-move: $detail"
fi
vacatectl vacate --cheapest all --mode free | grep -E '^(blocks|objects|fully|free)' | sed 's/^/churn: then the cheapest: /'

# The shadow entries still work: reading part of the file again finds
# them (refaults).
r0=$(vmstat workingset_refault_file)
dd if=/mnt/big0 of=/dev/null bs=1M count=300 2> /dev/null
r1=$(vmstat workingset_refault_file)
if [ "$r1" -gt "$r0" ]; then
	echo "PASS churn-shadow-entries-refault ($((r1 - r0)) refaults reading 300 MiB)"
else
	echo "FAIL churn-shadow-entries-refault: refaults $r0 -> $r1"
fi
if vmc-fragment --verify /mnt 1 $mb > /dev/null; then
	echo "PASS churn-file-intact ($mb MiB verified)"
else
	echo "FAIL churn-file-intact: the file does not verify"
fi
done_ 0
