"""The benchmark's fake model server: Python stdlib, HTTP/1.1 keep-alive, pre-built bodies
written with one sendall, so the client under test is the bottleneck (bench/run proves it by
timing curl against the same server).

Routes (the scenario lives in the base URL, so every client can be pointed at it unchanged):
  /s/<wire>-<N>/...   a whole answer of N tokens in <wire>'s format (chat, responses, ollama, tgi)
                      whatever the rest of the path; the method and body are ignored.
  /p/<wire>-<N>-<MS>/...  like /s/, but one event every MS milliseconds, as a model generates
                      them (the proxy benchmark's many concurrent streams).
  /t/<K>/...          chat wire, scripted tool conversation: a request carrying k tool results
                      (k < K) gets tool call number k+1 (`shell` running `true <k+1>`); the one with K
                      results gets a short final answer.
Every request is logged with the CLOCK_MONOTONIC time its first byte arrived (time.monotonic in
this process, the same clock the runner reads when it spawns a client), its path and body size.
"""

import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from . import streams
except ImportError:  # run as a script
    import streams

def tool_args(i):
    # `true` ignores its arguments; the number keeps every call distinct (the session stops a
    # model that repeats the exact same call).
    return '{"command":["bash","-lc","true %d"]}' % i


def frame_body(events, chunked):
    """The body as it goes on the wire: one HTTP chunk per event (what streaming servers do,
    flushing per token), or the raw bytes for a close-delimited response."""
    if not chunked:
        return "".join(events).encode()
    parts = []
    for e in events:
        b = e.encode()
        parts.append(b"%x\r\n%s\r\n" % (len(b), b))
    parts.append(b"0\r\n\r\n")
    return b"".join(parts)


class BodyCache:
    """Bodies are built on first use and kept: building 200k tokens takes a second or so in
    Python, sending them takes milliseconds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.bodies = {}

    def get(self, key, build):
        with self.lock:
            b = self.bodies.get(key)
            if b is None:
                b = build()
                self.bodies[key] = b
            return b


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bench-fake/1"

    def log_message(self, *args):  # quiet
        pass

    def handle(self):
        self.close_connection = True
        while True:
            try:
                # Wait for the request's first byte without consuming it: its arrival time is
                # the end of the client's start-up.
                if not self.connection.recv(1, socket.MSG_PEEK):
                    return
            except OSError:
                return
            self.arrival = time.monotonic()
            self.handle_one_request()
            if self.close_connection:
                return

    def do_GET(self):
        self.respond()

    def do_POST(self):
        self.respond()

    def respond(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        srv = self.server
        entry = {"t": self.arrival, "path": self.path, "bytes": len(body)}
        # codex asks a local server for the model's context window (GET /v1/models, /props,
        # /info; Ollama's /api/show and /api/ps) alongside its first request. Those lookups
        # are not model requests: answered "not found" (as by a server without them) and kept
        # out of the request log the scenarios read.
        if self.command == "GET" or re.search(r"/api/(show|ps)$", self.path):
            msg = b'{"error":{"message":"not served by the bench","type":"not_found"}}'
            self.connection.sendall(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(msg), msg))
            return
        p = re.match(r"^/p/(chat|responses|ollama|tgi)-(\d+)-(\d+)(/|$)", self.path)
        if p:
            self.paced(p.group(1), int(p.group(2)), int(p.group(3)) / 1000, entry)
            return
        m = re.match(r"^/s/(chat|responses|ollama|tgi)-(\d+)(/|$)", self.path)
        t = re.match(r"^/t/(\d+)(?:x(\d+))?(/|$)", self.path)
        if m:
            wire, n = m.group(1), int(m.group(2))
            payload = srv.cache.get(
                (wire, n, srv.chunked),
                lambda: frame_body(streams.stream_events(wire, n), srv.chunked))
            ctype = streams.CONTENT_TYPES[wire]
        elif t:
            k, per = int(t.group(1)), int(t.group(2) or 1)
            # Count tool results in the history (chat wire: role "tool" messages).
            done = body.count(b'"role":"tool"')
            entry["tool_results"] = done
            if done < k:
                calls = [(f"call_{i}", tool_args(i)) for i in range(done + 1,
                                                                    min(k, done + per) + 1)]
                events = streams.chat_events([], tool_calls=calls)
            else:
                events = streams.chat_events([" All", " done", "."])
            payload = frame_body(events, True)
            ctype = "text/event-stream"
            chunked = True
        else:
            msg = b'{"error":{"message":"unknown bench route","type":"not_found"}}'
            srv.log(entry)
            self.connection.sendall(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(msg), msg))
            return
        chunked = srv.chunked or bool(t)
        head = [f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nCache-Control: no-cache\r\n"]
        if chunked:
            head.append("Transfer-Encoding: chunked\r\n")
        else:
            head.append("Connection: close\r\n")
            self.close_connection = True
        head.append("\r\n")
        # Logged before the answer goes out: a client that has read it all may exit, and the
        # runner read the log, before this thread runs again.
        srv.log(entry)
        self.connection.sendall("".join(head).encode() + payload)


    def paced(self, wire, n, interval, entry):
        """One chunk per event, `interval` apart (each connection has its own thread)."""
        events = self.server.cache.get(("paced", wire, n),
                                       lambda: streams.stream_events(wire, n))
        self.server.log(entry)
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {streams.CONTENT_TYPES[wire]}\r\n"
                "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            self.connection.sendall(head.encode())
            for e in events:
                time.sleep(interval)
                b = e.encode()
                self.connection.sendall(b"%x\r\n%s\r\n" % (len(b), b))
            self.connection.sendall(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # Hundreds of clients may connect at once (the proxy benchmark): a short backlog would
    # drop SYNs and add a second's retry to some of them.
    request_queue_size = 1024

    def __init__(self, chunked=True, port=0):
        super().__init__(("127.0.0.1", port), Handler)
        self.chunked = chunked
        self.cache = BodyCache()
        self.requests = []
        self.requests_lock = threading.Lock()
        self.thread = None

    def log(self, entry):
        with self.requests_lock:
            self.requests.append(entry)

    def take_log(self):
        with self.requests_lock:
            out, self.requests = self.requests, []
        return out

    @property
    def base(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def prebuild(self, wire, n):
        self.cache.get((wire, n, self.chunked),
                       lambda: frame_body(streams.stream_events(wire, n), self.chunked))

    def start(self):
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def stop(self):
        self.shutdown()
        self.server_close()


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="codex benchmark fake server")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--close", action="store_true", help="close-delimited bodies, not chunked")
    a = ap.parse_args()
    s = FakeServer(chunked=not a.close, port=a.port)
    print(s.base, flush=True)
    try:
        s.serve_forever()
    except KeyboardInterrupt:
        pass
