#!/usr/bin/env python3
"""systemd readiness (issue 18, point 2), without systemd: qcra serve and
qcra ca serve started with NOTIFY_SOCKET naming a datagram socket this
test listens on, and WATCHDOG_USEC set.  READY=1 must come once the port
accepts (a connection made when it arrives succeeds), WATCHDOG=1 at half
the interval, STOPPING=1 on SIGTERM, then exit 0.  serve once more with
NOTIFY_SOCKET naming an abstract socket ("@name"), as systemd may.
Usage: test-notify.py QCRA   (TAP)"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

QCRA = sys.argv[1]
WATCHDOG_USEC = 400000  # pings expected every 0.2 s
n = 0


def ok(cond, what):
    global n
    n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (n, what), flush=True)
    return cond


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def watch(name, argv, port, tmp, extra_env, abstract=False):
    path = os.path.join(tmp, name + ".notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    if abstract:
        path = "@qcra-notify-%d" % os.getpid()
        sock.bind("\0" + path[1:])
    else:
        sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC=str(WATCHDOG_USEC), **extra_env)
    env.pop("WATCHDOG_PID", None)
    log = open(os.path.join(tmp, name + ".log"), "w+")
    proc = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
    sock.settimeout(30)
    ready_accepts = None
    try:
        while True:
            msg = sock.recv(4096).decode()
            if "READY=1" in msg:
                ready_accepts = accepts(port)
                break
    except socket.timeout:
        pass
    ok(ready_accepts is not None, "%s: READY=1 arrives" % name)
    ok(ready_accepts is True, "%s: the port accepts when READY=1 arrives" % name)
    pings = []
    sock.settimeout(0.1)
    start = time.monotonic()
    while time.monotonic() - start < 1.5:
        try:
            if "WATCHDOG=1" in sock.recv(4096).decode():
                pings.append(time.monotonic())
        except socket.timeout:
            pass
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    ok(len(pings) >= 5 and max(gaps) < 0.4,
       "%s: WATCHDOG=1 every %.2f s or so (%d pings in 1.5 s, WATCHDOG_USEC=%d)"
       % (name, sum(gaps) / max(len(gaps), 1), len(pings), WATCHDOG_USEC))
    proc.send_signal(signal.SIGTERM)
    stopping = False
    sock.settimeout(15)
    try:
        while not stopping:
            stopping = "STOPPING=1" in sock.recv(4096).decode()
    except socket.timeout:
        pass
    ok(stopping, "%s: STOPPING=1 on SIGTERM" % name)
    status = proc.wait(30)
    if not ok(status == 0, "%s: exits 0 (got %s)" % (name, status)):
        log.seek(0)
        sys.stdout.write("".join("# " + line for line in log))
    sock.close()


with tempfile.TemporaryDirectory(prefix="qcra-notify-") as tmp:
    port = free_port()
    watch("serve", [QCRA, "serve", "--var", os.path.join(tmp, "var"),
                    "--listen", "127.0.0.1:%d" % port], port, tmp,
          {"QCRA_CA_CONNECTOR": "testca"})
    port = free_port()
    watch("serve (abstract socket)", [QCRA, "serve", "--var", os.path.join(tmp, "var"),
                                      "--listen", "127.0.0.1:%d" % port], port, tmp,
          {"QCRA_CA_CONNECTOR": "testca"}, abstract=True)
    tls, pub = free_port(), free_port()
    cadir = os.path.join(tmp, "ca")
    init = subprocess.run([QCRA, "ca", "init", "--dir", cadir, "--listen", "127.0.0.1:%d" % tls,
                           "--public-listen", "127.0.0.1:%d" % pub,
                           "--public-url", "http://127.0.0.1:%d" % pub],
                          capture_output=True, text=True)
    if ok(init.returncode == 0, "qcra ca init"):
        watch("ca serve", [QCRA, "ca", "serve", "--dir", cadir], tls, tmp, {})
    else:
        sys.stdout.write("".join("# " + line + "\n" for line in init.stderr.splitlines()))
print("1..%d" % n)
