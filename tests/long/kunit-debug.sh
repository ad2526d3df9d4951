# The mobility KUnit suites on the DEBUG=1 kernel (KASAN, lockdep,
# DEBUG_VM, slub_debug on every cache): tests/host/kunit.sh with that kernel.
root=$(cd "$(dirname "$0")/../.." && pwd)
KUNIT_KERNEL=$root/build/guest/bzImage-debug KUNIT_NAME=kunit-debug \
	exec bash "$root/tests/host/kunit.sh"
