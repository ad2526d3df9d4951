"""fragbench's scale section: CHEAPEST scan and vacate cost by guest size."""
import json
import os
import time

from guest import INITRD, Guest
from util import HOST
from util import log, percentile, run
from sizes import SIZES


class Scale:
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
