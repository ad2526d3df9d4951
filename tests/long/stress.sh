# Stress slab mobility on the DEBUG=1 kernel (KASAN, lockdep, DEBUG_VM,
# slub_debug on every cache) for $STRESS_SECS seconds (default 300):
# alloc/free on every vCPU while vacating and shrinking.  Must end with
# no lost or corrupted object and not one KASAN, lockdep, slub_debug or
# other kernel report.
source "$(dirname "$0")/../lib.sh"
secs=${STRESS_SECS:-300}
kernel=$root/build/guest/bzImage-debug

vm_start s --kernel "$kernel" --payload stress --mem 2048 --timeout $((secs * 3 + 900)) \
	--append "vmc.stress_secs=$secs"
if ! vm_wait_for s "vmcompact-stress: done" $((secs * 3 + 600)); then
	fail "stress-finished: the stress run did not finish"
	exit 1
fi
log=$run/s/console.log
tr -d '\r' < "$log" | grep -a "^vmcompact-stress:" | sed 's/^/  /'
status=$(grep -a "^vmcompact-stress: stress rounds=" "$log" | tr -d '\r')
final=$(grep -a "^vmcompact-stress: final" "$log" | tr -d '\r')
rounds=$(sed -n 's/.*rounds=\([0-9]*\).*/\1/p' <<<"$status")
moved=$(sed -n 's/.* moved=\([0-9]*\).*/\1/p' <<<"$status")
if [ "${rounds:-0}" -gt 0 ] && [ "${moved:-0}" -gt 0 ]; then
	pass "stress-ran ($status)"
else
	fail "stress-ran: $status"
fi
if grep -q " corrupt=0 memcg=0" <<<"$final" && grep -q "objects=[1-9]" <<<"$final"; then
	pass "stress-objects-intact ($final)"
else
	fail "stress-objects-intact: $final"
fi
reports='BUG:|WARNING:|Oops|KASAN:|possible circular|possible recursive|inconsistent lock|INFO: |slab_err|Object corrupt|Redzone|Poison overwritten|Padding overwritten|Freepointer corrupt|Objects remaining'
if grep -aqE "$reports" "$log"; then
	fail "stress-no-kernel-reports:"
	grep -aE -B2 -A12 "$reports" "$log" | head -60
else
	pass "stress-no-kernel-reports"
fi
