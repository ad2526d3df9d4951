"""Host-side pieces of make bench (bench/fragbench.py): guests, QMP, the
bench's command port, the guest's RAM as the host sees it.

Every guest is a scripts/vm-run in a process group of its own, killed
with that group when it is no longer needed (or when the bench ends).
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
KERNELS = {
    "patched": os.path.join(BUILD, "guest", "bzImage"),
    "stock": os.path.join(BUILD, "kernel-stock", "bzImage"),
}
INITRD = os.path.join(BUILD, "guest", "initramfs.cpio.gz")
BENCH_CPIO = {k: os.path.join(BUILD, "bench", "guest", k + ".cpio.gz") for k in KERNELS}
VMRUN = os.path.join(ROOT, "scripts", "vm-run")
QGA = os.path.join(ROOT, "scripts", "debian-guest", "qga.py")
MIB = 1 << 20
BLOCK = 2 << 20
PAGE = 4096
PORT_NAME = "org.vmcompact.bench"

T0 = time.monotonic()


def log(msg):
    print("[%7.1f] %s" % (time.monotonic() - T0, msg), flush=True)


class BenchError(Exception):
    pass


def run(cmd, timeout=600, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise BenchError("%s: exit %d: %s" % (" ".join(cmd), r.returncode, r.stdout[-2000:]))
    return r.stdout


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def vmstat(key):
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k == key:
                return int(v)
    return 0


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
        self.debian = debian
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
    def qmp(self, cmd, args=None, timeout=60):
        path = os.path.join(self.dir, "qmp.sock")
        deadline = time.monotonic() + timeout
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.settimeout(timeout)
                s.connect(path)
                break
            except OSError:
                s.close()
                if time.monotonic() > deadline or not self.alive():
                    raise BenchError("%s: no QMP socket:%s" % (self.name, self.tail()))
                time.sleep(0.2)
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
        path = os.path.join(self.dir, "bench.sock")
        deadline = time.monotonic() + secs
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                self.sock = s
                self.buf = b""
                return
            except OSError:
                s.close()
                if time.monotonic() > deadline or not self.alive():
                    raise BenchError("%s: no bench port:%s" % (self.name, self.tail()))
                time.sleep(0.2)

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


# ---- guest RAM on the host ------------------------------------------------

class HostRam:
    """The guest's RAM as the host holds it.

    memfd: the RAM file (SEEK_DATA/SEEK_HOLE per 2 MiB block, st_blocks);
    hugetlb: QEMU's mapping of it (pagemap present bits, one 2 MiB page
    each) and the process's HugetlbPages; anon: QEMU's anonymous mapping
    (pagemap, AnonHugePages in smaps).  Extra mappings (virtio-mem's
    memory) count too: (kind, size) pairs.
    """

    def __init__(self, guest, regions=None):
        self.g = guest
        self.pid = guest.pid()
        self.regions = regions or [(guest.backing, guest.mem * MIB)]
        self.maps = []
        deadline = time.monotonic() + 60
        while True:
            try:
                self._find()
                break
            except BenchError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def _find(self):
        self.maps = []
        with open("/proc/%d/maps" % self.pid) as f:
            lines = f.read().splitlines()
        used = set()
        for kind, size in self.regions:
            found = None
            for i, line in enumerate(lines):
                if i in used:
                    continue
                parts = line.split(None, 5)
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                path = parts[5] if len(parts) > 5 else ""
                if hi - lo != size:
                    continue
                if kind in ("memfd", "hugetlb") and path.startswith("/memfd:"):
                    found = i
                    break
                # (not TCG's code buffer, rwxp, which can be as large)
                if kind == "anon" and path == "" and parts[1] == "rw-p":
                    found = i
                    break
            if found is None:
                raise BenchError("%s: no %s mapping of %d MiB in QEMU %d" %
                                 (self.g.name, kind, size >> 20, self.pid))
            used.add(found)
            lo = int(lines[found].split("-")[0], 16)
            fd = None
            if kind == "memfd":
                fd = self._memfd(size)
            self.maps.append({"kind": kind, "start": lo, "size": size, "fd": fd})

    def _memfd(self, size):
        fd_dir = "/proc/%d/fd" % self.pid
        for name in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, name))
            except OSError:
                continue
            if not target.startswith("/memfd:") or "hugetlb" in target:
                continue
            fd = os.open(os.path.join(fd_dir, name), os.O_RDONLY)
            st = os.fstat(fd)
            if st.st_size == size:
                return fd
            os.close(fd)
        raise BenchError("%s: no memfd of %d MiB" % (self.g.name, size >> 20))

    def close(self):
        for m in self.maps:
            if m["fd"] is not None:
                os.close(m["fd"])
                m["fd"] = None

    @staticmethod
    def _seek_blocks(fd, size):
        pages = [0] * (size // BLOCK)
        off = 0
        while off < size:
            try:
                data = os.lseek(fd, off, os.SEEK_DATA)
            except OSError:
                break
            hole = min(os.lseek(fd, data, os.SEEK_HOLE), size)
            while data < hole:
                b = data // BLOCK
                end = min(hole, (b + 1) * BLOCK)
                pages[b] += (end - data) // PAGE
                data = end
            off = hole
        return pages

    _present = bytes(1 if b & 0x80 else 0 for b in range(256))

    def _pagemap_blocks(self, start, size):
        with open("/proc/%d/pagemap" % self.pid, "rb", buffering=0) as f:
            f.seek(start // PAGE * 8)
            data = b""
            want = size // PAGE * 8
            while len(data) < want:
                chunk = f.read(want - len(data))
                if not chunk:
                    break
                data += chunk
        bits = data[7::8].translate(self._present)
        per = BLOCK // PAGE
        return [sum(bits[i:i + per]) for i in range(0, len(bits), per)]

    def blocks(self):
        """Populated 4 KiB pages of each 2 MiB block, every region in turn."""
        out = []
        for m in self.maps:
            if m["kind"] == "memfd":
                out += self._seek_blocks(m["fd"], m["size"])
            else:
                out += self._pagemap_blocks(m["start"], m["size"])
        return out

    def status(self, key):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        return 0

    def anon_huge_kb(self):
        total = 0
        starts = {m["start"] for m in self.maps if m["kind"] == "anon"}
        if not starts:
            return 0
        with open("/proc/%d/smaps" % self.pid) as f:
            inside = False
            for line in f:
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    inside = int(line.split("-")[0], 16) in starts
                elif inside and line.startswith("AnonHugePages:"):
                    total += int(line.split()[1])
        return total

    def quick(self):
        """Populated bytes, cheap enough to sample often."""
        total = 0
        for m in self.maps:
            if m["kind"] == "memfd":
                total += os.fstat(m["fd"]).st_blocks * 512
            elif m["kind"] == "hugetlb":
                total += self.status("HugetlbPages") * 1024
            else:
                total += self.status("RssAnon") * 1024
        return total

    def sample(self):
        b = self.blocks()
        return {
            "populated_mib": round(sum(b) * PAGE / MIB, 1),
            "empty_blocks": sum(1 for x in b if x == 0),
            "full_blocks": sum(1 for x in b if x == BLOCK // PAGE),
            "blocks": len(b),
            "anon_huge_mib": self.anon_huge_kb() // 1024,
            "hugepages_free": meminfo("HugePages_Free"),
            "hugetlb_mib": self.status("HugetlbPages") // 1024,
            "thp_split_pmd": vmstat("thp_split_pmd"),
            "per_block": b,
        }


def returned(before, after):
    """What the host got back between two samples."""
    pb, pa = before["per_block"], after["per_block"]
    whole = sum(1 for x, y in zip(pb, pa) if x > 0 and y == 0)
    part_pages = sum(x - y for x, y in zip(pb, pa) if y > 0 and y < x)
    return {
        "returned_mib": round(before["populated_mib"] - after["populated_mib"], 1),
        "returned_whole_mib": whole * 2,
        "returned_partial_mib": round(part_pages * PAGE / MIB, 1),
        "whole_blocks": whole,
        "anon_huge_mib_before": before["anon_huge_mib"],
        "anon_huge_mib_after": after["anon_huge_mib"],
        "thp_split_pmd": after["thp_split_pmd"] - before["thp_split_pmd"],
        "hugepages_free_delta": after["hugepages_free"] - before["hugepages_free"],
        "hugetlb_mib_before": before["hugetlb_mib"],
        "hugetlb_mib_after": after["hugetlb_mib"],
        "populated_mib_before": before["populated_mib"],
        "populated_mib_after": after["populated_mib"],
    }


class Sampler(threading.Thread):
    """Samples HostRam.quick() every interval, from now on."""

    def __init__(self, ram, interval=0.25):
        super().__init__(daemon=True)
        self.ram, self.interval = ram, interval
        self.samples = []
        self.halt = threading.Event()
        self.t0 = time.monotonic()
        self.base = ram.quick()
        self.start()

    def run(self):
        while not self.halt.is_set():
            try:
                self.samples.append((time.monotonic() - self.t0, self.ram.quick()))
            except (OSError, ValueError):
                pass
            self.halt.wait(self.interval)

    def stop(self):
        self.halt.set()
        self.join()

    def time_to(self, mib):
        """Seconds until MIB came back, to within 1% (a balloon returns
        exactly its target, less any page the guest touched again)."""
        for t, v in self.samples:
            if self.base - v >= mib * MIB * 0.99:
                return round(t, 2)
        return None

    def curve(self, step=1.0):
        """(seconds, MiB returned), one point per step."""
        out, last = [], -step
        for t, v in self.samples:
            if t - last >= step:
                out.append((round(t, 2), round((self.base - v) / MIB, 1)))
                last = t
        if self.samples:
            t, v = self.samples[-1]
            out.append((round(t, 2), round((self.base - v) / MIB, 1)))
        return out

    def settle(self, quiet=6.0, least=4.0, timeout=300.0, done=None):
        """Wait until the populated size has not moved for QUIET seconds
        (and DONE(), if given, is true), at least LEAST seconds after the
        start; give up after TIMEOUT."""
        start = time.monotonic()
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            s = self.samples
            if now - start >= timeout:
                return False
            if now - start < least or not s:
                continue
            last = s[-1][1]
            stable_since = s[-1][0]
            for t, v in reversed(s):
                if abs(v - last) > MIB:
                    break
                stable_since = t
            if s[-1][0] - stable_since >= quiet and (done is None or done()):
                return True


def hugepages_reserve(n):
    """Ask the host for N more huge pages; returns how many it gave."""
    path = "/proc/sys/vm/nr_hugepages"
    with open(path) as f:
        had = int(f.read())
    free0 = meminfo("HugePages_Free")
    with open(path, "w") as f:
        f.write(str(had + n))
    got = meminfo("HugePages_Free") - free0
    return got


def hugepages_release(n):
    path = "/proc/sys/vm/nr_hugepages"
    with open(path) as f:
        had = int(f.read())
    with open(path, "w") as f:
        f.write(str(max(0, had - n)))


def percentile(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def which(cmd):
    return shutil.which(cmd) is not None
