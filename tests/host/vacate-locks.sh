# Lock scope of the range vacate (tests/guest/payloads/vacate-locks.sh):
# callbacks that create a cache or take a cpu offline must not deadlock.
# One guest per hook, both at once.
source "$(dirname "$0")/../lib.sh"
for hook in 1 2; do
	vm_start vacate-locks-hook$hook --payload vacate-locks --timeout 600 \
		--append "vmc.hook=$hook"
done
for hook in 1 2; do
	vm_payload_check vacate-locks-hook$hook vacate-locks 300
done
