"""Minimal streaming client on the official openai SDK (Chat Completions): prints each text
delta as it arrives, as a CLI would. Usage: openai_chat.py BASE_URL"""
import sys

from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="bench")
out = sys.stdout
stream = client.chat.completions.create(
    model="bench-model", messages=[{"role": "user", "content": "hi"}], stream=True)
for chunk in stream:
    if chunk.choices:
        text = chunk.choices[0].delta.content
        if text:
            out.write(text)
            out.flush()
