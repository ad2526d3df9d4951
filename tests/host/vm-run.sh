# The VM runner: it names the accelerator it chose, a cpio appended to the
# initramfs overrides /init, --timeout kills the guest, and no QEMU
# outlives the runner even when the runner is killed with SIGKILL.
source "$(dirname "$0")/../lib.sh"
gen=$root/build/initramfs/gen_init_cpio

# An extra cpio whose /init only prints a marker and powers off.
mkdir -p "$run/extra"
printf '#!/bin/sh\necho "vm-run-test: overridden init"\npoweroff -f\n' > "$run/extra/init"
echo "file /init $run/extra/init 0755 0 0" > "$run/extra/list"
"$gen" "$run/extra/list" | gzip > "$run/extra.cpio.gz"
out=$("$root/scripts/vm-run" --dir "$run/o" --timeout 300 \
	--initrd "$root/build/guest/initramfs.cpio.gz" --initrd "$run/extra.cpio.gz" 2>&1)
rc=$?
if grep -q "vm-run-test: overridden init" <<<"$out" && [ $rc = 0 ]; then
	pass "vm-run-appended-cpio-overrides-init"
else
	fail "vm-run-appended-cpio-overrides-init: rc=$rc $(tail -3 <<<"$out")"
fi
if grep -qE "^vm-run: accelerator (kvm|tcg)," <<<"$out"; then
	pass "vm-run-names-accelerator ($(grep -oE 'accelerator (kvm|tcg)' <<<"$out"))"
else
	fail "vm-run-names-accelerator: $(head -3 <<<"$out")"
fi

"$root/scripts/vm-run" --dir "$run/t" --timeout 3 > "$run/t.log" 2>&1
rc=$?
if [ $rc = 124 ] && grep -q "timed out after 3s" "$run/t.log"; then
	pass "vm-run-timeout-kills-guest"
else
	fail "vm-run-timeout-kills-guest: rc=$rc"
fi

# SIGKILL the runner of a booted guest: its QEMU must die too.
"$root/scripts/vm-run" --dir "$run/k" > "$run/k.log" 2>&1 &
runner=$!
vm_wait_for k "vmcompact-init: up" 300 >/dev/null
qemu=$(cat "$run/k/qemu.pid" 2>/dev/null)
kill -KILL "$runner"
for _ in $(seq 50); do
	kill -0 "$qemu" 2>/dev/null || break
	sleep 0.2
done
if [ -n "$qemu" ] && ! kill -0 "$qemu" 2>/dev/null; then
	pass "vm-run-qemu-dies-with-runner"
else
	fail "vm-run-qemu-dies-with-runner: qemu ${qemu:-?} still running"
	kill -KILL "$qemu" 2>/dev/null
fi

if "$root/scripts/vm-run" --mem 12 > "$run/bad.log" 2>&1; then
	fail "vm-run-rejects-bad-options: --mem 12 accepted"
else
	grep -q "want MiB" "$run/bad.log" && pass "vm-run-rejects-bad-options" ||
		fail "vm-run-rejects-bad-options: $(cat "$run/bad.log")"
fi
