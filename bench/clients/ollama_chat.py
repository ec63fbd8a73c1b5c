"""Minimal streaming client on the official ollama Python client (native /api/chat, NDJSON):
prints each content piece as it arrives. Usage: ollama_chat.py HOST_URL"""
import sys

from ollama import Client

client = Client(host=sys.argv[1])
out = sys.stdout
for part in client.chat(model="bench-model", messages=[{"role": "user", "content": "hi"}],
                        stream=True):
    text = part.message.content
    if text:
        out.write(text)
        out.flush()
