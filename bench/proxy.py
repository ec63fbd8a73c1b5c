"""Scenario 5: `codex serve` in front of the fake server, side by side with LiteLLM's proxy on
the same fake server, in the same run. Three measurements, each also taken straight against the
fake server (the "direct" row) so what a proxy adds can be subtracted:

  latency      sequential short streamed requests on one keep-alive connection: time to the
               first response byte and to the first token, p50/p99
  throughput   one long stream read by `curl -sN`: wall time and tokens/s
  concurrency  N streams at once, each paced like a model generating (one event every few ms):
               wall, time to first token p50/p99, failures, and the proxy's peak RSS and CPU
               over the run, so memory per stream is (peak - idle) / N

Started from runner.py; see bench/README.md."""

import asyncio
import os
import re
import socket
import statistics
import subprocess
import threading
import time

from measure import Stat, run

CHAT_PATH = "/v1/chat/completions"
# A chunk that carries text (a role chunk's `"content":""` does not).
NONEMPTY_CONTENT = re.compile(rb'"content":"[^"]')
LITELLM_VERSION = "1.106.12"
CODEX_KEY = "bench-key"
LITELLM_KEY = "sk-bench-key"


def log(*a):
    import sys
    print(*a, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request_body(model, stream=True):
    return ('{"model":"%s","stream":%s,"messages":[{"role":"user","content":"hi"}]}'
            % (model, "true" if stream else "false")).encode()


# --- process accounting ----------------------------------------------------------------------

def tree(pid):
    """The pid and every descendant (LiteLLM's CLI may run its server in a child)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def rss_kb(pids):
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def cpu_seconds(pids):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / tick


class Sampler:
    """Peak RSS of a process tree, sampled every 10 ms while running."""

    def __init__(self, pid):
        self.pids = tree(pid) if pid else []
        self.peak = rss_kb(self.pids) if pid else 0
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stop_flag.wait(0.01):
            self.peak = max(self.peak, rss_kb(self.pids))

    def __enter__(self):
        if self.pids:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag.set()
        if self.pids:
            self.thread.join()
            self.peak = max(self.peak, rss_kb(self.pids))


# --- the proxies -----------------------------------------------------------------------------

class Target:
    """Where requests go: the fake server itself, codex serve or LiteLLM."""

    def __init__(self, name, port, model_for, path_for, proc=None, logfile=None, key=None):
        self.name, self.port, self.proc, self.logfile = name, port, proc, logfile
        self.model_for, self.path_for = model_for, path_for
        # Both proxies run with a key clients must send, as anything but a toy would.
        self.auth = f"Authorization: Bearer {key}\r\n" if key else ""
        self.curl_auth = ["-H", f"Authorization: Bearer {key}"] if key else []

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: codex serve drains and exits 0
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_for(predicate, timeout, what, logfile=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    tail = ""
    if logfile and os.path.exists(logfile):
        with open(logfile, errors="replace") as f:
            tail = f.read()[-3000:]
    raise SystemExit(f"{what} did not start within {timeout} s\n{tail}")


def start_codex(codex, env, work):
    logfile = os.path.join(work, "codex-serve.log")
    err = open(logfile, "w")
    proc = subprocess.Popen([codex, "serve", "--port", "0", "--api-key", CODEX_KEY], env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err)
    err.close()
    port = [None]

    def listening():
        if proc.poll() is not None:
            raise SystemExit(f"codex serve exited with {proc.returncode}")
        with open(logfile) as f:
            for line in f:
                if "listening on http://" in line:
                    port[0] = int(line.split("/v1")[0].rsplit(":", 1)[1])
                    return True
        return False

    wait_for(listening, 60, "codex serve", logfile)
    return Target("codex serve", port[0], lambda s: f"bench_{s}/bench-model",
                  lambda s: CHAT_PATH, proc, logfile, key=CODEX_KEY)


def start_litellm(py, server_base, scenarios, work):
    """LiteLLM's proxy from the bench venv, one model per scenario, with an environment holding
    nothing but what it needs (no keys of the user's to read)."""
    litellm = os.path.join(os.path.dirname(py), "litellm")
    if not os.path.exists(litellm):
        return None
    cfg = os.path.join(work, "litellm.yaml")
    with open(cfg, "w") as f:
        f.write("model_list:\n")
        for s in scenarios:
            f.write(f"  - model_name: {s}\n    litellm_params:\n"
                    f"      model: openai/bench-model\n"
                    f"      api_base: {server_base}/{s.replace('_', '/', 1).replace('_', '-')}/v1\n"
                    f"      api_key: none\n")
        f.write("litellm_settings:\n  drop_params: true\n  num_retries: 0\n"
                "  request_timeout: 600\n")
        f.write(f"general_settings:\n  master_key: {LITELLM_KEY}\n")
    port = free_port()
    logfile = os.path.join(work, "litellm.log")
    home = os.path.join(work, "litellm-home")
    os.makedirs(home, exist_ok=True)
    env = {"PATH": os.path.dirname(py) + ":/usr/bin:/bin", "HOME": home,
           "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOG": "ERROR",
           "LITELLM_TELEMETRY": "False", "NO_DOCS": "True", "DISABLE_SCHEMA_UPDATE": "True"}
    out = open(logfile, "w")
    proc = subprocess.Popen([litellm, "--config", cfg, "--host", "127.0.0.1", "--port", str(port),
                             "--num_workers", "1"], env=env, stdin=subprocess.DEVNULL,
                            stdout=out, stderr=subprocess.STDOUT, cwd=work)
    out.close()

    def alive():
        if proc.poll() is not None:
            with open(logfile, errors="replace") as f:
                raise SystemExit(f"litellm exited with {proc.returncode}:\n{f.read()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /health/liveliness HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                return s.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    wait_for(alive, 300, "litellm", logfile)
    return Target(f"LiteLLM {LITELLM_VERSION}", port, lambda s: s, lambda s: CHAT_PATH, proc,
                  logfile, key=LITELLM_KEY)


def direct(server_port):
    """The fake server itself: the scenario is in the path."""
    return Target("direct (no proxy)", server_port, lambda s: "bench-model",
                  lambda s: "/" + s.replace("_", "/", 1).replace("_", "-") + CHAT_PATH)


# --- clients ---------------------------------------------------------------------------------

def read_response(sock, buf, marks):
    """Reads one response from `sock` (`buf` holds bytes already read). Records in `marks` when
    the first byte and the first non-empty content arrived. Returns (status, body, rest)."""
    t_first = marks.get("first")
    while b"\r\n\r\n" not in buf:
        more = sock.recv(65536)
        if not more:
            raise OSError("closed before the head")
        if t_first is None:
            t_first = marks["first"] = time.perf_counter()
        buf += more
    head, buf = buf.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    lower = head.lower()
    body = bytearray()
    if b"transfer-encoding: chunked" in lower:
        while True:
            while b"\r\n" not in buf:
                more = sock.recv(65536)
                if not more:
                    raise OSError("closed mid-body")
                buf += more
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                more = sock.recv(65536)
                if not more:
                    raise OSError("closed mid-chunk")
                buf += more
            chunk, buf = buf[:size], buf[size + 2:]
            if size == 0:
                break
            if "token" not in marks and NONEMPTY_CONTENT.search(chunk):
                marks["token"] = time.perf_counter()
            body += chunk
    else:
        length = None
        for line in lower.split(b"\r\n"):
            if line.startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while length is None or len(buf) < length:
            more = sock.recv(65536)
            if not more:
                break
            buf += more
        n = length if length is not None else len(buf)
        body += buf[:n]
        buf = buf[n:]
        marks.setdefault("token", time.perf_counter())
    return status, bytes(body), buf


def latency(target, scenario, count):
    """`count` sequential streamed requests on one keep-alive connection."""
    sock = socket.create_connection(("127.0.0.1", target.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    body = request_body(target.model_for(scenario))
    req = (f"POST {target.path_for(scenario)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{target.auth}"
           f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    first, token = [], []
    buf = b""
    try:
        for i in range(count + 5):
            marks = {}
            t0 = time.perf_counter()
            sock.sendall(req)
            status, got, buf = read_response(sock, buf, marks)
            if status != 200 or b"[DONE]" not in got:
                raise SystemExit(f"{target.name}: request {i} got {status}: {got[:300]!r}")
            if i >= 5:  # the first few warm connections and caches up
                first.append(marks["first"] - t0)
                token.append(marks["token"] - t0)
    finally:
        sock.close()
    return {"first": first, "token": token}


def percentile(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


async def one_stream(target, scenario, results):
    body = request_body(target.model_for(scenario))
    req = (f"POST {target.path_for(scenario)} HTTP/1.1\r\nHost: 127.0.0.1\r\n{target.auth}"
           f"Content-Type: application/json\r\nConnection: close\r\n"
           f"Content-Length: {len(body)}\r\n\r\n").encode() + body
    t0 = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
        writer.write(req)
        first = None
        data = bytearray()
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            data += chunk
            # Time to the first token: a proxy may send its head before the upstream has
            # answered (or, as codex serve does, only with the first token).
            if first is None and NONEMPTY_CONTENT.search(data):
                first = time.perf_counter() - t0
        writer.close()
        ok = data.startswith(b"HTTP/1.1 200") and b"[DONE]" in data
        results.append((ok, first, time.perf_counter() - t0, len(data)))
    except OSError:
        results.append((False, None, time.perf_counter() - t0, 0))


def concurrency(target, scenario, n):
    results = []

    async def all_streams():
        await asyncio.gather(*(one_stream(target, scenario, results) for _ in range(n)))

    pids = tree(target.pid) if target.pid else []
    idle = rss_kb(pids)
    cpu0 = cpu_seconds(pids)
    t0 = time.perf_counter()
    with Sampler(target.pid) as sampler:
        asyncio.run(all_streams())
    wall = time.perf_counter() - t0
    firsts = [r[1] for r in results if r[1] is not None]
    return {"n": n, "wall": wall, "ok": sum(1 for r in results if r[0]),
            "first_p50": percentile(firsts, 50), "first_p99": percentile(firsts, 99),
            "idle_kb": idle, "peak_kb": sampler.peak, "cpu": cpu_seconds(pids) - cpu0}


# --- the scenario ----------------------------------------------------------------------------

def scenario(bench):
    """Runs the three measurements for each target; fills bench.results["proxy"]."""
    a = bench.args
    b = bench.server.base
    server_port = int(b.rsplit(":", 1)[1])
    paced = f"p_chat_{a.paced_tokens}_{a.paced_ms}"
    big = f"s_chat_{a.proxy_stream_tokens}"
    # One provider per scenario for codex serve, as the rest of the bench config has them.
    with open(os.path.join(bench.home, "config.toml"), "a") as f:
        for s in ("s_chat_5", big, paced):
            path = s.replace("_", "/", 1).replace("_", "-")
            f.write(f'\n[model_providers.bench_{s}]\nbase_url = "{b}/{path}/v1"\n'
                    "stream_max_retries = 0\nrequest_max_retries = 0\n")
    targets = [direct(server_port), start_codex(bench.codex, bench.env, bench.work)]
    try:
        if bench.py and not a.quick:
            log(f"proxy: starting LiteLLM {LITELLM_VERSION}")
            lite = start_litellm(bench.py, b, ["s_chat_5", big, paced], bench.work)
            if lite:
                targets.append(lite)
        out = {"targets": [t.name for t in targets], "latency": {}, "throughput": {},
               "concurrency": {}, "levels": a.levels, "paced": (a.paced_tokens, a.paced_ms),
               "stream_tokens": a.proxy_stream_tokens, "requests": a.latency_requests}
        bench.server.prebuild("chat", 5)
        bench.server.prebuild("chat", a.proxy_stream_tokens)
        for t in targets:
            log(f"proxy: latency, {a.latency_requests} sequential requests via {t.name}")
            out["latency"][t.name] = latency(t, "s_chat_5", a.latency_requests)
        expected = len(__import__("streams").answer_text(a.proxy_stream_tokens).encode())
        for t in targets:
            log(f"proxy: one {a.proxy_stream_tokens:,}-token stream via {t.name}")
            runs = []
            # LiteLLM takes minutes for this stream: one run of it.
            for _ in range(a.proxy_reps if t.name.startswith(("direct", "codex")) else 1):
                r = run(["curl", "-sN", f"http://127.0.0.1:{t.port}{t.path_for(big)}", "-H",
                         "Content-Type: application/json", *t.curl_auth, "-d",
                         request_body(t.model_for(big)).decode()])
                if r.status != 0 or r.out_bytes < expected:
                    raise SystemExit(f"{t.name}: the long stream failed ({r.status}, "
                                     f"{r.out_bytes} bytes)")
                runs.append(r.wall)
            out["throughput"][t.name] = runs
        for t in targets:
            for n in a.levels:
                log(f"proxy: {n} concurrent streams via {t.name}")
                out["concurrency"].setdefault(t.name, []).append(concurrency(t, paced, n))
        bench.results["proxy"] = out
    finally:
        for t in targets:
            t.stop()
