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
    out += close_delimited(res)
    out += tools(res)
    out += long_session(res)
    out += analysis(res)
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
           f"| `curl --version` exits (loads the same libcurl) | {fmt_stat(s['curl_version'])} |",
           f"| codex one-shot: first request byte at the server | {fmt_stat(s['first_byte'])} |",
           f"| `curl -sN`: first request byte | {fmt_stat(s['curl_first_byte'])} |"]
    out.insert(len(out), f"| peak RSS of a one-shot answering 5 tokens | "
               f"{fmt_rss(s['min_rss_kb'])} |")
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


def close_delimited(res):
    rows = res.get("close", [])
    if not rows:
        return []
    out = ["### 2b. The same streams, close-delimited", "",
           "From a second server that sends each body without chunked encoding, so libcurl "
           "hands over up to 128 KB per write callback instead of one callback per event. The "
           "difference to the table above is what per-chunk delivery costs.", "",
           "| wire | tokens | client | wall | CPU | peak RSS | wall ÷ curl |",
           "|---|---:|---|---|---|---:|---:|"]
    for row in rows:
        curl = med(row["clients"]["curl -sN"], "wall").median
        for name, runs in row["clients"].items():
            w = med(runs, "wall")
            out.append(f"| {row['wire']} | {row['n']:,} | {'**codex**' if name == 'codex' else name}"
                       f" | {fmt_stat(w)} | {fmt_stat(med(runs, 'cpu'))} | "
                       f"{fmt_rss(med(runs, 'rss_kb').median)} | {fmt_ratio(w.median / curl)} |")
    return out + [""]


def analysis(res):
    """What stands between codex and each target it misses, with this run's numbers."""
    out = ["## What stands between us and the targets", ""]
    rows = [r for r in res.get("streaming", []) if r["n"] == max(x["n"] for x in
                                                                   res["streaming"])]
    close = {r["wire"]: r for r in res.get("close", [])}
    if rows:
        worst = max(rows, key=lambda r: med(r["clients"]["codex"], "wall").median
                    / med(r["clients"]["curl -sN"], "wall").median)
        n = worst["n"]
        cw = med(worst["clients"]["codex"], "wall").median
        cc = med(worst["clients"]["codex"], "cpu").median
        fw = med(worst["clients"]["curl -sN"], "wall").median
        text = (f"- **Streaming wall time.** At {n:,} tokens codex needs up to "
                f"{fmt_ratio(cw / fw)} curl's time ({worst['wire']}: {fmt_time(cw)}, "
                f"{fmt_time(cc)} CPU, vs {fmt_time(fw)}). ")
        if worst["wire"] in close:
            c = close[worst["wire"]]
            ccw = med(c["clients"]["codex"], "wall").median
            ccc = med(c["clients"]["codex"], "cpu").median
            cfw = med(c["clients"]["curl -sN"], "wall").median
            text += (f"The same stream close-delimited takes codex {fmt_time(ccw)} "
                     f"({fmt_time(ccc)} CPU, {fmt_ratio(ccw / cfw)} curl): the decoding itself is "
                     "no longer the cost. ")
        text += ("What remains is the transport: libcurl calls the write callback once per "
                 "HTTP chunk, and `CurlTransfer` yields each callback's bytes as one "
                 "`AsyncThrowingStream<[UInt8]>` element: an array, a lock, often a cross-thread "
                 "wake-up of the reading task, and ~15k instructions of unspecialised generic "
                 "code (callgrind: 16 generic-metadata lookups per element) — per event, since "
                 "servers send one chunk per token. Fix (transport, not in this change): "
                 "gather what one `curl_multi_perform` pass received and yield it once (a "
                 "prototype measured in bench/README.md).")
        out.append(text)
        hi = max(med(r["clients"]["codex"], "rss_kb").median for r in rows)
        s = res.get("startup")
        base = fmt_rss(s["min_rss_kb"]) if s else "?"
        out.append(
            f"- **Peak RSS.** A one-shot that holds almost nothing peaks at {base} (static "
            "Swift runtime and Foundation, libcurl and its libraries, the I/O and pool threads); "
            f"the largest stream peaks at {fmt_rss(hi)}. The difference is the body buffered "
            "between the curl thread and the reader when the server sends faster than the "
            "client decodes (the transport's stream is unbounded), plus the answer itself, "
            "which the session keeps for the history (about 1 MB at 200k tokens). Flat RSS "
            "needs backpressure in the transport: pause the transfer "
            "(`CURL_WRITEFUNC_PAUSE`) while more than a few hundred KB wait unread.")
    s = res.get("startup")
    if s:
        out.append(
            f"- **Start-up.** `codex --version` takes {fmt_time(s['version'].median)} and "
            f"`curl --version` {fmt_time(s['curl_version'].median)} (spawn floor "
            f"{fmt_time(s['floor'].median)}): both spend it in the dynamic loader mapping "
            "libcurl and the ~25 libraries it pulls in (OpenSSL, GnuTLS, LDAP, Kerberos, "
            "nghttp2, …), and relocating them, before `main` runs; callgrind puts ~15M of the "
            "~24M instructions of a whole one-shot there, plus 2.4M in `curl_global_init`. "
            "codex's own work before the request (config, instructions, session) is ~2M "
            "instructions, under a millisecond. Reaching 3 ms needs libcurl loaded lazily "
            "(`dlopen` in the CCurl shim on the first request) or linked statically.")
    t = res.get("tools")
    if t:
        for label, d in t["modes"].items():
            if label.startswith("sandboxed"):
                o = d["per_call"].median - t["bash"].median
                out.append(
                    f"- **Tool calls.** Sandboxed, a call costs {fmt_time(o)} beyond the command; "
                    f"most of it is the sandbox helper, which re-executes the codex binary "
                    f"({fmt_time(t['helper'].median)} for `codex --sandbox-exec … bash -c true` "
                    "alone) and so pays the same library loading as start-up. Also per call: "
                    "`ShellEnvironmentPolicy.apply` re-filters the login environment with "
                    "case-insensitive globs (~2M instructions, about 0.7 ms); the filtered "
                    "environment could be computed once per session.")
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
           f"One turn of {lg['k']} tool calls (no sandbox), {lg['per']} per model answer, so "
           f"the last of the {lg['rounds'] + 1} requests carries {lg['last_messages']} "
           "messages. The server stamps each request; the gap between two requests is one "
           "round of tool calls plus encoding and sending the grown history. Median (min–max) "
           f"of the first and the last {lg['window']} gaps:", "",
           "| | gap | request body |", "|---|---|---:|",
           f"| first requests | {fmt_stat(lg['first'])} | {lg['first_bytes']:,} bytes |",
           f"| last requests | {fmt_stat(lg['last'])} | {lg['last_bytes']:,} bytes |",
           ""]
    if res.get("encode"):
        out += ["Request encoding alone (`codex-bench`: `ChatRequest` with N messages to HTTP "
                "body bytes, in-process, median of repeated encodes):", "",
                res["encode"].strip(), ""]
    return out
