# Run the slub_mobility KUnit suite in a guest (it runs at boot, before
# /init) and report each case.
source "$(dirname "$0")/../lib.sh"

vm_start k --timeout 900 --append "kunit.enable=1 kunit.filter_glob=slub_mobility"
if ! vm_wait_for k "vmcompact-init: up" 600; then
	fail "kunit-boot: the guest did not reach /init"
	exit 1
fi
log=$run/k/console.log
if ! grep -aqE "^ *# Subtest: slub_mobility" "$log"; then
	fail "kunit-suite-ran: no slub_mobility suite in the boot log"
	exit 1
fi
# KTAP: "    ok 3 test_name" / "    not ok 3 test_name" / "... # SKIP why"
tr -d '\r' < "$log" | sed -n '/# Subtest: slub_mobility/,/^ok \|^not ok /p' |
	grep -E '^ +(not )?ok [0-9]+ ' | while read -r line; do
	name=$(sed -E 's/^ *(not )?ok [0-9]+ (- )?([^ #]+).*/\3/' <<<"$line")
	case "$line" in
	*"# SKIP"*) skip "kunit-slub_mobility-$name: ${line#*# SKIP}" ;;
	"not ok"*) fail "kunit-slub_mobility-$name" ;;
	*) pass "kunit-slub_mobility-$name" ;;
	esac
done
if grep -aqE "^(not ok|ok) [0-9]+ (- )?slub_mobility" "$log"; then
	pass "kunit-suite-completed"
else
	fail "kunit-suite-completed: the suite did not finish"
fi
