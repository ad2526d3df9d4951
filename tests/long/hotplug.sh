# Memory hotplug against the range vacate (tests/guest/payloads/hotplug.sh)
# on the debug kernel: the host plugs and unplugs 256 MiB of virtio-mem in
# a loop while the guest's requests look at the blocks that come and go.
# Before the fix, memory onlined while a CHEAPEST request waited for
# another one wrote past the end of its candidate array (KASAN).  In the
# second half, requests sleep HOTPLUG_DELAY_MS (default 1500) where they
# have looked a block's struct pages up and are about to use them
# (CONFIG_VACATE_RACE_DELAY): before the fix, the named request's check
# read the zone of a memory block removed meanwhile.  Last, the guest
# offlines the memory block itself while a HOLD of one of its blocks
# sleeps unlocked: before the fix, the HOLD's check of free memory read the
# zone of the offline block from its poisoned memory map.
source "$(dirname "$0")/../lib.sh"
secs=${HOTPLUG_SECS:-180}
kernel=${HOTPLUG_KERNEL:-$root/build/guest/bzImage-debug}
name=${HOTPLUG_NAME:-hotplug}
delay=${HOTPLUG_DELAY_MS:-1500}
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
vm_start h --kernel "$kernel" --payload hotplug --mem 1024 --virtio-mem 512 \
	--timeout $((secs * 3 + 900)) \
	--append "vmc.hotplug_secs=$secs memhp_default_state=online_movable vmc.hotplug_delay_ms=$delay"
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
own=$(sed -n 's/^hotplug: own offline: \([0-9]*\) of .*/\1/p' <<<"$console")
if [ -z "$own" ]; then
	skip "$name-own-offline: the guest kernel has no race delay (CONFIG_VACATE_RACE_DELAY)"
elif [ "$own" -gt 0 ]; then
	pass "$name-own-offline ($(grep -a '^hotplug: own offline: ' <<<"$console"))"
else
	fail "$name-own-offline: no HOLD found its block gone: $(sed -n \
		's/^hotplug: own offline [0-9]*: \([^;]*\); block [^:]*: \([^;]*\);.*/\1, \2/p' <<<"$console" | tr '\n' '|')"
fi
vm_clean_log h "$name-clean-log" "$DEBUG_REPORT_RE|Call Trace"
