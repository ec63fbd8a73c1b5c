"""Process measurement for the benchmark: spawn a client, drain its stdout through a pipe, and
read its own rusage (wall, user+sys CPU, peak RSS) with wait4, all on CLOCK_MONOTONIC, the clock
the fake server stamps request arrivals with."""

import os
import statistics
import subprocess
import tempfile
import threading
import time


class Run:
    __slots__ = ("wall", "cpu", "user", "sys", "rss_kb", "out_bytes", "status", "t0", "stderr")

    def __init__(self):
        self.wall = self.cpu = self.user = self.sys = 0.0
        self.rss_kb = 0
        self.out_bytes = 0
        self.status = 0
        self.t0 = 0.0
        self.stderr = b""


# bench/run compiles spawn_rusage.c here.
SPAWN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "spawn_rusage")


def run(argv, env=None, cwd=None, pipe_stdout=True, timeout=600, rusage=True):
    """Runs argv to completion. stdout goes to a pipe that a thread drains and counts (the
    client writes into a pipe, as when piped into another program), or to /dev/null.

    With `rusage`, the client runs under spawn_rusage, which reports its CPU time and peak
    RSS: a child spawned straight from Python inherits the Python process's RSS high-water mark
    (the kernel counts the memory of the vfork'd parent until exec), which would hide the
    client's own. Start-up measurements pass rusage=False, so nothing sits between spawn and client."""
    r = Run()
    report = None
    if rusage:
        fd, report = tempfile.mkstemp(prefix="bench-time-")
        os.close(fd)
        argv = [SPAWN, report, *argv]
    stdout = subprocess.PIPE if pipe_stdout else subprocess.DEVNULL
    r.t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                         env=env, cwd=cwd)
    counted = [0]
    err = []

    def drain_out():
        fd = p.stdout.fileno()
        n = 0
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            n += len(b)
        counted[0] = n

    def drain_err():
        err.append(p.stderr.read())

    threads = [threading.Thread(target=drain_err, daemon=True)]
    if pipe_stdout:
        threads.append(threading.Thread(target=drain_out, daemon=True))
    for t in threads:
        t.start()
    # A timer kills a hung client; wait4 blocks, so the wall time has no polling slack.
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    _, status, ru = os.wait4(p.pid, 0)
    r.wall = time.monotonic() - r.t0
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in threads:
        t.join()
    r.status = p.returncode
    r.user, r.sys = ru.ru_utime, ru.ru_stime
    r.rss_kb = ru.ru_maxrss
    if report:
        with open(report) as f:
            fields = f.read().split()
        os.unlink(report)
        if len(fields) == 3:
            r.user, r.sys, r.rss_kb = float(fields[-3]), float(fields[-2]), int(fields[-1])
    r.cpu = r.user + r.sys
    r.out_bytes = counted[0]
    r.stderr = err[0] if err else b""
    return r


class Stat:
    """Median and spread of repeated measurements."""

    def __init__(self, values):
        self.values = sorted(values)

    @property
    def median(self):
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def min(self):
        return self.values[0] if self.values else float("nan")

    @property
    def max(self):
        return self.values[-1] if self.values else float("nan")

    def __bool__(self):
        return bool(self.values)


def fmt_time(seconds):
    if seconds != seconds:  # nan
        return "–"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms" if seconds < 0.1 else f"{seconds * 1e3:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_stat(stat, f=fmt_time):
    if not stat:
        return "–"
    if len(stat.values) == 1:
        return f(stat.median)
    return f"{f(stat.median)} ({f(stat.min)}–{f(stat.max)})"
