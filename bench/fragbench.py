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
         free page reporting, free page reporting + free-page-hint, after a
         vmcompact cycle (+ hint)
  workloads  ext4 scenario and page-cache churn, each kernel, the same
         steps in the guest that ran the workload
  cost   the SLUB module (bench/kmod) and create/stat/unlink and tar on
         both kernels at once
  scale  CHEAPEST scan and a 64-block vacate in 1, 4 and 8 GiB guests
  debian the Debian 12 guest's workloads on both kernels (if its image is
         built)
  codec  bench/codec

FRAGBENCH_SECTIONS (comma-separated) runs only some sections.
"""
import concurrent.futures
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import (BUILD, INITRD, KERNELS, MIB, QGA, ROOT, BenchError, Guest, HostRam,  # noqa: E402
                 Sampler, hugepages_release, hugepages_reserve, kill_all, log, meminfo,
                 percentile, returned, run)

OUT = os.path.join(BUILD, "bench")
HOST = os.path.join(BUILD, "host")

# Sizes: what fits make bench's hour on two cores under TCG (docs/results.md
# says why).  The ext2 scenario is ENVIRONMENT.md's at full size: 1 GiB,
# 20 rounds of a 120 MB file and 20,000 small files.
SIZES = {
    "mem_mib": 1024,
    "target_mib": 512,
    "ext2": {"rounds": 20, "big_mb": 120, "files": 20000},
    "ext4": {"rounds": 8, "big_mb": 100, "files": 25000},
    "churn": {"mb": 1400},
    "vmcompactd_blocks": 256,
    "meta_files": 100000,
    "slub_objects": 65536,
    "slub_rounds": 5,
    "scale_mib": [1024, 4096, 8192],
    "scale_vacate_blocks": 64,
    "debian_workloads": ["git", "findtar"],
}


# FRAGBENCH_QUICK=1: small sizes, to try the bench itself out.
if os.environ.get("FRAGBENCH_QUICK"):
    SIZES.update({"ext2": {"rounds": 4, "big_mb": 120, "files": 20000},
                  "ext4": {"rounds": 2, "big_mb": 100, "files": 25000},
                  "meta_files": 10000, "slub_objects": 16384, "scale_mib": [1024, 2048],
                  "debian_workloads": ["findtar"]})


class Bench:
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
        g.qmp("migrate-set-parameters", {"max-bandwidth": 64 << 30})
        t0 = time.monotonic()
        g.qmp("migrate", {"uri": "exec:cat > " + path})
        while True:
            st = g.qmp("query-migrate")
            if st.get("status") == "completed":
                break
            if st.get("status") in ("failed", "cancelled"):
                raise BenchError("%s: snapshot %s: %s" % (g.name, st.get("status"), st))
            time.sleep(0.3)
        secs = time.monotonic() - t0
        g.stop()
        self.snaps[key] = {"file": path, "disk": g.disk, "kernel": g.kernel}
        log("snapshot %s: %d MiB in %.1f s" % (key, os.path.getsize(path) >> 20, secs))
        return secs

    def restore(self, key, name, backing="memfd"):
        snap = self.snaps[key]
        disk = self.overlay(snap["disk"], name)
        g = Guest(self.run_dir, name, snap["kernel"], backing=backing,
                  incoming="exec:cat " + snap["file"], disks=[(disk, "qcow2")])
        g.disk = disk
        t0 = time.monotonic()
        g.wait_incoming()
        self.accels.add(g.accel())
        g.sh("true", timeout=120)
        g.restore_s = round(time.monotonic() - t0, 1)
        return g

    # ---- the methods ------------------------------------------------------
    def fpr_on(self, g):
        g.sh("echo 9 > /sys/module/page_reporting/parameters/page_reporting_order && vmc-bench thp-kick")

    def vmcompactd(self, g, blocks, ret="free", settle=10):
        spec = g.dir + (",return=balloon" if ret == "balloon" else "")
        args = [os.path.join(HOST, "vmcompactd"), "--vm-dir", spec, "--once",
                "--blocks", str(blocks), "--settle", str(settle), "--log-level", "debug",
                "--timeout", "60"]
        if ret == "balloon":
            args += ["--floor-mib", "256"]
        r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=1800)
        line = [l for l in r.stdout.splitlines() if l.startswith("{")]
        if r.returncode or not line:
            raise BenchError("vmcompactd on %s: exit %d: %s %s" % (g.name, r.returncode,
                                                                   r.stdout[-500:], r.stderr[-1500:]))
        cycle = json.loads(line[-1])
        # "host check: ..." is a note (no RAM file to look at: anonymous
        # memory); the cycle itself went through.
        if cycle.get("error") and not cycle["error"].startswith("host check:"):
            raise BenchError("vmcompactd on %s: %s" % (g.name, cycle["error"]))
        checked = [(int(m.group(2), 16), m.group(3)) for m in re.finditer(
            r"block pfn (0x[0-9a-f]+) at RAM file offset (0x[0-9a-f]+): (\w+)", r.stderr)]
        return {"vmcompactd": cycle, "vmcompactd_checked": checked}

    def balloon(self, g, target_mib):
        g.qmp("balloon", {"value": target_mib * MIB})

    def balloon_done(self, g, target_mib):
        def done():
            try:
                return g.qmp("query-balloon")["actual"] <= target_mib * MIB
            except BenchError:
                return False
        return done

    def vacate_all(self, g):
        out = g.out("vacatectl vacate --cheapest all --mode free --json", timeout=1800)
        rep = json.loads(out[out.index("{"):])
        times = [r["time_ns"] / 1e6 for r in rep.get("results", [])]
        done = [r["time_ns"] / 1e6 for r in rep.get("results", []) if r.get("ok") and r.get("flags", 0) & 4]
        t = rep.get("totals", {})
        return {"vacate": {
            "acted": t.get("acted"), "done": t.get("done"),
            "pages_migrated": t.get("pages_migrated"), "objects_moved": t.get("objects_moved"),
            "objects_freed": t.get("objects_freed"), "wall_ms": round(t.get("wall_ns", 0) / 1e6, 1),
            "block_ms_median": percentile(times, 50), "block_ms_p99": percentile(times, 99),
            "done_block_ms_median": percentile(done, 50), "done_block_ms_p99": percentile(done, 99),
            "block_ms": [round(x, 2) for x in times],
            "failed": sum(1 for r in rep.get("results", []) if not r.get("ok")),
        }}

    def step(self, g, ram, name, action, st0, settle=None, timeout=300):
        before = ram.sample()
        gb = g.state()
        samp = Sampler(ram)
        t0 = time.monotonic()
        info = action()
        info = info if isinstance(info, dict) else {}
        action_s = time.monotonic() - t0
        settled = samp.settle(timeout=timeout, **(settle or {}))
        samp.stop()
        after = ram.sample()
        ga = g.state()
        host = returned(before, after)
        row = {
            "step": name, "action_s": round(action_s, 2),
            "elapsed_s": round(time.monotonic() - t0, 2), "settled": settled,
            "time_to_target_s": samp.time_to(SIZES["target_mib"]),
            "curve": samp.curve(),
            "guest_before": gb, "guest_after": ga, "host": host,
            "objects_dropped": st0["reclaimable_objects"] - ga["reclaimable_objects"],
            "objects_dropped_pct": round(100.0 * (st0["reclaimable_objects"] - ga["reclaimable_objects"])
                                         / max(1, st0["reclaimable_objects"]), 2),
        }
        if "vmcompactd_checked" in info:
            # The check of vmcompactd's host check: each block it called a
            # hole (or populated), against our own look right after.
            per = after["per_block"]
            agree = disagree = 0
            for off, what in info.pop("vmcompactd_checked"):
                b = off // (2 * MIB)
                hole = b < len(per) and per[b] == 0
                if (what == "hole") == hole:
                    agree += 1
                else:
                    disagree += 1
            info["check_of_the_check"] = {"agree": agree, "disagree": disagree}
        row.update(info)
        log("  %s/%s: returned %.0f MiB (%d MiB whole), guest %d of %d blocks free, t512=%s, %.0f s" % (
            g.name, name, host["returned_mib"], host["returned_whole_mib"], ga["free_blocks"],
            ga["possible"], row["time_to_target_s"], row["elapsed_s"]))
        return row

    def seq_stock(self, g, ram, st0):
        rows = [self.step(g, ram, "fpr", lambda: self.fpr_on(g), st0)]
        rows.append(self.step(g, ram, "compaction", lambda: g.sh("echo 1 > /proc/sys/vm/compact_memory"), st0))
        rows.append(self.step(g, ram, "drop+compaction", lambda: g.sh(
            "echo 2 > /proc/sys/vm/drop_caches; echo 1 > /proc/sys/vm/compact_memory"), st0))
        return rows

    def seq_patched(self, g, ram, st0):
        def free():
            self.fpr_on(g)
            return self.vmcompactd(g, SIZES["vmcompactd_blocks"], "free")
        rows = [self.step(g, ram, "vmcompact-free", free, st0)]
        rows.append(self.step(g, ram, "vacate-all", lambda: self.vacate_all(g), st0))
        return rows

    def seq_balloon(self, g, ram, st0, label):
        target = SIZES["mem_mib"] - SIZES["target_mib"]
        return [self.step(g, ram, label, lambda: self.balloon(g, target), st0,
                          settle={"quiet": 4, "done": self.balloon_done(g, target)}, timeout=600)]

    def seq_hold(self, g, ram, st0):
        return [self.step(g, ram, "vmcompact-hold", lambda: self.vmcompactd(
            g, SIZES["vmcompactd_blocks"], "balloon"), st0, timeout=600)]

    def census(self, g):
        out = g.out("vacatectl census --json --top 10")
        return json.loads(out[out.index("{"):])

    def measure_restored(self, key, backing, method):
        name = "%s-%s-%s" % (key, backing, method)
        g = self.restore(key, name, backing)
        try:
            ram = HostRam(g)
            st0 = g.state()
            h0 = ram.sample()
            res = {"kernel": g.kernel, "backing": backing, "method": method, "restore_s": g.restore_s,
                   "guest_start": st0, "host_start": {k: v for k, v in h0.items() if k != "per_block"}}
            if method == "stock-seq":
                res["steps"] = self.seq_stock(g, ram, st0)
            elif method == "patched-seq":
                res["census"] = self.census(g)
                res["steps"] = self.seq_patched(g, ram, st0)
            elif method == "balloon":
                res["steps"] = self.seq_balloon(g, ram, st0, "balloon-4k" if g.kernel == "stock" else "balloon-huge")
            elif method == "hold":
                res["steps"] = self.seq_hold(g, ram, st0)
            ram.close()
            return res
        finally:
            g.stop()

    # ---- sections ---------------------------------------------------------
    def section(self, name, fn):
        if self.sections and name not in self.sections:
            return
        log("== %s" % name)
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # a whole section lost: say so, go on
            self.error(name, "%s\n%s" % (e, traceback.format_exc()[-2000:]))
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

    def sec_ext2(self):
        sec = self.result["sections"].setdefault("ext2", {"snapshots": {}, "runs": []})
        # The two snapshot guests and the virtio-mem guest run their
        # workload at the same time.
        guests = {k: self.workload_guest("ext2-" + k, k, "ext2") for k in ("stock", "patched")}
        vm = None
        if not self.sections or "virtio-mem" in self.sections or "ext2" in self.sections:
            half = SIZES["mem_mib"] // 2
            vm = self.workload_guest("ext2-virtio-mem", "stock", "ext2", mem=half, vmem=half,
                                     append="memhp_default_state=online_movable vmc.wait_mem_mb=%d" %
                                     (SIZES["mem_mib"] * 7 // 8))
            vm.qmp("qom-set", {"path": "/machine/peripheral/vmem0", "property": "requested-size",
                               "value": half * MIB})
        for k, g in guests.items():
            secs = self.wait_workload(g)
            sec["snapshots"][k] = {"workload_s": secs, "snapshot_s": round(self.snapshot(g, "ext2-" + k), 1)}
        if vm:
            try:
                sec["virtio_mem"] = self.virtio_mem(vm)
            except Exception as e:
                self.error("ext2/virtio-mem", e)
            finally:
                vm.stop()
        self.save()
        plan = []
        for backing in ("memfd", "hugetlb", "anon"):
            plan += [("ext2-stock", backing, "stock-seq"), ("ext2-stock", backing, "balloon"),
                     ("ext2-patched", backing, "patched-seq"), ("ext2-patched", backing, "balloon"),
                     ("ext2-patched", backing, "hold")]
        need_huge = any(b == "hugetlb" for _, b, _ in plan)
        if need_huge:
            want = SIZES["mem_mib"] // 2 + 8
            got = hugepages_reserve(want)
            self.huge_reserved += want
            if got < want:
                self.error("ext2/hugetlb", "the host gave %d of %d huge pages" % (got, want))
                plan = [p for p in plan if p[1] != "hugetlb"]
        for key, backing, method in plan:
            try:
                log("ext2: %s on %s: %s" % (key, backing, method))
                sec["runs"].append(self.measure_restored(key, backing, method))
            except Exception as e:
                self.error("ext2/%s/%s/%s" % (key, backing, method), "%s\n%s" % (e, traceback.format_exc()[-1500:]))
            self.save()

    def virtio_mem(self, g):
        """The virtio-mem guest after its workload: unplug 512 MiB."""
        secs = self.wait_workload(g)
        half = SIZES["mem_mib"] // 2
        size = g.qmp("qom-get", {"path": "/machine/peripheral/vmem0", "property": "size"})
        ram = HostRam(g, regions=[("memfd", half * MIB), ("anon", half * MIB)])
        st0 = g.state()

        def unplug():
            g.qmp("qom-set", {"path": "/machine/peripheral/vmem0", "property": "requested-size", "value": 0})

        def done():
            return g.qmp("qom-get", {"path": "/machine/peripheral/vmem0", "property": "size"}) == 0
        row = self.step(g, ram, "virtio-mem-unplug", unplug, st0,
                        settle={"quiet": 10, "done": done}, timeout=300)
        row["plugged_mib_before"] = size >> 20
        row["plugged_mib_after"] = g.qmp("qom-get", {"path": "/machine/peripheral/vmem0", "property": "size"}) >> 20
        ram.close()
        return {"workload_s": secs, "guest_start": st0, "steps": [row]}

    def sec_migration(self):
        sec = self.result["sections"].setdefault("migration", [])
        plan = [("ext2-stock", "none", False), ("ext2-stock", "fpr", False),
                ("ext2-stock", "fpr", True), ("ext2-patched", "vmcompact", False),
                ("ext2-patched", "vmcompact", True)]
        for key, how, hint in plan:
            if key not in self.snaps:
                self.error("migration", "no snapshot %s (the ext2 section failed)" % key)
                return
            try:
                sec.append(self.migrate(key, how, hint))
            except Exception as e:
                self.error("migration/%s/%s/hint=%s" % (key, how, hint), "%s\n%s" % (e, traceback.format_exc()[-1500:]))
            self.save()

    def migrate(self, key, how, hint):
        name = "mig-%s-%s%s" % (key, how, "-hint" if hint else "")
        log("migration: %s" % name)
        src = self.restore(key, name + "-src")
        dst = None
        try:
            ram = HostRam(src)
            st0 = src.state()
            h0 = ram.sample()
            if how == "fpr":
                self.fpr_on(src)
            elif how == "vmcompact":
                self.fpr_on(src)
                self.vmcompactd(src, 512, "free")
            if how != "none":
                samp = Sampler(ram)
                samp.settle()
                samp.stop()
            before = ram.sample()
            st1 = src.state()
            dst = Guest(self.run_dir, name + "-dst", src.kernel, incoming="defer",
                        disks=[(src.disk, "qcow2")])
            caps = [{"capability": "postcopy-ram", "state": True}] if not hint else []
            if caps:
                # postcopy-ram (never started) keeps QEMU from free page
                # hinting: the runs without the hint
                dst.qmp("migrate-set-capabilities", {"capabilities": caps})
                src.qmp("migrate-set-capabilities", {"capabilities": caps})
            sock = os.path.join(dst.dir, "mig.sock")
            dst.qmp("migrate-incoming", {"uri": "unix:" + sock})
            src.qmp("migrate-set-parameters", {"max-bandwidth": 64 << 30})
            t0 = time.monotonic()
            src.qmp("migrate", {"uri": "unix:" + sock})
            while True:
                st = src.qmp("query-migrate")
                if st.get("status") == "completed":
                    break
                if st.get("status") in ("failed", "cancelled"):
                    raise BenchError("%s: migration %s: %s" % (name, st.get("status"), st.get("error-desc")))
                if time.monotonic() - t0 > 900:
                    raise BenchError("%s: migration still %s after 900 s" % (name, st.get("status")))
                time.sleep(0.2)
            wall = time.monotonic() - t0
            after = ram.sample()
            dram = HostRam(dst)
            dafter = dram.sample()
            dst.wait_incoming(60)
            dst_ok = dst.sh("vmc-bench state /tmp/vmc-caches", timeout=120)[0] == 0
            ramst = st.get("ram", {})
            res = {
                "kernel": src.kernel, "how": how, "hint": hint,
                "guest_free_blocks": st1["free_blocks"], "guest_possible": st1["possible"],
                "guest_start_free_blocks": st0["free_blocks"],
                "transferred_mib": round(ramst.get("transferred", 0) / MIB, 1),
                "normal_mib": round(ramst.get("normal-bytes", 0) / MIB, 1),
                "duplicate_pages": ramst.get("duplicate"),
                "total_time_ms": st.get("total-time"), "downtime_ms": st.get("downtime"),
                "setup_time_ms": st.get("setup-time"), "wall_s": round(wall, 2),
                "src_populated_mib_start": h0["populated_mib"],
                "src_populated_mib_before": before["populated_mib"],
                "src_populated_mib_after": after["populated_mib"],
                "dst_populated_mib": dafter["populated_mib"],
                "dst_runs": dst_ok,
            }
            log("  %s: %.0f MiB transferred (%.0f normal), %s ms; source %.0f -> %.0f MiB; destination %.0f MiB" % (
                name, res["transferred_mib"], res["normal_mib"], res["total_time_ms"],
                res["src_populated_mib_before"], res["src_populated_mib_after"], res["dst_populated_mib"]))
            ram.close()
            dram.close()
            return res
        finally:
            src.stop()
            if dst:
                dst.stop()

    def sec_workloads(self):
        sec = self.result["sections"].setdefault("workloads", {})
        for wl in ("ext4", "churn"):
            guests = {k: self.workload_guest("%s-%s" % (wl, k), k, wl) for k in ("stock", "patched")}
            res = sec.setdefault(wl, {})

            def one(k, g):
                try:
                    secs = self.wait_workload(g)
                    ram = HostRam(g)
                    st0 = g.state()
                    h0 = ram.sample()
                    r = {"workload_s": secs, "guest_start": st0,
                         "host_start": {x: v for x, v in h0.items() if x != "per_block"}}
                    if k == "patched":
                        r["census"] = self.census(g)
                        r["steps"] = self.seq_patched(g, ram, st0)
                    else:
                        r["steps"] = self.seq_stock(g, ram, st0)
                    ram.close()
                    res[k] = r
                except Exception as e:
                    self.error("workloads/%s/%s" % (wl, k), "%s\n%s" % (e, traceback.format_exc()[-1500:]))
                finally:
                    g.stop()
            with concurrent.futures.ThreadPoolExecutor(2) as ex:
                list(ex.map(lambda kv: one(*kv), guests.items()))
            self.save()

    def usr_disk(self):
        """An ext4 image of a real /usr: the Debian guest's if it is built,
        else this host's /usr/include."""
        src = os.path.join(BUILD, "guest", "debian", "rootfs", "usr")
        what = "the Debian 12 guest's /usr"
        if not os.path.isdir(src):
            src, what = "/usr/include", "the host's /usr/include"
        path = os.path.join(self.disk_dir, "usr.img")
        size = int(run(["du", "-sm", src]).split()[0]) * 2 + 256
        run(["truncate", "-s", "%dM" % size, path])
        run(["mkfs.ext4", "-q", "-F", "-d", src, path], timeout=900)
        return path, what

    def sec_cost(self):
        usr, what = self.usr_disk()
        res = self.result["sections"].setdefault("cost", {"usr": what})
        guests = {}
        for k in ("stock", "patched"):
            meta = self.ext4_disk("meta-" + k, "2G", 250000)
            guests[k] = Guest(self.run_dir, "cost-" + k, k, hint=False,
                              disks=[(meta, "raw"), (self.overlay(usr, "usr-" + k), "qcow2")],
                              append="vmc.bench=none")
        barrier = threading.Barrier(2, timeout=3600)
        steps = ["slub", "meta", "tar"]

        def one(k, g):
            r = res.setdefault(k, {})
            failed = False
            try:
                self.wait_workload(g, 600)
            except Exception as e:
                self.error("cost/%s" % k, e)
                failed = True
            for s in steps:
                try:
                    barrier.wait()
                except threading.BrokenBarrierError:
                    pass
                if failed:
                    continue
                try:
                    if s == "slub":
                        g.sh("dmesg -c > /dev/null; insmod /lib/vmc-bench/vmc_bench_slub.ko objects=%d rounds=%d" %
                             (SIZES["slub_objects"], SIZES["slub_rounds"]), timeout=900)
                        out = g.out("dmesg | grep 'vmc_bench_slub: cache='; rmmod vmc_bench_slub")
                        for m in re.finditer(r"cache=(\w+) (.*)", out):
                            r["slub_" + m.group(1)] = {kv.split("=")[0]: int(kv.split("=")[1])
                                                        for kv in m.group(2).split() if "=" in kv}
                        if k == "patched":
                            c = "/sys/kernel/debug/slub_mobility_test"
                            o = g.out("echo 'bench %d %d' > %s/control && cat %s/status" %
                                      (SIZES["slub_objects"], SIZES["slub_rounds"], c, c), timeout=900)
                            # the bench's fields come first; the driver's
                            # other status fields (objects=...) after them
                            r["smt_bench"] = {}
                            for kv in o.split():
                                f = kv.split("=")
                                if len(f) == 2 and f[1].isdigit():
                                    r["smt_bench"].setdefault(f[0], int(f[1]))
                    elif s == "meta":
                        r["meta"] = g.json("mount -t ext4 /dev/vda /mnt && vmc-bench meta /mnt/m %d" %
                                           SIZES["meta_files"], timeout=1800)
                    elif s == "tar":
                        o = g.out("mkdir -p /usr-tree && mount -t ext4 -o ro /dev/vdb /usr-tree && sync && "
                                  "echo 3 > /proc/sys/vm/drop_caches && "
                                  "vmc-bench time sh -c 'tar -cf - -C /usr-tree . | md5sum' 2>&1", timeout=1800)
                        m = re.search(r"vmc-bench-time: (\d+) (\d+)", o)
                        if not m or m.group(2) != "0":
                            raise BenchError("tar: " + o[-500:])
                        r["tar_ns"] = int(m.group(1))
                        r["tar_md5"] = o.split("\n")[0].strip()
                except Exception as e:
                    self.error("cost/%s/%s" % (k, s), e)
            g.stop()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda kv: one(*kv), guests.items()))

    def sec_scale(self):
        res = self.result["sections"].setdefault("scale", [])
        ctl = os.path.join(HOST, "vmcompactctl")
        for mem in SIZES["scale_mib"]:
            name = "scale-%d" % mem
            g = Guest(self.run_dir, name, "patched", mem=mem, payload="big", hint=False,
                      initrds=[INITRD], timeout=1800)
            try:
                t0 = time.monotonic()
                g.wait_console("^vmcompact-big: ready", 1200)
                ready = time.monotonic() - t0
                sock = os.path.join(g.dir, "vmc.sock")
                probe = json.loads(run([ctl, "vacate", "--socket", sock, "--cheapest", "all",
                                        "--mode", "probe", "--json"], timeout=900))
                free = json.loads(run([ctl, "vacate", "--socket", sock, "--cheapest",
                                       str(SIZES["scale_vacate_blocks"]), "--mode", "free", "--json"],
                                      timeout=900))
                times = [x["time_ns"] / 1e6 for x in free.get("results", [])]
                pt, ft = probe["totals"], free["totals"]
                res.append({
                    "mem_mib": mem, "ready_s": round(ready, 1),
                    "scan_ms": round(pt["wall_ns"] / 1e6, 1), "scan_blocks": mem // 2,
                    "scan_candidates": pt.get("acted"), "scan_possible": pt.get("done"),
                    "vacate_ms": round(ft["wall_ns"] / 1e6, 1), "vacate_done": ft.get("done"),
                    "vacate_asked": SIZES["scale_vacate_blocks"],
                    "block_ms_median": percentile(times, 50), "block_ms_p99": percentile(times, 99),
                    "pages_migrated": ft.get("pages_migrated"),
                })
                log("  %d MiB: scan %.0f ms, vacate %s of %d in %.0f ms" % (
                    mem, res[-1]["scan_ms"], ft.get("done"), SIZES["scale_vacate_blocks"], res[-1]["vacate_ms"]))
            except Exception as e:
                self.error("scale/%d" % mem, e)
            finally:
                g.stop()
            self.save()

    def sec_debian(self):
        img = os.path.join(BUILD, "guest", "debian.img")
        if not os.path.exists(img):
            raise BenchError("no %s (make debian-image)" % img)
        res = self.result["sections"].setdefault("debian", {"workloads": SIZES["debian_workloads"]})
        guests = {}
        for k in ("stock", "patched"):
            root = self.overlay(img, "debian-" + k)
            guests[k] = Guest(self.run_dir, "debian-" + k, k, debian=True, hint=False,
                              disks=[(root, "qcow2")], append="no_timer_check")
        wl = "/usr/local/lib/vmcompact/workloads"

        def one(k, g):
            try:
                t0 = time.monotonic()
                deadline = t0 + 900
                while subprocess.run([sys.executable, QGA,
                                      os.path.join(g.dir, "qga.sock"), "--ping", "--timeout", "10"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
                    if time.monotonic() > deadline or not g.alive():
                        raise BenchError("debian-%s: no guest agent:%s" % (k, g.tail()))
                    time.sleep(3)
                r = res.setdefault(k, {"boot_s": round(time.monotonic() - t0, 1)})
                g.sh("echo 11 > /sys/module/page_reporting/parameters/page_reporting_order; "
                     "vmc-bench caches /run/vmc-caches")
                took = {}
                for w in SIZES["debian_workloads"]:
                    out = g.out("sh %s/%s.sh" % (wl, w), timeout=1800)
                    m = re.search(r"took ([\d.]+) s", out)
                    took[w] = float(m.group(1)) if m else None
                r["workload_s"] = took
                g.sh("sync; echo 1 > /proc/sys/vm/drop_caches")
                ram = HostRam(g)
                st0 = g.state()
                r["guest_start"] = st0
                if k == "patched":
                    r["census"] = self.census(g)
                    r["steps"] = self.seq_patched(g, ram, st0)
                else:
                    r["steps"] = self.seq_stock(g, ram, st0)
                ram.close()
            except Exception as e:
                self.error("debian/%s" % k, "%s\n%s" % (e, traceback.format_exc()[-1500:]))
            finally:
                g.stop()
        with concurrent.futures.ThreadPoolExecutor(2) as ex:
            list(ex.map(lambda kv: one(*kv), guests.items()))

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
            self.section("workloads", self.sec_workloads)
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
