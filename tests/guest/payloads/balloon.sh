# For tests/host/balloon.sh: touch most of guest RAM (files on tmpfs,
# then deleted), so that the host's memfd is populated; hold 4 blocks
# (vacatectl, HOLD), which the balloon must take first, and say which;
# then stay up while the host inflates and deflates the balloon.
#
# Free page accounting: at each step (after the workload, while holding
# the 4 blocks, after a FREE of 2 more, while holding 2 free blocks and
# after releasing them, and whenever MemTotal settles at a new value, i.e. after
# each inflation or deflation) print
#   balloon: free-pages STEP nr_free=A,B map=M memfree_kb=F memtotal_kb=T
# A and B: /proc/vmstat nr_free_pages just before and just after the map;
# M: the free (buddy) pages of the /dev/vacate map.  The host checks that
# they agree (NR_FREE_PAGES is what MemFree and the balloon's stats say).
free_pages() {
	local a b m f t
	a=$(sed -n 's/^nr_free_pages //p' /proc/vmstat)
	m=$(vacatectl map | sed -n 's/^free  *\([0-9]*\) .*/\1/p')
	b=$(sed -n 's/^nr_free_pages //p' /proc/vmstat)
	f=$(sed -n 's/^MemFree: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
	t=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
	echo "balloon: free-pages $1 nr_free=$a,$b map=${m:-none} memfree_kb=$f memtotal_kb=$t"
}
memtotal() { sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo; }
# hold SECONDS OUT VACATECTL-ARGS...: hold blocks in the background (pid
# in $hold_pid); wait until vacatectl says it holds them.
hold() {
	local secs=$1 out=$2
	shift 2
	vacatectl vacate "$@" --mode hold --hold-seconds "$secs" > "$out.out" 2> "$out.err" &
	hold_pid=$!
	for i in $(seq 1 60); do
		grep -q "holding" "$out.err" && break
		sleep 1
	done
}

mount -t tmpfs -o size=90% none /mnt
vmc-fragment /mnt 6 100 2000 > /dev/null || echo "FAIL balloon-workload: vmc-fragment failed"
rm -rf /mnt/*
umount /mnt
free_pages after-workload
hold 3600 /tmp/held --cheapest 4
sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): ok, done.*/\1/p' /tmp/held.out | sed 's/^/balloon: held /'
free_pages holding-4
# More of the range vacate: FREE two blocks of free and LRU pages, then
# HOLD two fully free blocks (a HOLD isolates even a free block) for 5 s.
vacatectl vacate $(vmc-blocks-of m | head -n 2) --mode free > /tmp/free.out 2>&1
echo "balloon: FREE emptied $(grep -c ': ok, done' /tmp/free.out) blocks"
free_pages after-free
hold 5 /tmp/held2 $(vmc-blocks-of '\.' | head -n 2)
echo "balloon: HOLD held $(grep -c ': ok, done' /tmp/held2.out) blocks"
free_pages holding-2
wait $hold_pid
free_pages released-2
echo "vmcompact-balloon: ready"
# Whenever MemTotal has moved (the balloon inflated or deflated) and then
# stayed put for two seconds, check the free pages again.
last=$(memtotal) moved=0
while :; do
	sleep 2
	now=$(memtotal)
	if [ "$now" != "$last" ]; then
		last=$now moved=1
	elif [ $moved = 1 ]; then
		free_pages "memtotal-$now"
		moved=0
	fi
done
