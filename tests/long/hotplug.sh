# Memory hotplug against the range vacate (tests/guest/payloads/hotplug.sh)
# on the debug kernel: the host plugs and unplugs 256 MiB of virtio-mem in
# a loop while the guest asks for the cheapest blocks and reads the map.
# Before the fix, memory onlined while a CHEAPEST request waited for
# another one wrote past the end of its candidate array (KASAN).
source "$(dirname "$0")/../lib.sh"
secs=${HOTPLUG_SECS:-180}
kernel=${HOTPLUG_KERNEL:-$root/build/guest/bzImage-debug}
name=${HOTPLUG_NAME:-hotplug}
vmem_path=/machine/peripheral/vmem0
plugged() {
	vm_qmp h "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"$vmem_path\",\"property\":\"plugged-size\"}}" |
		sed -n 's/.*"return": *\([0-9]*\).*/\1/p'
}
request() {
	vm_qmp h "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$vmem_path\",\"property\":\"requested-size\",\"value\":$1}}" > /dev/null
}
vm_start h --kernel "$kernel" --payload hotplug --mem 1024 --virtio-mem 512 \
	--timeout $((secs * 3 + 900)) \
	--append "vmc.hotplug_secs=$secs memhp_default_state=online_movable"
if ! vm_wait_for h "vmcompact-hotplug: running" 600; then
	fail "$name-boot: the guest did not start the payload"
	exit 1
fi
plugs=0 unplugs=0
while ! grep -aq "vmcompact-hotplug: done" "$run/h/console.log" &&
	kill -0 "${vm_pid_of[h]}" 2>/dev/null; do
	request $((256 << 20))
	sleep 5
	[ "$(plugged)" = $((256 << 20)) ] && plugs=$((plugs + 1))
	request 0
	sleep 5
	[ "$(plugged)" = 0 ] && unplugs=$((unplugs + 1))
done
if ! vm_wait_for h "vmcompact-hotplug: done" 60; then
	fail "$name-finished: the payload did not finish"
	exit 1
fi
tr -d '\r' < "$run/h/console.log" | grep -a "^hotplug: " | sed 's/^/  /'
if [ $plugs -gt 0 ] && [ $unplugs -gt 0 ]; then
	pass "$name-plugged ($plugs plugs and $unplugs unplugs of 256 MiB completed)"
else
	fail "$name-plugged: $plugs plugs, $unplugs unplugs completed"
fi
vm_clean_log h "$name-clean-log" 'BUG:|WARNING:|Oops|KASAN:|possible circular|possible recursive|inconsistent lock|INFO: |Bad page|Call Trace'
