"""The ways of giving guest memory back that fragbench compares, and the
step that measures one of them (what the guest and the host look like
before and after, and the host's memory over time)."""
import json
import os
import re
import subprocess
import time

from util import HOST
from hostram import Sampler, returned
from util import MIB, BenchError, log, percentile
from sizes import SIZES


class Methods:
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
        try:
            info = action()
            info = info if isinstance(info, dict) else {}
            action_s = time.monotonic() - t0
            settled = samp.settle(timeout=timeout, **(settle or {}))
        finally:
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

    def seq_of(self, kernel, g, ram, st0, r):
        """KERNEL's steps into R: the stock baselines, or the census and
        vmcompact's steps."""
        if kernel == "patched":
            r["census"] = self.census(g)
            r["steps"] = self.seq_patched(g, ram, st0)
        else:
            r["steps"] = self.seq_stock(g, ram, st0)

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
