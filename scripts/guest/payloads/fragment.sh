# The fragmentation scenario of ENVIRONMENT.md on /dev/vda (ext2):
# vmc.rounds= rounds (default 20) of a vmc.big_mb= MiB file (default 120)
# and vmc.files= small files (default 20000), then drop the page cache.
rounds=20 big=120 files=20000
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmc.rounds=*) rounds=${arg#vmc.rounds=} ;;
	vmc.big_mb=*) big=${arg#vmc.big_mb=} ;;
	vmc.files=*) files=${arg#vmc.files=} ;;
	esac
done
mount -t ext2 /dev/vda /mnt || { echo "vmcompact-fragment: mount failed"; exit 1; }
vmc-fragment /mnt "$rounds" "$big" "$files" || exit 1
echo 1 > /proc/sys/vm/drop_caches
echo "vmcompact-fragment: done"
grep -E '^(MemFree|Slab|SReclaimable|SUnreclaim):' /proc/meminfo
# vmc.vacate=1: after the host had vmc.vacate_delay= seconds (default 20)
# to read the fragmented map, empty the cheapest blocks.
vacate=0 delay=20
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	vmc.vacate=*) vacate=${arg#vmc.vacate=} ;;
	vmc.vacate_delay=*) delay=${arg#vmc.vacate_delay=} ;;
	esac
done
if [ "$vacate" = 1 ]; then
	sleep "$delay"
	vacatectl census --top 8 2>&1 | sed 's/^/census: /'
	vacatectl vacate --cheapest all --mode free > /tmp/vacate.out 2>&1
	grep -v '^block ' /tmp/vacate.out | sed 's/^/vacate: /'
	echo "vmcompact-fragment: vacated"
fi
while :; do sleep 3600; done
