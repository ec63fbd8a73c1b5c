import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The real clients the serve tests drive: the `openai` and `anthropic` Python SDKs from the
/// venv `scripts/test` makes, and curl.
enum ServeClients {
  /// The venv: `$CODEX_TEST_VENV`, else `.venv-test` at the package root.
  static func python(filePath: String = #filePath) throws -> String {
    let root = URL(fileURLWithPath: filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
    let venv = ProcessInfo.processInfo.environment["CODEX_TEST_VENV"] ?? root + "/.venv-test"
    let python = venv + "/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
      throw ServeProcessError(
        description:
          "the Python test clients are missing (no \(python)): run scripts/test once, which "
          + "makes that venv with the openai and anthropic SDKs (or set CODEX_TEST_VENV)")
    }
    return python
  }

  /// Runs a client script; its stdout is one JSON object.
  static func run(_ script: String, _ arguments: [String], in scratch: Scratch) async throws -> JSON
  {
    let python = try python()
    let path = scratch.root + "/client-\(UUID().uuidString.prefix(6)).py"
    try Data(script.utf8).write(to: URL(fileURLWithPath: path))
    let r = try await ProcessRunner.run(
      ProcessSpec(
        executable: python, arguments: [path] + arguments, workingDirectory: scratch.work,
        environment: ["PATH": "/usr/bin:/bin", "HOME": scratch.home], timeout: .seconds(600)))
    guard r.exitCode == 0, let json = try? JSON.parse(r.stdout) else {
      throw ServeProcessError(
        description: "client \(arguments) failed (\(String(describing: r.exitCode))): "
          + r.stdoutText + r.stderrText)
    }
    return json
  }

  /// `openai_client.py BASE MODELS MODES [KEY]`: every model (comma-separated) in every mode
  /// (stream, complete, models); prints `{"MODEL MODE": result}`. One process for all: starting
  /// Python and importing the SDK takes seconds on a loaded machine.
  static let openAI = #"""
    import json, sys
    import openai

    base, models, modes = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    key = sys.argv[4] if len(sys.argv) > 4 else "any-key"
    client = openai.OpenAI(base_url=base + "/v1", api_key=key, max_retries=0, timeout=120)
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                             "required": ["city"]}}}]
    messages = [{"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "rain"},
                {"role": "user", "content": "And Paris?"}]

    def stream(model):
        text, reasoning, calls, usage, finish = "", "", {}, None, None
        try:
            chunks = client.chat.completions.create(
                model=model, messages=messages, tools=tools, stream=True,
                stream_options={"include_usage": True})
            for chunk in chunks:
                if chunk.usage:
                    usage = chunk.usage.model_dump(exclude_none=True)
                for choice in chunk.choices:
                    d = choice.delta
                    text += d.content or ""
                    reasoning += (d.model_extra or {}).get("reasoning_content") or ""
                    for tc in d.tool_calls or []:
                        c = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                        c["id"] = tc.id or c["id"]
                        if tc.function:
                            c["name"] += tc.function.name or ""
                            c["arguments"] += tc.function.arguments or ""
                    finish = choice.finish_reason or finish
        except openai.APIStatusError as e:
            return {"status": e.status_code, "message": e.message,
                    "retry_after": e.response.headers.get("retry-after")}
        except openai.APIError as e:
            return {"stream_error": e.message, "text": text}
        return {"text": text, "reasoning": reasoning, "tool_calls": [calls[i] for i in sorted(calls)],
                "usage": usage, "finish": finish}

    def complete(model):
        try:
            r = client.chat.completions.create(model=model, messages=messages, tools=tools)
        except openai.APIStatusError as e:
            return {"status": e.status_code, "message": e.message,
                    "retry_after": e.response.headers.get("retry-after")}
        m = r.choices[0].message
        return {"text": m.content or "", "reasoning": (m.model_extra or {}).get("reasoning_content") or "",
                "tool_calls": [{"id": c.id, "name": c.function.name, "arguments": c.function.arguments}
                               for c in m.tool_calls or []],
                "usage": r.usage.model_dump(exclude_none=True) if r.usage else None,
                "finish": r.choices[0].finish_reason}

    def listing(model):
        return {"ids": [m.id for m in client.models.list()]}

    run = {"stream": stream, "complete": complete, "models": listing}
    print(json.dumps({f"{m} {mode}": run[mode](m) for m in models for mode in modes}))
    """#

  /// `anthropic_client.py BASE MODELS MODES [KEY]`: every model in every mode (stream,
  /// complete); prints `{"MODEL MODE": result}`.
  static let anthropic = #"""
    import json, sys
    import anthropic

    base, models, modes = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    key = sys.argv[4] if len(sys.argv) > 4 else "any-key"
    client = anthropic.Anthropic(base_url=base, api_key=key, max_retries=0, timeout=120)
    tools = [{"name": "get_weather", "description": "Weather",
              "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}]
    messages = [{"role": "user", "content": "Weather in Oslo?"},
                {"role": "assistant", "content": [
                    {"type": "text", "text": "Checking."},
                    {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}]},
                {"role": "user", "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "rain"},
                    {"type": "text", "text": "And Paris?"}]}]

    def run(model, mode):
        args = dict(model=model, max_tokens=200, system="Be brief.", messages=messages, tools=tools)
        text = ""
        try:
            if mode == "stream":
                with client.messages.stream(**args) as s:
                    for t in s.text_stream:
                        text += t
                    msg = s.get_final_message()
            else:
                msg = client.messages.create(**args)
                text = "".join(b.text for b in msg.content if b.type == "text")
        except anthropic.APIStatusError as e:
            return {"status": e.status_code, "message": e.message, "text": text}
        except anthropic.APIError as e:
            return {"stream_error": e.message, "text": text}
        return {"text": text,
                "thinking": "".join(b.thinking for b in msg.content if b.type == "thinking"),
                "tool_uses": [{"id": b.id, "name": b.name, "input": b.input}
                              for b in msg.content if b.type == "tool_use"],
                "stop_reason": msg.stop_reason,
                "usage": {"input": msg.usage.input_tokens, "output": msg.usage.output_tokens}}

    print(json.dumps({f"{m} {mode}": run(m, mode) for m in models for mode in modes}))
    """#
}
