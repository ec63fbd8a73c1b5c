"""Minimal streaming client on the official openai SDK (Responses API): prints each
output_text delta as it arrives. Usage: openai_responses.py BASE_URL"""
import sys

from openai import OpenAI

client = OpenAI(base_url=sys.argv[1], api_key="bench")
out = sys.stdout
stream = client.responses.create(model="bench-model", input="hi", stream=True)
for event in stream:
    if event.type == "response.output_text.delta" and event.delta:
        out.write(event.delta)
        out.flush()
