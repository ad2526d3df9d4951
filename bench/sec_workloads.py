"""fragbench's workloads section: the ext4 scenario and page-cache churn,
each kernel in a guest of its own, then the same steps in that guest."""
import concurrent.futures
import traceback

from hostram import HostRam


class Workloads:
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
