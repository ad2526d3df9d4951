# Memory hotplug against the range vacate, while the host plugs and
# unplugs 256 MiB of a virtio-mem device (tests/long/hotplug.sh), for
# vmc.hotplug_secs= seconds (default 120), in two halves; then two phases
# in which the guest offlines or onlines the device's memory itself
# (vmc.hotplug_vmem_mb=, its size).
#
# First, every kind of request at once: the cheapest blocks (probe of all
# of them, and FREE of 32), blocks of the device's memory by name (FREE,
# and HOLD for a second), and the map and the census.  Memory onlined
# between sizing the candidates and scanning them, or a block offlined
# between its check and its use, must not matter.
#
# Then, with vmc.hotplug_delay_ms= (the debug kernels'
# CONFIG_VACATE_RACE_DELAY), requests sleep that long between looking a
# block's struct pages up and using them: PROBE and HOLD by name of blocks
# of the memory block virtio-mem unplugs first (the last one).  A step
# taken without the memory hotplug lock then meets the memory map of a
# removed memory block.  PROBE moves nothing, so the host's unplugs go
# through meanwhile.
secs=$(vmc-param hotplug_secs 120)
delay=$(vmc-param hotplug_delay_ms 0)
vmem=$(vmc-param hotplug_vmem_mb 512)
param=/sys/module/vacate_range/parameters/race_delay_ms
stop=/tmp/hotplug.stop
loop() {
	local n=0
	while [ ! -e $stop ]; do
		"$@" > /dev/null 2>&1
		n=$((n + 1))
	done
	echo "hotplug: $n x $*"
}
addr=$(dmesg | sed -n 's/.*virtio_mem.*start address: \(0x[0-9a-f]*\).*/\1/p' | head -n 1)
if [ -z "$addr" ]; then
	echo "vmcompact-hotplug: no virtio-mem start address in dmesg"
	exit 1
fi
first=$((addr >> 21))
# Every 8th block of the 256 MiB the host plugs and unplugs.
blocks=
for i in 0 8 16 24 32 40 48 56 64 72 80 88 96 104 112 120; do
	blocks="$blocks $((first + i))"
done
echo "hotplug: named blocks$blocks"
echo "vmcompact-hotplug: running for $secs s"

loop vacatectl vacate --cheapest all --mode probe &
loop vacatectl vacate --cheapest 32 --mode free &
loop vacatectl vacate --block $blocks --mode free &
# Held blocks make offlining fail (PageOffline): a pause between holds
# lets the host's unplugs through.
loop sh -c "vacatectl vacate --block $blocks --mode hold --hold-seconds 1; sleep 2" &
loop sh -c 'vacatectl map; vacatectl census' &
sleep $((secs / 2))
touch $stop
wait
rm -f $stop

# Then, with the host's memory left plugged, the guest offlines the memory
# block itself, at a time it knows a HOLD of one of its blocks is in its
# window: after the named check and the probe (each sleeps the delay, under
# the hotplug lock), before the block is isolated (it sleeps the delay
# unlocked, then checks again under the lock).  The HOLD, whose probe
# found the block free, must then find it gone (ENXIO, or ERANGE: it was
# the last memory block), and the kernel must not look at the offline
# block's memory map.
own_offline() {
	local mb=/sys/devices/system/memory/memory$(((addr >> 27) + 1))
	local d=2000 i up=0 n=0 hit=0 r
	echo "hotplug: own offlining"
	echo $d > $param
	# The host plugs the memory one last time after its last unplug:
	# wait until it has stayed online for 6 s (while the host cycles, it
	# unplugs within 3 s of each plug).
	for i in $(seq 90); do
		if [ "$(cat $mb/state 2>/dev/null)" = online ]; then
			up=$((up + 1))
		else
			up=0
		fi
		[ $up -ge 6 ] && break
		sleep 1
	done
	for i in 1 2 3 4; do
		[ "$(cat $mb/state 2>/dev/null)" = online ] || break
		vacatectl vacate --block $((first + 80)) --mode hold --hold-seconds 1 > /tmp/own.out 2>&1 &
		# The middle of the unlocked sleep: the third of three.
		usleep $((d * 2500))
		echo offline > $mb/state 2> /dev/null && r=offlined || r="not offlined"
		wait
		n=$((n + 1))
		grep -qE "failed (ENXIO|ERANGE), was free" /tmp/own.out && [ "$r" = offlined ] &&
			hit=$((hit + 1))
		echo "hotplug: own offline $i: $r; $(grep -E '^(block |vacatectl: [^hr])' /tmp/own.out | head -n 1)"
		echo online_movable > $mb/state
	done
	echo "hotplug: own offline: $hit of $n HOLDs found their block gone, offlined in their window"
	echo "vmcompact-hotplug: own offlining done"
}

# Last of all, memory onlined while the kernel scans for blocks to take.
# The host has plugged the whole device (vmc.hotplug_vmem_mb) and inflates
# the balloon in a loop; each inflation takes blocks through a scan of
# every block, free ones included, that sizes its array of candidates and
# then fills it (vacate_take_blocks()).  With scan_delay_ms the scan
# sleeps in between, and the guest, its device memory offline, onlines it
# when it sees a task asleep there.  Under the memory hotplug lock the
# onlining waits for the scan; without it, the scan found the new free
# blocks with no room for them in its array.
asleep() {
	cat /proc/[0-9]*/stack 2> /dev/null | grep -q vacate_alloc_candidates
}
# wait_asleep yes|no: up to 30 s for a task to be asleep there, or not.
wait_asleep() {
	local i
	for i in $(seq 150); do
		if asleep; then
			[ $1 = yes ] && return 0
		else
			[ $1 = no ] && return 0
		fi
		usleep 200000
	done
	return 1
}
# any_online STATE...: whether any of these memory blocks is online.
any_online() {
	grep -qsx online "$@"
}
own_online() {
	local scan=/sys/module/vacate_range/parameters/scan_delay_ms
	local mb0=$((addr >> 27)) states= st i t round seen hit=0 n=0
	echo "hotplug: own onlining"
	if [ ! -w $scan ]; then
		echo "hotplug: no $scan"
		echo "vmcompact-hotplug: own onlining done"
		return
	fi
	for i in $(seq 0 $((vmem / 128 - 1))); do
		states="$states /sys/devices/system/memory/memory$((mb0 + i))/state"
	done
	# Until the host has plugged the last of them.
	st=${states##* }
	for i in $(seq 120); do
		[ "$(cat $st 2>/dev/null)" = online ] && break
		sleep 1
	done
	echo "hotplug: device memory blocks online: $(cat $states 2>/dev/null | grep -cx online)"
	echo 30000 > $scan
	for round in 1 2 3; do
		# Blocks the balloon holds keep their memory block online until
		# the host deflates.
		for i in $(seq 60); do
			for st in $states; do
				grep -qx offline $st || echo offline > $st 2> /dev/null
			done
			any_online $states || break
			sleep 1
		done
		if any_online $states; then
			echo "hotplug: own online $round: the memory did not go offline"
			continue
		fi
		# A scan that begins now, not one about to end.
		seen=no
		wait_asleep no && wait_asleep yes && seen=yes
		t=$(cut -d ' ' -f 1 /proc/uptime)
		for st in $states; do
			echo online_movable > $st
		done
		t=$(awk -v t=$t '{ printf "%.1f", $1 - t }' /proc/uptime)
		# The memory stays online until the scan has looked for its
		# candidates.
		wait_asleep no
		n=$((n + 1))
		[ $seen = yes ] && hit=$((hit + 1))
		echo "hotplug: own online $round: a scan asleep between sizing and filling: $seen; onlined in $t s"
	done
	echo 0 > $scan
	echo "hotplug: own online: $hit of $n onlinings began while a scan slept between sizing its candidates and filling them"
	echo "vmcompact-hotplug: own onlining done"
}

if [ "$delay" -gt 0 ] && [ -w $param ]; then
	echo "$delay" > $param
	echo "hotplug: requests sleep $delay ms in their windows"
	# Two blocks of the second 128 MiB memory block.
	last="$((first + 64)) $((first + 96))"
	loop vacatectl vacate --block $last --mode probe &
	loop sh -c "vacatectl vacate --block $((first + 80)) --mode hold --hold-seconds 1; sleep 5" &
	sleep $((secs - secs / 2))
	touch $stop
	wait
	own_offline
	echo 0 > $param
	own_online
elif [ "$delay" -gt 0 ]; then
	echo "hotplug: no $param (CONFIG_VACATE_RACE_DELAY): no delayed half"
else
	sleep $((secs - secs / 2))
fi
echo "hotplug: $(grep MemTotal /proc/meminfo)"
echo "vmcompact-hotplug: done"
