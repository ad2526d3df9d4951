# Static keys switched under load (tests/guest/payloads/static-keys.sh),
# in a guest whose vCPUs share one TCG thread as tests/host/kunit.sh's do:
# the kernel must report nothing.  With --tcg-thread multi, QEMU 7.2 lets
# a vCPU run a jump site that another vCPU is patching ("int3" oops).
source "$(dirname "$0")/../lib.sh"
vm_start static-keys --payload static-keys --timeout 600 --tcg-thread single \
	--append "vmc.keys_secs=60"
vm_payload_check static-keys static-keys 400
