# Lock scope of the range vacate (tests/guest/payloads/vacate-locks.sh):
# callbacks that create a cache or take a cpu offline must not deadlock.
source "$(dirname "$0")/../lib.sh"
vm_payload_test vacate-locks 300
