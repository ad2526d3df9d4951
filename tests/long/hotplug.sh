# Memory hotplug against the range vacate (tests/guest/payloads/hotplug.sh)
# on the debug kernel: the host plugs and unplugs 256 MiB of virtio-mem in
# a loop while the guest's requests look at the blocks that come and go.
# In the second half, requests sleep HOTPLUG_DELAY_MS (default 1500) where
# they have looked a block's struct pages up and are about to use them
# (CONFIG_VACATE_RACE_DELAY): before the fix, the named request's check
# read the zone of a memory block removed meanwhile.  Then the guest
# offlines the memory block itself while a HOLD of one of its blocks
# sleeps unlocked: before the fix, the HOLD's check of free memory read the
# zone of the offline block from its poisoned memory map.  Last, the host
# plugs the whole 1 GiB device and inflates and deflates the balloon while
# the guest onlines that memory inside the balloon's scans for blocks
# (between sizing their candidate array and filling it): before the fix,
# the scan wrote past the end of the array (KASAN).
source "$(dirname "$0")/../lib.sh"
secs=${HOTPLUG_SECS:-180}
kernel=${HOTPLUG_KERNEL:-$root/build/guest/bzImage-debug}
name=${HOTPLUG_NAME:-hotplug}
delay=${HOTPLUG_DELAY_MS:-1500}
mem=1024 vmem=1024
vmem_path=/machine/peripheral/vmem0
plugged() {
	vm_qmp h "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$vmem_path\",\"property\":\"size\"}}" 2>/dev/null |
		sed -n 's/.*"return": *\([0-9]*\).*/\1/p'
}
request() {
	vm_qom_set h $vmem_path requested-size "$1" 2>/dev/null
}
# Wait up to 20 s for the plugged size to reach $1.  virtio-mem retries a
# failed unplug only 50 s later, or on the next request.
settle() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		sleep 2
		[ "$(plugged)" = "$1" ] && return 0
	done
	return 1
}
vm_start h --kernel "$kernel" --payload hotplug --mem $mem --virtio-mem $vmem \
	--timeout $((secs * 3 + 900)) \
	--append "vmc.hotplug_secs=$secs memhp_default_state=online_movable vmc.hotplug_delay_ms=$delay vmc.hotplug_vmem_mb=$vmem"
if ! vm_wait_for h "vmcompact-hotplug: running" 600; then
	fail "$name-boot: the guest did not start the payload"
	exit 1
fi
plugs=0 unplugs=0
while ! vm_console_has h "vmcompact-hotplug: done|hotplug: own offlining" &&
	kill -0 "${vm_pid_of[h]}" 2>/dev/null; do
	request $((256 << 20))
	settle $((256 << 20)) && plugs=$((plugs + 1))
	request 0
	settle 0 && unplugs=$((unplugs + 1))
done
# The guest offlines memory itself now: leave it plugged.
if vm_console_has h "hotplug: own offlining"; then
	request $((256 << 20))
	settle $((256 << 20))
fi
# The guest waits up to 90 s for the memory to stay online, then offlines
# and onlines it four times: minutes on a busy host under KASAN (60 s was
# too short once).
if ! vm_wait_for h "vmcompact-hotplug: done|hotplug: own onlining" 600; then
	fail "$name-finished: the payload did not finish"
	exit 1
fi
# Then it onlines memory itself while the balloon takes blocks: plug the
# whole device, and inflate and deflate until the guest is done.
if vm_console_has h "hotplug: own onlining"; then
	request $((vmem << 20))
	settle $((vmem << 20))
	while ! vm_console_has h "vmcompact-hotplug: own onlining done" &&
		kill -0 "${vm_pid_of[h]}" 2>/dev/null; do
		vm_balloon h $(((mem - 16) << 20)) 2>/dev/null
		sleep 10
		vm_balloon h $((mem << 20)) 2>/dev/null
		sleep 5
	done
fi
if ! vm_wait_for h "vmcompact-hotplug: done" 600; then
	fail "$name-finished: the payload did not finish"
	exit 1
fi
vm_console h | grep -a "^hotplug: " | sed 's/^/  /'
if [ $plugs -gt 0 ] && [ $unplugs -gt 0 ]; then
	pass "$name-plugged ($plugs plugs and $unplugs unplugs of 256 MiB completed)"
else
	fail "$name-plugged: $plugs plugs, $unplugs unplugs completed"
fi
console=$(vm_console h)
# own_check PHASE WHAT: the guest's count of windows hit, "hotplug: own
# PHASE: N of M ...", with each round's line when none was.
own_check() {
	local hits
	hits=$(sed -n "s/^hotplug: own $1: \([0-9]*\) of .*/\1/p" <<<"$console")
	if [ -z "$hits" ]; then
		skip "$name-own-$1: the guest kernel has no race delay (CONFIG_VACATE_RACE_DELAY)"
	elif [ "$hits" -gt 0 ]; then
		pass "$name-own-$1 ($(grep -a "^hotplug: own $1: " <<<"$console"))"
	else
		fail "$name-own-$1: $2: $(grep -a "^hotplug: own $1 [0-9]" <<<"$console" | tr '\n' '|')"
	fi
}
own_check offline "no HOLD found its block gone"
own_check online "no onlining began while a scan slept between sizing and filling"
vm_clean_log h "$name-clean-log" "$DEBUG_REPORT_RE|Call Trace"
