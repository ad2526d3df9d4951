# The console helpers of tests/lib.sh read only complete lines: the
# serial port writes a line a few bytes at a time, and a file check read
# before its end ("fragmented: check 6: " without "900 files ok") failed
# hostile-files-intact once.  A console log written as the port writes
# it: a line cut short, then its end.
source "$(dirname "$0")/../lib.sh"
mkdir -p "$run/c"
printf 'vmcompact-fragmented: ready\r\nfragmented: check 1: 900 files ok\r\nfragmented: check 2: 9' \
	> "$run/c/console.log"
if vm_console_has c '^fragmented: check 1:' && ! vm_console_has c '^fragmented: check 2:'; then
	pass "console-lines-cut-line-unseen"
else
	fail "console-lines-cut-line-unseen: $(vm_console c | tr '\n' '|')"
fi
line=$(vm_console c | grep -a '^fragmented: check 1:')
if [ "$line" = "fragmented: check 1: 900 files ok" ]; then
	pass "console-lines-no-carriage-return"
else
	fail "console-lines-no-carriage-return: '$line'"
fi
# The check the test waits for ends while it waits.
(sleep 2; printf '00 files ok\r\n' >> "$run/c/console.log") &
vm_files_intact c fragmented console-lines-waits-for-line-end
wait
