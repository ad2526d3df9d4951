"""fragbench's workload sections (ext2, ext4, churn, and the Debian guest
in sec_debian.py): the workload once per kernel, both guests at once,
snapshotted right after it; every method then starts from a restore of
its kernel's snapshot, on each host backing; and virtio-mem, in a stock
guest of its own that ran the same workload."""
import concurrent.futures
import os

from hostram import HostRam, hugepages_release, hugepages_reserve
from util import MIB, log
from sizes import SIZES

# What each kernel's snapshot is restored for: the stock baselines, and
# vmcompact's ways of giving memory back.
PLAN = (("stock", "stock-seq"), ("stock", "balloon"),
        ("patched", "patched-seq"), ("patched", "balloon"), ("patched", "hold"))
BACKINGS = ("memfd", "hugetlb", "anon")


class Scenario:
    def sec_ext2(self):
        self.busybox_scenario("ext2", BACKINGS)

    def sec_ext4(self):
        self.busybox_scenario("ext4", ("memfd",))

    def sec_churn(self):
        self.busybox_scenario("churn", ("memfd",))

    def busybox_scenario(self, wl, backings):
        guests = {k: self.workload_guest("%s-%s" % (wl, k), k, wl) for k in ("stock", "patched")}
        half = SIZES["mem_mib"] // 2
        vm = self.workload_guest("%s-virtio-mem" % wl, "stock", wl, mem=half, vmem=half,
                                 append="memhp_default_state=online_movable vmc.wait_mem_mb=%d" %
                                 (SIZES["mem_mib"] * 7 // 8))
        self.plug(vm, half)
        self.scenario(wl, backings, guests, lambda k, g: {"workload_s": self.wait_workload(g)}, vm)

    def plug(self, g, mib):
        g.qmp("qom-set", {"path": "/machine/peripheral/vmem0", "property": "requested-size",
                          "value": mib * MIB})

    def plugged(self, g):
        """The bytes of memory G's virtio-mem device has plugged."""
        return g.qmp("qom-get", {"path": "/machine/peripheral/vmem0", "property": "size"})

    def scenario(self, wl, backings, guests, ready, vm=None):
        """GUESTS (kernel: guest) run WL; READY(kernel, guest) waits for
        the end of it and returns what to record of it.  Then the
        snapshots, virtio-mem in VM (a stock guest that ran WL with half
        its memory plugged by virtio-mem), and every method of PLAN on
        each of BACKINGS."""
        sec = self.result["sections"].setdefault(wl, {"snapshots": {}, "runs": []})

        def one(k, g):
            try:
                info = ready(k, g)
                info["snapshot_s"] = round(self.snapshot(g, "%s-%s" % (wl, k)), 1)
                sec["snapshots"][k] = info
            except Exception as e:
                self.failed("%s/%s" % (wl, k), e)
                g.stop()
        ex = concurrent.futures.ThreadPoolExecutor(2)
        try:
            list(ex.map(lambda kv: one(*kv), guests.items()))
        except BaseException:  # interrupted: the workers wait on guests
            for g in list(guests.values()) + ([vm] if vm else []):
                g.stop()
            raise
        finally:
            ex.shutdown()
        if vm:
            try:
                sec["virtio_mem"] = self.virtio_mem(vm, ready)
            except Exception as e:
                self.failed("%s/virtio-mem" % wl, e)
            finally:
                vm.stop()
        self.save()
        plan = [("%s-%s" % (wl, k), b, m) for b in backings for k, m in PLAN
                if "%s-%s" % (wl, k) in self.snaps]
        got = 0
        if "hugetlb" in backings:
            want = SIZES["mem_mib"] // 2 + 8
            got = hugepages_reserve(want)
            self.huge_reserved += got
            if got < want:
                self.error("%s/hugetlb" % wl, "the host gave %d of %d huge pages" % (got, want))
                plan = [p for p in plan if p[1] != "hugetlb"]
        try:
            for key, backing, method in plan:
                try:
                    log("%s: %s on %s: %s" % (wl, key, backing, method))
                    sec["runs"].append(self.measure_restored(key, backing, method))
                except Exception as e:
                    self.failed("%s/%s/%s" % (key, backing, method), e)
                self.save()
        finally:
            if got:
                hugepages_release(got)
                self.huge_reserved -= got
            # Only ext2's snapshots are used again (the migration section).
            if wl != "ext2":
                for k in guests:
                    snap = self.snaps.pop("%s-%s" % (wl, k), None)
                    if snap:
                        os.unlink(snap["file"])

    def measure_restored(self, key, backing, method):
        name = "%s-%s-%s" % (key, backing, method)
        g = self.restore(key, name, backing)
        ram = None
        try:
            ram = HostRam(g)
            st0 = g.state()
            h0 = ram.sample()
            res = {"kernel": g.kernel, "backing": backing, "method": method, "restore_s": g.restore_s,
                   "guest_start": st0, "host_start": {k: v for k, v in h0.items() if k != "per_block"}}
            if method in ("stock-seq", "patched-seq"):
                self.seq_of(g.kernel, g, ram, st0, res)
            elif method == "balloon":
                res["steps"] = self.seq_balloon(g, ram, st0, "balloon-4k" if g.kernel == "stock" else "balloon-huge")
            elif method == "hold":
                res["steps"] = self.seq_hold(g, ram, st0)
            return res
        finally:
            if ram:
                ram.close()
            g.stop()

    def virtio_mem(self, g, ready):
        """The virtio-mem guest after its workload: unplug 512 MiB."""
        info = ready("stock", g)
        half = SIZES["mem_mib"] // 2
        size = self.plugged(g)
        ram = HostRam(g, regions=[("memfd", half * MIB), ("anon", half * MIB)])
        try:
            st0 = g.state()

            def done():
                return self.plugged(g) == 0
            row = self.step(g, ram, "virtio-mem-unplug", lambda: self.plug(g, 0), st0,
                            settle={"quiet": 10, "done": done}, timeout=300)
            row["plugged_mib_before"] = size >> 20
            row["plugged_mib_after"] = self.plugged(g) >> 20
        finally:
            ram.close()
        info.update({"guest_start": st0, "steps": [row]})
        return info
