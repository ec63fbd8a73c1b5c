/// Small local models often print a tool call as text instead of returning a structured call.
/// When a turn has no structured calls and its whole text is such a call for a tool we offered,
/// we treat it as the call. Recognised shapes:
/// - Hermes / Qwen: `<tool_call>{"name": …, "arguments": {…}}</tool_call>` (one or more)
/// - a bare JSON object `{"name": …, "arguments"|"parameters": {…}}`, optionally in a ``` fence
/// - Llama 3.1: `{"type": "function", "name": …, "parameters": {…}}`
/// - Mistral: `[TOOL_CALLS] [{"name": …, "arguments": {…}}, …]`
/// - `{"function": {"name": …, "arguments": …}}` and a JSON array of any of the above
/// Anything else (prose around the JSON, an unknown tool name) is left as text.
public enum TextToolCalls {
  public static func extract(from text: String, offered: [String]) -> [ToolCall]? {
    let t = text.trimmingWhitespace()
    guard !t.isEmpty, !offered.isEmpty else { return nil }
    var objects: [JSON] = []
    if t.hasPrefix("<tool_call>") {
      guard let bodies = taggedBodies(t) else { return nil }
      for b in bodies {
        guard let v = try? JSON.parse(b) else { return nil }
        objects.append(v)
      }
    } else {
      var body = t
      if body.hasPrefix("[TOOL_CALLS]") { body = String(body.dropFirst(12)).trimmingWhitespace() }
      body = unfenced(body)
      guard body.hasPrefix("{") || body.hasPrefix("["), let v = try? JSON.parse(body) else {
        return nil
      }
      objects = v.arrayValue ?? [v]
    }
    guard !objects.isEmpty else { return nil }
    var calls: [ToolCall] = []
    for (n, o) in objects.enumerated() {
      guard let call = call(from: o, index: n), offered.contains(call.name) else { return nil }
      calls.append(call)
    }
    return calls
  }

  static func call(from o: JSON, index: Int) -> ToolCall? {
    var o = o
    if let fn = o["function"], fn.objectValue != nil { o = fn }
    guard let name = o["name"]?.stringValue, !name.isEmpty else { return nil }
    let argsValue = o["arguments"] ?? o["parameters"] ?? .object(JSONObject())
    let args: String
    switch argsValue {
    case .object: args = argsValue.serialized()
    case .string(let s): args = s
    default: return nil
    }
    // Only `name`, the arguments and a few harmless keys: an object with more is more likely
    // data the model is showing than a call.
    let allowed: Set<String> = ["name", "arguments", "parameters", "type", "id", "function"]
    guard let keys = o.objectValue?.keys, keys.allSatisfy({ allowed.contains($0) }) else {
      return nil
    }
    return ToolCall(id: "call_text_\(index)", name: name, arguments: args)
  }

  /// The bodies of `<tool_call>…</tool_call>` blocks when the text is nothing but such blocks.
  static func taggedBodies(_ t: String) -> [String]? {
    var rest = Substring(t)
    var bodies: [String] = []
    while !rest.isEmpty {
      guard rest.hasPrefix("<tool_call>") else { return nil }
      rest = rest.dropFirst("<tool_call>".count)
      if let end = rest.firstRange(of: "</tool_call>") {
        bodies.append(String(rest[..<end.lowerBound]).trimmingWhitespace())
        rest = rest[end.upperBound...]
      } else {
        // Models often stop right before the closing tag (it is a stop sequence).
        bodies.append(String(rest).trimmingWhitespace())
        rest = ""
      }
      rest = Substring(String(rest).trimmingWhitespace())
    }
    return bodies.isEmpty ? nil : bodies
  }

  static func unfenced(_ s: String) -> String {
    guard s.hasPrefix("```"), s.hasSuffix("```"), s.count > 6 else { return s }
    var inner = s.dropFirst(3).dropLast(3)
    if let nl = inner.firstIndex(of: "\n") {
      let lang = inner[..<nl].trimmingCharacters()
      if lang.isEmpty || lang == "json" || lang == "tool_call" {
        inner = inner[inner.index(after: nl)...]
      }
    }
    return String(inner).trimmingWhitespace()
  }

  /// Whether streamed text so far could still become a text tool call, so a front end can
  /// hold it back instead of printing JSON the user never needed to see.
  public static func mightBeCall(prefix: String) -> Bool {
    let t = prefix.trimmingWhitespace()
    if t.isEmpty { return true }
    if t.hasPrefix("```") {
      // A fence may wrap a call only as ```json / ```tool_call / ``` followed by JSON; any
      // other code block is an answer and must stream as it comes.
      let afterTicks = t.dropFirst(3)
      guard let nl = afterTicks.firstIndex(of: "\n") else {
        let lang = String(afterTicks)
        return ["json", "tool_call"].contains { $0.hasPrefix(lang) } || lang.isEmpty
      }
      let lang = afterTicks[..<nl].trimmingCharacters()
      guard ["", "json", "tool_call"].contains(lang) else { return false }
      let body = afterTicks[afterTicks.index(after: nl)...].trimmingCharacters()
      return body.isEmpty || body.hasPrefix("{") || body.hasPrefix("[")
    }
    for opener in ["<tool_call>", "[TOOL_CALLS]", "{", "["] {
      if t.hasPrefix(opener) || opener.hasPrefix(t) { return true }
    }
    return false
  }
}

extension Substring {
  func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}
