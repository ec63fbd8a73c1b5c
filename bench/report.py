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
    out += proxy_section(res)
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
        out.append(f"| `codex --version` < 3 ms (beyond the spawn floor every process pays the "
                   f"runner) | {fmt_time(v)} ({fmt_time(s['version'].median)} from spawn, "
                   f"`/bin/true` {fmt_time(s['floor'].median)}) | {'yes' if v < 0.003 else 'no'} |")
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
    out += proxy_targets(res)
    return out + [""]


# --- scenario 5: codex serve --------------------------------------------------------------------

CODEX = "codex serve"
DIRECT = "direct (no proxy)"


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))] if s else float("nan")


def proxy_rows(px):
    """The comparable numbers per proxy: (row name, value per target, lower is better, format)."""
    lat = px["latency"]
    d50 = pct(lat[DIRECT]["first"], 50)
    d99 = pct(lat[DIRECT]["first"], 99)
    t50 = pct(lat[DIRECT]["token"], 50)
    n = px["stream_tokens"]
    rows = []
    proxies = [t for t in px["targets"] if t != DIRECT]
    rows.append(("added time to first byte, p50", {t: pct(lat[t]["first"], 50) - d50
                                                    for t in proxies}, True, fmt_time))
    rows.append(("added time to first byte, p99", {t: pct(lat[t]["first"], 99) - d99
                                                    for t in proxies}, True, fmt_time))
    rows.append(("added time to first token, p50", {t: pct(lat[t]["token"], 50) - t50
                                                     for t in proxies}, True, fmt_time))
    rows.append((f"one {n:,}-token stream, tokens/s",
                 {t: n / Stat(px["throughput"][t]).median for t in proxies}, False,
                 lambda v: f"{v:,.0f}"))
    top = max(px["levels"])
    conc = {t: next(r for r in px["concurrency"][t] if r["n"] == top) for t in proxies}
    rows.append((f"{top} concurrent streams: completed", {t: conc[t]["ok"] for t in proxies},
                 False, lambda v: f"{v}/{top}"))
    rows.append((f"{top} concurrent streams: wall", {t: conc[t]["wall"] for t in proxies}, True,
                 fmt_time))
    rows.append((f"{top} concurrent streams: time to first token, p99",
                 {t: conc[t]["first_p99"] for t in proxies}, True, fmt_time))
    rows.append((f"{top} concurrent streams: proxy CPU", {t: conc[t]["cpu"] for t in proxies},
                 True, fmt_time))
    # Resident memory as it is, not growth per stream: a garbage-collected process that
    # already holds a gigabyte grows little per stream (and its idle size moves by hundreds of
    # MB between runs), so (peak - idle) / N says nothing about it.
    rows.append((f"{top} concurrent streams: peak resident memory",
                 {t: conc[t]["peak_kb"] for t in proxies}, True, fmt_rss))
    first = {t: px["concurrency"][t][0] for t in proxies}
    rows.append(("resident memory, idle (before the first level)",
                 {t: first[t]["idle_kb"] for t in proxies}, True, fmt_rss))
    return rows


def proxy_targets(res):
    px = res.get("proxy")
    if not px:
        return []
    out = []
    lat = px["latency"]
    added = pct(lat[CODEX]["first"], 50) - pct(lat[DIRECT]["first"], 50)
    out.append(f"| `codex serve` adds < 1 ms at p50 (time to first byte, through the proxy "
               f"minus direct) | {fmt_time(added)} | {'yes' if added < 0.001 else 'no'} |")
    others = [t for t in px["targets"] if t not in (DIRECT, CODEX)]
    if others:
        rows = proxy_rows(px)
        lost = [name for name, v, lower, _ in rows
                if any((v[CODEX] > v[o]) if lower else (v[CODEX] < v[o]) for o in others)]
        out.append(f"| `codex serve` ahead of {', '.join(others)} on every row of section 5 | "
                   f"{len(rows) - len(lost)} of {len(rows)} rows"
                   + (f" (behind on: {'; '.join(lost)})" if lost else "") + f" | "
                   f"{'yes' if not lost else 'no'} |")
    levels = px["concurrency"].get(CODEX, [])
    if len(levels) >= 2:
        per = [(r["peak_kb"] - r["idle_kb"]) / r["n"] for r in levels]
        top = levels[-1]
        flat = top["peak_kb"] - top["idle_kb"] < 64 * 1024
        out.append(f"| `codex serve` memory flat with the number of streams | "
                   f"{fmt_rss(top['idle_kb'])} idle, {fmt_rss(top['peak_kb'])} at {top['n']} "
                   f"streams ({per[-1]:,.0f} KB per stream) | {'yes' if flat else 'no'} |")
    return out


def proxy_section(res):
    px = res.get("proxy")
    if not px:
        return []
    tokens, ms = px["paced"]
    out = ["## 5. `codex serve`: the proxy", "",
           "`codex serve` (release binary) in front of the same fake server, side by side with "
           + (", ".join(t for t in px["targets"] if t not in (DIRECT, CODEX)) or "no other proxy")
           + " (its own CLI, one worker, the scenario as one model each) and the fake server "
           "itself; both proxies require a key of their clients. Time to first byte: request sent to the first response byte, on one "
           f"keep-alive connection, {px['requests']} sequential streamed requests of 5 tokens; "
           "time to first token: to the first chunk with text. Concurrency: N streams at once, "
           f"each {tokens} tokens one every {ms} ms (as a model generates), one connection each; "
           "RSS and CPU are the proxy process's (its children included), sampled every 10 ms; "
           "per stream = (peak − idle) / N, meaningful for a process whose memory is what it "
           "allocates for its streams (for a garbage-collected one that already holds a large "
           "heap, compare the peaks).", ""]
    lat = px["latency"]
    out += ["| target | first byte p50 | first byte p99 | first token p50 | first token p99 | "
            "added p50 (first byte) |", "|---|---|---|---|---|---|"]
    d50 = pct(lat[DIRECT]["first"], 50)
    for t in px["targets"]:
        l = lat[t]
        out.append(f"| {t} | {fmt_time(pct(l['first'], 50))} | {fmt_time(pct(l['first'], 99))} "
                   f"| {fmt_time(pct(l['token'], 50))} | {fmt_time(pct(l['token'], 99))} | "
                   f"{'–' if t == DIRECT else fmt_time(pct(l['first'], 50) - d50)} |")
    n = px["stream_tokens"]
    out += ["", f"One {n:,}-token chat stream read by `curl -sN`:", "",
            "| target | wall | tokens/s |", "|---|---|---:|"]
    for t in px["targets"]:
        w = Stat(px["throughput"][t])
        out.append(f"| {t} | {fmt_stat(w)} | {n / w.median:,.0f} |")
    out += ["", "Concurrent paced streams:", "",
            "| target | streams | completed | wall | first token p50 | first token p99 | "
            "proxy CPU | RSS idle → peak | per stream |", "|---|---:|---:|---|---|---|---|---|---:|"]
    for t in px["targets"]:
        for r in px["concurrency"].get(t, []):
            mem = ("–" if t == DIRECT else
                   f"{fmt_rss(r['idle_kb'])} → {fmt_rss(r['peak_kb'])}")
            per = "–" if t == DIRECT else f"{(r['peak_kb'] - r['idle_kb']) / r['n']:,.0f} KB"
            cpu = "–" if t == DIRECT else fmt_time(r["cpu"])
            out.append(f"| {t} | {r['n']} | {r['ok']} | {fmt_time(r['wall'])} | "
                       f"{fmt_time(r['first_p50'])} | {fmt_time(r['first_p99'])} | {cpu} | {mem} | "
                       f"{per} |")
    others = [t for t in px["targets"] if t not in (DIRECT, CODEX)]
    if others:
        out += ["", "Side by side (lower is better unless tokens/s or completed):", "",
                "| | " + " | ".join([CODEX] + others) + " |",
                "|---|" + "---|" * (1 + len(others))]
        for name, values, lower, fmt in proxy_rows(px):
            out.append(f"| {name} | " + " | ".join(fmt(values[t]) for t in [CODEX] + others)
                       + " |")
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
    out.append(f"| peak RSS of a one-shot answering 5 tokens | {fmt_rss(s['min_rss_kb'])} |")
    if "version_rss_kb" in s:
        out.append(f"| peak RSS of `codex --version` | {fmt_rss(s['version_rss_kb'])} |")
        out.append(f"| peak RSS of `curl -sN` answering 5 tokens | {fmt_rss(s['curl_rss_kb'])} |")
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
    """Where each target stands, with this run's numbers, and what blocks the ones missed."""
    out = ["## What stands between us and the targets", ""]
    stream = res.get("streaming", [])
    big = max((r["n"] for r in stream), default=None)
    small = min((r["n"] for r in stream), default=None)
    rows = [r for r in stream if r["n"] == big]
    close = {r["wire"]: r for r in res.get("close", [])}
    s = res.get("startup")
    if rows:
        ratios = {r["wire"]: med(r["clients"]["codex"], "wall").median
                  / med(r["clients"]["curl -sN"], "wall").median for r in rows}
        worst = max(ratios, key=ratios.get)
        text = (f"- **Streaming wall time** ({'met' if ratios[worst] <= 2 else 'missed'}: at most "
                f"{fmt_ratio(ratios[worst])} curl at {big:,} tokens, {worst}). The transport hands "
                "the reader one batch per socket read: curl calls the write callback once per "
                "HTTP chunk, i.e. once per token, and handing each over alone (a lock, an "
                "allocation, often a task wake-up) made codex ~7× slower than curl. What is left "
                "is decoding and printing, the same with any framing: ")
        parts = []
        for wire, c in close.items():
            cc = med(c["clients"]["codex"], "cpu").median
            parts.append(f"{wire} {cc / c['n'] * 1e9:,.0f} ns")
        if parts:
            text += ("CPU per token on the close-delimited streams (section 2b, where curl does no "
                     "per-event work at all, hence the larger ratios there): " + ", ".join(parts)
                     + ".")
        out.append(text)
        hi = max(med(r["clients"]["codex"], "rss_kb").median for r in rows)
        lo = min(med(r["clients"]["codex"], "rss_kb").median for r in stream if r["n"] == small)
        if s and "version_rss_kb" in s:
            out.append(
                f"- **Peak RSS** ({'met' if hi < 20 * 1024 and hi - lo < 2 * 1024 else 'missed'}: "
                f"{fmt_rss(lo)} at {small:,} tokens, {fmt_rss(hi)} at {big:,}). Most of it is "
                "code pages mapped from files, not memory codex allocates: `codex --version` alone "
                f"peaks at {fmt_rss(s['version_rss_kb'])} and a 5-token one-shot at "
                f"{fmt_rss(s['min_rss_kb'])} (`curl -sN` itself: {fmt_rss(s['curl_rss_kb'])}). "
                "/proc/PID/smaps of a one-shot waiting for its answer (2026-11-29, this machine): "
                "21.2 MB resident, of which 7.5 MB is the codex binary's code (the kernel maps "
                "64 KiB around each page touched), 0.9 MB its relocated data, ~8 MB libcurl's "
                "libraries (libcrypto alone 3.2 MB, GnuTLS 1.1 MB) and 1.6 MB libc; anonymous "
                "memory, heap and thread stacks, is 2.3 MB. The body in flight is bounded (the "
                "transfer pauses above 256 KiB unread), so what grows with N is the answer "
                "itself: the session keeps its text for the history and writes it to the session "
                "file (valgrind massif at 200,000 tokens, 2026-11-29: 3.1 MB of heap at the peak, "
                "1.2 MB of it the answer's text, 1.6 MB the session-file line being encoded, "
                "caught while its buffer grows). Under 20 MB needs a smaller floor: Debian's libcurl brings GnuTLS, "
                "Kerberos, LDAP, SSH and RTMP along, and the static Swift runtime and "
                "FoundationEssentials take ~5 MB even for a hello world; neither is ours to shrink "
                "under the zero-dependency rule. Encoding that line in pieces straight to the file "
                "would take about 1.5 MB off the growth.")
    if s:
        fb = s["first_byte"].median
        out.append(
            f"- **First request byte** ({'met' if fb < 0.010 else 'missed'}: {fmt_time(fb)}; "
            f"`curl -sN` {fmt_time(s['curl_first_byte'].median)}). libcurl is loaded with "
            "`dlopen` (never for `--version`, `config` or the sandbox helper), on a thread of its "
            "own as soon as the command is known to need it, overlapping the config, the "
            "instructions and the session file. The load itself takes ~6 ms: Debian's libcurl "
            "and its ~25 libraries are all linked `BIND_NOW`, so every symbol is resolved at "
            "load and lazy binding cannot help; curl pays the same (`curl --version` "
            f"{fmt_time(s['curl_version'].median)}). Starting the load earlier (tried from a C "
            "constructor) blocks the async runtime's start on the loader's lock and gains "
            "nothing. Beating this means a libcurl built with HTTP(S) and OpenSSL only, or "
            "linked statically; Debian ships no static Kerberos or LDAP to link it with.")
    t = res.get("tools")
    if t:
        for label, d in t["modes"].items():
            if label.startswith("sandboxed"):
                o = d["per_call"].median - t["bash"].median
                out.append(
                    f"- **Tool calls** ({'met' if o < 0.015 else 'missed'}: {fmt_time(o)} beyond "
                    "the command, sandboxed). The login environment is captured once per session; "
                    "the sandbox helper re-executes the codex binary "
                    f"({fmt_time(t['helper'].median)} for `codex --sandbox-exec … bash -c true` "
                    "alone) and, libcurl being loaded only for requests, no longer pays for it.")
    px = res.get("proxy")
    if px:
        lat = px["latency"]
        added = pct(lat[CODEX]["first"], 50) - pct(lat[DIRECT]["first"], 50)
        levels = px["concurrency"].get(CODEX, [])
        top = levels[-1] if levels else None
        text = (f"- **`codex serve`** ({'met' if added < 0.001 else 'missed'}: {fmt_time(added)} "
                "added at p50). A request crosses three threads: the server's epoll loop parses "
                "it and starts a task; the task routes, encodes and hands the transfer to curl's "
                "I/O thread (keep-alive connections to the upstream are reused); each batch of "
                "upstream events is translated and written to the client's socket by the task "
                "itself, with no hop back to the loop unless the client is slow (then the "
                "upstream body is not pulled until the client's queue drains, and curl pauses "
                "the transfer).")
        if top:
            text += (f" At {top['n']} streams the process grew by "
                     f"{fmt_rss(top['peak_kb'] - top['idle_kb'])} over its "
                     f"{fmt_rss(top['idle_kb'])} idle (a task, a connection and a curl transfer "
                     "per stream).")
        out.append(text)
    if res.get("encode"):
        out.append(
            "- **Request encoding** is linear in the history: one pass over the messages, no "
            "per-message search; the µs-per-message column is the slope. A single size can come out "
            "up to 2× off the line from one run to the next (Ollama at 2,000 messages: 6.5 ms in "
            "one run, 3.2 ms in the next, same binary): the body is one growing array, and "
            "which growth step lands in a fresh mapping to fault in varies.")
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
