"""A guest of make bench (bench/fragbench.py): scripts/vm-run in a process
group of its own, killed with that group when it is no longer needed (or
when the bench ends); its QMP socket, and the bench's command port
(vmc-bench serve) or, in the Debian guest, the QEMU guest agent."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

from util import BUILD, ROOT, BenchError

KERNELS = {
    "patched": os.path.join(BUILD, "guest", "bzImage"),
    "stock": os.path.join(BUILD, "kernel-stock", "bzImage"),
}
INITRD = os.path.join(BUILD, "guest", "initramfs.cpio.gz")
BENCH_CPIO = {k: os.path.join(BUILD, "bench", "guest", k + ".cpio.gz") for k in KERNELS}
VMRUN = os.path.join(ROOT, "scripts", "vm-run")
QGA = os.path.join(ROOT, "scripts", "debian-guest", "qga.py")
PORT_NAME = "org.vmcompact.bench"

ALL_GUESTS = []


def kill_all():
    for g in list(ALL_GUESTS):
        g.stop()


class Guest:
    """A guest started by scripts/vm-run.

    kernel: "patched" or "stock"; backing: "memfd" (4 KiB), "hugetlb",
    "anon" (anonymous memory, THP); disks: [(path, format)];
    debian: the Debian 12 image (qemu-guest-agent) instead of the busybox
    initramfs and its bench port.
    """

    def __init__(self, run_dir, name, kernel, mem=1024, backing="memfd", disks=(),
                 append="", payload="fragbench", incoming=None, hint=True,
                 vmem=0, timeout=5400, smp=2, debian=False, initrds=None):
        self.name, self.kernel, self.mem, self.backing = name, kernel, mem, backing
        self.debian, self.hint, self.smp = debian, hint, smp
        self.dir = os.path.join(run_dir, name)
        os.makedirs(self.dir, exist_ok=True)
        for f in ("qemu.pid", "bench.sock", "qga.sock"):
            try:
                os.unlink(os.path.join(self.dir, f))
            except FileNotFoundError:
                pass
        args = [VMRUN, "--dir", self.dir, "--mem", str(mem), "--smp", str(smp),
                "--kernel", KERNELS[kernel], "--timeout", str(timeout)]
        if debian:
            args += ["--initrd", os.path.join(BUILD, "guest", "empty.cpio"),
                     "--append", "root=/dev/vda rw " + append]
        else:
            for i in (initrds if initrds is not None else [INITRD, BENCH_CPIO[kernel]]):
                args += ["--initrd", i]
            args += ["--payload", payload, "--append", append]
        if backing == "hugetlb":
            args.append("--hugetlb")
        elif backing == "anon":
            args.append("--anon-ram")
        if hint:
            args.append("--free-page-hint")
        if vmem:
            args += ["--virtio-mem", str(vmem)]
        if incoming:
            args += ["--incoming", incoming]
        args.append("--")
        if debian:
            args += ["-chardev", "socket,id=qga0,path=%s/qga.sock,server=on,wait=off" % self.dir,
                     "-device", "virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0"]
        else:
            args += ["-chardev", "socket,id=bench0,path=%s/bench.sock,server=on,wait=off" % self.dir,
                     "-device", "virtserialport,bus=vser0.0,chardev=bench0,name=" + PORT_NAME]
        for i, (path, fmt) in enumerate(disks):
            args += ["-drive", "file=%s,format=%s,if=none,id=bdisk%d,cache=unsafe" % (path, fmt, i),
                     "-device", "virtio-blk-pci,drive=bdisk%d" % i]
        self.args = args
        self.log = open(os.path.join(self.dir, "vm-run.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.sock = None
        self.buf = b""
        self.seq = 0
        self.lock = threading.Lock()
        self._pid = None
        ALL_GUESTS.append(self)

    # -- lifetime ---------------------------------------------------------
    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self in ALL_GUESTS:
            ALL_GUESTS.remove(self)
        for f in os.listdir(self.dir):
            if f.endswith(".img") or f.endswith(".qcow2"):
                os.unlink(os.path.join(self.dir, f))

    def pid(self, wait=60):
        if self._pid:
            return self._pid
        deadline = time.monotonic() + wait
        path = os.path.join(self.dir, "qemu.pid")
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    self._pid = int(f.read().strip())
                    return self._pid
            except (FileNotFoundError, ValueError):
                pass
            if not self.alive():
                break
            time.sleep(0.2)
        raise BenchError("%s: no QEMU pid; %s" % (self.name, self.tail()))

    def accel(self):
        try:
            with open(os.path.join(self.dir, "vm-run.log")) as f:
                m = re.search(r"accelerator (\w+)", f.read())
                return m.group(1) if m else None
        except OSError:
            return None

    def console(self):
        try:
            with open(os.path.join(self.dir, "console.log"), "rb") as f:
                return f.read().decode("utf-8", "replace").replace("\r", "")
        except FileNotFoundError:
            return ""

    def tail(self, n=15):
        lines = self.console().splitlines()[-n:]
        try:
            with open(os.path.join(self.dir, "vm-run.log")) as f:
                lines += ["vm-run: " + l for l in f.read().splitlines()[-5:]]
        except OSError:
            pass
        return "\n  | ".join([""] + lines)

    def wait_console(self, regex, secs):
        deadline = time.monotonic() + secs
        r = re.compile(regex, re.M)
        while time.monotonic() < deadline:
            m = r.search(self.console())
            if m:
                return m
            if not self.alive():
                m = r.search(self.console())
                if m:
                    return m
                raise BenchError("%s stopped before '%s':%s" % (self.name, regex, self.tail()))
            time.sleep(0.5)
        raise BenchError("%s: no '%s' in %d s:%s" % (self.name, regex, secs, self.tail()))

    # -- QMP --------------------------------------------------------------
    def _unix(self, name, secs, what):
        """A connection to the socket NAME in the guest's directory, once
        QEMU has made it (within SECS, while QEMU runs)."""
        path = os.path.join(self.dir, name)
        deadline = time.monotonic() + secs
        while True:
            s = socket.socket(socket.AF_UNIX)
            s.settimeout(secs)
            try:
                s.connect(path)
                return s
            except OSError:
                s.close()
                if time.monotonic() > deadline or not self.alive():
                    raise BenchError("%s: no %s:%s" % (self.name, what, self.tail()))
                time.sleep(0.2)

    def qmp(self, cmd, args=None, timeout=60):
        s = self._unix("qmp.sock", timeout, "QMP socket")
        s.settimeout(timeout)
        try:
            f = s.makefile("rw")
            json.loads(f.readline())
            out = None
            for c in ({"execute": "qmp_capabilities"},
                      dict({"execute": cmd}, **({"arguments": args} if args is not None else {}))):
                f.write(json.dumps(c) + "\n")
                f.flush()
                while True:
                    line = f.readline()
                    if not line:
                        raise BenchError("%s: QMP closed on %s" % (self.name, cmd))
                    r = json.loads(line)
                    if "event" not in r:
                        break
                if "error" in r:
                    raise BenchError("%s: QMP %s: %s" % (self.name, cmd, r["error"]))
                out = r.get("return")
            return out
        finally:
            s.close()

    def hmp(self, line):
        return self.qmp("human-monitor-command", {"command-line": line})

    def migrate_out(self, uri, timeout=900):
        """Migrate to URI at full speed and wait for the end: the last
        query-migrate, and the seconds it took."""
        self.qmp("migrate-set-parameters", {"max-bandwidth": 64 << 30})
        t0 = time.monotonic()
        self.qmp("migrate", {"uri": uri})
        while True:
            st = self.qmp("query-migrate")
            if st.get("status") == "completed":
                return st, time.monotonic() - t0
            if st.get("status") in ("failed", "cancelled"):
                raise BenchError("%s: migration to %s %s: %s" % (self.name, uri, st.get("status"),
                                                                 st.get("error-desc")))
            if time.monotonic() - t0 > timeout:
                raise BenchError("%s: migration still %s after %d s" % (self.name, st.get("status"), timeout))
            time.sleep(0.2)

    def wait_incoming(self, secs=300):
        """An incoming migration (vm-run --incoming) is in: resume the guest."""
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            st = self.qmp("query-status")["status"]
            if st not in ("inmigrate", "prelaunch"):
                break
            time.sleep(0.3)
        else:
            raise BenchError("%s: still %s after %d s" % (self.name, st, secs))
        if st != "running":
            self.qmp("cont")
        return st

    # -- commands in the guest ----------------------------------------------
    def _connect(self, secs=300):
        self.sock = self._unix("bench.sock", secs, "bench port")
        self.buf = b""

    def sh(self, cmd, timeout=900, check=True):
        """Run COMMAND in the guest (sh -c); its output and exit status."""
        if self.debian:
            r = subprocess.run([sys.executable, QGA, os.path.join(self.dir, "qga.sock"),
                                "--timeout", str(timeout), "--shell", cmd],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               timeout=timeout + 120)
            rc, out = r.returncode, r.stdout
        else:
            with self.lock:
                if not self.sock:
                    self._connect()
                self.seq += 1
                ident = "%d-%d" % (os.getpid(), self.seq)
                self.sock.sendall(("%s %s\n" % (ident, cmd.replace("\n", " "))).encode())
                end = re.compile(rb"\n@@vmc-bench-end (\S+) (\d+)\n")
                deadline = time.monotonic() + timeout
                while True:
                    m = end.search(self.buf)
                    if m and m.group(1).decode() == ident:
                        out = self.buf[:m.start()].decode("utf-8", "replace")
                        rc = int(m.group(2))
                        self.buf = self.buf[m.end():]
                        break
                    if m:  # the end of an earlier command: drop it
                        self.buf = self.buf[m.end():]
                        continue
                    left = deadline - time.monotonic()
                    if left <= 0 or not self.alive():
                        raise BenchError("%s: '%s' did not finish in %d s:%s" %
                                         (self.name, cmd[:80], timeout, self.tail()))
                    self.sock.settimeout(min(left, 5))
                    try:
                        data = self.sock.recv(65536)
                    except socket.timeout:
                        continue
                    if not data:
                        raise BenchError("%s: bench port closed" % self.name)
                    self.buf += data
        if check and rc:
            raise BenchError("%s: '%s' exited %d: %s" % (self.name, cmd[:120], rc, out[-1500:]))
        return rc, out

    def out(self, cmd, timeout=900):
        return self.sh(cmd, timeout)[1]

    def json(self, cmd, timeout=900):
        out = self.out(cmd, timeout)
        for line in reversed(out.splitlines()):
            line = line.strip()
            if line.startswith("{"):
                return json.loads(line)
        raise BenchError("%s: no JSON from '%s': %s" % (self.name, cmd, out[-500:]))

    def state(self):
        caches = "/run/vmc-caches" if self.debian else "/tmp/vmc-caches"
        return self.json("vmc-bench state " + caches)
