# vmcompactd with real libvirt: a private libvirtd (scripts/libvirt-private)
# runs a TCG domain of our guest with an org.vmcompact.0 channel and a
# virtio balloon; vmcompactd --libvirt finds it, empties its blocks and
# inflates its balloon through libvirt, and checks on the host (the QEMU
# pid from libvirt, the memfd of guest RAM) that they came back.
source "$(dirname "$0")/../lib.sh"
daemon=$root/build/host/vmcompactd
lv=$run/libvirt dom=vmc-lv
mkdir -p "$lv/vm"
trap '"$root/scripts/libvirt-private" stop "$lv"; vm_cleanup' EXIT

if ! uri=$("$root/scripts/libvirt-private" start "$lv" 2> "$run/lv-start.err"); then
	fail "libvirt-daemon: $(cat "$run/lv-start.err")"
	exit 1
fi
cat > "$lv/domain.xml" <<XML
<domain type='qemu'>
  <name>$dom</name>
  <memory unit='MiB'>1024</memory>
  <currentMemory unit='MiB'>1024</currentMemory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$root/build/guest/bzImage</kernel>
    <initrd>$root/build/guest/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 vmc.payload=fragmented</cmdline>
  </os>
  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <serial type='pty'>
      <log file='$lv/vm/console.log' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'>
      <source mode='bind' path='$lv/vm/vmc.sock'/>
      <target type='virtio' name='org.vmcompact.0'/>
    </channel>
    <memballoon model='virtio' freePageReporting='on'/>
  </devices>
</domain>
XML
if ! virsh -c "$uri" create "$lv/domain.xml" > "$run/create.out" 2>&1; then
	fail "libvirt-domain-start: $(cat "$run/create.out")"
	exit 1
fi
# vm_wait_for reads $run/NAME/console.log.
ln -s "$lv/vm" "$run/lv"
if ! vm_wait_for lv "vmcompact-fragmented: ready" 900; then
	fail "libvirt-guest: the payload did not get ready"
	exit 1
fi
pass "libvirt-domain-boots"

"$daemon" --libvirt "$uri" --once --return balloon --settle 5 --floor-mib 256 \
	> "$run/once.jsonl" 2> "$run/once.err"
rc=$?
sed 's/^/  | /' "$run/once.jsonl" "$run/once.err"
line=$(grep "\"vm\":\"$dom\"" "$run/once.jsonl" | tail -n 1)
num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$line"; }
done=$(num done) whole=$(num released_whole) before=$(num balloon_before_mib) after=$(num balloon_after_mib)
now=$(virsh -c "$uri" dominfo "$dom" | sed -n 's/^Used memory: *\([0-9]*\) KiB/\1/p')
if [ $rc = 0 ] && grep -q "libvirt domain $dom: agent at $lv/vm/vmc.sock" "$run/once.err"; then
	pass "libvirt-domain-found"
else
	fail "libvirt-domain-found: exit $rc: $(cat "$run/once.err")"
fi
if [ "${done:-0}" -gt 0 ] && [ "${whole:-0}" -gt 0 ] && grep -q '"error":null' <<<"$line" &&
   [ $((before - after)) -ge $((done * 2)) ] && [ "$((now / 1024))" = "$after" ]; then
	pass "libvirt-balloon ($done blocks held, balloon $before -> $after MiB through libvirt, $whole of the blocks holes on the host)"
else
	fail "libvirt-balloon: ${line:-no line}; libvirt says $now KiB now"
fi
vm_fragmented_intact lv libvirt-files-intact
vm_clean_log lv libvirt-clean-log "BUG:|WARNING:|Oops|Bad page"
