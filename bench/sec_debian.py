"""fragbench's Debian section: the Debian 12 guest's workloads on both
kernels, then the same steps as the other workloads."""
import concurrent.futures
import os
import re
import subprocess
import sys
import time
import traceback

from guest import QGA, Guest
from hostram import HostRam
from util import BUILD, BenchError
from sizes import SIZES


class Debian:
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
