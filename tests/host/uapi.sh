# The /dev/vacate uapi (include/uapi/linux/vacate.h):
#  - every structure has the same size and member offsets for i386 and
#    x86-64 user space (a 32-bit agent on a 64-bit guest kernel goes
#    through the same ioctls), and no implicit padding: a table of the
#    sizeof/offsetof of every structure and member, generated from the
#    header, is compiled to assembly with -m32 and -m64 (gcc-multilib),
#    and the two must agree.  Nothing 32-bit runs: some hosts cannot
#    execute i386 programs ("Exec format error");
#  - argsz (in the guest, guest-tools/vmc-argsz.c): bytes past the
#    structure the kernel knows are accepted if zero, else E2BIG; an argsz
#    below the first version is EINVAL (MAP, VACATE, CHEAPEST, CENSUS).
source "$(dirname "$0")/../lib.sh"

hdr=$root/include/uapi/linux/vacate.h
# One "struct NAME" line per structure and one "NAME MEMBER" line per
# member, in header order; comments (the preprocessor drops them, macros
# are left as they are) and array bounds dropped.
names=$(gcc -fpreprocessed -dD -E -P "$hdr" | awk '
/^struct [a-z_0-9]+ \{/ { s = $2; print "struct " s; next }
s != "" && /^\};/ { s = ""; next }
s != "" {
	line = $0
	if (line !~ /;/) next
	sub(/;.*/, "", line); sub(/\[.*/, "", line)
	n = split(line, w, /[ \t*]+/)
	print s " " w[n]
}')
# The table, one unsigned int per value in the order of $names: gcc -S
# writes each as a .long, read back without running anything.
{
	cat <<EOF
#include <stddef.h>
#include <linux/vacate.h>
/* struct NAME: size; then each member: offset and size. */
#define S(s) sizeof(struct s)
#define M(s, m) offsetof(struct s, m), sizeof(((struct s *)0)->m)
const unsigned int layout[] = {
EOF
	awk '$1 == "struct" { print "\tS(" $2 ")," ; next }
		{ print "\tM(" $1 ", " $2 ")," }' <<<"$names"
	echo "};"
} > "$run/layout.c"
nstructs=$(grep -c '^struct ' <<<"$names")
built=1
for bits in 32 64; do
	if ! gcc -m$bits -std=c11 -Wall -Werror -I"$root/include/uapi" -S \
		-o "$run/layout$bits.s" "$run/layout.c" > "$run/layout$bits.err" 2>&1; then
		fail "uapi-layout-32-64: gcc -m$bits: $(head -n 3 "$run/layout$bits.err" | tr '\n' ' ') (gcc-multilib: make deps)"
		built=0
		continue
	fi
	# "struct NAME size N" and "  NAME.MEMBER offset N size N": the
	# values come in the order of the names.
	if ! awk 'NR == FNR { if ($1 == ".long") v[++n] = $2; next }
		$1 == "struct" { printf "struct %s size %s\n", $2, v[++i]; next }
		{ printf "  %s.%s offset %s size %s\n", $1, $2, v[i + 1], v[i + 2]; i += 2 }
		END { if (i != n) { printf "%d values for %d names\n", n, i > "/dev/stderr"; exit 1 } }' \
		"$run/layout$bits.s" - <<<"$names" > "$run/layout$bits.txt" 2> "$run/layout$bits.err"; then
		fail "uapi-layout-32-64: gcc -m$bits: $(cat "$run/layout$bits.err")"
		built=0
	fi
done
if [ $built = 1 ]; then
	if [ "$nstructs" -ge 6 ] && cmp -s "$run/layout32.txt" "$run/layout64.txt"; then
		pass "uapi-layout-32-64 ($nstructs structures, $(grep -c '^  ' "$run/layout64.txt") members: the same on i386 and x86-64)"
	else
		# Per difference: "what: -m32 value vs -m64 value".
		diffs=$(paste -d'|' "$run/layout32.txt" "$run/layout64.txt" | awk -F'|' '$1 != $2 {
			split($1, a, " "); split($2, b, " ")
			if (a[1] == "struct") printf "sizeof(struct %s) %s vs %s; ", a[2], a[4], b[4]
			else printf "%s offset %s size %s vs offset %s size %s; ", a[1], a[3], a[5], b[3], b[5]
		}')
		[ -n "$diffs" ] || diffs="no structure found in $hdr"
		fail "uapi-layout-32-64: -m32 vs -m64 ($nstructs structures): ${diffs%; }"
	fi
	# No implicit padding, inside or at the end: on x86-64 the members
	# of each structure tile it, each starting where the last ended.
	pad=$(awk '
		/^struct / { if (s != "" && end != size) printf "%s: %d bytes of tail padding; ", s, size - end
			     s = $2; size = $4; end = 0; next }
		{ if ($3 != end) printf "%s at %d, after a hole of %d bytes; ", $1, $3, $3 - end
		  end = $3 + $5 }
		END { if (s != "" && end != size) printf "%s: %d bytes of tail padding; ", s, size - end }
	' "$run/layout64.txt")
	if [ -z "$pad" ]; then
		pass "uapi-no-implicit-padding ($nstructs structures)"
	else
		fail "uapi-no-implicit-padding: ${pad%; }"
	fi
fi

# argsz in a guest: one boot, the tool, a clean kernel log.
vm_start a --payload argsz --timeout 600
if vm_wait_for a "vmcompact-argsz: done" 400; then
	vm_console a | grep -a '^vmc-argsz: '
	vm_guest_results a "uapi-"
	vm_console_has a '^(PASS|FAIL) ' ||
		fail "uapi-argsz: vmc-argsz printed no result"
else
	vm_guest_results a "uapi-"
	fail "uapi-argsz: the guest did not finish vmc-argsz"
fi
vm_clean_log_quoted a uapi-clean-log "$KERNEL_REPORT_RE"
