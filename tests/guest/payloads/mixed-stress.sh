# make test-long: everything that touches mobile slabs at once, for
# vmc.stress_secs= seconds (default 600), while the host inflates and
# deflates the balloon and plugs and unplugs virtio-mem memory
# (tests/long/stress.sh):
#  - the test cache: alloc/free on every vCPU, vacate and shrink (stress);
#  - the range vacate: FREE of the 32 cheapest blocks, HOLD of 8 for 2 s;
#  - sysfs shrink of every mobile cache;
#  - page cache churn on an ext4 disk (/dev/vda) in a memory cgroup at
#    its limit, which also holds test cache objects: the journal's heads,
#    the ext4 inode and extent status callbacks, jbd2's buffers in failed
#    blocks;
#  - mount, stat and umount of a second ext2 disk (/dev/vdb), 10,000 files.
# Then: no object lost or corrupt, every file as it was, no pageblock
# left isolated, the map's free pages agree with MemFree.
# First, on its own: a HOLD of a block whose page waits, new, in a per-cpu
# LRU batch while the request probes the block (vmc-lrubatch).
secs=$(vmc-param stress_secs 600)
d=/sys/kernel/debug/slub_mobility_test
stop=/tmp/stress.stop
finish() { echo "vmcompact-stress: done"; exit 0; }
say() { echo "vmcompact-stress: $*"; }

vmc-lrubatch stress-lru-batch-hold

mkdir -p /data /files
mount -t ext4 /dev/vda /data && mount -t ext2 /dev/vdb /files ||
	{ echo "FAIL stress-disks: no ext4 and ext2 disks"; finish; }
vmc-fragment /data 3 64 2000 > /dev/null
vmc-fragment /files 2 1 5000 > /dev/null
sums() { find /files -type f | sort | xargs cat | md5sum | cut -d' ' -f1; }
n0=$(find /files -type f | wc -l) s0=$(sums)
umount /files

cg=/sys/fs/cgroup
mount -t cgroup2 none $cg
echo +memory > $cg/cgroup.subtree_control
vmc-memcg-mkdir $cg/tenant
echo $((96 << 20)) > $cg/tenant/memory.max
# The tenant's test cache objects are charged to it: moved at its limit.
sh -c "echo \$\$ > $cg/tenant/cgroup.procs; echo 'alloc 20000' > $d/control"

loop() {
	local n=0
	while [ ! -e $stop ]; do
		"$@" > /dev/null 2>&1
		n=$((n + 1))
	done
	say "$n x $*"
}
shrink_all() {
	for c in dentry ext2_inode_cache ext4_inode_cache ext4_extent_status \
		jbd2_journal_head inode_cache xa_node_mobile buffer_head; do
		echo 1 > /sys/kernel/slab/$c/shrink
	done
}
# The tenant's page cache churn, run from inside its cgroup.
cat > /tmp/churn.sh <<EOT
n=0
while [ ! -e $stop ]; do
	cat /data/big* > /dev/null
	dd if=/dev/zero of=/data/churn bs=1M count=32 2> /dev/null
	rm -f /data/churn
	echo 1 > /proc/sys/vm/drop_caches
	n=\$((n + 1))
done
echo "vmcompact-stress: \$n x tenant page cache churn"
EOT
mount_cycle() {
	mount -t ext2 /dev/vdb /files || return 1
	ls -lR /files > /dev/null
	umount /files
}
rm -f $stop
say "running for $secs s"
(echo "stress $secs" > $d/control; say "test cache $(cat $d/status)") &
loop vacatectl vacate --cheapest 32 --mode free &
loop vacatectl vacate --cheapest 8 --mode hold --hold-seconds 2 &
loop shrink_all &
sh -c "echo \$\$ > $cg/tenant/cgroup.procs; exec sh /tmp/churn.sh" &
loop mount_cycle &
sleep "$secs"
touch $stop
wait

# The host stops ballooning and plugging when it reads "settling", and
# asks for no virtio-mem memory: wait until the device's memory blocks
# are gone, so that the checks below look at memory that stays put
# (offlining isolates the blocks it takes, and the map changes).
say "settling"
vmem=$(dmesg | sed -n 's/.*virtio_mem.*start address: \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
first_mb=$((vmem / 0x$(cat /sys/devices/system/memory/block_size_bytes)))
device_blocks() {
	local m n=0
	for m in /sys/devices/system/memory/memory*; do
		[ "${m##*memory}" -ge $first_mb ] && n=$((n + 1))
	done
	echo $n
}
waited=0
while [ "$(device_blocks)" != 0 ] && [ $waited -lt 180 ]; do
	sleep 1
	waited=$((waited + 1))
done
if [ "$(device_blocks)" = 0 ]; then
	echo "PASS stress-settled (virtio-mem unplugged in $waited s)"
else
	echo "FAIL stress-settled: $(device_blocks) memory blocks of virtio-mem still there after $waited s"
fi

echo verify > $d/control
say "final $(cat $d/status)"
if grep -q " corrupt=0 memcg=0" $d/status && grep -q "objects=[1-9]" $d/status; then
	echo "PASS stress-objects-intact ($(cat $d/status))"
else
	echo "FAIL stress-objects-intact: $(cat $d/status)"
fi
mount -t ext2 /dev/vdb /files
n1=$(find /files -type f | wc -l) s1=$(sums)
umount /files
if [ "$n1" = "$n0" ] && [ "$s1" = "$s0" ] && vmc-fragment --verify /data 3 64 > /dev/null; then
	echo "PASS stress-files-intact ($n1 small files, 3 big files)"
else
	echo "FAIL stress-files-intact: $n0 -> $n1 small files, sum $s0 -> $s1"
fi
say "tenant $(tr '\n' ' ' < $cg/tenant/memory.events)"
# Blocks left isolated: the Isolate column of /proc/pagetypeinfo.
isolated=$(awk '/^Number of blocks type/ { n = NF } /^Node .* zone / && n { s += $NF } END { print s + 0 }' /proc/pagetypeinfo)
if [ "$isolated" = 0 ]; then
	echo "PASS stress-none-isolated"
else
	echo "FAIL stress-none-isolated: $isolated blocks still isolated"
	cat /proc/pagetypeinfo
fi
vmc-mapcheck | sed -e 's/^PASS /PASS stress-/' -e 's/^FAIL /FAIL stress-/'
vmc-resched-check stress-walks-reschedule
finish
