# The KUnit suites of the series on each debug kernel (DEBUG=1: KASAN,
# lockdep, PROVE_RCU, DEBUG_VM; DEBUG=slub: the same with slub_debug on
# every cache): tests/host/kunit.sh with those kernels.
root=$(cd "$(dirname "$0")/../.." && pwd)
for k in debug debug-slub; do
	KUNIT_KERNEL=$root/build/guest/bzImage-$k KUNIT_NAME=kunit-$k \
		bash "$root/tests/host/kunit.sh"
done
