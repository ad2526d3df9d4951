#!/usr/bin/env python3
"""fragbench: vmcompact against every alternative, side by side, in one run
(issue 10).  Run by bench/run.sh (make bench); writes
build/bench/fragbench-TIMESTAMP.json, then bench/report.py makes
docs/results.md and its plots from it.

Every figure comes from guests booted in this run, under TCG:

  ext2   the ENVIRONMENT.md scenario on ext2, once per kernel (vmcompact,
         and Linux 6.1 without the series, same config), snapshotted
         (QEMU migration to a file, the guest stopped) right after the
         workload; every method then starts from a restore of that
         snapshot, on each host backing (4 KiB memfd, anonymous memory with
         THP, 2 MiB hugetlbfs):
           stock kernel: free page reporting alone, then + compact_memory,
                         then + drop_caches 2 and compaction; the 4 KiB
                         virtio-balloon inflated by 512 MiB
           vmcompact:    vmcompactd FREE of 256 blocks + free page
                         reporting, then vacate --cheapest all; the
                         huge-block balloon inflated by 512 MiB; vmcompactd
                         HOLD of 256 blocks + the balloon
         and virtio-mem: a guest of 512 MiB + 512 MiB of virtio-mem (stock
         kernel, online_movable), the same workload, unplugging 512 MiB
  migration  the same snapshots migrated live to a second QEMU: no help,
         free page reporting, free page reporting + free-page-hint (both
         kernels), after a vmcompact cycle (+ hint); the destination's
         console is checked for kernel reports
  ext4, churn  the ext4 scenario and page-cache churn as ext2 is, on the
         4 KiB memfd
  cost   the SLUB module (bench/kmod) and create/stat/unlink and tar on
         both kernels at once
  scale  CHEAPEST scan and a 64-block vacate in 1, 4 and 8 GiB guests
  debian the Debian 12 guest's workloads as ext2 is, on the 4 KiB memfd
         (if its image is built)
  codec  bench/codec

FRAGBENCH_SECTIONS (comma-separated) runs only some sections;
FRAGBENCH_QUICK=1 small sizes (sizes.py), to try the bench itself out.

Files: this one (the run: snapshots, restores, sections, the JSON),
sizes.py, methods.py (each method and the step that measures it), one
sec_*.py per section, guest.py (a guest: vm-run, QMP, its command port),
hostram.py (the guest's RAM as the host holds it), util.py.
"""
import datetime
import json
import os
import re
import shutil
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from guest import KERNELS, Guest, kill_all  # noqa: E402
from hostram import hugepages_release  # noqa: E402
from methods import Methods  # noqa: E402
from sec_cost import Cost  # noqa: E402
from sec_debian import Debian  # noqa: E402
from sec_migration import Migration  # noqa: E402
from sec_scale import Scale  # noqa: E402
from sec_scenario import Scenario  # noqa: E402
from sizes import SIZES  # noqa: E402
from util import BUILD, OUT, ROOT, BenchError, log, meminfo, run  # noqa: E402


class Bench(Methods, Scenario, Migration, Cost, Scale, Debian):
    """A run: its guests, snapshots and result; the sections are the
    mixins, one file each (sec_*.py), the methods they measure methods.py."""

    def __init__(self, sections):
        self.sections = sections
        stamp = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
        self.run_dir = os.path.join(BUILD, "run", "bench-" + stamp)
        os.makedirs(self.run_dir, exist_ok=True)
        self.disk_dir = os.path.join(self.run_dir, "disks")
        os.makedirs(self.disk_dir, exist_ok=True)
        self.result = {
            "started": stamp,
            "command": "make bench",
            "accel": "tcg",
            "host": {"cpus": os.cpu_count(), "kernel": os.uname().release,
                     "mem_gib": round(meminfo("MemTotal") / 1024 / 1024, 1),
                     "loadavg_start": os.getloadavg()},
            "git": run(["git", "-C", ROOT, "describe", "--always", "--dirty"], check=False).strip(),
            "sizes": SIZES,
            "sections": {},
            "errors": [],
            "section_seconds": {},
        }
        builds = os.path.join(OUT, "build-times.txt")
        if os.path.exists(builds):
            self.result["builds"] = {}
            for line in open(builds):
                f = line.split()
                if len(f) == 3:
                    self.result["builds"][f[0]] = {"s": round(float(f[1]), 1), "rc": int(f[2])}
        self.out = os.path.join(OUT, "fragbench-%s.json" % stamp)
        self.snaps = {}
        self.huge_reserved = 0
        self.accels = set()

    def error(self, where, msg):
        log("ERROR %s: %s" % (where, msg))
        self.result["errors"].append({"where": where, "error": str(msg)[:3000]})

    def failed(self, where, e, tail=1500):
        """A measurement lost to exception E (called in its except
        clause): the error and the end of its traceback."""
        self.error(where, "%s\n%s" % (e, traceback.format_exc()[-tail:]))

    def save(self):
        if self.accels:
            self.result["accel"] = ",".join(sorted(a for a in self.accels if a))
        tmp = self.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.result, f, indent=1)
        os.replace(tmp, self.out)

    # ---- disks ------------------------------------------------------------
    def ext2_disk(self, name, rounds, big, files):
        path = os.path.join(self.disk_dir, name + ".img")
        run([os.path.join(ROOT, "scripts", "scenario-disk"), path, str(rounds), str(big), str(files)])
        return path

    def ext4_disk(self, name, size="4G", inodes=500000):
        path = os.path.join(self.disk_dir, name + ".img")
        if os.path.exists(path):
            os.unlink(path)
        run(["truncate", "-s", size, path])
        run(["mkfs.ext4", "-q", "-F", "-N", str(inodes), path])
        return path

    def overlay(self, base, name, fmt="raw"):
        path = os.path.join(self.disk_dir, name + ".qcow2")
        if os.path.exists(path):
            os.unlink(path)
        run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", fmt, "-b", base, path])
        return path

    # ---- guests -----------------------------------------------------------
    def workload_guest(self, name, kernel, workload, mem=None, vmem=0, append=""):
        s = SIZES[workload] if workload in SIZES else {}
        if workload == "ext2":
            disk = self.ext2_disk(name, s["rounds"], s["big_mb"], s["files"])
            append += " vmc.rounds=%d vmc.big_mb=%d vmc.files=%d" % (s["rounds"], s["big_mb"], s["files"])
        elif workload == "ext4":
            disk = self.ext4_disk(name)
            append += " vmc.rounds=%d vmc.big_mb=%d vmc.files=%d" % (s["rounds"], s["big_mb"], s["files"])
        elif workload == "churn":
            disk = os.path.join(self.disk_dir, name + ".img")
            run(["truncate", "-s", "2G", disk])
            run(["mkfs.ext2", "-q", "-F", disk])
            append += " vmc.churn_mb=%d" % s["mb"]
        else:
            raise BenchError("workload " + workload)
        g = Guest(self.run_dir, name, kernel, mem=mem or SIZES["mem_mib"], vmem=vmem,
                  disks=[(disk, "raw")], append=("vmc.bench=%s " % workload) + append)
        g.disk = disk
        g.workload = workload
        return g

    def wait_workload(self, g, secs=3600):
        self.accels.add(g.accel())
        m = g.wait_console(r"^fragbench: workload \S+ exited (\d+), ([\d.]+) s", secs)
        if m.group(1) != "0":
            raise BenchError("%s: the workload failed:%s" % (g.name, g.tail(30)))
        g.wait_console("^vmcompact-fragbench: ready", 60)
        return float(m.group(2))

    def snapshot(self, g, key):
        """Stop G, save it to a file (a migration), and forget it."""
        path = os.path.join(self.disk_dir, key + ".snap")
        g.qmp("stop")
        secs = g.migrate_out("exec:cat > " + path)[1]
        g.stop()
        self.snaps[key] = {"file": path, "disk": g.disk, "kernel": g.kernel,
                           "debian": g.debian, "hint": g.hint, "mem": g.mem, "smp": g.smp}
        log("snapshot %s: %d MiB in %.1f s" % (key, os.path.getsize(path) >> 20, secs))
        return secs

    def restore(self, key, name, backing="memfd"):
        snap = self.snaps[key]
        disk = self.overlay(snap["disk"], name, "qcow2" if snap["disk"].endswith(".qcow2") else "raw")
        g = Guest(self.run_dir, name, snap["kernel"], backing=backing, debian=snap["debian"],
                  hint=snap["hint"], mem=snap["mem"], smp=snap["smp"], incoming="exec:cat " + snap["file"],
                  disks=[(disk, "qcow2")])
        g.disk = disk
        try:
            t0 = time.monotonic()
            g.wait_incoming()
            self.accels.add(g.accel())
            g.sh("true", timeout=120)
            g.restore_s = round(time.monotonic() - t0, 1)
        except BaseException:
            g.stop()
            raise
        return g

    def section(self, name, fn):
        if self.sections and name not in self.sections:
            return
        log("== %s" % name)
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # a whole section lost: say so, go on
            self.failed(name, e, 2000)
        finally:
            kill_all()
        self.result["section_seconds"][name] = round(time.monotonic() - t0, 1)
        log("== %s: %.0f s" % (name, time.monotonic() - t0))
        self.save()

    def sec_codec(self):
        out = run([os.path.join(OUT, "codec")], timeout=300)
        rows = []
        for line in out.splitlines():
            m = re.match(r"^(\S.*?)\s+(\d+) ns/message\s+(\d+) MB/s", line)
            if m:
                rows.append({"what": m.group(1), "ns_per_message": int(m.group(2)), "mb_s": int(m.group(3))})
        if not rows:
            raise BenchError("codec: no figures: " + out[-500:])
        self.result["sections"]["codec"] = rows


    def cleanup(self):
        kill_all()
        if self.huge_reserved:
            hugepages_release(self.huge_reserved)
            self.huge_reserved = 0
        for s in self.snaps.values():
            try:
                os.unlink(s["file"])
            except OSError:
                pass
        shutil.rmtree(self.disk_dir, ignore_errors=True)

    def main(self):
        try:
            self.section("codec", self.sec_codec)
            self.section("ext2", self.sec_ext2)
            self.section("migration", self.sec_migration)
            self.section("ext4", self.sec_ext4)
            self.section("churn", self.sec_churn)
            self.section("cost", self.sec_cost)
            self.section("scale", self.sec_scale)
            self.section("debian", self.sec_debian)
        finally:
            self.cleanup()
            self.result["host"]["loadavg_end"] = os.getloadavg()
            self.result["wall_s"] = round(time.monotonic() - self._t0, 1)
            self.save()
        return self.out


def main():
    for k, path in KERNELS.items():
        if not os.path.exists(path):
            sys.exit("fragbench: %s kernel %s missing (make all, make bench-stock-kernel)" % (k, path))
    sections = [s for s in os.environ.get("FRAGBENCH_SECTIONS", "").split(",") if s]
    b = Bench(sections)
    b._t0 = time.monotonic()
    for sig in (15, 1):
        import signal
        signal.signal(sig, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        out = b.main()
    except KeyboardInterrupt:
        b.error("bench", "interrupted")
        out = b.out
    print(out)
    errs = b.result["errors"]
    if errs:
        log("%d measurement(s) could not be taken:" % len(errs))
        for e in errs:
            log("  %s: %s" % (e["where"], e["error"].splitlines()[0] if e["error"] else ""))
        sys.exit(1)


if __name__ == "__main__":
    main()
