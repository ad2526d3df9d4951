#!/usr/bin/env python3
"""Reset a guest in the middle of one of vmcompactd's cycles of it.

    reset-mid-cycle.py CONTROL QMP VM STEP

Has the daemon on CONTROL start a cycle of VM and watches its status
(as vmcompactctl cycle and status would, without a process per look,
so that a step of a few milliseconds is seen); once the cycle is at
STEP, stops the guest's CPUs over QMP (a monitor of its own: the daemon
holds QEMU's other one during the cycle), and if the daemon is still at
STEP, resets the guest (system_reset; set-action reboot=reset first, as
vm-run passes -no-reboot) and lets it run again.  A cycle that went past STEP before the guest
stopped is let go and another one started, five at most.  Prints the
number of the cycle that saw the reset; exits 1 if none did.
"""
import json
import socket
import sys

control, qmp_path, vm, step = sys.argv[1:]


def ask(line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    s.connect(control)
    s.sendall(line.encode() + b"\n")
    answer = s.makefile().readline()
    s.close()
    return json.loads(answer)


def status():
    return next(v for v in ask("status")["vms"] if v["name"] == vm)


class Qmp:
    def __init__(self, path):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        s.connect(path)
        self.f = s.makefile("rw")
        json.loads(self.f.readline())
        self.run("qmp_capabilities")

    def run(self, cmd, **args):
        self.f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                if "error" in r:
                    sys.exit("QMP %s: %s" % (cmd, r["error"]))
                return r["return"]


def wait(cond):
    for _ in range(30000):
        s = status()
        if cond(s):
            return s
    sys.exit("vmcompactd: stuck at %s" % s["step"])


qmp = Qmp(qmp_path)
qmp.run("set-action", reboot="reset")
for _ in range(5):
    n = wait(lambda s: s["step"] == "idle")["cycles"]
    if "error" in ask("cycle " + vm):
        sys.exit("vmcompactd: no cycle of %s" % vm)
    s = wait(lambda s: s["cycles"] > n and s["step"] in (step, "idle"))
    if s["step"] != step:
        continue
    qmp.run("stop")
    s = status()
    if s["step"] == step and s["cycles"] == n + 1:
        qmp.run("system_reset")
        qmp.run("cont")
        print(s["cycles"])
        sys.exit(0)
    qmp.run("cont")
sys.exit("no cycle of %s seen at %s" % (vm, step))
