/// Prompt formats for servers that take raw text (TGI's `/generate_stream`). We cannot run the
/// model's Jinja template, so we carry the handful of formats nearly every instruct model uses.
/// Tools are described in the system turn in the Hermes style (`<tool_call>{json}</tool_call>`),
/// which `TextToolCalls` recognises in the answer.
public struct ChatTemplate: Sendable, Equatable {
  public enum Format: String, Sendable, CaseIterable {
    case chatml
    case llama3
    case mistral
    case gemma
    case phi3
  }

  public var format: Format

  public init(_ format: Format) { self.format = format }

  /// `name` from the provider's `chat_template`; `auto` (or nil) guesses from the model name.
  public static func named(_ name: String?, model: String) -> ChatTemplate {
    if let name, let f = Format(rawValue: name.lowercased()) { return ChatTemplate(f) }
    return ChatTemplate(guess(model: model))
  }

  public static func guess(model: String) -> Format {
    let m = model.lowercased()
    if m.contains("llama-3") || m.contains("llama3") { return .llama3 }
    if m.contains("mistral") || m.contains("mixtral") || m.contains("codestral") { return .mistral }
    if m.contains("gemma") { return .gemma }
    if m.contains("phi-3") || m.contains("phi3") || m.contains("phi-4") { return .phi3 }
    return .chatml
  }

  public var stopSequences: [String] {
    switch format {
    case .chatml: return ["<|im_end|>", "<|im_start|>"]
    case .llama3: return ["<|eot_id|>", "<|start_header_id|>"]
    case .mistral: return ["</s>", "[INST]"]
    case .gemma: return ["<end_of_turn>", "<start_of_turn>"]
    case .phi3: return ["<|end|>", "<|user|>"]
    }
  }

  /// The system text: instructions plus, when tools are offered, how to call them.
  static func systemText(_ request: ChatRequest) -> String {
    var parts: [String] = []
    if let i = request.instructions, !i.isEmpty { parts.append(i) }
    if !request.tools.isEmpty {
      var t = "You may call tools. The tools are, as JSON schemas:\n<tools>\n"
      for tool in request.tools { t += tool.chatCompletionsJSON.serialized() + "\n" }
      t += "</tools>\nTo call a tool, answer with only:\n"
      t += "<tool_call>\n{\"name\": <tool name>, \"arguments\": <arguments object>}\n</tool_call>"
      parts.append(t)
    }
    return parts.joined(separator: "\n\n")
  }

  /// The turns as (role, text), with tool calls and results written the Hermes way.
  static func turns(_ request: ChatRequest) -> [(role: String, text: String)] {
    var out: [(role: String, text: String)] = []
    for m in request.messages {
      switch m {
      case .user(let t): out.append(("user", t))
      case .assistant(let a):
        var text = a.text
        for c in a.toolCalls {
          let call: JSON = [
            "name": .string(c.name), "arguments": Wires.argumentsObject(c.arguments),
          ]
          text += (text.isEmpty ? "" : "\n") + "<tool_call>\n\(call.serialized())\n</tool_call>"
        }
        out.append(("assistant", text))
      case .toolResult(let r):
        out.append(("tool", "<tool_response>\n\(r.output)\n</tool_response>"))
      }
    }
    return out
  }

  public func render(_ request: ChatRequest) -> String {
    let system = Self.systemText(request)
    var turns = Self.turns(request)
    switch format {
    case .chatml:
      var s = system.isEmpty ? "" : "<|im_start|>system\n\(system)<|im_end|>\n"
      for t in turns { s += "<|im_start|>\(t.role)\n\(t.text)<|im_end|>\n" }
      return s + "<|im_start|>assistant\n"
    case .llama3:
      var s = "<|begin_of_text|>"
      if !system.isEmpty {
        s += "<|start_header_id|>system<|end_header_id|>\n\n\(system)<|eot_id|>"
      }
      for t in turns {
        let role = t.role == "tool" ? "ipython" : t.role
        s += "<|start_header_id|>\(role)<|end_header_id|>\n\n\(t.text)<|eot_id|>"
      }
      return s + "<|start_header_id|>assistant<|end_header_id|>\n\n"
    case .mistral, .gemma:
      // Neither has a system role: the system text leads the first user turn. Tool results
      // are shown as user turns.
      if !system.isEmpty {
        if let i = turns.firstIndex(where: { $0.role == "user" }) {
          turns[i].text = system + "\n\n" + turns[i].text
        } else {
          turns.insert(("user", system), at: 0)
        }
      }
      if format == .mistral {
        var s = "<s>"
        for t in turns {
          s += t.role == "assistant" ? " \(t.text)</s>" : "[INST] \(t.text) [/INST]"
        }
        return s
      }
      var s = "<bos>"
      for t in turns {
        let role = t.role == "assistant" ? "model" : "user"
        s += "<start_of_turn>\(role)\n\(t.text)<end_of_turn>\n"
      }
      return s + "<start_of_turn>model\n"
    case .phi3:
      var s = system.isEmpty ? "" : "<|system|>\n\(system)<|end|>\n"
      for t in turns {
        let role = t.role == "tool" ? "user" : t.role
        s += "<|\(role)|>\n\(t.text)<|end|>\n"
      }
      return s + "<|assistant|>\n"
    }
  }
}
