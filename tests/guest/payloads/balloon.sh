# For tests/host/balloon.sh: touch most of guest RAM (files on tmpfs,
# then deleted), so that the host's memfd is populated; hold 4 blocks
# (vacatectl, HOLD), which the balloon must take first, and say which;
# then stay up while the host inflates and deflates the balloon.
#
# Free page accounting: at each step (while holding the 4 blocks, after
# a FREE of the next 2, while holding 2 free blocks and after releasing
# them, and whenever MemTotal settles at a new value, i.e. after each
# inflation or deflation) print
#   balloon: free-pages STEP memfree_kb=F memtotal_kb=T RESULT
# RESULT: vmc-mapcheck's line for the free pages of the /dev/vacate map
# against MemFree (NR_FREE_PAGES, what the balloon's stats say), within
# 256 pages; pages in flight (frees after RCU, per-cpu lists) blur one
# reading, a drift does not go away: up to 3 readings a second apart.
# The host checks that it passed and that MemFree <= MemTotal.
free_pages() {
	local r
	r=$(vmc-mapcheck -t 256 -n 3 | grep -E '^(PASS|FAIL) map-free-matches-memfree')
	echo "balloon: free-pages $1 memfree_kb=$(meminfo MemFree) memtotal_kb=$(meminfo MemTotal) ${r:-FAIL: no reading}"
}
# offline_pages STEP: the pages the kernel marks PageOffline (KPF_OFFLINE,
# bit 23 of /proc/kpageflags), in all of RAM and in each block held first
# (which the balloon takes first):
#   balloon: offline-pages STEP total=N held=N1,N2,...
# Every page in the balloon must be offline, 4 KiB pages and whole blocks
# alike, so that kdump and hibernation do not read memory the host took.
offline_pages() {
	local h list=""
	for h in $held; do
		list="$list,$(vmc-kpageflags 23 $h $((h + 512)))"
	done
	echo "balloon: offline-pages $1 total=$(vmc-kpageflags 23) held=${list#,}"
}
# meminfo FIELD: its kB in /proc/meminfo.
meminfo() { sed -n "s/^$1: *\\([0-9]*\\) kB$/\\1/p" /proc/meminfo; }
# hold SECONDS OUT VACATECTL-ARGS...: hold blocks in the background (pid
# in $hold_pid); wait until vacatectl says it holds them.
hold() {
	local secs=$1 out=$2
	shift 2
	vacatectl vacate "$@" --mode hold --hold-seconds "$secs" > "$out.out" 2> "$out.err" &
	hold_pid=$!
	vmc-wait-line "$out.err" "^vacatectl: holding" $hold_pid
}

mount -t tmpfs -o size=90% none /mnt
vmc-fragment /mnt 6 100 2000 > /dev/null || echo "FAIL balloon-workload: vmc-fragment failed"
rm -rf /mnt/*
umount /mnt
# Straight after the workload, while there are blocks worth emptying.
hold 3600 /tmp/held --cheapest 4
held=$(sed -n 's/^block [0-9]* pfn \(0x[0-9a-f]*\): ok, done.*/\1/p' /tmp/held.out)
for h in $held; do echo "balloon: held $h"; done
grep -q ': ok, done' /tmp/held.out || cat /tmp/held.out /tmp/held.err | sed 's/^/balloon: nothing held: /'
free_pages holding-4
# More of the range vacate: FREE the 2 next cheapest blocks (if any: an
# attempt isolates the block, done or not), then HOLD 2 fully free blocks
# (a HOLD isolates even a free block) for 10 s.
vacatectl vacate --cheapest 2 --mode free > /tmp/free.out 2>&1
echo "balloon: FREE $(grep -c '^block .*: ok.*, done;' /tmp/free.out) done of $(grep -c '^block ' /tmp/free.out) tried"
free_pages after-free
hold 10 /tmp/held2 $(vmc-blocks-of '\.' | head -n 2)
echo "balloon: HOLD $(grep -c '^block .*: ok.*, done;' /tmp/held2.out) done of $(grep -c '^block ' /tmp/held2.out) tried"
free_pages holding-2
wait $hold_pid
free_pages released-2
offline_pages released-2
echo "vmcompact-balloon: ready"
# Whenever MemTotal has moved (the balloon inflated or deflated) and then
# stayed put for two seconds, check the free pages again.
last=$(meminfo MemTotal) moved=0
while :; do
	sleep 2
	now=$(meminfo MemTotal)
	if [ "$now" != "$last" ]; then
		last=$now moved=1
	elif [ $moved = 1 ]; then
		free_pages "memtotal-$now"
		offline_pages "memtotal-$now"
		moved=0
	fi
done
