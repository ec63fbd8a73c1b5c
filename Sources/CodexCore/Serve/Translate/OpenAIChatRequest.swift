/// `POST /v1/chat/completions` bodies (protocols.md §1) into a `ClientRequest`.
enum OpenAIChatRequest {
  /// Keys read here; every other top-level key is passed through to Chat Completions providers.
  static let handled: Set<String> = [
    "model", "messages", "stream", "stream_options", "tools", "tool_choice", "temperature",
    "top_p", "max_tokens", "max_completion_tokens", "stop", "n",
    // Metadata for OpenAI's own dashboards; meaningless to other servers.
    "user", "metadata", "store",
  ]
  /// Keys Ollama's native API takes as options with the same meaning.
  static let ollamaSampling: Set<String> = [
    "seed", "presence_penalty", "frequency_penalty", "top_k", "min_p", "repeat_penalty",
  ]

  static func decode(_ json: JSON) throws(ClientRequestError) -> ClientRequest {
    let root = JSONReader(json)
    let body = try root.object()
    guard let modelReader = root.child("model") else {
      throw ClientRequestError("the request has no 'model'", param: "model")
    }
    let model = try modelReader.string()
    guard let messagesReader = root.child("messages") else {
      throw ClientRequestError("the request has no 'messages'", param: "messages")
    }
    if let n = root.child("n"), try n.integer(in: 1...128) != 1 {
      throw ClientRequestError("only n = 1 is supported", param: "n")
    }
    var instructions: [String] = []
    var messages: [ChatMessage] = []
    /// Tool names by call id, for tool results (Ollama wants the name back).
    var toolNames: [String: String] = [:]
    for m in try messagesReader.array() {
      guard let roleReader = m.child("role") else {
        throw ClientRequestError("a message has no 'role'", param: m.path)
      }
      switch try roleReader.string() {
      case "system", "developer":
        instructions.append(try text(m.child("content"), allowNull: false, message: m))
      case "user":
        messages.append(.user(try text(m.child("content"), allowNull: false, message: m)))
      case "assistant":
        var a = AssistantMessage()
        a.text = try text(m.child("content"), allowNull: true, message: m)
        if let r = m.child("reasoning_content") ?? m.child("reasoning") {
          a.reasoning = try r.string()
        }
        for call in try m.child("tool_calls")?.array() ?? [] {
          let id = try call.child("id")?.string() ?? "call_\(toolNames.count)"
          guard let fn = call.child("function") else {
            throw ClientRequestError("a tool call has no 'function'", param: call.path)
          }
          guard let name = try fn.child("name")?.string(), !name.isEmpty else {
            throw ClientRequestError("a tool call has no function name", param: fn.path)
          }
          let arguments: String
          if let args = fn.child("arguments") {
            // Some clients send the arguments as an object rather than JSON text.
            arguments = args.value.stringValue ?? args.value.serialized()
          } else {
            arguments = "{}"
          }
          toolNames[id] = name
          a.toolCalls.append(ToolCall(id: id, name: name, arguments: arguments))
        }
        messages.append(.assistant(a))
      case "tool":
        guard let id = try m.child("tool_call_id")?.string() else {
          throw ClientRequestError("a tool message has no 'tool_call_id'", param: m.path)
        }
        messages.append(
          .toolResult(
            ToolResult(
              callID: id, name: toolNames[id] ?? "",
              output: try text(m.child("content"), allowNull: true, message: m))))
      case let role:
        throw ClientRequestError(
          "role '\(role)' is not supported (use system, developer, user, assistant or tool)",
          param: roleReader.path)
      }
    }

    var tools: [ToolSpec] = []
    for t in try root.child("tools")?.array() ?? [] {
      let type = try t.child("type")?.string() ?? "function"
      guard type == "function", let fn = t.child("function") else {
        throw ClientRequestError("only tools of type 'function' are supported", param: t.path)
      }
      guard let name = try fn.child("name")?.string(), !name.isEmpty else {
        throw ClientRequestError("a tool has no name", param: fn.path)
      }
      let parameters: JSON
      if let p = fn.child("parameters") {
        _ = try p.object()
        parameters = p.value
      } else {
        parameters = ["type": "object", "properties": [:]]
      }
      tools.append(
        ToolSpec(
          name: name, description: try fn.child("description")?.string() ?? "",
          parameters: parameters))
    }

    var options = ModelOptions()
    options.temperature = try root.child("temperature")?.number(in: 0...2)
    options.topP = try root.child("top_p")?.number(in: 0...1)
    if let max = root.child("max_completion_tokens") ?? root.child("max_tokens") {
      options.maxOutputTokens = try max.integer(in: 1...100_000_000)
    }
    let stream = try root.child("stream")?.bool() ?? false
    var includeUsage = false
    if stream, let flag = root.child("stream_options")?.child("include_usage") {
      includeUsage = try flag.bool()
    }

    var passthrough = JSONObject()
    var sampling = JSONObject()
    for e in body.entries where !handled.contains(e.key) {
      passthrough[e.key] = e.value
      if ollamaSampling.contains(e.key) { sampling[e.key] = e.value }
    }
    return ClientRequest(
      model: model,
      chat: ChatRequest(
        model: model,
        instructions: instructions.isEmpty ? nil : instructions.joined(separator: "\n\n"),
        messages: messages, tools: tools, options: options),
      stream: stream, includeUsage: includeUsage,
      toolChoice: try root.child("tool_choice").map(toolChoice),
      stop: try root.child("stop")?.strings() ?? [], passthrough: passthrough,
      samplingExtras: sampling)
  }

  /// `content`: a string, or an array of parts of which only text (and a refusal) is
  /// supported.
  static func text(_ reader: JSONReader?, allowNull: Bool, message: JSONReader)
    throws(ClientRequestError) -> String
  {
    guard let reader else {
      if allowNull { return "" }
      throw ClientRequestError("the message has no 'content'", param: message.path)
    }
    if let s = reader.value.stringValue { return s }
    var parts: [String] = []
    for part in try reader.array() {
      let type = try part.child("type")?.string() ?? "text"
      switch type {
      case "text", "input_text", "output_text":
        parts.append(try part.child("text")?.string() ?? "")
      case "refusal":
        parts.append(try part.child("refusal")?.string() ?? "")
      default:
        throw ClientRequestError(
          "content of type '\(type)' is not supported by codex serve (text only)",
          param: part.path)
      }
    }
    return parts.joined(separator: "\n")
  }

  static func toolChoice(_ reader: JSONReader) throws(ClientRequestError) -> ToolChoice {
    if let s = reader.value.stringValue {
      switch s {
      case "auto": return .auto
      case "none": return ToolChoice.none
      case "required": return .required
      default:
        throw ClientRequestError("must be auto, none, required or a function", param: reader.path)
      }
    }
    guard let name = try reader.child("function")?.child("name")?.string() else {
      throw reader.fail("\"auto\", \"none\", \"required\" or {\"type\":\"function\",...}")
    }
    return .function(name)
  }
}
