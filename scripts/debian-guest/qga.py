#!/usr/bin/env python3
"""qga.py SOCKET [--timeout S] (--ping | --shell COMMAND)

Talk to qemu-guest-agent in a guest through the host end of its
virtio-serial port (a QEMU `-chardev socket,server=on`, port name
org.qemu.guest_agent.0):

  --ping           wait (up to --timeout) until the agent answers
  --shell COMMAND  run `/bin/sh -c COMMAND` in the guest (guest-exec), wait
                   for it (up to --timeout), print its stdout then its stderr,
                   and exit with its exit code (124 on timeout, 125 when
                   the agent cannot be reached)
"""
import argparse
import base64
import json
import socket
import sys
import time


class Agent:
    def __init__(self, path, deadline):
        self.deadline = deadline
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(10)
        self.s.connect(path)
        self.buf = b""
        self.sync()

    def _line(self):
        # A busy guest may take a while to answer: up to a minute past
        # the deadline, which only bounds how long a command may run.
        while b"\n" not in self.buf:
            self.s.settimeout(max(60.0, self.deadline - time.monotonic()))
            data = self.s.recv(65536)
            if not data:
                raise ConnectionError("the guest agent closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def sync(self):
        # guest-sync-delimited: the answer follows a 0xff byte, so anything
        # a previous client left behind in the port is skipped.
        ident = int(time.time() * 1000) % 2**31
        self.s.sendall(b"\xff" + json.dumps(
            {"execute": "guest-sync-delimited", "arguments": {"id": ident}}).encode() + b"\n")
        while True:
            line = self._line()
            if b"\xff" in line:
                line = line.rsplit(b"\xff", 1)[1]
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if r.get("return") == ident:
                return

    def call(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.s.sendall(json.dumps(msg).encode() + b"\n")
        r = json.loads(self._line())
        if "error" in r:
            raise RuntimeError(f"{cmd}: {r['error']}")
        return r["return"]


def connect(path, deadline, wait):
    while True:
        try:
            return Agent(path, deadline)
        except (OSError, ConnectionError, ValueError):
            if not wait or time.monotonic() > deadline:
                raise
            time.sleep(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("socket")
    ap.add_argument("--timeout", type=float, default=600)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--ping", action="store_true")
    g.add_argument("--shell")
    a = ap.parse_args()
    deadline = time.monotonic() + a.timeout
    try:
        agent = connect(a.socket, deadline, a.ping)
    except Exception as e:  # noqa: BLE001 - any failure to reach it
        print(f"qga: cannot reach the guest agent at {a.socket}: {e}", file=sys.stderr)
        return 125
    if a.ping:
        agent.call("guest-ping")
        return 0
    pid = agent.call("guest-exec", path="/bin/sh", arg=["-c", a.shell],
                     **{"capture-output": True})["pid"]
    while True:
        st = agent.call("guest-exec-status", pid=pid)
        if st.get("exited"):
            break
        if time.monotonic() > deadline:
            print(f"qga: timed out after {a.timeout:.0f} s: {a.shell}", file=sys.stderr)
            return 124
        time.sleep(0.5)
    for key, out in (("out-data", sys.stdout), ("err-data", sys.stderr)):
        if key in st:
            out.write(base64.b64decode(st[key]).decode(errors="replace"))
            out.flush()
    if st.get("out-truncated") or st.get("err-truncated"):
        print("qga: the guest agent truncated the output", file=sys.stderr)
    return st.get("exitcode", 128 + st.get("signal", 0))


if __name__ == "__main__":
    sys.exit(main())
