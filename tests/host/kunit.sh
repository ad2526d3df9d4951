# Run the KUnit suites of the series (slub_mobility, inode_vacate,
# xarray_mobility, slab_notify, slab_source, page_isolation: the only ones
# the guest config builds) in a guest (they run at boot, before /init) and
# report each case, then check that the kernel reported nothing.
# tests/long/kunit-debug.sh runs this on the DEBUG=1 kernel: KUNIT_KERNEL,
# and KUNIT_NAME for the result names.  The slab_notify cases switch a
# static key on and off: under TCG the vCPUs share one host thread
# (--tcg-thread single), as QEMU 7.2's multi-threaded TCG lets the other
# vCPU run a jump site mid-patch.  Seen: "int3: 0000 [#1]" in
# slab_free_freelist_hook(), once; and with stock code alone, a guest that
# flips scheduler features (debugfs sched/features) while three pipes
# ping-pong died of it in ttwu_queue_wakelist() within 2 minutes, three
# runs of three, and never in 4 minutes with one TCG thread
# (tests/host/static-keys.sh).
source "$(dirname "$0")/../lib.sh"

suites="slub_mobility inode_vacate xarray_mobility slab_notify slab_source page_isolation"
kname=${KUNIT_NAME:-kunit}
vm_start k --timeout 1800 ${KUNIT_KERNEL:+--kernel "$KUNIT_KERNEL"} \
	--tcg-thread single --append "kunit.enable=1"
if ! vm_wait_for k "vmcompact-init: up" 1500; then
	fail "$kname-boot: the guest did not reach /init"
	exit 1
fi
for suite in $suites; do
	if ! vm_console_has k "^ *# Subtest: $suite\$"; then
		fail "$kname-$suite-ran: no $suite suite in the boot log"
		continue
	fi
	# KTAP: "    ok 3 test_name" / "    not ok 3 test_name" / "... # SKIP why"
	vm_console k | sed -n "/# Subtest: $suite\$/,/^ok \|^not ok /p" |
		grep -E '^ +(not )?ok [0-9]+ ' | while read -r line; do
		name=$(sed -E 's/^ *(not )?ok [0-9]+ (- )?([^ #]+).*/\3/' <<<"$line")
		case "$line" in
		*"# SKIP"*) skip "$kname-$suite-$name: ${line#*# SKIP}" ;;
		"not ok"*) fail "$kname-$suite-$name" ;;
		*) pass "$kname-$suite-$name" ;;
		esac
	done
	if vm_console_has k "^(not ok|ok) [0-9]+ (- )?$suite"; then
		pass "$kname-$suite-completed"
	else
		fail "$kname-$suite-completed: the suite did not finish"
	fi
done
# test_setup_misuse and source_refused make the mobility and page source
# setups warn on purpose; any other report fails.
expected_re="^WARNING: .* at mm/(slub|slab_common)\.c:[0-9]+ "
expected_re+="(__kmem_cache_setup_mobility|do_kmem_cache_create"
expected_re+="|kmem_cache_set_page_source)\+"
reports=$(vm_console k | grep -aE "$DEBUG_REPORT_RE" | grep -vE "$expected_re")
if [ -z "$reports" ]; then
	pass "$kname-clean-log"
else
	fail "$kname-clean-log: the kernel complained"
	echo "$reports" | head -20
fi
