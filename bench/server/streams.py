"""Pre-built response bodies in each wire's real shape (see shared protocols.md and the wire
fixtures in Tests/CodexCoreTests/Fixtures/wires). Everything here is pure: a body is built once
per (wire, N) and then sent as one byte string, so the server costs nothing per token."""

import json

# Tokens as a model emits them: mostly short words with a leading space, now and then a newline,
# a quote or backslash (JSON escapes) and non-ASCII text (UTF-8 and a \u escape), so a client's
# fast path is exercised on what real text looks like, not on pure ASCII.
_WORDS = [" the", " model", " streams", " tokens", " to", " a", " client", ",", " and",
          " it", " prints", " them", ".", " Swift", " code", " runs", " fast", " on", " Linux"]


def token(i):
    if i % 50 == 49:
        return "\n"
    if i % 97 == 0:
        return ' "quoted"'
    if i % 101 == 0:
        return " café"
    if i % 211 == 0:
        return " path\\to"
    if i % 307 == 0:
        return " 日本"
    return _WORDS[i % len(_WORDS)]


def answer_text(n):
    return "".join(token(i) for i in range(n))


def _j(obj):
    # Compact separators, as servers send them; ensure_ascii=False keeps UTF-8 on the wire
    # except where a server would escape (json.dumps escapes nothing else by default).
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def _sse(payload, event=None, space=True):
    head = f"event: {event}\n" if event else ""
    sep = "data: " if space else "data:"
    return f"{head}{sep}{payload}\n\n"


# --- Chat Completions (OpenAI, vLLM, llama.cpp, ...) -------------------------------------------

def chat_events(tokens, tool_calls=(), usage=(50, None)):
    """SSE events of one chat completion: a role chunk, one chunk per token, then each tool
    call (its id and name, then its arguments, as vLLM streams them), the finish chunk, the
    usage chunk and [DONE]."""
    base = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1761000000,
            "model": "bench-model"}

    def chunk(delta, finish=None):
        return _j({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

    out = [_sse(chunk({"role": "assistant", "content": ""}))]
    # Build the per-token chunk by splicing the JSON-escaped token into a template: same bytes
    # as json.dumps per chunk, ten times faster to build for 200k tokens.
    head, tail = chunk({"content": "\x00"}).split('"\\u0000"')
    for t in tokens:
        out.append("data: " + head + _j(t) + tail + "\n\n")
    finish = "stop"
    for index, (call_id, args) in enumerate(tool_calls):
        out.append(_sse(chunk({"tool_calls": [{"index": index, "id": call_id, "type": "function",
                                              "function": {"name": "shell", "arguments": ""}}]})))
        out.append(_sse(chunk({"tool_calls": [{"index": index,
                                               "function": {"arguments": args}}]})))
        finish = "tool_calls"
    out.append(_sse(chunk({}, finish)))
    prompt = usage[0]
    completion = usage[1] if usage[1] is not None else max(1, len(tokens))
    out.append(_sse(_j({**base, "choices": [], "usage": {
        "prompt_tokens": prompt, "completion_tokens": completion,
        "total_tokens": prompt + completion}})))
    out.append("data: [DONE]\n\n")
    return out


# --- Ollama native /api/chat (NDJSON) ----------------------------------------------------------

def ollama_events(tokens):
    base = {"model": "bench-model", "created_at": "2025-07-07T20:22:19.184425Z"}
    head, tail = _j({**base, "message": {"role": "assistant", "content": "\x00"},
                     "done": False}).split('"\\u0000"')
    out = [head + _j(t) + tail + "\n" for t in tokens]
    out.append(_j({**base, "message": {"role": "assistant", "content": ""}, "done": True,
                   "done_reason": "stop", "total_duration": 182242375,
                   "load_duration": 41295167, "prompt_eval_count": 50,
                   "prompt_eval_duration": 24573166, "eval_count": len(tokens),
                   "eval_duration": 115959084}) + "\n")
    return out


# --- TGI /generate_stream (SSE, "data:" without a space, no [DONE]) ----------------------------

def tgi_events(tokens):
    out = []
    for i, t in enumerate(tokens):
        out.append("data:" + '{"index":%d,"token":{"id":%d,"text":%s,"logprob":-0.3,'
                   '"special":false},"generated_text":null,"details":null}' % (
                       i + 1, 1000 + i % 30000, _j(t)) + "\n\n")
    out.append(_sse(_j({"index": len(tokens) + 1,
                        "token": {"id": 2, "text": "</s>", "logprob": -0.1, "special": True},
                        "generated_text": "".join(tokens),
                        "details": {"finish_reason": "eos_token",
                                    "generated_tokens": len(tokens) + 1, "seed": None,
                                    "input_length": 50}}), space=False))
    return out


# --- OpenAI Responses (typed SSE events, no [DONE]) -----------------------------------------------

def responses_events(tokens):
    seq = [0]

    def ev(kind, **fields):
        payload = {"type": kind, "sequence_number": seq[0], **fields}
        seq[0] += 1
        return _sse(_j(payload), event=kind)

    resp = {"id": "resp_bench", "object": "response", "created_at": 1761000000,
            "status": "in_progress", "model": "bench-model", "output": []}
    out = [ev("response.created", response=resp), ev("response.in_progress", response=resp)]
    item = {"id": "msg_bench", "type": "message", "status": "in_progress", "role": "assistant",
            "content": []}
    out.append(ev("response.output_item.added", output_index=0, item=item))
    out.append(ev("response.content_part.added", item_id="msg_bench", output_index=0,
                  content_index=0, part={"type": "output_text", "text": "", "annotations": []}))
    for t in tokens:
        out.append("event: response.output_text.delta\ndata: "
                   '{"type":"response.output_text.delta","sequence_number":%d,'
                   '"item_id":"msg_bench","output_index":0,"content_index":0,"delta":%s}\n\n'
                   % (seq[0], _j(t)))
        seq[0] += 1
    text = "".join(tokens)
    part = {"type": "output_text", "text": text, "annotations": []}
    out.append(ev("response.output_text.done", item_id="msg_bench", output_index=0,
                  content_index=0, text=text))
    out.append(ev("response.content_part.done", item_id="msg_bench", output_index=0,
                  content_index=0, part=part))
    done_item = {**item, "status": "completed", "content": [part]}
    out.append(ev("response.output_item.done", output_index=0, item=done_item))
    out.append(ev("response.completed", response={
        **resp, "status": "completed", "output": [done_item],
        "usage": {"input_tokens": 50, "input_tokens_details": {"cached_tokens": 0},
                  "output_tokens": len(tokens), "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": 50 + len(tokens)}}))
    return out


def stream_events(wire, n):
    tokens = [token(i) for i in range(n)]
    if wire == "chat":
        return chat_events(tokens)
    if wire == "ollama":
        return ollama_events(tokens)
    if wire == "tgi":
        return tgi_events(tokens)
    if wire == "responses":
        return responses_events(tokens)
    raise ValueError(f"unknown wire {wire}")


CONTENT_TYPES = {"chat": "text/event-stream", "tgi": "text/event-stream",
                 "responses": "text/event-stream", "ollama": "application/x-ndjson"}
