"""fragbench's ext2 section: the ENVIRONMENT.md scenario on each kernel,
snapshotted, every method from a restore of it on every host backing, and
the virtio-mem guest."""
import traceback

from hostram import HostRam, hugepages_reserve
from util import MIB, log
from sizes import SIZES


class Ext2:
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
