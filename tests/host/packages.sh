# The Debian packages (debian/, packaging/build-debs.sh), installed in a
# fresh Debian 12 root (mmdebstrap, from the archive) with their
# dependencies, and vmcompactd run there by systemd from its unit:
#  - the packages build, install, and hold what they should (programs,
#    units, udev rule, tmpfiles, config, man pages that render);
#  - the units pass systemd-analyze verify; the daemon's is enabled;
#  - systemd (booted in the root with systemd-nspawn) starts vmcompactd
#    (Type=notify, sandboxed) with the packaged config plus one TCG guest
#    of this machine, whose cycle empties blocks; vmcompactctl status on
#    the packaged control socket sees it; systemctl reload re-reads the
#    config; the journal has the daemon's lines.
# The guest's QEMU runs outside the container's pid namespace, so the
# host check of that cycle is the other tests' business.
source "$(dirname "$0")/../lib.sh"
source "$root/tests/host/lib/daemon.sh"
fs=$run/root
nspawn_pid=

# mmdebstrap mounts proc, sys, dev and the .deb files under the root while
# it works, and leaves them there if it is killed: unmount them, deepest
# first, before the root is removed, and never remove across a mount.
cleanup() {
	[ -n "$nspawn_pid" ] && kill -TERM "$nspawn_pid" 2> /dev/null && wait "$nspawn_pid"
	vm_cleanup
	findmnt -rn -o TARGET | grep -F "$fs/" | sort -r | xargs -r -n 1 umount -l
	rm -rf --one-file-system "$fs"
}
trap cleanup EXIT

if ! debs=$("$root/packaging/build-debs.sh" 2> "$run/debs.err"); then
	fail "packages-build: $(tail -n 5 "$run/debs.err")"
	exit 1
fi
host_deb=$(grep '/vmcompact-host_' <<<"$debs") guest_deb=$(grep '/vmcompact-guest_' <<<"$debs")
pass "packages-build ($(basename "$host_deb"), $(basename "$guest_deb"))"

vm_start g --payload fragmented --timeout 1500
# The hook lets the chroot's dpkg see the .deb files given by path.
if ! mmdebstrap --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount \
	--include="systemd-sysv,dbus,man-db,$host_deb,$guest_deb" \
	bookworm "$fs" > "$run/mmdebstrap.log" 2>&1; then
	fail "packages-install: $(tail -n 5 "$run/mmdebstrap.log")"
	exit 1
fi
in_root() { chroot "$fs" "$@"; }
missing=
for f in /usr/sbin/vmcompactd /usr/bin/vmcompactctl /lib/systemd/system/vmcompactd.service \
	 /etc/vmcompact/vmcompactd.conf /usr/lib/tmpfiles.d/vmcompact.conf \
	 /usr/sbin/vmcompact-agent /usr/sbin/vacatectl /lib/systemd/system/vmcompact-agent.service \
	 /lib/udev/rules.d/60-vmcompact-agent.rules \
	 /etc/systemd/system/multi-user.target.wants/vmcompactd.service; do
	# Symlinks (the enabled unit) point into the root: -L.
	[ -e "$fs$f" ] || [ -L "$fs$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && in_root vmcompactd --version | grep -qx "vmcompactd $(in_root dpkg-query -W -f '${Version}' vmcompact-host)"
result=$?
if [ $result = 0 ]; then pass "packages-install ($(in_root dpkg-query -W -f '${Package} ${Version}, ' vmcompact-host vmcompact-guest))"; else fail "packages-install: missing:$missing"; fi

bad=
for m in vmcompactd.8 vmcompactd.conf.5 vmcompactctl.8 vmcompact-agent.8 vacatectl.8; do
	page=${m%.*} sec=${m##*.}
	out=$(in_root env MANWIDTH=80 man --warnings "$sec" "$page" 2>&1 > /dev/null)
	in_root man "$sec" "$page" > /dev/null 2>&1 && [ -z "$out" ] || bad="$bad $m($out)"
done
if [ -z "$bad" ]; then pass "packages-man-pages"; else fail "packages-man-pages:$bad"; fi

out=$(in_root systemd-analyze verify /lib/systemd/system/vmcompactd.service \
	/lib/systemd/system/vmcompact-agent.service 2>&1 | grep -v 'Failed to \(open\|connect\)\|bus')
if [ -z "$out" ]; then pass "packages-units-verify"; else fail "packages-units-verify: $out"; fi

ready g packages-guest
cat >> "$fs/etc/vmcompact/vmcompactd.conf" <<CONF
vm g,agent=/srv/g/vmc.sock,qmp=/srv/g/qmp.sock
interval 3600
settle 5
CONF
# systemd-nspawn removes what it put under /run/systemd/nspawn, which it
# will only do on a tmpfs: give it one of its own.
unshare -m --propagation private sh -c '
	mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn &&
	exec systemd-nspawn --boot --register=no --keep-unit --console=passive \
		-D "$1" --machine=vmcompact-test --bind="$2:/srv/g"' sh "$fs" "$run/g" \
	> "$run/nspawn.log" 2>&1 &
nspawn_pid=$!
# The container's init: nspawn's child (systemd-nspawn(1): --keep-unit,
# no machined).
init=
for _ in $(seq 1 100); do
	init=$(pgrep -x systemd -P "$nspawn_pid")
	[ -n "$init" ] && break
	sleep 0.2
done
inside() { nsenter -t "$init" -m -u -i -p -- "$@"; }
state=
for _ in $(seq 1 240); do
	state=$(inside systemctl is-active vmcompactd 2> /dev/null)
	[ "$state" = active ] && inside journalctl -u vmcompactd -o cat 2> /dev/null | grep -q '"vm":"g"' && break
	sleep 0.5
done
journal=$(inside journalctl -u vmcompactd -o cat 2> /dev/null)
line=$(grep '"vm":"g"' <<<"$journal" | tail -n 1)
done=$(sed -n 's/.*"done":\([0-9]*\).*/\1/p' <<<"$line")
[ "$state" = active ] && [ "${done:-0}" -gt 0 ] && grep -q '"error":null' <<<"$line"
if [ $? = 0 ]; then
	pass "packages-unit-runs ($done blocks emptied by vmcompactd started by systemd)"
else
	fail "packages-unit-runs: $state; $(tail -n 5 <<<"$journal"); $(tail -n 5 "$run/nspawn.log")"
fi

out=$(inside vmcompactctl status --control /run/vmcompact/control.sock 2>&1)
if grep -qE '^g +idle +1 ' <<<"$out"; then pass "packages-control-socket"; else fail "packages-control-socket: $out"; fi

inside systemctl reload vmcompactd > "$run/reload.out" 2>&1
for _ in $(seq 1 40); do inside journalctl -u vmcompactd -o cat 2> /dev/null | grep -q 'reloaded' && break; sleep 0.25; done
out=$(inside journalctl -u vmcompactd -o cat 2> /dev/null | grep 'reloaded')
if [ -n "$out" ] && [ "$(inside systemctl is-active vmcompactd)" = active ]; then
	pass "packages-reload ($out)"
else
	fail "packages-reload: $(cat "$run/reload.out"); $(inside journalctl -u vmcompactd -o cat | tail -n 3)"
fi
vm_fragmented_intact g packages-files-intact
