# /payloads/fragbench.sh: the busybox guest of make bench
# (bench/fragbench.py), on the vmcompact kernel and on stock Linux alike.
# Kernel command line:
#   vmc.bench=ext2|ext4|churn|none   the workload (default none)
#   vmc.rounds= vmc.big_mb= vmc.files=  its size (ext2, ext4)
#   vmc.churn_mb=                    churn: the file larger than RAM
#   vmc.wait_mem_mb=MIB              first wait until MemTotal reaches MIB
#                                    (virtio-mem plugged by the host)
# Free page reporting stays dormant (page_reporting_order 11: no free
# page is that large) until the host turns it on, so that a snapshot of
# this guest taken after the workload has reported nothing yet.  The host
# runs commands through `vmc-bench serve` on the virtio-serial port
# org.vmcompact.bench.  Prints "vmcompact-fragbench: ready" after the
# workload, then stays up.
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^vmc\.$1=//p"; }
secs() { cut -d' ' -f1 /proc/uptime; }
echo 11 > /sys/module/page_reporting/parameters/page_reporting_order
wl=$(arg bench)
wl=${wl:-none}
rounds=$(arg rounds) big=$(arg big_mb) files=$(arg files)

want=$(arg wait_mem_mb)
if [ -n "$want" ]; then
	n=0
	while [ $(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024)) -lt "$want" ] && [ $n -lt 600 ]; do
		sleep 1
		n=$((n + 1))
	done
	echo "fragbench: MemTotal $(sed -n 's/^MemTotal: *//p' /proc/meminfo) after $n s"
fi

# Before the workload: reading sysfs makes inodes and dentries.
vmc-bench caches /tmp/vmc-caches
vmc-bench serve org.vmcompact.bench &

start=$(secs)
rc=0
case "$wl" in
ext2)
	vmc-scenario || rc=$? ;;
ext4)
	sh /workloads/ext4-scenario.sh /dev/vda "${rounds:-16}" "${big:-100}" "${files:-25000}" || rc=$? ;;
churn)
	# Page-cache churn under pressure (tests/guest/payloads/churn.sh): a
	# file larger than RAM, then tmpfs data that cannot be reclaimed
	# pushes its page cache out, leaving workingset shadow nodes.
	mb=$(arg churn_mb)
	mount -t ext2 /dev/vda /mnt && vmc-fragment /mnt 1 "${mb:-1400}" 0 > /dev/null || rc=1
	mkdir -p /shm && mount -t tmpfs -o size=800m none /shm &&
		dd if=/dev/zero of=/shm/fill bs=1M count=760 2> /dev/null || rc=1
	rm -f /shm/fill
	umount /shm
	n=0 prev=-1
	while [ $n -lt 30 ] && [ "$prev" != "$(sed -n 's/^workingset_nodes //p' /proc/vmstat)" ]; do
		prev=$(sed -n 's/^workingset_nodes //p' /proc/vmstat)
		sleep 3
		n=$((n + 1))
	done
	echo "fragbench: $prev workingset shadow nodes" ;;
none) ;;
*)
	echo "fragbench: unknown workload $wl"; rc=2 ;;
esac
sync
echo "fragbench: workload $wl exited $rc, $(awk -v a="$start" -v b="$(secs)" 'BEGIN { printf "%.1f", b - a }') s"
echo "vmcompact-fragbench: ready"
while :; do sleep 3600; done
