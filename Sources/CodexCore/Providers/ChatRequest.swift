/// What the engine asks of a model, in no vendor's vocabulary. Each wire encodes it.
public struct ChatRequest: Sendable, Equatable {
  public var model: String
  /// System-level instructions (base prompt, `instructions.md`, `AGENTS.md`).
  public var instructions: String?
  public var messages: [ChatMessage]
  public var tools: [ToolSpec]
  public var options: ModelOptions

  public init(
    model: String, instructions: String? = nil, messages: [ChatMessage], tools: [ToolSpec] = [],
    options: ModelOptions = ModelOptions()
  ) {
    self.model = model
    self.instructions = instructions
    self.messages = messages
    self.tools = tools
    self.options = options
  }
}

/// One entry of the conversation history.
public enum ChatMessage: Sendable, Equatable {
  case user(String)
  case assistant(AssistantMessage)
  case toolResult(ToolResult)
}

public struct AssistantMessage: Sendable, Equatable {
  public var text: String
  /// Kept per turn: DeepSeek requires it back on tool-call turns; others ignore it.
  public var reasoning: String
  public var toolCalls: [ToolCall]
  /// What the wire that produced this message needs to send it back exactly (Anthropic's signed
  /// thinking blocks, Gemini's thought signatures); every other wire ignores it, so the history
  /// stays wire-neutral and a session can switch providers.
  public var wireState: WireState?

  public init(
    text: String = "", reasoning: String = "", toolCalls: [ToolCall] = [],
    wireState: WireState? = nil
  ) {
    self.text = text
    self.reasoning = reasoning
    self.toolCalls = toolCalls
    self.wireState = wireState
  }
}

/// Data a wire keeps on an assistant message for its own later requests, tagged with the wire
/// that made it. Opaque outside that wire's file; saved in session files as it is.
public struct WireState: Sendable, Equatable {
  public var wire: WireAPI
  public var data: JSON

  public init(wire: WireAPI, data: JSON) {
    self.wire = wire
    self.data = data
  }
}

public struct ToolCall: Sendable, Equatable {
  /// The id the server gave (or one we made up when it gave none); echoed in the result.
  public var id: String
  public var name: String
  /// The arguments as JSON text, exactly as the model produced them (may be invalid JSON:
  /// the tool reports that back to the model rather than us failing the turn).
  public var arguments: String

  public init(id: String, name: String, arguments: String) {
    self.id = id
    self.name = name
    self.arguments = arguments
  }
}

public struct ToolResult: Sendable, Equatable {
  public var callID: String
  public var name: String
  public var output: String
  /// The call failed or was not run; wires that can mark a failed result do.
  public var isError: Bool

  public init(callID: String, name: String, output: String, isError: Bool = false) {
    self.callID = callID
    self.name = name
    self.output = output
    self.isError = isError
  }
}

/// A function the model may call. `parameters` is a JSON Schema object.
public struct ToolSpec: Sendable, Equatable {
  public var name: String
  public var description: String
  public var parameters: JSON

  public init(name: String, description: String, parameters: JSON) {
    self.name = name
    self.description = description
    self.parameters = parameters
  }

  /// The Chat Completions shape `{"type":"function","function":{...}}`, which Ollama's native
  /// API and Hermes-style prompts use too.
  public var chatCompletionsJSON: JSON {
    [
      "type": "function",
      "function": [
        "name": .string(name), "description": .string(description), "parameters": parameters,
      ],
    ]
  }
}

/// Sampling and server options. The common ones are typed; anything else a server understands
/// (`top_k`, `min_p`, Ollama's `num_ctx`, `keep_alive`, `think`) goes through `extra` as given.
public struct ModelOptions: Sendable, Equatable {
  public var temperature: Double?
  public var topP: Double?
  public var maxOutputTokens: Int?
  public var extra: JSONObject

  public init(
    temperature: Double? = nil, topP: Double? = nil, maxOutputTokens: Int? = nil,
    extra: JSONObject = JSONObject()
  ) {
    self.temperature = temperature
    self.topP = topP
    self.maxOutputTokens = maxOutputTokens
    self.extra = extra
  }

  /// `other`'s values win where set.
  public func merged(with other: ModelOptions) -> ModelOptions {
    var out = self
    if let t = other.temperature { out.temperature = t }
    if let p = other.topP { out.topP = p }
    if let m = other.maxOutputTokens { out.maxOutputTokens = m }
    for e in other.extra.entries { out.extra[e.key] = e.value }
    return out
  }
}
