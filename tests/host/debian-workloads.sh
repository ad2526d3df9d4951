# The Debian 12 guest (issue 9): ext4 root on virtio-blk, systemd as PID 1,
# journald, vmcompact-agent started by its udev rule, the distro-like
# kernel.  One boot (1 GiB, TCG) for every check:
#   debian-boots-running     systemctl is-system-running says running
#   debian-modules           systemd loaded modules from /lib/modules
#   debian-agent-service     the udev rule started vmcompact-agent.service
#   debian-agent-answers     the host's vmcompactctl map gets its map
#   debian-workload-NAME     the realistic workloads (tests/guest/workloads:
#                            packages, git, cbuild, journal, findtar), each
#                            followed by the census
#   debian-half-drops-at-most-10pct, debian-half-frees-75pct-of-those-asked,
#   debian-all-makes-95pct
#                            the figures of issue 9 after the workloads and
#                            drop_caches 1 (figures.sh; baselines measured
#                            in the same guest)
#   debian-host-vacate       the host empties blocks through the agent
#   debian-files-intact      checksums taken before the vacates verify after
#   debian-still-running     systemctl is-system-running after all that
#   debian-clean-log         no kernel report on the console
#   debian-poweroff          systemd powers the guest off
source "$(dirname "$0")/../lib.sh"
ctl=$root/build/host/vmcompactctl
wl=/usr/local/lib/vmcompact/workloads
workloads=${DEBIAN_WORKLOADS:-packages git cbuild journal findtar}

debian_image || { fail "debian-image: could not build build/guest/debian.img"; exit 1; }
t0=$SECONDS
# Free page reporting off, as in the scenario test: figures that do not
# depend on when the map is read.
debian_start d --mem 1024 --timeout 3600 --no-page-reporting
if ! debian_wait d 600; then
	fail "debian-boots-running: the guest agent never answered"
	exit 1
fi
result() { # name status detail
	if [ "$2" = 0 ]; then pass "$1 ($3)"; else fail "$1: $3"; fi
}

state=$(debian_sh d 300 'systemctl is-system-running --wait')
boot=$(debian_sh d 30 'systemd-analyze time | head -n 1')
[ "$state" = running ]
result debian-boots-running $? "state '$state' after $((SECONDS - t0)) s wall; $boot"
[ "$state" = running ] || debian_sh d 30 'systemctl --failed --no-legend; journalctl -b -p err --no-pager | tail -n 20'

mods=$(debian_sh d 30 'cut -d" " -f1 /proc/modules | sort | tr "\n" " "; echo "on $(uname -r)"')
grep -q autofs4 <<<"$mods"
result debian-modules $? "loaded: $mods"

agent=$(debian_sh d 60 'systemctl is-active vmcompact-agent.service; systemctl show -p TriggeredBy -p WantedBy -p BoundBy vmcompact-agent.service | tr "\n" " "')
grep -q '^active' <<<"$agent"
result debian-agent-service $? "$(tr '\n' ' ' <<<"$agent")"

"$ctl" map --socket "$run/d/vmc.sock" > "$run/map.out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'fully free blocks' "$run/map.out"
result debian-agent-answers $? "rc $rc: $(grep -E 'fully free|possible' "$run/map.out" | tr -s ' ' | tr '\n' ' ')"

# Checksums of files that stay, before anything moves: the system's
# programs and libraries, and the git repository.
debian_sh d 600 'find /usr/bin /usr/sbin /usr/lib/x86_64-linux-gnu /srv /etc -xdev -type f -print0 2>/dev/null |
	xargs -0 sha256sum > /var/tmp/sums-system; wc -l < /var/tmp/sums-system' > "$run/sums0.out"
echo "debian: checksums of $(cat "$run/sums0.out") system files taken"
debian_sh d 60 "sh $wl/figures.sh caches"

t1=$SECONDS
debian_sh d 3000 "sh $wl/run.sh $workloads" > "$run/workloads.out"
sed -n '/^\(PASS\|FAIL\) /!s/^/debian: /p' "$run/workloads.out"
sed -n 's/^\(PASS\|FAIL\) workload-/\1 debian-workload-/p' "$run/workloads.out"
echo "debian: the workloads took $((SECONDS - t1)) s wall"

# The files the workloads leave (the last git clone, the last build), then
# the page cache dropped as in the scenario.
debian_sh d 600 'cd /var/tmp/vmc-work && find . -type f -print0 | xargs -0 sha256sum > /var/tmp/sums-work;
	wc -l < /var/tmp/sums-work; sync; echo 1 > /proc/sys/vm/drop_caches' > "$run/sums1.out"
echo "debian: checksums of $(head -n 1 "$run/sums1.out") files the workloads left taken"

debian_sh d 1800 "sh $wl/figures.sh measure debian" > "$run/figures.out"
grep -v '^\(PASS\|FAIL\) ' "$run/figures.out"
grep '^\(PASS\|FAIL\) ' "$run/figures.out"

# The host asks the agent for blocks (the vacates above emptied most).
"$ctl" vacate --socket "$run/d/vmc.sock" --cheapest 16 --mode free --json > "$run/hv.out" 2> "$run/hv.err"
rc=$?
done_=$(sed -n 's/.*"done":\([0-9]*\).*/\1/p' "$run/hv.out" | tail -n 1)
[ $rc = 0 ] && [ -n "$done_" ]
result debian-host-vacate $? "rc $rc, $done_ blocks emptied through the agent $(head -c 200 "$run/hv.err")"

debian_sh d 900 'cd /var/tmp/vmc-work && sha256sum --quiet -c /var/tmp/sums-work > /var/tmp/bad-work 2>&1; a=$?
	sha256sum --quiet -c /var/tmp/sums-system > /var/tmp/bad-system 2>&1; b=$?
	git -C /var/tmp/vmc-work/git/clone* fsck --no-progress > /var/tmp/fsck 2>&1; c=$?
	echo "work $a system $b fsck $c"; head -n 5 /var/tmp/bad-work /var/tmp/bad-system /var/tmp/fsck' > "$run/verify.out"
grep -q '^work 0 system 0 fsck 0$' "$run/verify.out"
result debian-files-intact $? "$(head -n 1 "$run/sums0.out") system files, $(head -n 1 "$run/sums1.out") workload files: $(tr '\n' ' ' < "$run/verify.out")"

state=$(debian_sh d 120 'systemctl is-system-running')
[ "$state" = running ]
result debian-still-running $? "state '$state'"
[ "$state" = running ] || debian_sh d 30 'systemctl --failed --no-legend'

debian_sh d 30 'systemctl poweroff' > /dev/null
if vm_wait_for d "reboot: Power down" 180 > /dev/null; then
	pass "debian-poweroff"
else
	fail "debian-poweroff: no 'reboot: Power down' on the console"
fi
vm_clean_log d debian-clean-log "$KERNEL_REPORT_RE"
echo "debian: the test took $((SECONDS - t0)) s wall from boot"
