"""A Python client with no dependencies (http.client + json), for every wire: the lightest a
Python script can be. Prints each text delta as it arrives. Usage: stdlib_client.py WIRE URL"""
import http.client
import json
import sys
import urllib.parse

wire, url = sys.argv[1], sys.argv[2]
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port)
body = {"model": "bench-model", "stream": True}
if wire == "tgi":
    body = {"inputs": "hi", "parameters": {"max_new_tokens": 10}}
elif wire == "responses":
    body["input"] = "hi"
else:
    body["messages"] = [{"role": "user", "content": "hi"}]
conn.request("POST", u.path, json.dumps(body), {"Content-Type": "application/json"})
resp = conn.getresponse()
out = sys.stdout


def emit(text):
    if text:
        out.write(text)
        out.flush()


for raw in resp:
    line = raw.rstrip(b"\r\n")
    if wire == "ollama":
        if line:
            emit(json.loads(line).get("message", {}).get("content"))
        continue
    if not line.startswith(b"data:"):
        continue
    data = line[5:].lstrip(b" ")
    if not data or data == b"[DONE]":
        continue
    obj = json.loads(data)
    if wire == "chat":
        choices = obj.get("choices") or []
        if choices:
            emit((choices[0].get("delta") or {}).get("content"))
    elif wire == "tgi":
        tok = obj.get("token") or {}
        if not tok.get("special"):
            emit(tok.get("text"))
    elif obj.get("type") == "response.output_text.delta":
        emit(obj.get("delta"))
