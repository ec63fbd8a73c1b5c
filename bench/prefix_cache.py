#!/usr/bin/env python3
"""Does codex keep the request prefix byte-stable, so llama-server's prefix cache reuses it?

1. A scripted model (stdlib HTTP server on 127.0.0.1) plays an 8-round tool session with the
   built codex binary and records every request body codex sends.
2. Those bodies are replayed, in order, to a real llama-server (scripts/lab, one slot, so its
   cache holds the previous request), with max_tokens 1. llama-server reports how many prompt
   tokens it had to evaluate (`timings.prompt_n`) out of the whole prompt
   (`usage.prompt_tokens`): with a stable prefix only the new tokens of each round are evaluated.
3. The control replays the same bodies with the system message changed on every request, which
   defeats the cache: everything is evaluated every time.

Usage: bench/prefix_cache.py --codex .build/release/codex --llama http://127.0.0.1:8092
Prints a Markdown table and the reuse ratio.
"""
import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.request

ROUNDS = 8


class Recorder(http.server.BaseHTTPRequestHandler):
    bodies = []
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        # /props: the window codex budgets against (the same as the llama-server below).
        body = json.dumps({"default_generation_settings": {"n_ctx": 4096}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        request = json.loads(raw)
        Recorder.bodies.append(request)
        done = sum(1 for m in request.get("messages", []) if m.get("role") == "tool")
        if done < ROUNDS:
            args = json.dumps({"command": ["bash", "-lc", f"seq 1 {10 + done * 3} | paste -sd ' '"]})
            delta = {"tool_calls": [{"index": 0, "id": f"call_{done}", "type": "function",
                                     "function": {"name": "shell", "arguments": args}}]}
            finish = "tool_calls"
        else:
            delta = {"content": "All rounds done."}
            finish = "stop"
        events = [
            {"choices": [{"index": 0, "delta": delta}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": finish}]},
        ]
        body = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def record_session(codex):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as work:
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "CODEX_HOME": home + "/.codex",
               "TERM": "dumb"}
        os.makedirs(env["CODEX_HOME"])
        result = subprocess.run(
            [codex, "--provider", "llamacpp", "--provider-url", url, "-m", "m", "--full-auto",
             "Count with seq, round by round."],
            cwd=work, env=env, capture_output=True, text=True, timeout=300)
    server.shutdown()
    if result.returncode != 0:
        sys.exit(f"codex failed ({result.returncode}): {result.stderr}")
    return list(Recorder.bodies)


def replay(llama, bodies, vary_system):
    rows = []
    for n, body in enumerate(bodies):
        body = dict(body)
        body["stream"] = False
        body.pop("stream_options", None)
        body["max_tokens"] = 1
        body["temperature"] = 0
        body["cache_prompt"] = True
        if vary_system:
            messages = [dict(m) for m in body["messages"]]
            messages[0]["content"] = f"[request {n}] " + messages[0]["content"]
            body["messages"] = messages
        request = urllib.request.Request(
            llama + "/v1/chat/completions", data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as response:
            answer = json.load(response)
        rows.append((answer["usage"]["prompt_tokens"], answer["timings"]["prompt_n"]))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--codex", required=True)
    parser.add_argument("--llama", required=True, help="base URL of a running llama-server")
    args = parser.parse_args()
    bodies = record_session(os.path.abspath(args.codex))
    stable = replay(args.llama, bodies, vary_system=False)
    control = replay(args.llama, bodies, vary_system=True)
    print("| request | prompt tokens | evaluated (codex) | evaluated (control: prefix changed) |")
    print("|---|---|---|---|")
    for n, ((tokens, evaluated), (_, evaluated_control)) in enumerate(zip(stable, control)):
        print(f"| {n + 1} | {tokens} | {evaluated} | {evaluated_control} |")
    later = stable[1:]
    total = sum(t for t, _ in later)
    evaluated = sum(e for _, e in later)
    control_evaluated = sum(e for _, e in control[1:])
    print()
    print(f"After the first request, llama-server evaluated {evaluated} of {total} prompt tokens "
          f"({100 * evaluated / total:.1f}%); with the prefix changed it evaluated "
          f"{control_evaluated} ({100 * control_evaluated / total:.1f}%).")


if __name__ == "__main__":
    main()
