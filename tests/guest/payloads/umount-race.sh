# Unmount races with slab mobility: mount and unmount disks full of small
# files (/dev/vda, /dev/vdb... with the filesystems of vmc.race_fs=, a
# comma-separated list, default ext2), stat'ing every file each time,
# while the dentry and inode caches are shrunk through sysfs, the
# cheapest blocks are vacated, and every slab of those caches is vacated
# (the test driver's vacate_cache), for vmc.race_secs= seconds (default
# 60).
# vmc.migrate_delay= (ms, test kernels) widens the window between
# isolate() and migrate() of every mobile cache, where an umount that
# does not wait for the pins finds busy inodes.  Every other round (a
# round mounts and unmounts each disk once) drops the caches before each
# umount: umount is then quick, and the dentries and inodes that
# isolate() holds are all it finds.  Every umount must
# succeed, every file must read back as it was, and the kernel must
# report nothing (the host checks the console, and fsck's the disks).
secs=$(vmc-param race_secs 60)
delay=$(vmc-param migrate_delay 0)
fslist=$(vmc-param race_fs ext2)
disks=""
letter=a
for fs in $(echo "$fslist" | tr ',' ' '); do
	disks="$disks /dev/vd$letter:$fs"
	letter=$(echo $letter | tr 'a-y' 'b-z')
done
sums() { find /mnt -type f | sort | xargs cat | md5sum | cut -d' ' -f1; }
caches="dentry inode_cache"
for d in $disks; do
	dev=${d%:*} fs=${d#*:}
	caches="$caches ${fs}_inode_cache"
	if ! mount -t "$fs" "$dev" /mnt; then
		echo "FAIL umount-race-mount: no $fs disk on $dev"
		echo "vmcompact-umount-race: done"
		exit 0
	fi
	# 10,000 small files in 2 directories, 1 MiB of data next to them.
	vmc-fragment /mnt 2 1 5000 > /dev/null || echo "FAIL umount-race-workload: vmc-fragment failed on $fs"
	echo "$(find /mnt -type f | wc -l) $(sums)" > "/tmp/sum.${dev##*/}"
	umount /mnt
done

knob=/sys/kernel/debug/slub_mobility_test/migrate_delay_ms
[ "$delay" != 0 ] && echo "$delay" > $knob
stop=/tmp/umount-race.stop
rm -f $stop
(
	while [ ! -e $stop ]; do
		for c in $caches; do
			echo 1 > /sys/kernel/slab/$c/shrink
		done
	done
) &
(
	while [ ! -e $stop ]; do
		vacatectl vacate --cheapest 64 --mode free > /dev/null 2>&1
	done
) &
# Every slab of the dentry and inode caches, wherever it is (one loop:
# the test driver takes one command at a time).
(
	while [ ! -e $stop ]; do
		for c in $caches; do
			echo "vacate_cache $c" > /sys/kernel/debug/slub_mobility_test/control
		done
	done
) &
cycles=0 rounds=0 errors=0
end=$(($(cut -d. -f1 /proc/uptime) + secs))
while [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
	for d in $disks; do
		if ! mount -t "${d#*:}" "${d%:*}" /mnt; then
			errors=$((errors + 1))
			continue
		fi
		ls -lR /mnt > /dev/null
		[ $((rounds % 2)) = 1 ] && echo 2 > /proc/sys/vm/drop_caches
		umount /mnt || { errors=$((errors + 1)); sleep 1; umount /mnt; }
		cycles=$((cycles + 1))
	done
	rounds=$((rounds + 1))
done
touch $stop
# The loops finish their requests at full speed.
[ "$delay" != 0 ] && echo 0 > $knob
wait
echo "umount-race: $cycles mount/stat/umount cycles of$disks, $errors errors, delay $delay ms"
if [ $cycles -gt 0 ] && [ $errors = 0 ]; then
	echo "PASS umount-race-cycles ($cycles cycles in $secs s)"
else
	echo "FAIL umount-race-cycles: $cycles cycles, $errors mount/umount errors"
fi
for d in $disks; do
	mount -t "${d#*:}" "${d%:*}" /mnt
	now="$(find /mnt -type f | wc -l) $(sums)"
	umount /mnt
	was=$(cat "/tmp/sum.$(basename "${d%:*}")")
	if [ "$now" = "$was" ]; then
		echo "PASS umount-race-files-intact-${d#*:} (${now% *} files)"
	else
		echo "FAIL umount-race-files-intact-${d#*:}: files and sum $was -> $now"
	fi
done
echo "vmcompact-umount-race: done"
