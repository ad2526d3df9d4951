#!/usr/bin/env python3
"""report.py RESULTS.json [OUT.md]: docs/results.md and its plots
(docs/results/*.png) from one run of bench/fragbench.py (make bench)."""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

CMD = "make bench"
TCG = "guests under TCG (QEMU 7.2, no KVM), 2 host cores"

BACKINGS = [("memfd", "4 KiB memfd"), ("anon", "anonymous, THP"), ("hugetlb", "2 MiB hugetlbfs")]
METHODS = [  # (kernel, method, step): label
    (("stock", "stock-seq", "fpr"), "free page reporting alone"),
    (("stock", "stock-seq", "compaction"), "+ compact_memory"),
    (("stock", "stock-seq", "drop+compaction"), "+ drop_caches 2, compaction"),
    (("stock", "balloon", "balloon-4k"), "4 KiB virtio-balloon, 512 MiB"),
    (("patched", "patched-seq", "vmcompact-free"), "vmcompact FREE (vmcompactd, 256 blocks) + reporting"),
    (("patched", "patched-seq", "vacate-all"), "+ vacate --cheapest all"),
    (("patched", "balloon", "balloon-huge"), "huge-block balloon, 512 MiB"),
    (("patched", "hold", "vmcompact-hold"), "vmcompact HOLD (vmcompactd, 256 blocks) + balloon"),
]
SHORT = {"fpr": "reporting (stock)", "compaction": "+ compaction", "drop+compaction": "+ drop, compaction",
         "balloon-4k": "4 KiB balloon (stock)", "vmcompact-free": "vmcompact FREE",
         "vacate-all": "+ cheapest all", "balloon-huge": "huge-block balloon",
         "vmcompact-hold": "vmcompact HOLD"}


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "-"


def num(v, fmt="%.0f"):
    return fmt % v if isinstance(v, (int, float)) else "-"


def reached(st):
    """Time to 512 MiB, or why there is none."""
    t = st.get("time_to_target_s")
    return "%.1f" % t if isinstance(t, (int, float)) else "not reached"


KERNEL_NAME = {"stock": "stock", "patched": "vmcompact"}


def dst_health(m):
    """How the migrated guest fared on the destination."""
    if not m.get("dst_runs", True):
        what = "did not answer" if m.get("dst_alive") else "died"
        return "**%s**: %s" % (what, m.get("dst_error") or "")
    if m.get("dst_report"):
        return "runs, **kernel report**: " + m["dst_report"]
    return "runs"


def ratio(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b:
        return "%.2f" % (a / b)
    return "-"


class Report:
    def __init__(self, res, out_md):
        self.r = res
        self.md = []
        self.out_md = out_md
        self.img_dir = os.path.join(os.path.dirname(out_md), "results")
        os.makedirs(self.img_dir, exist_ok=True)
        self.s = res.get("sections", {})

    def w(self, *lines):
        self.md.extend(lines)

    def table(self, head, rows):
        self.w("| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|")
        for r in rows:
            self.w("| " + " | ".join(str(x) for x in r) + " |")
        self.w("", "_Made by `%s`; %s._" % (CMD, TCG), "")

    def plot(self, name, title):
        path = os.path.join(self.img_dir, name)
        plt.title(title, fontsize=9)
        plt.figtext(0.01, 0.005, "%s; %s; run %s" % (CMD, TCG, self.r.get("started")), fontsize=6)
        plt.tight_layout(rect=(0, 0.03, 1, 1))
        plt.savefig(path, dpi=110)
        plt.close()
        self.w("![%s](results/%s)" % (title, name), "")

    # -- the scenario runs (ext2, ext4, churn, debian) ------------------------
    def step(self, kernel, method, step, backing="memfd", wl="ext2"):
        for run in self.s.get(wl, {}).get("runs", []):
            if run["kernel"] == kernel and run["method"] == method and run["backing"] == backing:
                for st in run.get("steps", []):
                    if st["step"] == step:
                        return st, run
        return None, None

    def start_state(self, kernel, backing="memfd", wl="ext2"):
        for run in self.s.get(wl, {}).get("runs", []):
            if run["kernel"] == kernel and run["backing"] == backing:
                return run["guest_start"]
        return None

    def method_rows(self, wl, host):
        """Each kernel's state after WL, then each method's on the 4 KiB
        memfd, then virtio-mem's: the guest's free blocks, the objects
        dropped, and with HOST what the host got back."""
        def dropped(st):
            return "%d (%.1f%%)" % (st["objects_dropped"], st["objects_dropped_pct"])

        def returned(st):
            h = st["host"]
            return [num(h["returned_mib"]), num(h["returned_whole_mib"])] if host else []
        rows = []
        for k in ("stock", "patched"):
            st = self.start_state(k, wl=wl)
            if st:
                rows.append(["after the workload, %s kernel" % KERNEL_NAME[k], st["free_blocks"], st["possible"],
                             pct(st["free_blocks"], st["possible"]), "0 of %d" % st["reclaimable_objects"]]
                            + (["-", "-"] if host else []) + ["-"])
        for (k, m, s), label in METHODS:
            st, run = self.step(k, m, s, wl=wl)
            if not st:
                continue
            ga = st["guest_after"]
            rows.append(["%s (%s)" % (label, KERNEL_NAME[k]), ga["free_blocks"], ga["possible"],
                         pct(ga["free_blocks"], ga["possible"]), dropped(st)] + returned(st)
                        + ["%.1f" % st["action_s"]])
        vm = self.s.get(wl, {}).get("virtio_mem")
        if vm and vm.get("steps"):
            st = vm["steps"][0]
            ga = st["guest_after"]
            rows.append(["virtio-mem guest (512 + 512 MiB movable, stock), after unplugging", ga["free_blocks"],
                         ga["possible"], pct(ga["free_blocks"], ga["possible"]), dropped(st)] + returned(st)
                        + ["%.1f" % st["action_s"]])
        return rows

    def header(self):
        r = self.r
        b = r.get("builds", {})
        total_build = sum(v["s"] for v in b.values())
        self.w("# make bench: vmcompact against every alternative (fragbench)", "",
               "Made by `%s` (bench/run.sh: bench/fragbench.py measures, bench/report.py "
               "writes this page and its plots from `build/bench/fragbench-%s.json`), "
               "run %s, tree `%s`.  **Every guest ran under TCG** (QEMU 7.2, "
               "`-accel tcg`, no KVM) on a %d-core host with %s GiB of RAM (host kernel %s), "
               "so wall-clock figures are this machine's and only their ratios within "
               "the run mean anything; each is measured in this run, against baselines "
               "measured in this run too.  Load average at the start %s, at the end %s "
               "(other work shared the two cores)." % (
                   CMD, r.get("started"), r.get("started"), r.get("git"), r["host"]["cpus"],
                   r["host"]["mem_gib"], r["host"]["kernel"],
                   "/".join("%.1f" % x for x in r["host"].get("loadavg_start", [])),
                   "/".join("%.1f" % x for x in r["host"].get("loadavg_end", []))), "")
        total = r.get("wall_s", 0) + total_build
        self.w("Wall time: the measurements %.0f s (%.1f min)%s; together %s an hour (the limit "
               "for make bench from a clean clone, builds included)." % (
            r.get("wall_s", 0), r.get("wall_s", 0) / 60,
            "; before them the builds %.0f s (%s)" % (total_build, ", ".join(
                "%s %.0f s" % (k, v["s"]) for k, v in b.items())) if b else "",
            "within" if total <= 3600 else "**over**"), "")
        if b and b.get("stock-kernel", {}).get("s", 0) < 60:
            self.w("The kernels and the Debian root file system were already built when this run "
                   "started (their builds took seconds): from a clean clone, `make bench` builds both "
                   "kernels and that file system first, which this figure does not include.", "")
        self.w("Per section: " + ", ".join("%s %.0f s" % (k, v) for k, v in r.get("section_seconds", {}).items()) + ".", "")
        z = r.get("sizes", {})
        self.w("Sizes (what fits the hour on two cores under TCG): guests of %d MiB; the ext2 scenario "
               "at ENVIRONMENT.md's full size (%d rounds of a %d MB file and %d small files, `drop_caches` 1); "
               "the ext4 scenario at %d rounds of %d MB and %d files (half the test's 16: TCG); "
               "page-cache churn with a %d MiB file; %d MiB to return; vmcompactd cycles of %d blocks; "
               "%d files for the metadata benchmark; SLUB: %d objects, %d rounds; guests of %s MiB for the scale." % (
                   z.get("mem_mib", 0), z["ext2"]["rounds"], z["ext2"]["big_mb"], z["ext2"]["files"],
                   z["ext4"]["rounds"], z["ext4"]["big_mb"], z["ext4"]["files"], z["churn"]["mb"],
                   z["target_mib"], z["vmcompactd_blocks"], z["meta_files"], z["slub_objects"],
                   z["slub_rounds"], ", ".join(map(str, z["scale_mib"]))), "")
        self.w("Kernels: **vmcompact** is `build/guest/bzImage` (the series); **stock** is Linux 6.1 "
               "from the same `linux-source-6.1` with no patch and the same config "
               "(`make bench-stock-kernel`, `build/kernel-stock/bzImage`).", "")
        self.w("Cut to fit the hour: the ext4 scenario runs half the rounds of its test; the Debian "
               "guest runs %s of its workloads; the other workloads (ext4, churn, Debian) are measured "
               "with every method on a 4 KiB memfd only, not on the other backings, which the ext2 "
               "scenario covers; live migration is measured on a 4 KiB memfd only; the scale section "
               "vacates %d blocks, not all it could.  Each figure is one measurement (no repeats), so a "
               "ratio near 1 says nothing either way." % (" and ".join(z.get("debian_workloads", [])),
                                                         z.get("scale_vacate_blocks", 0)), "")
        hurt = [m for m in self.s.get("migration", []) if dst_health(m) != "runs"]
        if hurt:
            self.w("**Migrated guests hurt on the destination** (section 5): " + "; ".join(
                "%s kernel, %s%s: %s" % (KERNEL_NAME[m["kernel"]], m["how"], ", hint" if m["hint"] else "",
                                         dst_health(m)) for m in hurt), "")
        if r.get("errors"):
            self.w("**Measurements that could not be taken** (make bench exited non-zero):", "")
            for e in r["errors"]:
                lines = e["error"].splitlines() or [""]
                panic = [l.strip(" |") for l in lines if "Kernel panic" in l][:1]
                self.w("- `%s`: %s" % (e["where"], "; ".join([lines[0][:300].rstrip("; ")] + panic)))
            self.w("")

    def guest_blocks(self):
        ext2 = self.s.get("ext2", {})
        if not ext2.get("runs"):
            return
        self.w("## 1. Free 2 MiB blocks in the guest, and the slab cache it loses (ext2 scenario)", "",
               "The same workload in a 1 GiB guest of each kernel, snapshotted right after it; "
               "each method starts from a restore of its kernel's snapshot (4 KiB memfd backing; "
               "the guest's side does not depend on the backing).  *Free blocks*: whole free 2 MiB "
               "blocks in the buddy lists (`/proc/buddyinfo`, the same count on both kernels); "
               "*possible*: what the free memory could fill (free pages / 512); *objects dropped*: "
               "objects in use in the caches that account as reclaimable (dentries, inodes...) "
               "that the method threw away, of those after the workload.", "")
        rows = self.method_rows("ext2", False)
        self.table(["state / method", "free blocks", "possible", "share", "objects dropped", "action (s)"], rows)
        self.w("The steps marked + continue from the state of the step above them, in the same guest.  "
               "The balloon rows count the guest's free blocks with 512 MiB in the balloon.  *Action*: "
               "the seconds the host's request took (the balloon's QMP command, vmcompactd's cycle with "
               "its settle wait, the unplug request); section 2 has how long the memory took to come back.", "")
        # Plot: share of possible
        labels, vals, colors = [], [], []
        for row in rows:
            labels.append(row[0].split(" (vmcompactd")[0].split(", after")[0][:60])
            vals.append(100.0 * row[1] / row[2] if row[2] else 0)
            colors.append("tab:green" if "vmcompact" in row[0] else "tab:gray")
        plt.figure(figsize=(9, 0.35 * len(rows) + 1.2))
        plt.barh(range(len(vals)), vals, color=colors)
        plt.yticks(range(len(vals)), labels, fontsize=7)
        plt.gca().invert_yaxis()
        plt.xlabel("free 2 MiB blocks, % of those the free memory could fill")
        plt.xlim(0, 100)
        self.plot("guest-blocks.png", "ext2 scenario, 1 GiB guest: free 2 MiB blocks after each method")

    def host_return(self):
        ext2 = self.s.get("ext2", {})
        if not ext2.get("runs"):
            return
        self.w("## 2. Host memory returned, by host backing (ext2 scenario)", "",
               "Host memory the guest's RAM stopped using, from a restore of the snapshot (all of its "
               "RAM populated on the host, as in a VM that has run a while), seen by the host: the RAM "
               "file (4 KiB memfd: SEEK_DATA/SEEK_HOLE), QEMU's mapping of it (hugetlbfs) or of its "
               "anonymous memory (`/proc/PID/pagemap`).  *Whole*: of it, what came back as whole 2 MiB "
               "ranges of guest RAM (a whole host huge page; on hugetlbfs nothing else can come back).  "
               "*Time to 512 MiB*: from the method's start until the host had 512 MiB back, and as a ratio "
               "to the stock 4 KiB balloon's on the same backing (none where that balloon returns nothing).  "
               "Steps marked + are cumulative.  vmcompactd empties only blocks that are not free "
               "already (the cheapest first): FREE leaves the free ones to free page reporting, "
               "which it turns on; HOLD inflates the balloon by the blocks it emptied, so it returns "
               "those alone.", "")
        for backing, blabel in BACKINGS:
            base_st, _ = self.step("stock", "balloon", "balloon-4k", backing)
            base_t = base_st["time_to_target_s"] if base_st else None
            base_on = ""
            if base_t is None:  # hugetlbfs: that balloon returns nothing
                base_st, _ = self.step("stock", "balloon", "balloon-4k", "memfd")
                base_t = base_st["time_to_target_s"] if base_st else None
                base_on = " (its time on a 4 KiB memfd: here it returns nothing)"
            rows = []
            for (k, m, s), label in METHODS:
                st, run = self.step(k, m, s, backing)
                if not st:
                    continue
                h = st["host"]
                extra = ""
                if backing == "anon":
                    extra = "%d -> %d MiB, %d splits" % (h["anon_huge_mib_before"], h["anon_huge_mib_after"],
                                                          h["thp_split_pmd"])
                elif backing == "hugetlb":
                    extra = "%+d; QEMU's HugetlbPages %d -> %d MiB" % (
                        h["hugepages_free_delta"], h.get("hugetlb_mib_before", 0), h.get("hugetlb_mib_after", 0))
                rows.append([label + (" (stock)" if k == "stock" else " (vmcompact)"),
                             num(h["returned_mib"]), num(h["returned_whole_mib"]),
                             reached(st), ratio(st["time_to_target_s"], base_t),
                             "%d (%.1f%%)" % (st["objects_dropped"], st["objects_dropped_pct"])]
                            + ([extra] if backing != "memfd" else []))
            if backing == "memfd":
                vm = ext2.get("virtio_mem")
                if vm and vm.get("steps"):
                    st = vm["steps"][0]
                    h = st["host"]
                    rows.append(["virtio-mem unplug of 512 MiB (stock; its own guest: 512 MiB memfd + 512 MiB anonymous, plugged %d -> %d MiB)"
                                 % (st.get("plugged_mib_before", 0), st.get("plugged_mib_after", 0)),
                                 num(h["returned_mib"]), num(h["returned_whole_mib"]),
                                 reached(st), ratio(st["time_to_target_s"], base_t),
                                 "%d (%.1f%%)" % (st["objects_dropped"], st["objects_dropped_pct"]), ""])
            if not rows:
                continue
            self.w("### %s" % blabel, "")
            head = ["method", "returned (MiB)", "as whole 2 MiB (MiB)", "time to 512 MiB (s)",
                    "ratio to the 4 KiB balloon" + base_on, "objects dropped"]
            if backing != "memfd":
                head.append({"anon": "guest's AnonHugePages on the host; thp_split_pmd",
                             "hugetlb": "host HugePages_Free (other work on the host shares it); "
                                        "QEMU's own HugetlbPages"}[backing])
            self.table(head, rows)
        # Plot: grouped bars
        plt.figure(figsize=(9, 4.5))
        labels = [l for _, l in METHODS]
        width = 0.27
        for i, (backing, blabel) in enumerate(BACKINGS):
            vals, whole = [], []
            for (k, m, s), _ in METHODS:
                st, _ = self.step(k, m, s, backing)
                vals.append(st["host"]["returned_mib"] if st else 0)
                whole.append(st["host"]["returned_whole_mib"] if st else 0)
            xs = [x + (i - 1) * width for x in range(len(labels))]
            plt.bar(xs, vals, width, label=blabel + " (all)", alpha=0.45)
            plt.bar(xs, whole, width, label=blabel + " (whole 2 MiB)", alpha=0.9)
        plt.xticks(range(len(labels)), [SHORT[s] for (_, _, s), _ in METHODS], rotation=30, ha="right",
                   fontsize=7)
        plt.ylabel("MiB returned to the host")
        plt.legend(fontsize=6, ncol=3, loc="lower center", bbox_to_anchor=(0.5, 1.06))
        self.plot("host-returned.png", "ext2 scenario: host memory returned per method and backing")
        # Plot: curves on memfd
        plt.figure(figsize=(8, 4))
        for (k, m, s), label in METHODS:
            st, _ = self.step(k, m, s, "memfd")
            if st and st.get("curve") and s in ("fpr", "balloon-4k", "vmcompact-free", "balloon-huge", "vmcompact-hold"):
                xs, ys = zip(*st["curve"])
                plt.plot(xs, ys, label=label[:40])
        vm = ext2.get("virtio_mem")
        if vm and vm.get("steps") and vm["steps"][0].get("curve"):
            xs, ys = zip(*vm["steps"][0]["curve"])
            plt.plot(xs, ys, label="virtio-mem unplug", linestyle="--")
        plt.axhline(512, color="k", linewidth=0.5)
        plt.xlabel("seconds since the method started")
        plt.ylabel("MiB returned (4 KiB memfd)")
        plt.legend(fontsize=7)
        self.plot("time-to-512.png", "ext2 scenario, 4 KiB memfd: host memory returned over time")

    def check_of_check(self):
        rows = []
        for backing, blabel in BACKINGS:
            for m, s in (("patched-seq", "vmcompact-free"), ("hold", "vmcompact-hold")):
                st, _ = self.step("patched", m, s, backing)
                if not st or "vmcompactd" not in st:
                    continue
                c = st["vmcompactd"]
                cc = st.get("check_of_the_check", {})
                rows.append([blabel, s, c.get("done"), c.get("backing", "not checked (no RAM file)"),
                             c.get("released_whole", "-"), c.get("still_populated", "-"),
                             "%s agree, %s disagree" % (cc["agree"], cc["disagree"])
                             if cc.get("agree", 0) + cc.get("disagree", 0) else "-",
                             "%+d" % st["host"]["hugepages_free_delta"] if backing == "hugetlb" else "-"])
        if not rows:
            return
        self.w("## 3. vmcompactd's host check against the host's own counters", "",
               "vmcompactd says, for each block its guest emptied, whether it is a hole in the guest's "
               "RAM on the host now.  Checked here against this bench's own look right after the cycle "
               "(SEEK_HOLE on the memfd, QEMU's pagemap on hugetlbfs) and, on hugetlbfs, the host's "
               "HugePages_Free (which also counts the free blocks that free page reporting returned "
               "beside the emptied ones).  Anonymous memory has no file: vmcompactd does not check it.", "")
        self.table(["backing", "cycle", "blocks emptied", "vmcompactd's backing", "released whole (vmcompactd)",
                    "still populated", "per block, against pagemap/SEEK", "HugePages_Free"], rows)

    def latency(self):
        st, run = self.step("patched", "patched-seq", "vacate-all")
        fr, _ = self.step("patched", "patched-seq", "vmcompact-free")
        if not st and not fr:
            return
        self.w("## 4. Vacate cost per block (ext2 scenario, vmcompact kernel, 4 KiB memfd)", "")
        rows = []
        if fr and "vmcompactd" in fr:
            c = fr["vmcompactd"]
            d = max(1, c["done"])
            rows.append(["vmcompactd --once --blocks %d (FREE)" % self.r["sizes"]["vmcompactd_blocks"],
                         "%d of %d possible" % (c["done"], c["possible"]), "%.1f" % (c["guest_ms"] / d), "-", "-",
                         "%.0f" % (c["pages_migrated"] / d), "%.1f" % (c["objects_moved"] / d),
                         "%.1f" % (c.get("objects_freed", 0) / d), c["ms"]])
        if st and "vacate" in st:
            v = st["vacate"]
            d = max(1, v["done"] or 0)
            rows.append(["then vacatectl vacate --cheapest all (FREE)", "%s of %s acted on" % (v["done"], v["acted"]),
                         "%.1f" % (v["wall_ms"] / d), num(v["block_ms_median"], "%.1f"), num(v["block_ms_p99"], "%.1f"),
                         "%.0f" % ((v["pages_migrated"] or 0) / d), "%.1f" % ((v["objects_moved"] or 0) / d),
                         "%.1f" % ((v["objects_freed"] or 0) / d), v["wall_ms"]])
        self.table(["request", "blocks emptied", "guest ms per block emptied", "per-block median (ms)",
                    "per-block p99 (ms)", "pages migrated per block", "objects moved per block",
                    "objects freed per block", "total ms"], rows)
        if st and st.get("vacate", {}).get("block_ms"):
            plt.figure(figsize=(7, 3.5))
            plt.hist(st["vacate"]["block_ms"], bins=40, color="tab:green")
            plt.xlabel("ms per block (VACATE_IOC_CHEAPEST FREE, the kernel's time_ns)")
            plt.ylabel("blocks")
            self.plot("vacate-latency.png", "per-block vacate latency, ext2 scenario, 1 GiB guest")

    def migration(self):
        mig = self.s.get("migration") or []
        if not mig and not self.s.get("migration_hint"):
            return
        self.w("## 5. Live migration of the fragmented guest", "",
               "The ext2 snapshot restored (4 KiB memfd), then migrated to a second QEMU on this host "
               "(`-incoming` on a unix socket, no bandwidth limit).  *Transferred*: `query-migrate` "
               "ram.transferred; *normal*: pages sent whole (the rest went as zero-page markers).  "
               "Runs without the hint have `postcopy-ram` on (never started), which keeps QEMU from "
               "asking the guest for hints.  The source's RAM on the host before and after shows what "
               "migration does to memory already returned: QEMU reads every page, which fills the "
               "holes in again.", "")
        base = next((m for m in mig if m["how"] == "none"), None)
        rows = []
        label = {"none": "nothing", "fpr": "free page reporting",
                 "vmcompact": "vmcompactd FREE cycle + free page reporting"}
        for m in mig:
            rows.append(["%s (%s kernel)%s" % (label.get(m["how"], m["how"]), KERNEL_NAME[m["kernel"]],
                                               ", free-page-hint=on" if m["hint"] else ""),
                         "%d of %d" % (m["guest_free_blocks"], m["guest_possible"]),
                         num(m["transferred_mib"]), num(m["normal_mib"]),
                         ratio(m["transferred_mib"], base["transferred_mib"] if base else None),
                         m["total_time_ms"], ratio(m["total_time_ms"], base["total_time_ms"] if base else None),
                         m["downtime_ms"],
                         "%.0f -> %.0f -> %.0f" % (m["src_populated_mib_start"], m["src_populated_mib_before"],
                                                   m["src_populated_mib_after"]),
                         num(m["dst_populated_mib"]), dst_health(m)])
        self.table(["before migrating", "guest free blocks", "transferred (MiB)", "normal (MiB)",
                    "ratio", "total time (ms)", "ratio", "downtime (ms)",
                    "source RAM on the host: restored -> before -> after (MiB)", "destination RAM (MiB)",
                    "the guest on the destination"], rows)
        refilled = [m for m in mig if m["src_populated_mib_after"] > m["src_populated_mib_before"]]
        full = [m for m in mig if m["dst_populated_mib"] is not None and
                m["dst_populated_mib"] >= m["src_populated_mib_start"]]
        self.w("In %d of these %d migrations the source's RAM on the host grew back during the "
               "migration (what had been returned was populated again by QEMU reading it), and in %d "
               "the destination's RAM ended up as large as the whole restored guest: memory given back "
               "before a migration is taken again on both sides, and has to be returned again after it."
               % (len(refilled), len(mig), len(full)), "")
        tries = self.s.get("migration_hint", [])
        every = [m for m in mig + tries if "dst_report" in m]  # consoles checked
        lost = [e["where"] for e in self.r.get("errors", []) if e["where"].startswith("migration/")]
        if every:
            by = {(k, h): [m for m in every if m["kernel"] == k and m["hint"] == h]
                  for k in ("stock", "patched") for h in (False, True)}

            def hurt(ms):
                return sum(1 for m in ms if dst_health(m) != "runs")

            def count(k, h):
                return "%d of %d" % (hurt(by[k, h]), len(by[k, h]))
            self.w("The destination's console is checked for kernel reports (tests/lib.sh's list) after "
                   "a command has run there.  Over the rows above and %d more migrations with the hint and "
                   "nothing else, the migrated guest was hurt (a kernel report, no answer, or dead) in: "
                   "stock kernel %s with free-page-hint=on, %s without; vmcompact kernel %s with, %s "
                   "without%s.  Console logs: `build/run/bench-%s/`." % (
                       len(tries), count("stock", True), count("stock", False), count("patched", True),
                       count("patched", False),
                       "; not measured (see the errors at the top): " + ", ".join(lost) if lost else "",
                       self.r.get("started")), "")
            without = by["stock", False] + by["patched", False]
            if hurt(by["stock", True]) and not hurt(without) and len(without) >= 3 and \
                    by["stock", False] and by["patched", False]:
                self.w("Guests of the stock kernel were hurt with the hint, and none without it: this is "
                       "consistent with free page hinting as QEMU 7.2 runs it here under TCG being what "
                       "hurts them, not the vmcompact series (docs/design.md has the counts of more runs).  "
                       "The hint rows' transfer figures are shown, but a migration with the hint is not a "
                       "usable baseline on this machine.", "")
        plt.figure(figsize=(8, 3.5))
        plt.barh(range(len(rows)), [m["transferred_mib"] for m in mig], color="tab:blue", label="transferred")
        plt.barh(range(len(rows)), [m["normal_mib"] for m in mig], color="tab:orange", label="normal pages", height=0.4)
        plt.yticks(range(len(rows)), [r[0][:50] for r in rows], fontsize=7)
        plt.gca().invert_yaxis()
        plt.xlabel("MiB")
        plt.legend(fontsize=7)
        self.plot("migration.png", "live migration of the fragmented 1 GiB guest")

    def workloads(self):
        names = {"ext4": "ext4 scenario", "churn": "page-cache churn",
                 "debian": "Debian 12 guest (%s)" % ", ".join(self.s.get("debian", {}).get("workloads", []))}
        wls = [wl for wl in names if self.s.get(wl, {}).get("runs")]
        if not wls:
            if self.s.get("workloads"):
                self.w("## 6. Other workloads", "", "This run's results are in the shape of an older "
                       "fragbench (workloads measured in the guest that ran them), which this report "
                       "does not render; run `make bench` again.", "")
            return
        self.w("## 6. Other workloads: ext4 scenario, page-cache churn, the Debian 12 guest", "",
               "Each as the ext2 scenario is (sections 1 and 2): the workload in a guest of each kernel, "
               "snapshotted right after it, every method from a restore of its kernel's snapshot "
               "(4 KiB memfd), and virtio-mem in a stock guest of its own that ran the same workload.  "
               "*Returned*: host memory the step gave back (steps marked + continue from the step "
               "above, in the same guest); *action*: the seconds the host's request took (the balloon's "
               "QMP command, vmcompactd's cycle with its settle wait, the unplug request), not the "
               "time the memory took to come back (section 2 has that for ext2).", "")
        for wl in wls:
            sec = self.s[wl]
            took = []
            for k in ("stock", "patched"):
                t = sec.get("snapshots", {}).get(k, {}).get("workload_s")
                if isinstance(t, dict):
                    t = ", ".join("%s %.0f s" % (a, b) for a, b in t.items() if b)
                elif isinstance(t, (int, float)):
                    t = "%.0f s" % t
                if t:
                    took.append("%s kernel %s" % (KERNEL_NAME[k], t))
            self.w("### %s" % names[wl], "")
            if took:
                self.w("The workload took: %s." % "; ".join(took), "")
            self.table(["state / method", "free blocks", "possible", "share", "objects dropped",
                        "returned (MiB)", "as whole 2 MiB (MiB)", "action (s)"], self.method_rows(wl, True))
            _, run = self.step("patched", "patched-seq", "vmcompact-free", wl=wl)
            cen = run.get("census") if run else None
            if cen:
                self.w("Census after the workload (vmcompact): %s otherwise-free blocks, %s slab pages in them: %s." % (
                    cen.get("blocks"), cen.get("slab_pages"), ", ".join(
                        "%s %s" % (e.get("name"), e.get("pages")) for e in cen.get("caches", cen.get("entries", []))[:6])), "")

    def cost(self):
        c = self.s.get("cost")
        if not c:
            return
        self.w("## 7. What it costs the guest", "",
               "Both kernels at the same time, one guest each (1 GiB, 2 vCPUs), so that what else "
               "the host did weighs on both alike; ratios are vmcompact / stock.", "")
        s, p = c.get("stock", {}), c.get("patched", {})
        rows = []
        for f, lab in (("fast_alloc_ns", "fast path: allocation"), ("fast_free_ns", "fast path: free"),
                       ("slow_alloc_ns", "slow path: allocation"), ("slow_free_ns", "slow path: free (allocation order)")):
            a = s.get("slub_plain", {}).get(f)
            b = p.get("slub_plain", {}).get(f)
            mob = p.get("slub_mobile", {}).get(f)
            rows.append([lab, num(a), num(b), ratio(b, a), num(mob), ratio(mob, a), ratio(mob, b)])
        self.w("### SLUB (bench/kmod/vmc_bench_slub.c, the same module built for each kernel; ns per object, "
               "median of %d rounds of %d objects of 192 bytes)" % (self.r["sizes"]["slub_rounds"],
                                                                      self.r["sizes"]["slub_objects"]), "")
        self.table(["path", "stock, plain cache", "vmcompact, plain cache", "ratio", "vmcompact, mobile cache",
                    "ratio to stock plain", "ratio to vmcompact plain"], rows)
        slub_rows = rows
        if p.get("smt_bench"):
            b = p["smt_bench"]
            self.w("The mobility test driver's own bench command (vmcompact kernel only): "
                   "plain %s/%s ns, mobile %s/%s ns per allocation/free (%s objects, %s rounds)." % (
                       b.get("plain_alloc_ns"), b.get("plain_free_ns"), b.get("mobile_alloc_ns"),
                       b.get("mobile_free_ns"), b.get("objects"), b.get("rounds")), "")
        rows = []
        for f, lab in (("create_ns", "create"), ("stat_ns", "stat"), ("unlink_ns", "unlink (and sync)")):
            a, b = s.get("meta", {}).get(f), p.get("meta", {}).get(f)
            n = s.get("meta", {}).get("files") or 1
            rows.append([lab, num(a and a / n / 1000.0, "%.1f"), num(b and b / n / 1000.0, "%.1f"), ratio(b, a)])
        a, b = s.get("tar_ns"), p.get("tar_ns")
        rows.append(["tar of %s to md5sum (cold cache)" % c.get("usr", "/usr"),
                     num(a and a / 1e9, "%.1f s"), num(b and b / 1e9, "%.1f s"), ratio(b, a)])
        self.w("### Metadata: create, stat and unlink %d files on ext4 (µs per file), and a tar" % self.r["sizes"]["meta_files"], "")
        self.table(["operation", "stock", "vmcompact", "ratio"], rows)
        bars = [(lab, r[3]) for lab, r in zip(["SLUB fast alloc", "SLUB fast free", "SLUB slow alloc",
                                                "SLUB slow free"], slub_rows)]
        bars += [(r[0].split()[0], r[3]) for r in rows]
        bars = [(lab, float(v)) for lab, v in bars if v != "-"]
        if bars:
            plt.figure(figsize=(7, 3.5))
            plt.barh(range(len(bars)), [v for _, v in bars], color="tab:purple")
            plt.axvline(1.0, color="k", linewidth=0.6)
            plt.yticks(range(len(bars)), [lab for lab, _ in bars], fontsize=7)
            plt.gca().invert_yaxis()
            plt.xlabel("vmcompact kernel / stock kernel (plain caches; time, lower is better)")
            self.plot("cost.png", "what the series costs the guest, as ratios from one run")

    def scale(self):
        sc = self.s.get("scale")
        if not sc:
            return
        self.w("## 8. Scale: CHEAPEST scan and vacate cost by guest size", "",
               "The busybox guest's `big` payload (tmpfs fragmented in proportion to its memory), "
               "vmcompact kernel; through the agent with `vmcompactctl vacate`.", "")
        rows = [[x["mem_mib"], x["scan_blocks"], x["scan_ms"], x["scan_candidates"],
                 "%s of %s" % (x["vacate_done"], x["vacate_asked"]), x["vacate_ms"],
                 num(x["block_ms_median"], "%.1f"), num(x["block_ms_p99"], "%.1f")] for x in sc]
        self.table(["guest MiB", "blocks", "CHEAPEST probe of every block (ms)", "candidates",
                    "vacated", "vacate (ms)", "per block median (ms)", "p99 (ms)"], rows)
        plt.figure(figsize=(6, 3.5))
        xs = [x["mem_mib"] / 1024 for x in sc]
        plt.plot(xs, [x["scan_ms"] for x in sc], "o-", label="CHEAPEST probe of every block")
        plt.plot(xs, [x["vacate_ms"] for x in sc], "s-", label="vacate of %d blocks" % self.r["sizes"]["scale_vacate_blocks"])
        plt.xlabel("guest GiB")
        plt.ylabel("ms in the guest kernel")
        plt.legend(fontsize=7)
        self.plot("scale.png", "scan and vacate time by guest size")

    def codec(self):
        c = self.s.get("codec")
        if not c:
            return
        self.w("## 9. The codec (bench/codec, on the host)", "")
        self.table(["message", "ns per message", "MB/s"], [[x["what"], x["ns_per_message"], x["mb_s"]] for x in c])

    def write(self):
        self.header()
        self.guest_blocks()
        self.host_return()
        self.check_of_check()
        self.latency()
        self.migration()
        self.workloads()
        self.cost()
        self.scale()
        self.codec()
        with open(self.out_md, "w") as f:
            f.write("\n".join(self.md).rstrip() + "\n")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: report.py RESULTS.json [OUT.md]")
    res = json.load(open(sys.argv[1]))
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "results.md")
    Report(res, out).write()
    print("report: " + out)


if __name__ == "__main__":
    main()
