"""Runs every benchmark scenario against the fake server and writes bench/RESULTS.md.
Started by bench/run (which builds codex and prepares the venv); see bench/README.md."""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "server"))
sys.path.insert(0, HERE)

import streams  # noqa: E402
from fakeserver import FakeServer  # noqa: E402
from measure import Stat, fmt_stat, fmt_time, run  # noqa: E402
import proxy  # noqa: E402
import report  # noqa: E402

WIRES = ["chat", "responses", "ollama", "tgi"]
MAX_ROUNDS = 100  # Session.maxToolRounds
BEFORE = "codex (baseline)"
WIRE_PATHS = {"chat": "v1/chat/completions", "responses": "v1/responses", "ollama": "api/chat",
              "tgi": "generate_stream"}
CURL_BODIES = {
    "chat": '{"model":"bench-model","stream":true,"messages":[{"role":"user","content":"hi"}]}',
    "responses": '{"model":"bench-model","stream":true,"input":"hi"}',
    "ollama": '{"model":"bench-model","stream":true,"messages":[{"role":"user","content":"hi"}]}',
    "tgi": '{"inputs":"hi","parameters":{"max_new_tokens":10}}',
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Bench:
    def __init__(self, args):
        self.args = args
        self.codex = os.path.abspath(args.codex)
        self.py = args.python  # the venv's python, or None when the SDKs are not installed
        self.server = FakeServer(chunked=not args.close).start()
        self.work = tempfile.mkdtemp(prefix="codex-bench-")
        self.home = os.path.join(self.work, "codex-home")
        self.workspace = os.path.join(self.work, "workspace")
        os.makedirs(self.home)
        os.makedirs(self.workspace)
        self.write_config()
        self.env = dict(os.environ, CODEX_HOME=self.home, NO_COLOR="1")
        self.env.pop("DEBUG", None)
        self.results = {"machine": machine_info(self.codex), "args": vars(args)}

    def close(self):
        self.server.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    # --- configuration ---------------------------------------------------------------------

    def url(self, scenario):
        return f"{self.server.base}/{scenario}"

    def write_config(self):
        """A config as a user of several local servers has it: default model and provider,
        approval and sandbox settings, profiles, and one provider per benchmark stream."""
        b = self.server.base
        lines = [
            'model = "bench-model"',
            'model_provider = "bench_chat_5"',
            'approval_policy = "on-request"',
            'sandbox_mode = "workspace-write"',
            "",
            "[sandbox_workspace_write]",
            "network_access = false",
            "",
            "[shell_environment_policy]",
            'inherit = "core"',
            'exclude = ["AWS_*", "*_TOKEN"]',
            "",
            "[history]",
            'persistence = "none"',
            "",
            "[profiles.fast]",
            'model = "bench-model"',
            'approval_policy = "never"',
            "",
            "[model_providers.ollama]",
            f'base_url = "{b}/s/ollama-5"',
            "",
            "[model_providers.ollama.model_options]",
            "num_ctx = 32768",
            "temperature = 0.2",
        ]
        sizes = sorted({5, 2000, 20000, 200000, *self.args.sizes})
        for wire in WIRES:
            for n in sizes:
                base = f"{b}/s/{wire}-{n}" + ("/v1" if wire in ("chat", "responses") else "")
                lines += ["", f"[model_providers.bench_{wire}_{n}]",
                          f'name = "bench {wire} {n}"', f'base_url = "{base}"',
                          f'wire_api = "{wire}"', "stream_max_retries = 0",
                          "request_max_retries = 0"]
                if wire == "tgi":
                    lines.append('chat_template = "chatml"')
        for k in sorted({0, self.args.tool_calls}):
            lines += ["", f"[model_providers.bench_tools_{k}]", f'name = "bench tools {k}"',
                      f'base_url = "{b}/t/{k}/v1"', 'wire_api = "chat"',
                      "stream_max_retries = 0", "request_max_retries = 0"]
        lines += ["", "[model_providers.bench_long]", 'name = "bench long session"',
                  f'base_url = "{b}/t/{self.args.long_calls}x{self.args.long_parallel}/v1"',
                  'wire_api = "chat"', "stream_max_retries = 0", "request_max_retries = 0"]
        with open(os.path.join(self.home, "config.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")
        with open(os.path.join(self.workspace, "AGENTS.md"), "w") as f:
            f.write("# Project notes\n\nRun `swift test` before committing. Keep functions small."
                    "\n")

    def codex_argv(self, provider, *extra, prompt="Say hello."):
        return [self.codex, "-C", self.workspace, "-c", f'model_provider="{provider}"', *extra,
                prompt]

    # --- scenario 1: start-up --------------------------------------------------------------

    def startup(self):
        reps = self.args.startup_reps
        log(f"startup: {reps} runs each")
        floor, version, first, curl_version = [], [], [], []
        curl_first, py_first = [], {}
        for _ in range(reps):
            floor.append(run(["/bin/true"], pipe_stdout=False, rusage=False).wall)
            r = run([self.codex, "--version"], env=self.env, rusage=False)
            check(r, "codex --version")
            version.append(r.wall)
            # curl loads the same libcurl and its ~25 dependencies: the dynamic-linking floor.
            r = run(["curl", "--version"], pipe_stdout=False, rusage=False)
            check(r, "curl --version")
            curl_version.append(r.wall)
            self.server.take_log()
            r = run(self.codex_argv("bench_chat_5"), env=self.env, cwd=self.workspace,
                    rusage=False)
            check(r, "codex one-shot")
            first.append(first_byte(self.server.take_log(), r))
            r = run(["curl", "-sN", self.url("s/chat-5/v1/chat/completions"), "-d",
                     CURL_BODIES["chat"]], pipe_stdout=False, rusage=False)
            check(r, "curl")
            curl_first.append(first_byte(self.server.take_log(), r))
        if self.py:
            for name, argv in self.python_clients("chat", 5).items():
                vals = []
                for _ in range(max(1, reps // 4)):
                    self.server.take_log()
                    r = run(argv, rusage=False)
                    check(r, name)
                    vals.append(first_byte(self.server.take_log(), r))
                py_first[name] = Stat(vals)
        # Peak RSS of the smallest one-shot: what the binary, its libraries and the runtime take
        # before any answer is held.
        r = run(self.codex_argv("bench_chat_5"), env=self.env, cwd=self.workspace)
        check(r, "codex one-shot")
        v = run([self.codex, "--version"], env=self.env)
        check(v, "codex --version")
        c = run(["curl", "-sN", self.url("s/chat-5/v1/chat/completions"), "-d",
                 CURL_BODIES["chat"]], pipe_stdout=False)
        check(c, "curl")
        self.server.take_log()
        self.results["startup"] = {
            "version_rss_kb": v.rss_kb, "curl_rss_kb": c.rss_kb,
            "floor": Stat(floor), "version": Stat(version), "first_byte": Stat(first),
            "curl_version": Stat(curl_version), "min_rss_kb": r.rss_kb,
            "curl_first_byte": Stat(curl_first), "python_first_byte": py_first}

    # --- scenario 2: streaming -------------------------------------------------------------

    def python_clients(self, wire, n):
        if not self.py:
            return {}
        c = os.path.join(HERE, "clients")
        out = {}
        if wire == "chat":
            out["openai SDK"] = [self.py, os.path.join(c, "openai_chat.py"),
                                 self.url(f"s/chat-{n}/v1")]
        if wire == "responses":
            out["openai SDK"] = [self.py, os.path.join(c, "openai_responses.py"),
                                 self.url(f"s/responses-{n}/v1")]
        if wire == "ollama":
            out["ollama client"] = [self.py, os.path.join(c, "ollama_chat.py"),
                                    self.url(f"s/ollama-{n}")]
        out["Python stdlib"] = [self.py, os.path.join(c, "stdlib_client.py"), wire,
                                self.url(f"s/{wire}-{n}/{WIRE_PATHS[wire]}")]
        return out

    def streaming(self):
        rows = []
        for n in self.args.sizes:
            expected = len(streams.answer_text(n).encode())
            for wire in WIRES:
                self.server.prebuild(wire, n)
                clients = {
                    "curl -sN": (["curl", "-sN", self.url(f"s/{wire}-{n}/{WIRE_PATHS[wire]}"),
                                  "-d", CURL_BODIES[wire]], False),
                    "codex": (self.codex_argv(f"bench_{wire}_{n}"), True),
                }
                if self.args.baseline:
                    clients[BEFORE] = ([os.path.abspath(self.args.baseline)]
                                       + self.codex_argv(f"bench_{wire}_{n}")[1:], True)
                for name, argv in self.python_clients(wire, n).items():
                    clients[name] = (argv, True)
                samples = {name: [] for name in clients}
                reps = self.args.reps
                log(f"streaming: {wire} {n} tokens, {reps} runs each of {', '.join(clients)}")
                for i in range(reps):
                    for name, (argv, pipe) in clients.items():
                        slow = name not in ("curl -sN", "codex", BEFORE)
                        if slow and i >= self.args.python_reps:
                            continue
                        r = run(argv, env=self.env if name in ("codex", BEFORE) else None,
                                cwd=self.workspace, pipe_stdout=pipe)
                        check(r, f"{name} {wire} {n}")
                        if pipe and r.out_bytes < expected:
                            raise SystemExit(f"{name} {wire} {n}: printed {r.out_bytes} bytes, "
                                             f"expected {expected}")
                        samples[name].append(r)
                rows.append({"wire": wire, "n": n, "clients": samples})
        self.results["streaming"] = rows

    def close_delimited(self):
        """The largest streams again from a server that sends them close-delimited: curl then
        hands the client up to 128 KB per callback instead of one callback per HTTP chunk, which
        isolates what the transport's per-chunk delivery costs."""
        if self.args.close:
            return
        n = max(self.args.sizes)
        server = FakeServer(chunked=False).start()
        env = dict(self.env, CODEX_HOME=os.path.join(self.work, "codex-home-close"))
        os.makedirs(env["CODEX_HOME"], exist_ok=True)
        with open(os.path.join(self.home, "config.toml")) as f:
            text = f.read().replace(self.server.base, server.base)
        with open(os.path.join(env["CODEX_HOME"], "config.toml"), "w") as f:
            f.write(text)
        rows = []
        try:
            for wire in WIRES:
                server.prebuild(wire, n)
                log(f"close-delimited: {wire} {n} tokens, {self.args.reps} runs each")
                curl, codex = [], []
                for _ in range(self.args.reps):
                    r = run(["curl", "-sN", f"{server.base}/s/{wire}-{n}/{WIRE_PATHS[wire]}",
                             "-d", CURL_BODIES[wire]], pipe_stdout=False)
                    check(r, "curl close-delimited")
                    curl.append(r)
                    r = run(self.codex_argv(f"bench_{wire}_{n}"), env=env, cwd=self.workspace)
                    check(r, "codex close-delimited")
                    codex.append(r)
                rows.append({"wire": wire, "n": n, "clients": {"curl -sN": curl, "codex": codex}})
        finally:
            server.stop()
        self.results["close"] = rows

    # --- scenario 3: tool round trips ------------------------------------------------------

    def tools(self):
        k = self.args.tool_calls
        reps = self.args.tool_reps
        modes = {"sandboxed (--full-auto)": ["--full-auto"],
                 "no sandbox (--dangerously-bypass-approvals-and-sandbox)":
                     ["--dangerously-bypass-approvals-and-sandbox"]}
        # The command itself, spawned the way codex spawns it (bash -c, no login shell).
        bash = Stat([run(["/bin/bash", "-c", "true"], pipe_stdout=False, rusage=False).wall
                     for _ in range(20)])
        helper = Stat([run([self.codex, "--sandbox-exec", "--rw", self.workspace, "--rw", "/tmp",
                            "--no-net", "--", "/bin/bash", "-c", "true"],
                           pipe_stdout=False, rusage=False).wall for _ in range(20)])
        out = {"k": k, "bash": bash, "helper": helper, "modes": {}}
        for label, flags in modes.items():
            log(f"tools: {k} sequential shell calls, {label}, {reps} runs")
            base, full, intervals = [], [], []
            for _ in range(reps):
                self.server.take_log()
                r = run(self.codex_argv("bench_tools_0", *flags), env=self.env,
                        cwd=self.workspace)
                check(r, "codex tools 0")
                base.append(r.wall)
                self.server.take_log()
                r = run(self.codex_argv(f"bench_tools_{k}", *flags, prompt="Run true."),
                        env=self.env, cwd=self.workspace)
                # A turn stopped at the round cap ends the one-shot with status 1 (and a
                # warning); that is the scenario, not a failure.
                if not (k >= MAX_ROUNDS and r.status == 1
                        and b"rounds of tool calls" in r.stderr):
                    check(r, f"codex tools {k}")
                reqs = self.server.take_log()
                # The session ends a turn after 100 rounds of calls, so with 100 calls or more
                # the final answer is never asked for.
                if len(reqs) != min(k, MAX_ROUNDS) + (1 if k < MAX_ROUNDS else 0):
                    raise SystemExit(f"tools: {k} calls, the server saw {len(reqs)} requests:\n"
                                     f"{r.stderr.decode(errors='replace')[-2000:]}")
                full.append(r.wall)
                ts = [e["t"] for e in reqs]
                intervals.append(statistics.median(b - a for a, b in zip(ts, ts[1:])))
            per_call = Stat([(f - b) / k for f, b in zip(full, base)])
            out["modes"][label] = {"base": Stat(base), "full": Stat(full), "per_call": per_call,
                                   "interval": Stat(intervals)}
        self.results["tools"] = out

    # --- scenario 4: a long session --------------------------------------------------------

    def long_session(self):
        k, per = self.args.long_calls, self.args.long_parallel
        rounds = -(-k // per)
        log(f"long session: {k} tool calls, {per} per answer ({rounds} rounds), no sandbox")
        self.server.take_log()
        r = run(self.codex_argv("bench_long", "--dangerously-bypass-approvals-and-sandbox",
                                prompt="Run true."), env=self.env, cwd=self.workspace)
        check(r, "codex long session")
        reqs = self.server.take_log()
        if len(reqs) != rounds + 1:
            raise SystemExit(f"long session: expected {rounds + 1} requests, saw {len(reqs)}")
        ts = [e["t"] for e in reqs]
        gaps = [b - a for a, b in zip(ts, ts[1:])]
        w = max(1, min(10, len(gaps) // 4))
        self.results["long"] = {
            "k": k, "per": per, "rounds": rounds, "first": Stat(gaps[:w]),
            "last": Stat(gaps[-w:]), "window": w, "first_bytes": reqs[1]["bytes"],
            "last_bytes": reqs[-1]["bytes"], "last_messages": 1 + rounds * (1 + per),
            "wall": r.wall}
        if self.args.codex_bench and os.path.exists(self.args.codex_bench):
            log("encoding micro-benchmark (codex-bench)")
            p = subprocess.run([self.args.codex_bench] + (["--quick"] if self.args.quick else []),
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                raise SystemExit(f"codex-bench failed:\n{p.stderr[-2000:]}")
            self.results["encode"] = p.stdout


def first_byte(reqs, r):
    if not reqs:
        raise SystemExit("the server saw no request")
    return reqs[0]["t"] - r.t0


def check(r, what):
    if r.status != 0:
        raise SystemExit(f"{what} failed with status {r.status}:\n"
                         f"{r.stderr.decode(errors='replace')[-3000:]}")


def machine_info(codex):
    def cmd(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
        except OSError:
            return "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    swift = cmd(["swift", "--version"]).splitlines()
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
        "swift": swift[0] if swift else "?", "curl": cmd(["curl", "--version"]).split("\n")[0],
        "python": platform.python_version(), "date": datetime.datetime.now(
            datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load": os.getloadavg()[0], "codex_size": os.path.getsize(codex),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--codex", required=True)
    ap.add_argument("--codex-bench")
    ap.add_argument("--python", help="python with openai and ollama installed")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline", help="another codex binary (say, before a change) to stream "
                    "alongside")
    ap.add_argument("--close", action="store_true",
                    help="close-delimited bodies instead of one HTTP chunk per event")
    ap.add_argument("--only-proxy", action="store_true",
                    help="run only the codex serve scenario (5)")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.reps, a.python_reps, a.startup_reps = [2000], 1, 1, 3
        a.tool_calls, a.tool_reps, a.long_calls, a.long_parallel = 5, 1, 20, 2
        a.latency_requests, a.proxy_stream_tokens, a.proxy_reps = 50, 2000, 1
        a.levels, a.paced_tokens, a.paced_ms = [1, 20], 20, 5
    else:
        a.sizes, a.reps, a.python_reps, a.startup_reps = [20000, 200000], 5, 3, 20
        a.tool_calls, a.tool_reps, a.long_calls, a.long_parallel = 100, 3, 450, 9
        a.latency_requests, a.proxy_stream_tokens, a.proxy_reps = 500, 200000, 3
        a.levels, a.paced_tokens, a.paced_ms = [1, 50, 200], 100, 20
    b = Bench(a)
    try:
        t = time.monotonic()
        if not a.only_proxy:
            b.startup()
            b.streaming()
            b.close_delimited()
            b.tools()
            b.long_session()
        proxy.scenario(b)
        b.results["elapsed"] = time.monotonic() - t
    finally:
        b.close()
    text = report.render(b.results)
    with open(a.out, "w") as f:
        f.write(text)
    log(f"wrote {a.out} in {fmt_time(b.results['elapsed'])}")


if __name__ == "__main__":
    main()
