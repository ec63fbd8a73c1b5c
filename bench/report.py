"""Turns the runner's measurements into bench/RESULTS.md."""

from measure import Stat, fmt_stat, fmt_time


def fmt_rss(kb):
    return f"{kb / 1024:.1f} MB"


def fmt_ratio(x):
    if x != x:
        return "–"
    return f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def med(runs, attr):
    return Stat([getattr(r, attr) for r in runs])


def render(res):
    m = res["machine"]
    quick = res["args"]["quick"]
    out = ["# codex benchmark results", ""]
    if quick:
        out += ["**Smoke run (`bench/run --quick`): small N, one repetition. Not for comparison.**",
                ""]
    framing = ("close-delimited bodies" if res["args"]["close"]
               else "chunked bodies, one HTTP chunk per event (as streaming servers send them)")
    out += [
        f"Run {m['date']} by `bench/run`{' --quick' if quick else ''} in "
        f"{fmt_time(res['elapsed'])}. Every number is the median of the runs with min–max in "
        "brackets; ratios divide medians measured in this same run. See bench/README.md for "
        "what each number means.",
        "",
        "| machine | |", "|---|---|",
        f"| CPU | {m['cpu']}, {m['nproc']} cores (load average {m['load']:.1f} at start) |",
        f"| kernel | Linux {m['kernel']} |",
        f"| Swift | {m['swift']} |",
        f"| codex binary | release, `--static-swift-stdlib`, {m['codex_size'] / 1e6:.1f} MB |",
        f"| curl | {m['curl']} |",
        f"| Python | {m['python']} |",
        f"| fake server | Python stdlib `ThreadingHTTPServer` on 127.0.0.1, {framing} |",
        "",
    ]
    out += targets(res)
    out += startup(res)
    out += streaming(res)
    out += tools(res)
    out += long_session(res)
    return "\n".join(out) + "\n"


def streaming_row(res, wire, n):
    for row in res.get("streaming", []):
        if row["wire"] == wire and row["n"] == n:
            return row
    return None


def targets(res):
    out = ["## Targets", "", "| target | measured | met |", "|---|---|---|"]
    big = max((r["n"] for r in res.get("streaming", [])), default=None)
    small = min((r["n"] for r in res.get("streaming", [])), default=None)
    for row in res.get("streaming", []):
        if row["n"] != big:
            continue
        c = med(row["clients"]["codex"], "wall").median
        f = med(row["clients"]["curl -sN"], "wall").median
        out.append(f"| {row['wire']} {big:,} tokens: wall ≤ 2× `curl -sN` | "
                   f"{fmt_ratio(c / f)} ({fmt_time(c)} vs {fmt_time(f)}) | "
                   f"{'yes' if c <= 2 * f else 'no'} |")
    for row in res.get("streaming", []):
        if row["n"] != big:
            continue
        hi = med(row["clients"]["codex"], "rss_kb").median
        lo_row = streaming_row(res, row["wire"], small)
        lo = med(lo_row["clients"]["codex"], "rss_kb").median if lo_row else float("nan")
        out.append(f"| {row['wire']}: peak RSS < 20 MB, flat {small:,} → {big:,} tokens | "
                   f"{fmt_rss(lo)} → {fmt_rss(hi)} | "
                   f"{'yes' if hi < 20 * 1024 and hi - lo < 2 * 1024 else 'no'} |")
    s = res.get("startup")
    if s:
        v = s["version"].median - s["floor"].median
        out.append(f"| `codex --version` < 3 ms | {fmt_time(s['version'].median)} "
                   f"({fmt_time(v)} above the spawn floor) | {'yes' if v < 0.003 else 'no'} |")
        fb = s["first_byte"].median
        out.append(f"| first request byte < 10 ms after process start | {fmt_time(fb)} | "
                   f"{'yes' if fb < 0.010 else 'no'} |")
    t = res.get("tools")
    if t:
        for label, d in t["modes"].items():
            if label.startswith("sandboxed"):
                o = d["per_call"].median - t["bash"].median
                out.append(f"| tool-call overhead < 15 ms per call, sandboxed | {fmt_time(o)} "
                           f"beyond `bash -c true` | {'yes' if o < 0.015 else 'no'} |")
    lg = res.get("long")
    if lg:
        g = lg["last"].median - lg["first"].median
        out.append(f"| request cost linear in history | {lg['last_messages']} messages "
                   f"add {fmt_time(g)} per request (see below) | see below |")
    return out + [""]


def startup(res):
    s = res.get("startup")
    if not s:
        return []
    out = ["## 1. Start-up", "",
           "Process start (the runner's clock just before it spawns the client) to the moment "
           "named. `/bin/true` is the cost of spawning any process from the runner.", "",
           "| measurement | time |", "|---|---|",
           f"| spawn floor: `/bin/true` exits | {fmt_stat(s['floor'])} |",
           f"| `codex --version` exits | {fmt_stat(s['version'])} |",
           f"| codex one-shot: first request byte at the server | {fmt_stat(s['first_byte'])} |",
           f"| `curl -sN`: first request byte | {fmt_stat(s['curl_first_byte'])} |"]
    for name, st in s["python_first_byte"].items():
        ratio = st.median / s["first_byte"].median
        out.append(f"| Python {name}: first request byte | {fmt_stat(st)} "
                   f"({fmt_ratio(ratio)} codex) |")
    return out + [""]


def streaming(res):
    rows = res.get("streaming", [])
    if not rows:
        return []
    out = ["## 2. Streaming", "",
           "The whole answer consumed and its text written to a pipe (curl writes the raw body "
           "to /dev/null). CPU is user+sys of the client process; tokens/s is N / wall.", "",
           "| wire | tokens | client | wall | CPU | tokens/s | peak RSS | wall ÷ curl | "
           "wall ÷ codex |",
           "|---|---:|---|---|---|---:|---:|---:|---:|"]
    for row in rows:
        curl = med(row["clients"]["curl -sN"], "wall").median
        codex = med(row["clients"]["codex"], "wall").median
        for name, runs in row["clients"].items():
            if not runs:
                continue
            w = med(runs, "wall")
            out.append(
                f"| {row['wire']} | {row['n']:,} | {'**codex**' if name == 'codex' else name} | "
                f"{fmt_stat(w)} | {fmt_stat(med(runs, 'cpu'))} | {row['n'] / w.median:,.0f} | "
                f"{fmt_rss(med(runs, 'rss_kb').median)} | {fmt_ratio(w.median / curl)} | "
                f"{fmt_ratio(w.median / codex)} |")
    return out + [""]


def tools(res):
    t = res.get("tools")
    if not t:
        return []
    out = ["## 3. Tool round trips", "",
           f"{t['k']} sequential `shell` calls of `[\"bash\",\"-lc\",\"true N\"]`, each answered "
           "by the server with the next call. Per call = (wall with the calls − wall of the same "
           "one-shot with none) ÷ calls. The command itself is `bash -c true` spawned alone "
           f"({fmt_stat(t['bash'])}); the sandbox helper alone (`codex --sandbox-exec … -- "
           f"bash -c true`) takes {fmt_stat(t['helper'])}.", "",
           "| mode | wall, no calls | wall, all calls | per call | overhead beyond `bash -c "
           "true` | request-to-request at the server |",
           "|---|---|---|---|---|---|"]
    for label, d in t["modes"].items():
        o = d["per_call"].median - t["bash"].median
        out.append(f"| {label} | {fmt_stat(d['base'])} | {fmt_stat(d['full'])} | "
                   f"{fmt_stat(d['per_call'])} | {fmt_time(o)} | {fmt_stat(d['interval'])} |")
    return out + [""]


def long_session(res):
    lg = res.get("long")
    if not lg:
        return []
    out = ["## 4. A long session", "",
           f"One turn of {lg['k']} sequential tool calls (no sandbox), so the last request "
           f"carries {lg['last_messages']} messages. The server stamps each request; the gap "
           "between two requests is one tool round trip plus encoding and sending the grown "
           f"history. Median of the first and the last {lg['window']} gaps:", "",
           "| | gap | request body |", "|---|---|---:|",
           f"| first requests | {fmt_stat(lg['first'])} | {lg['first_bytes']:,} bytes |",
           f"| last requests | {fmt_stat(lg['last'])} | {lg['last_bytes']:,} bytes |",
           ""]
    if res.get("encode"):
        out += ["Request encoding alone (`codex-bench`, in-process, per wire):", "",
                res["encode"].strip(), ""]
    return out
