# Shared helpers of tests/host/*.sh: boot a guest in the background, wait
# for console markers, report results.  Every guest started here is killed
# when the test script exits, whatever the reason.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$root/build/run"
run=$(mktemp -d "$root/build/run/test.XXXXXX")
vm_pids=()

pass() { echo "PASS $*"; }
fail() { echo "FAIL $*"; }
skip() { echo "SKIP $*"; }

vm_kill_all() {
	local p
	for p in "${vm_pids[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in "${vm_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	# Belt and braces: any QEMU still holding a pidfile of this run.
	for p in "$run"/*/qemu.pid; do
		[ -f "$p" ] && kill -KILL "$(cat "$p")" 2>/dev/null
	done
	vm_pids=()
}
# Disk images are gigabytes each (the scenario's fills 4 GiB): they go
# when the test ends; the consoles and logs stay in $run.
vm_cleanup() {
	vm_kill_all
	rm -f "$run"/*.img "$run"/*/*.img
}
trap vm_cleanup EXIT

# vm_start NAME [vm-run options]: boots a guest with run dir $run/NAME.
declare -A vm_pid_of
vm_start() {
	local name=$1; shift
	mkdir -p "$run/$name"
	"$root/scripts/vm-run" --dir "$run/$name" "$@" > "$run/$name/vm-run.log" 2>&1 &
	vm_pids+=($!)
	vm_pid_of[$name]=$!
}

# vm_console NAME: NAME's console so far without carriage returns, and
# only its complete lines: the serial port writes a line a few bytes at
# a time, and a line read before its end would lose its last words.
vm_console() {
	perl -ne 's/\r//g; print if /\n\z/' "$run/$1/console.log" 2>/dev/null
}

# vm_console_has NAME REGEX: a complete line of NAME's console matches.
vm_console_has() {
	[ "$(vm_console "$1" | grep -acE "$2")" -gt 0 ]
}

# vm_wait_for NAME REGEX SECONDS: wait until a complete console line
# matches REGEX; give up early if the guest has gone.
vm_wait_for() {
	local log=$run/$1/console.log deadline=$((SECONDS + $3)) pid=${vm_pid_of[$1]:-}
	while [ $SECONDS -lt $deadline ]; do
		vm_console_has "$1" "$2" && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			vm_console_has "$1" "$2" && return 0
			echo "the guest $1 stopped before '$2' showed on its console; last lines:"
			tail -n 15 "$log" 2>/dev/null | sed 's/^/  | /'
			return 1
		fi
		sleep 0.5
	done
	echo "timed out after $3 s waiting for '$2' on $1's console; last lines:"
	tail -n 15 "$log" 2>/dev/null | sed 's/^/  | /'
	return 1
}

# vm_qmp NAME JSON-COMMAND: send one QMP command (after capabilities).
vm_qmp() {
	python3 - "$run/$1/qmp.sock" "$2" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
f = s.makefile("rw")
json.loads(f.readline())
for cmd in ('{"execute":"qmp_capabilities"}', sys.argv[2]):
    f.write(cmd + "\n"); f.flush()
    while True:
        r = json.loads(f.readline())
        if "event" not in r:
            break
print(json.dumps(r))
PY
}

# vm_balloon NAME BYTES: set NAME's balloon target (guest memory left).
vm_balloon() {
	vm_qmp "$1" "{\"execute\":\"balloon\",\"arguments\":{\"value\":$2}}" > /dev/null
}

# vm_qom_set NAME PATH PROPERTY VALUE: set a QOM property of NAME's QEMU.
vm_qom_set() {
	vm_qmp "$1" "{\"execute\":\"qom-set\",\"arguments\":{\"path\":\"$2\",\"property\":\"$3\",\"value\":$4}}" > /dev/null
}

# vm_guest_results NAME PREFIX: relay the guest's PASS/FAIL lines.
vm_guest_results() {
	vm_console "$1" | grep -aE '^(PASS|FAIL|SKIP) ' |
		sed -E "s/^(PASS|FAIL|SKIP) /\1 $2/"
}

# What the console of a guest must not show, for vm_clean_log: crashes,
# warnings, and what SLUB, KASAN, UBSAN, the page allocator and the VFS
# found wrong.
KERNEL_REPORT_RE='BUG:|WARNING:|Oops|general protection|Kernel panic|Bad page'
KERNEL_REPORT_RE+='|VFS: Busy inodes|INFO: task .* blocked|usercopy:|stack-protector'
KERNEL_REPORT_RE+='|list_(add|del) corruption|UBSAN:|KASAN:|slab_err|Object corrupt'
KERNEL_REPORT_RE+='|Redzone|Poison overwritten|Padding overwritten|Freepointer corrupt'
KERNEL_REPORT_RE+='|Objects remaining'
# On the debug kernels, also what lockdep and RCU report.  Tests where
# the kernel has no reason to print a stack trace at all (not even for
# an allocation failure) add '|Call Trace'.
DEBUG_REPORT_RE="$KERNEL_REPORT_RE|possible circular|possible recursive"
DEBUG_REPORT_RE+='|inconsistent lock|INFO: '

# vm_clean_log NAME TEST REGEX: PASS TEST if NAME's console shows no kernel
# report matching REGEX, else FAIL it and show the reports.
vm_clean_log() {
	local log=$run/$1/console.log
	if grep -aqE "$3" "$log"; then
		fail "$2: the kernel complained"
		grep -aE -A8 "$3" "$log" | head -40
	else
		pass "$2"
	fi
}

# vm_files_intact NAME PREFIX TEST: the next file check a guest prints
# ("PREFIX: check N: ... ok|BAD", as tests/guest/payloads/fragmented.sh
# and big.sh do), made after this call, says its files are intact.
vm_files_intact() {
	local n line
	n=$(( $(vm_console "$1" | grep -ac "^$2: check") + 1 ))
	if ! vm_wait_for "$1" "^$2: check $n:" 60 > /dev/null; then
		fail "$3: the guest stopped checking its files"
		return
	fi
	line=$(vm_console "$1" | grep -a "^$2: check $n:")
	if grep -q ' ok$' <<<"$line"; then pass "$3 ($line)"; else fail "$3: $line"; fi
}

# vm_fragmented_intact NAME TEST: vm_files_intact for a guest running the
# fragmented payload.
vm_fragmented_intact() {
	vm_files_intact "$1" fragmented "$2"
}

# ext2_disk SIZE [INODES]: a new ext2 image, $run/disk.img, for --disk.
ext2_disk() {
	truncate -s "$1" "$run/disk.img"
	mkfs.ext2 -q -F ${2:+-N "$2"} "$run/disk.img"
}

# vm_payload_check NAME PAYLOAD SECONDS [PREFIX [REPORT_RE]]: wait up to
# SECONDS for guest NAME's "vmcompact-PAYLOAD: done", relay its
# "PAYLOAD: " lines and its results (each name after PREFIX), and check
# that the kernel reported nothing (REPORT_RE, default KERNEL_REPORT_RE):
# NAME-guest and NAME-clean-log.
vm_payload_check() {
	local name=$1 p=$2 secs=$3 prefix=${4:-} re=${5:-$KERNEL_REPORT_RE}
	if ! vm_wait_for "$name" "vmcompact-$p: done" "$secs"; then
		fail "$name-guest: the payload did not finish"
		return 1
	fi
	vm_console "$name" | grep -a "^$p: "
	vm_guest_results "$name" "$prefix"
	vm_clean_log "$name" "$name-clean-log" "$re"
}

# vm_payload_test PAYLOAD SECONDS [vm-run options]: boot a guest named
# PAYLOAD running that payload, and vm_payload_check it.
vm_payload_test() {
	local p=$1 secs=$2
	shift 2
	vm_start "$p" --payload "$p" --timeout $((secs + 300)) "$@"
	vm_payload_check "$p" "$p" "$secs"
}

# vm_clean_log_quoted NAME TEST REGEX: as vm_clean_log, but the console
# lines shown around a report are quoted ("  | "), so that the guest's own
# PASS/FAIL lines among them are not counted a second time.
vm_clean_log_quoted() {
	local log=$run/$1/console.log
	if grep -aqE "$3" "$log"; then
		fail "$2: the kernel complained: $(grep -aE "$3" "$log" | head -n 3 | tr -d '\r' | tr '\n' '|')"
		grep -aE -A8 "$3" "$log" | head -40 | tr -d '\r' | sed 's/^/  | /'
	else
		pass "$2"
	fi
}

# ---- The Debian 12 guest (issue 9; scripts/debian-guest/) ----------------
debian_img=$root/build/guest/debian.img
qga=$root/scripts/debian-guest/qga.py

# debian_image: make sure build/guest/debian.img is there and up to date
# (seconds when it is; `make debian-image` builds it in make test).
debian_image() {
	"$root/scripts/debian-guest/build-image.sh" > "$run/debian-image.log" 2>&1 || {
		echo "debian-image failed:"; tail -n 20 "$run/debian-image.log" | sed 's/^/  | /'
		return 1
	}
}

# debian_start NAME [vm-run options] [-- qemu args]: boot the Debian guest
# from a copy-on-write overlay of build/guest/debian.img (the image stays
# as built), root on /dev/vda, systemd as PID 1, qemu-guest-agent on
# $run/NAME/qga.sock.  Disks given after -- come after the root disk
# (/dev/vdb, ...).
debian_start() {
	local name=$1; shift
	# no_timer_check: under TCG on a loaded host the IO-APIC timer check
	# can fail and panic the boot ("IO-APIC + timer doesn't work!").
	local opts=() extra=() append="root=/dev/vda rw no_timer_check"
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		if [ "$1" = --append ]; then append+=" $2"; shift 2; continue; fi
		opts+=("$1"); shift
	done
	[ "${1:-}" = -- ] && { shift; extra=("$@"); }
	mkdir -p "$run/$name"
	qemu-img create -q -f qcow2 -F raw -b "$debian_img" "$run/$name/root.img" || return 1
	vm_start "$name" --initrd "$root/build/guest/empty.cpio" \
		--append "$append" "${opts[@]}" -- \
		-drive "file=$run/$name/root.img,format=qcow2,if=none,id=root,cache=unsafe" \
		-device virtio-blk-pci,drive=root \
		-chardev "socket,id=qga0,path=$run/$name/qga.sock,server=on,wait=off" \
		-device virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0 \
		"${extra[@]}"
}

# debian_wait NAME SECONDS: wait until the guest's qemu-guest-agent answers.
debian_wait() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		[ -S "$run/$1/qga.sock" ] &&
			python3 "$qga" "$run/$1/qga.sock" --ping --timeout 10 2>/dev/null && return 0
		if ! kill -0 "${vm_pid_of[$1]}" 2>/dev/null; then
			echo "the guest $1 stopped; last lines:"; tail -n 15 "$run/$1/console.log" | sed 's/^/  | /'
			return 1
		fi
		sleep 2
	done
	echo "the guest agent of $1 did not answer in $2 s; last lines:"
	tail -n 15 "$run/$1/console.log" | sed 's/^/  | /'
	return 1
}

# debian_sh NAME SECONDS COMMAND: run COMMAND (sh -c) in the guest, print
# its output, return its exit status (124: timed out).
debian_sh() {
	python3 "$qga" "$run/$1/qga.sock" --timeout "$2" --shell "$3" 2>&1
}

# ext4_scenario_disk FILE: the disk of the ENVIRONMENT.md scenario on ext4,
# a fresh sparse ext4 with room for 500,000 inodes.  4 GiB, not the 3 GiB
# of ENVIRONMENT.md: 16 rounds of a 100 MiB file and 25,000 one-block files
# are 3.2 GB of data, and 3 GiB ran out of space in round 15.
ext4_scenario_disk() {
	rm -f "$1"
	truncate -s 4G "$1"
	mkfs.ext4 -q -F -N 500000 "$1"
}

# workloads_cpio FILE: tests/guest/workloads as /workloads in a gzipped cpio
# archive, for vm-run --initrd after the initramfs (the busybox guests).
# Compressed: an uncompressed archive after a compressed one must start
# 4-byte aligned, which a gzip stream's length is not.
workloads_cpio() {
	(cd "$root/tests/guest" && find workloads | cpio -o -H newc -R 0:0 --quiet) | gzip -n > "$1"
}
