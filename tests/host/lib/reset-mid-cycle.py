#!/usr/bin/env python3
"""Reset a guest in the middle of one of vmcompactd's cycles of it.

    reset-mid-cycle.py CONTROL VM STEP qmp SOCKET
    reset-mid-cycle.py CONTROL VM STEP virsh URI

Has the daemon on CONTROL start a cycle of VM and watches its status
(as vmcompactctl cycle and status would, without a process per look,
so that a step of a few milliseconds is seen); once the cycle is at
STEP, stops the guest's CPUs, and if the daemon is still at STEP,
resets the guest and lets it run again.  Over QMP on SOCKET (a monitor
of the test's own: the daemon holds QEMU's other one during the cycle;
system_reset, after set-action reboot=reset since vm-run passes
-no-reboot), or through libvirt at URI (virsh suspend, reset, resume
of the domain VM, whose <on_reboot> must be restart).  A cycle that went past STEP before the guest
stopped is let go and another one started, five at most.  Prints the
number of the cycle that saw the reset; exits 1 if none did.
"""
import json
import socket
import subprocess
import sys
import time

control, vm, step, how, where = sys.argv[1:]


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
        self.run("set-action", reboot="reset")

    def run(self, cmd, **args):
        self.f.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "event" not in r:
                if "error" in r:
                    sys.exit("QMP %s: %s" % (cmd, r["error"]))
                return r["return"]

    def stop(self):
        self.run("stop")

    def reset(self):
        self.run("system_reset")

    def cont(self):
        self.run("cont")


class Virsh:
    def __init__(self, uri):
        self.uri = uri

    def run(self, cmd):
        subprocess.run(["virsh", "-c", self.uri, cmd, vm], check=True,
                       capture_output=True)

    def stop(self):
        self.run("suspend")

    def reset(self):
        self.run("reset")

    def cont(self):
        self.run("resume")


def wait(cond):
    """The status once it satisfies cond (a cycle may settle for long)."""
    give_up = time.monotonic() + 600
    while time.monotonic() < give_up:
        s = status()
        if cond(s):
            return s
    sys.exit("vmcompactd: stuck at %s" % s["step"])


guest = Qmp(where) if how == "qmp" else Virsh(where)
for _ in range(5):
    n = wait(lambda s: s["step"] == "idle")["cycles"]
    if "error" in ask("cycle " + vm):
        sys.exit("vmcompactd: no cycle of %s" % vm)
    s = wait(lambda s: s["cycles"] > n and s["step"] in (step, "idle"))
    if s["step"] != step:
        continue
    guest.stop()
    s = status()
    if s["step"] == step and s["cycles"] == n + 1:
        guest.reset()
        guest.cont()
        print(s["cycles"])
        sys.exit(0)
    guest.cont()
sys.exit("no cycle of %s seen at %s" % (vm, step))
