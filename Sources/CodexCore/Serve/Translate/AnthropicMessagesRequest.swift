/// `POST /v1/messages` bodies (Anthropic Messages, protocols.md §5) into a `ClientRequest`, so
/// tools that speak only Anthropic's API can use any provider.
enum AnthropicMessagesRequest {
  static func decode(_ json: JSON) throws(ClientRequestError) -> ClientRequest {
    let root = JSONReader(json)
    _ = try root.object()
    guard let modelReader = root.child("model") else {
      throw ClientRequestError("model: Field required", param: "model")
    }
    let model = try modelReader.string()
    guard let maxTokens = root.child("max_tokens") else {
      throw ClientRequestError("max_tokens: Field required", param: "max_tokens")
    }
    guard let messagesReader = root.child("messages") else {
      throw ClientRequestError("messages: Field required", param: "messages")
    }

    var instructions: String?
    if let system = root.child("system") {
      instructions = try text(system)
    }
    var messages: [ChatMessage] = []
    var toolNames: [String: String] = [:]
    for m in try messagesReader.array() {
      guard let roleReader = m.child("role") else {
        throw ClientRequestError("a message has no 'role'", param: m.path)
      }
      let role = try roleReader.string()
      guard let content = m.child("content") else {
        throw ClientRequestError("the message has no 'content'", param: m.path)
      }
      switch role {
      case "user":
        if let s = content.value.stringValue {
          messages.append(.user(s))
          continue
        }
        // Tool results first (they answer the assistant turn before), then the user's words.
        var texts: [String] = []
        for block in try content.array() {
          let type = try block.child("type")?.string() ?? ""
          switch type {
          case "text":
            texts.append(try block.child("text")?.string() ?? "")
          case "tool_result":
            guard let id = try block.child("tool_use_id")?.string() else {
              throw ClientRequestError("a tool_result has no 'tool_use_id'", param: block.path)
            }
            let output = try block.child("content").map(text) ?? ""
            messages.append(
              .toolResult(
                ToolResult(
                  callID: id, name: toolNames[id] ?? "", output: output,
                  isError: try block.child("is_error")?.bool() ?? false)))
          default:
            throw unsupported(type, block)
          }
        }
        if !texts.isEmpty { messages.append(.user(texts.joined(separator: "\n"))) }
      case "assistant":
        var a = AssistantMessage()
        if let s = content.value.stringValue {
          a.text = s
        } else {
          for block in try content.array() {
            let type = try block.child("type")?.string() ?? ""
            switch type {
            case "text":
              a.text += try block.child("text")?.string() ?? ""
            case "thinking":
              a.reasoning += try block.child("thinking")?.string() ?? ""
            case "redacted_thinking":
              break  // opaque to every other provider
            case "tool_use":
              guard let id = try block.child("id")?.string(),
                let name = try block.child("name")?.string()
              else {
                throw ClientRequestError("a tool_use needs 'id' and 'name'", param: block.path)
              }
              let input = block.child("input")?.value ?? .object(JSONObject())
              toolNames[id] = name
              a.toolCalls.append(ToolCall(id: id, name: name, arguments: input.serialized()))
            default:
              throw unsupported(type, block)
            }
          }
        }
        messages.append(.assistant(a))
      default:
        throw ClientRequestError(
          "role '\(role)' is not supported (use user or assistant; system is a top-level field)",
          param: roleReader.path)
      }
    }

    var tools: [ToolSpec] = []
    for t in try root.child("tools")?.array() ?? [] {
      if let type = try t.child("type")?.string(), type != "custom" {
        throw ClientRequestError(
          "tool type '\(type)' is a server tool Anthropic runs; codex serve supports client tools "
            + "(name, description, input_schema)", param: t.path)
      }
      guard let name = try t.child("name")?.string(), !name.isEmpty else {
        throw ClientRequestError("a tool has no name", param: t.path)
      }
      guard let schema = t.child("input_schema") else {
        throw ClientRequestError("input_schema: Field required", param: t.path)
      }
      _ = try schema.object()
      tools.append(
        ToolSpec(
          name: name, description: try t.child("description")?.string() ?? "",
          parameters: schema.value))
    }

    var options = ModelOptions()
    options.maxOutputTokens = try maxTokens.integer(in: 1...100_000_000)
    options.temperature = try root.child("temperature")?.number(in: 0...1)
    options.topP = try root.child("top_p")?.number(in: 0...1)
    var sampling = JSONObject()
    if let topK = root.child("top_k") {
      sampling["top_k"] = .int(Int64(try topK.integer(in: 0...1_000_000)))
    }

    var choice: ToolChoice?
    if let tc = root.child("tool_choice") {
      switch try tc.child("type")?.string() {
      case "auto": choice = .auto
      case "any": choice = .required
      case "none": choice = ToolChoice.none
      case "tool":
        guard let name = try tc.child("name")?.string() else {
          throw ClientRequestError("tool_choice of type 'tool' needs a 'name'", param: tc.path)
        }
        choice = .function(name)
      default:
        throw ClientRequestError("type must be auto, any, tool or none", param: tc.path)
      }
    }
    var passthrough = JSONObject()
    // The same sampling keys on a Chat Completions provider (vLLM and llama.cpp take top_k).
    for e in sampling.entries { passthrough[e.key] = e.value }
    return ClientRequest(
      model: model,
      chat: ChatRequest(
        model: model, instructions: instructions, messages: messages, tools: tools,
        options: options),
      stream: try root.child("stream")?.bool() ?? false, includeUsage: true,
      toolChoice: choice, stop: try root.child("stop_sequences")?.strings() ?? [],
      passthrough: passthrough, samplingExtras: sampling)
  }

  /// `system` and `tool_result.content`: a string or text blocks.
  static func text(_ reader: JSONReader) throws(ClientRequestError) -> String {
    if let s = reader.value.stringValue { return s }
    var parts: [String] = []
    for block in try reader.array() {
      let type = try block.child("type")?.string() ?? ""
      guard type == "text" else { throw unsupported(type, block) }
      parts.append(try block.child("text")?.string() ?? "")
    }
    return parts.joined(separator: "\n")
  }

  static func unsupported(_ type: String, _ block: JSONReader) -> ClientRequestError {
    ClientRequestError(
      "content blocks of type '\(type)' are not supported by codex serve (text, tool_use, "
        + "tool_result and thinking are)", param: block.path)
  }
}
