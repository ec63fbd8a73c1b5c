"""A hand-written MCP stdio server (no SDK) that misbehaves on purpose, for codex's protocol
tests. The first argument picks the behaviour; every message it receives is appended, one JSON
per line, to the file named by $MCP_TRACE (when set), so tests can check what codex sent.

  normal          answers initialize with the version offered (if known), pages tools/list
                  over three pages, and runs the tools below
  old-version     answers initialize with 2024-11-05
  future-version  answers initialize with 2099-01-01
  reject-version  refuses the first initialize with -32602 and data.supported
  no-version      answers initialize without a protocolVersion
  bad-json        answers initialize, then prints a line that is not JSON
  exit-on-call    exits with status 3 when a tool is called
  hang            never answers anything
  cursor-loop     tools/list returns the same nextCursor forever
  stdout-close    closes its stdout after initialize but keeps running
  slow-start      answers initialize only once the file named by $MCP_GATE exists
  grows           like normal, and calling echo adds a tool and sends list_changed

Tools (normal): echo (returns its arguments), wait (never answers; cancellation),
ask-back (sends ping, roots/list, sampling/createMessage and elicitation/create to the client,
and returns the replies), everything (one content item of each kind), noisy (writes to stderr).
"""
import json
import os
import sys
import time

MODE = sys.argv[1] if len(sys.argv) > 1 else "normal"
TRACE = os.environ.get("MCP_TRACE")
KNOWN = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]
out = sys.stdout


def trace(msg):
    if TRACE:
        with open(TRACE, "a") as f:
            f.write(json.dumps(msg) + "\n")


def send(msg):
    out.write(json.dumps(msg) + "\n")
    out.flush()


def read():
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    msg = json.loads(line)
    trace(msg)
    return msg


def result(mid, value):
    send({"jsonrpc": "2.0", "id": mid, "result": value})


PAGES = [
    [{"name": "echo", "description": "Echo the arguments", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}},
      "annotations": {"readOnlyHint": True}}],
    [{"name": "wait", "description": "Never answers", "inputSchema": {"type": "object"}},
     {"name": "ask-back", "description": "Asks the client things", "inputSchema": {"type": "object"}}],
    [{"name": "everything", "description": "All content kinds", "inputSchema": {"type": "object"}},
     {"name": "noisy", "description": "Writes to stderr", "inputSchema": {"type": "object"}},
     {"name": "", "description": "a tool without a name is skipped"}],
]

rejected = False
next_id = 1000


def ask(method, params=None):
    """Sends a request to the client and returns its reply (skipping anything else)."""
    global next_id
    next_id += 1
    mid = next_id
    msg = {"jsonrpc": "2.0", "id": mid, "method": method}
    if params is not None:
        msg["params"] = params
    send(msg)
    while True:
        reply = read()
        if reply.get("id") == mid and "method" not in reply:
            return reply


def call_tool(mid, name, args):
    if MODE == "exit-on-call":
        sys.exit(3)
    if name == "echo":
        if MODE == "grows" and len(PAGES[0]) == 1:
            PAGES[0].append({"name": "late.tool", "description": "Added later", "inputSchema": {"type": "object"}})
            send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        result(mid, {"content": [{"type": "text", "text": json.dumps(args, sort_keys=True)}]})
    elif name == "wait":
        pass  # never answered; codex must cancel
    elif name == "ask-back":
        replies = [ask("ping"), ask("roots/list"),
                   ask("sampling/createMessage", {"messages": [], "maxTokens": 1}),
                   ask("elicitation/create", {"message": "?", "requestedSchema": {"type": "object"}})]
        result(mid, {"content": [{"type": "text", "text": json.dumps(replies, sort_keys=True)}]})
    elif name == "everything":
        result(mid, {"content": [
            {"type": "text", "text": "plain text"},
            {"type": "image", "data": "aGVsbG8gd29ybGQ=", "mimeType": "image/png"},
            {"type": "audio", "data": "AAAA", "mimeType": "audio/wav"},
            {"type": "resource_link", "uri": "file:///tmp/x.txt", "name": "x.txt", "mimeType": "text/plain"},
            {"type": "resource", "resource": {"uri": "file:///tmp/y.txt", "text": "embedded text"}},
            {"type": "resource", "resource": {"uri": "file:///tmp/z.bin", "blob": "AAECAw==", "mimeType": "application/octet-stream"}},
        ], "structuredContent": {"ok": True}})
    elif name == "noisy":
        sys.stderr.write("noise on stderr\n")
        sys.stderr.flush()
        result(mid, {"content": [{"type": "text", "text": "quiet on stdout"}]})
    else:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": f"Unknown tool: {name}"}})


while True:
    msg = read()
    method = msg.get("method")
    mid = msg.get("id")
    if MODE == "hang":
        continue
    if method == "initialize":
        if MODE == "slow-start":
            # A gate the test opens, not a delay: on a loaded machine a delay may pass before
            # the test looks, and the server would not be slow at all.
            while not os.path.exists(os.environ["MCP_GATE"]):
                time.sleep(0.02)
        offered = msg["params"]["protocolVersion"]
        if MODE == "reject-version" and not rejected:
            rejected = True
            send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32602, "message": "Unsupported protocol version",
                                                         "data": {"supported": ["2025-03-26"], "requested": offered}}})
            continue
        version = {"old-version": "2024-11-05", "future-version": "2099-01-01"}.get(
            MODE, offered if offered in KNOWN else KNOWN[0])
        res = {"protocolVersion": version, "capabilities": {"tools": {"listChanged": True}},
               "serverInfo": {"name": "scripted", "version": "1"}}
        if MODE == "no-version":
            del res["protocolVersion"]
        result(mid, res)
        if MODE == "bad-json":
            out.write("this is not json\n")
            out.flush()
        if MODE == "stdout-close":
            out.close()
            os.close(1)
            while True:
                time.sleep(1)
    elif method == "tools/list":
        cursor = (msg.get("params") or {}).get("cursor")
        if MODE == "cursor-loop":
            result(mid, {"tools": PAGES[0], "nextCursor": "again"})
            continue
        page = int(cursor) if cursor else 0
        res = {"tools": PAGES[page]}
        if page + 1 < len(PAGES):
            res["nextCursor"] = str(page + 1)
        result(mid, res)
    elif method == "tools/call":
        call_tool(mid, msg["params"]["name"], msg["params"].get("arguments"))
    elif method == "ping":
        result(mid, {})
    elif mid is not None and method is not None:
        send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32601, "message": "Method not found"}})
