"""fragbench's migration section: the fragmented guest migrated live to a
second QEMU on this host, with and without help."""
import os

from guest import Guest
from hostram import HostRam, Sampler
from util import KERNEL_REPORT, MIB, BenchError, log


HINT_TRIES = 3


class Migration:
    def sec_migration(self):
        sec = self.result["sections"].setdefault("migration", [])
        # The hint on both kernels, with nothing else and after a cycle:
        # what it does to a guest is then the hint's, not a kernel's.
        plan = [("ext2-stock", "none", False), ("ext2-stock", "fpr", False),
                ("ext2-stock", "fpr", True), ("ext2-patched", "fpr", True),
                ("ext2-patched", "vmcompact", False), ("ext2-patched", "vmcompact", True)]
        for key, how, hint in plan:
            if key not in self.snaps:
                self.error("migration/%s" % key, "no snapshot %s (the ext2 section failed)" % key)
                continue
            try:
                sec.append(self.migrate(key, how, hint))
            except Exception as e:
                self.failed("migration/%s/%s/hint=%s" % (key, how, hint), e)
            self.save()
        # What the hint alone does to a guest, a few times on each kernel:
        # one try of each kind above cannot tell.
        checks = self.result["sections"].setdefault("migration_hint", [])
        for key in [k for k in ("ext2-stock", "ext2-patched") if k in self.snaps]:
            for i in range(HINT_TRIES):
                try:
                    checks.append(self.migrate(key, "none", True, "-try%d" % i))
                except Exception as e:
                    self.failed("migration/%s/hint-try%d" % (key, i), e)
                self.save()

    def migrate(self, key, how, hint, tag=""):
        name = "mig-%s-%s%s%s" % (key, how, "-hint" if hint else "", tag)
        log("migration: %s" % name)
        src = self.restore(key, name + "-src")
        dst = ram = None
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
            dst = Guest(self.run_dir, name + "-dst", src.kernel, incoming="defer", mem=src.mem, smp=src.smp,
                        hint=src.hint, debian=src.debian, disks=[(src.disk, "qcow2")])
            caps = [{"capability": "postcopy-ram", "state": True}] if not hint else []
            if caps:
                # postcopy-ram (never started) keeps QEMU from free page
                # hinting: the runs without the hint
                dst.qmp("migrate-set-capabilities", {"capabilities": caps})
                src.qmp("migrate-set-capabilities", {"capabilities": caps})
            sock = os.path.join(dst.dir, "mig.sock")
            dst.qmp("migrate-incoming", {"uri": "unix:" + sock})
            st, wall = src.migrate_out("unix:" + sock)
            after = ram.sample()
            # The destination runs the guest as soon as it is in: a guest
            # that died there, or reported a kernel problem, is a result,
            # not a failure of the bench.
            dafter, dst_error = {"populated_mib": None}, None
            try:
                dram = HostRam(dst)
                dafter = dram.sample()
                dram.close()
                dst.wait_incoming(60)
                dst.sh("vmc-bench state /tmp/vmc-caches; sync; echo 3 > /proc/sys/vm/drop_caches", timeout=120)
            except (BenchError, OSError) as e:
                dst_error = str(e).splitlines()[0][:300]
            # A guest that did not answer but whose QEMU still runs is not
            # called dead.
            dst_alive = dst.alive()
            report = [l.strip() for l in dst.console().splitlines() if KERNEL_REPORT.search(l)]
            if report or dst_error:
                log("  %s: on the destination: %s%s" % (
                    name, "%s: %s; " % ("no answer" if dst_alive else "died", dst_error) if dst_error else "",
                    report[0] if report else "no kernel report"))
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
                "dst_runs": dst_error is None, "dst_alive": dst_alive,
                "dst_error": report[0][:300] if report and dst_error else dst_error,
                "dst_report": report[0][:300] if report else None,
            }
            log("  %s: %.0f MiB transferred (%.0f normal), %s ms; source %.0f -> %.0f MiB; destination %s MiB" % (
                name, res["transferred_mib"], res["normal_mib"], res["total_time_ms"],
                res["src_populated_mib_before"], res["src_populated_mib_after"], res["dst_populated_mib"]))
            return res
        finally:
            if ram:
                ram.close()
            src.stop()
            if dst:
                dst.stop()
