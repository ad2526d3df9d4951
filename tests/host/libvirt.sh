# vmcompactd with real libvirt: a private libvirtd (scripts/libvirt-private)
# runs TCG domains of our guest with an org.vmcompact.0 channel and a
# virtio balloon.
#  - vmcompactd --libvirt --once finds the running domain, empties its
#    blocks and inflates its balloon through libvirt, and checks on the
#    host (the QEMU pid from the process with the domain's -uuid, its RAM
#    layout from the machine type) that they came back; nothing taints the
#    domain (no monitor command through libvirt);
#  - a daemon left running follows libvirt's events, with no poll: a
#    domain started later joins, a domain destroyed leaves, a change of a
#    domain's <metadata> policy applies (return=balloon given there, then
#    the domain turned off);
#  - libvirtd restarted under it: the daemon connects again and goes on
#    with the domain, whose cycle then works;
#  - the domain reset (virsh reset) in the middle of a cycle: libvirt's
#    REBOOT event ends the cycle, and once the guest is back the next
#    cycle works and the guest holds only the balloon's blocks;
#  - ASan/UBSan say nothing.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
lv=$run/libvirt dom=vmc-lv ns=http://vmcompact.org/xmlns/domain/1
mkdir -p "$lv/vm" "$lv/small"
trap '"$root/scripts/libvirt-private" stop "$lv"; kill_fakes; vm_cleanup' EXIT

if ! uri=$("$root/scripts/libvirt-private" start "$lv" 2> "$run/lv-start.err"); then
	fail "libvirt-daemon: $(cat "$run/lv-start.err")"
	exit 1
fi
# domain_xml NAME DIR MIB PAYLOAD [METADATA]: $on_reboot, if set, is
# what a reset does (default destroy).
domain_xml() {
	cat <<XML
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>$3</memory>
  <currentMemory unit='MiB'>$3</currentMemory>
  <memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>
  <vcpu>2</vcpu>
  <metadata>${5:-}</metadata>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$root/build/guest/bzImage</kernel>
    <initrd>$root/build/guest/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 vmc.payload=$4</cmdline>
  </os>
  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>${on_reboot:-destroy}</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <serial type='pty'>
      <log file='$2/console.log' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <channel type='unix'>
      <source mode='bind' path='$2/vmc.sock'/>
      <target type='virtio' name='org.vmcompact.0'/>
    </channel>
    <memballoon model='virtio' freePageReporting='on'/>
  </devices>
</domain>
XML
}
on_reboot=restart domain_xml $dom "$lv/vm" 1024 fragmented > "$lv/domain.xml"
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
if grep -q 'tainted: custom-monitor' "$lv/log/qemu/$dom.log"; then
	fail "libvirt-not-tainted: $(grep tainted "$lv/log/qemu/$dom.log")"
else
	pass "libvirt-not-tainted"
fi

# The daemon left running.  status_of NAME: the VM's status as JSON
# (empty if it has none), waiting up to 20 s for it to satisfy a python
# expression on v.
status_wait() {
	python3 - "$root/build/host/vmcompactctl" "$run/control.sock" "$1" "$2" <<'PY'
import json, subprocess, sys, time
ctl, sock, name, cond = sys.argv[1:]
for _ in range(80):
    out = subprocess.run([ctl, "status", "--control", sock, "--json"], capture_output=True, text=True).stdout
    vms = {v["name"]: v for v in json.loads(out)["vms"]} if out else {}
    v = vms.get(name)
    if eval(cond):
        sys.exit(0)
    time.sleep(0.25)
print(json.dumps(v))
sys.exit(1)
PY
}
"$daemon" --libvirt "$uri" --interval 3600 --settle 2 --control "$run/control.sock" \
	> "$run/on.jsonl" 2> "$run/on.err" &
dpid=$!
status_wait $dom 'v is not None' > /dev/null

# A domain started now, its policy in its <metadata>: it joins at once.
domain_xml vmc-small "$lv/small" 256 idle \
	"<vmc:policy xmlns:vmc='$ns'><return>balloon</return><floor-mib>200</floor-mib></vmc:policy>" \
	> "$lv/small.xml"
virsh -c "$uri" create "$lv/small.xml" > "$run/create-small.out" 2>&1
out=$(status_wait vmc-small 'v is not None and v["libvirt"]') &&
	grep -q "libvirt domain vmc-small: agent at $lv/small/vmc.sock" "$run/on.err"
if [ $? = 0 ]; then pass "libvirt-event-domain-joins"; else fail "libvirt-event-domain-joins: $out $(cat "$run/create-small.out")"; fi
# Its policy: balloon from the metadata (the daemon's default is free).
for _ in $(seq 1 240); do grep -q '"vm":"vmc-small"' "$run/on.jsonl" && break; sleep 0.5; done
grep '"vm":"vmc-small"' "$run/on.jsonl" | head -n 1 | grep -q '"return":"balloon"'
result=$?
if [ $result = 0 ]; then pass "libvirt-metadata-policy"; else fail "libvirt-metadata-policy: $(grep vmc-small "$run/on.jsonl" | head -n 1)"; fi
# Turned off through its metadata, live: the daemon hears of it.
virsh -c "$uri" metadata vmc-small --live --uri "$ns" --key vmc \
	--set "<policy><return>balloon</return><enabled>no</enabled></policy>" > "$run/meta.out" 2>&1
out=$(status_wait vmc-small 'v is not None and not v["enabled"]')
if [ $? = 0 ]; then pass "libvirt-event-metadata-change"; else fail "libvirt-event-metadata-change: $out $(cat "$run/meta.out")"; fi
# Destroyed: it leaves.
virsh -c "$uri" destroy vmc-small > /dev/null 2>&1
out=$(status_wait vmc-small 'v is None')
if [ $? = 0 ] && grep -q 'vmc-small: the libvirt domain is gone' "$run/on.err"; then
	pass "libvirt-event-domain-leaves"
else
	fail "libvirt-event-domain-leaves: $out"
fi

# libvirtd restarted under the daemon (QEMU lives on): it connects again.
kill -TERM "$(cat "$lv/libvirtd.pid")"
for _ in $(seq 1 100); do kill -0 "$(cat "$lv/libvirtd.pid")" 2> /dev/null || break; sleep 0.1; done
"$root/scripts/libvirt-private" start "$lv" > /dev/null 2>> "$run/lv-start.err"
for _ in $(seq 1 100); do grep -q 'libvirt: connected again' "$run/on.err" && break; sleep 0.2; done
out=$("$root/build/host/vmcompactctl" cycle --control "$run/control.sock" --vm $dom 2>&1)
n=$(grep -c "\"vm\":\"$dom\"" "$run/on.jsonl")
for _ in $(seq 1 240); do [ "$(grep -c "\"vm\":\"$dom\"" "$run/on.jsonl")" -gt "$n" ] && break; sleep 0.5; done
line=$(grep "\"vm\":\"$dom\"" "$run/on.jsonl" | tail -n 1)
grep -q 'libvirt: connected again' "$run/on.err" && grep -q '"error":null' <<<"$line" &&
	[ "$(grep -c "\"vm\":\"$dom\"" "$run/on.jsonl")" -gt "$n" ]
if [ $? = 0 ]; then pass "libvirt-reconnects"; else fail "libvirt-reconnects: $out; $line; $(tail -n 3 "$run/on.err")"; fi

kill -TERM $dpid
wait $dpid
vm_fragmented_intact lv libvirt-files-intact

# The domain reset while a daemon waits for its free blocks to be
# reported (a settle long enough for virsh to suspend and reset it).
"$daemon" --libvirt "$uri" --interval 3600 --settle 10 --control "$run/reset.sock" \
	> "$run/reset.jsonl" 2> "$run/reset.err" &
dpid=$!
readies() { vm_console lv | grep -ac 'vmcompact-fragmented: ready'; }
n=$(readies)
cycle=$(python3 "$root/tests/host/lib/reset-mid-cycle.py" "$run/reset.sock" $dom \
	settle virsh "$uri" 2> "$run/reset-mid-cycle.err")
for _ in $(seq 1 120); do grep -q "\"cycle\":$cycle," "$run/reset.jsonl" && break; sleep 0.5; done
line=$(grep "\"cycle\":${cycle:-0}," "$run/reset.jsonl")
for _ in $(seq 1 600); do [ "$(readies)" -gt "$n" ] && break; sleep 0.5; done
"$root/build/host/vmcompactctl" cycle --control "$run/reset.sock" --vm $dom > /dev/null 2>&1
for _ in $(seq 1 240); do grep -q "\"cycle\":$((cycle + 1))," "$run/reset.jsonl" && break; sleep 0.5; done
next=$(grep "\"cycle\":$((cycle + 1))," "$run/reset.jsonl")
held=$(held_blocks "$lv/vm/vmc.sock")
now=$(virsh -c "$uri" dominfo "$dom" | sed -n 's/^Used memory: *\([0-9]*\) KiB/\1/p')
kill -TERM $dpid
wait $dpid
rc=$?
grep -q '"error":"the guest reset during settle"' <<<"$line" && [ "$(readies)" -gt "$n" ] &&
	grep -q '"error":null' <<<"$next" && [ "$held" -le $(( (1024 - now / 1024) / 2 + 1 )) ] && [ $rc = 0 ]
if [ $? = 0 ]; then
	pass "libvirt-reset-mid-cycle (cycle $cycle ended at the reset; the next emptied $(sed 's/.*"done":\([0-9]*\).*/\1/' <<<"$next") blocks; then $held blocks held, balloon at $((now / 1024)) MiB)"
else
	fail "libvirt-reset-mid-cycle: $(tail -n 1 "$run/reset-mid-cycle.err"); the cycle at the reset: ${line:-none}; the next: ${next:-none}; $held blocks held, balloon at $((now / 1024)) MiB; exit $rc"
fi

vm_clean_log lv libvirt-clean-log "$KERNEL_REPORT_RE"
cat "$run/once.err" "$run/on.err" "$run/reset.err" > "$run/daemon.err"
sanitizer_clean "$run/daemon.err" libvirt-sanitizers
