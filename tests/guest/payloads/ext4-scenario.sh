# The ENVIRONMENT.md fragmentation scenario on ext4 (tests/host/ext4-scenario.sh):
# a fresh 4 GiB ext4 (mkfs.ext4 -N 500000; ENVIRONMENT.md's 3 GiB cannot
# hold the files) on /dev/vda, 16 rounds of a 100 MB file and 25,000 small
# files, drop_caches 1; then the figures of issue 9
# (figures.sh: compaction, half the missing blocks, all of them, dropping
# the slab caches) and every file checked.  The workloads come in a cpio
# archive after the initramfs (/workloads).
rounds=$(vmc-param rounds 16)
big=$(vmc-param big_mb 100)
files=$(vmc-param files 25000)
finish() { echo "vmcompact-ext4-scenario: done"; exit "$1"; }
[ -f /workloads/figures.sh ] || { echo "FAIL ext4-scenario-workload: no /workloads"; finish 1; }
sh /workloads/figures.sh caches
if ! sh /workloads/ext4-scenario.sh /dev/vda $rounds $big $files; then
	echo "FAIL ext4-scenario-workload: the workload failed"
	finish 1
fi
sh /workloads/figures.sh measure ext4-scenario

# The files: every big file, the small files of two rounds, the count of all.
if vmc-fragment --verify /mnt $rounds $big; then big_ok=yes; else big_ok=no; fi
bad=0
for d in /mnt/small0 /mnt/small$((rounds - 1)); do
	for f in "$d"/f*; do
		read -r line < "$f"
		[ "$line" = "$d" ] || bad=$((bad + 1))
	done
done
n=$(find /mnt -type f | wc -l)
want=$((rounds * files + rounds))
if [ $big_ok = yes ] && [ $bad = 0 ] && [ "$n" = $want ]; then
	echo "PASS ext4-scenario-files-intact ($n files; the big files and the small files of 2 rounds read back)"
else
	echo "FAIL ext4-scenario-files-intact: big files ok: $big_ok, $bad bad small files, $n files of $want"
fi
umount /mnt && echo "ext4-scenario: unmounted" || echo "FAIL ext4-scenario-umount: umount /mnt failed"
finish 0
