"""The guest's RAM as the host holds it (bench/fragbench.py): populated
pages per 2 MiB block of a memfd, a hugetlb memfd or anonymous memory,
what came back between two looks, and the host's memory over time."""
import importlib.util
import os
import re
import threading
import time

from util import BLOCK, MIB, PAGE, ROOT, BenchError, meminfo, vmstat

# The tests' count of a memfd's populated pages per block (SEEK_DATA and
# SEEK_HOLE), so that the bench and the tests read host memory alike.
_spec = importlib.util.spec_from_file_location(
    "memfd_blocks", os.path.join(ROOT, "tests", "host", "lib", "memfd-blocks.py"))
memfd_blocks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(memfd_blocks)


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
                out += memfd_blocks.populated(m["fd"], m["size"])
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
