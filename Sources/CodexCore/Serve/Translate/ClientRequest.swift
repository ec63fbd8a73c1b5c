/// What a client asked for, in no API's vocabulary: the conversation as a `ChatRequest` (its
/// model still the client's name for it), and the few request settings that are not part of
/// the engine's vocabulary, carried to the providers whose wire has them.
struct ClientRequest: Sendable {
  /// The model name as the client sent it (`groq/llama-3.3-70b-versatile`, an alias, a bare
  /// name); routing turns it into a provider and that provider's name for the model.
  var model: String
  var chat: ChatRequest
  var stream: Bool
  /// OpenAI's `stream_options.include_usage`: send a usage chunk before `[DONE]`.
  var includeUsage: Bool
  var toolChoice: ToolChoice?
  var stop: [String]
  /// Chat Completions keys passed through untouched to a provider on the same wire (`seed`,
  /// `response_format`, `logprobs`, ...). Empty for clients of other APIs.
  var passthrough: JSONObject
  /// Sampling keys with the same meaning on Ollama's native API (`seed`, `top_k`,
  /// `presence_penalty`, ...), which takes them as options.
  var samplingExtras: JSONObject

  init(
    model: String, chat: ChatRequest, stream: Bool, includeUsage: Bool = false,
    toolChoice: ToolChoice? = nil, stop: [String] = [], passthrough: JSONObject = JSONObject(),
    samplingExtras: JSONObject = JSONObject()
  ) {
    self.model = model
    self.chat = chat
    self.stream = stream
    self.includeUsage = includeUsage
    self.toolChoice = toolChoice
    self.stop = stop
    self.passthrough = passthrough
    self.samplingExtras = samplingExtras
  }

  /// The request for one provider: its model name, its configured options under the client's
  /// own, and the settings its wire can carry. Settings a wire has no place for are dropped
  /// (`dropped` names them, for the DEBUG log); `tool_choice: none` drops the tools instead.
  func upstream(model: String, provider: ProviderInfo, configured: ModelOptions) -> (
    request: ChatRequest, dropped: [String]
  ) {
    var request = chat
    request.model = model
    request.options = configured.merged(with: chat.options)
    var dropped: [String] = []
    if toolChoice == ToolChoice.none { request.tools = [] }
    let choice = request.tools.isEmpty ? nil : toolChoice
    let stops = JSON.array(stop.map { .string($0) })
    switch provider.wire {
    case .chat:
      for e in passthrough.entries { request.options.extra[e.key] = e.value }
      if let choice { request.options.extra["tool_choice"] = choice.chatJSON }
      if !stop.isEmpty { request.options.extra["stop"] = stops }
    case .responses:
      if let choice { request.options.extra["tool_choice"] = choice.responsesJSON }
      if !stop.isEmpty { dropped.append("stop") }
      dropped += passthrough.keys
    case .anthropic:
      if let choice { request.options.extra["tool_choice"] = choice.anthropicJSON }
      if !stop.isEmpty { request.options.extra["stop_sequences"] = stops }
      dropped += passthrough.keys
    case .gemini:
      if let choice { request.options.extra["toolConfig"] = choice.geminiJSON }
      if !stop.isEmpty { request.options.extra["stopSequences"] = stops }
      dropped += passthrough.keys
    case .ollama:
      for e in samplingExtras.entries { request.options.extra[e.key] = e.value }
      if !stop.isEmpty { request.options.extra["stop"] = stops }
      if let choice, choice != .auto { dropped.append("tool_choice") }
      dropped += passthrough.keys.filter { samplingExtras[$0] == nil }
    case .tgi:
      // Its stop list holds the chat template's end markers (at most four in all), and it
      // takes no tools.
      if !stop.isEmpty { dropped.append("stop") }
      if let choice, choice != .auto { dropped.append("tool_choice") }
      dropped += passthrough.keys
    }
    return (request, dropped)
  }
}

/// Whether and which tool the model must call.
enum ToolChoice: Sendable, Equatable {
  case auto
  case none
  case required
  case function(String)

  var chatJSON: JSON {
    switch self {
    case .auto: return "auto"
    case .none: return "none"
    case .required: return "required"
    case .function(let name): return ["type": "function", "function": ["name": .string(name)]]
    }
  }

  var anthropicJSON: JSON {
    switch self {
    case .auto: return ["type": "auto"]
    case .none: return ["type": "none"]
    case .required: return ["type": "any"]
    case .function(let name): return ["type": "tool", "name": .string(name)]
    }
  }

  var geminiJSON: JSON {
    let mode: String
    var config: JSONObject = [:]
    switch self {
    case .auto: mode = "AUTO"
    case .none: mode = "NONE"
    case .required: mode = "ANY"
    case .function(let name):
      mode = "ANY"
      config["allowedFunctionNames"] = [.string(name)]
    }
    config["mode"] = .string(mode)
    return ["functionCallingConfig": .object(config)]
  }

  var responsesJSON: JSON {
    switch self {
    case .auto: return "auto"
    case .none: return "none"
    case .required: return "required"
    case .function(let name): return ["type": "function", "name": .string(name)]
    }
  }
}

/// A request the client got wrong: answered 400 in its API's error envelope, naming the field.
struct ClientRequestError: Error, Equatable, CustomStringConvertible {
  var message: String
  var param: String?
  var status = 400

  init(_ message: String, param: String? = nil, status: Int = 400) {
    self.message = message
    self.param = param
    self.status = status
  }

  var description: String { param.map { "\($0): \(message)" } ?? message }
}

/// Reads of a client's JSON that fail with the field's path and what was expected.
struct JSONReader {
  let value: JSON
  let path: String

  init(_ value: JSON, path: String = "") {
    self.value = value
    self.path = path
  }

  func child(_ key: String) -> JSONReader? {
    guard let v = value[key], !v.isNull else { return nil }
    return JSONReader(v, path: path.isEmpty ? key : "\(path).\(key)")
  }

  func fail(_ expected: String) -> ClientRequestError {
    ClientRequestError("expected \(expected), got \(value.kindName)", param: path)
  }

  func string() throws(ClientRequestError) -> String {
    guard let s = value.stringValue else { throw fail("a string") }
    return s
  }

  func bool() throws(ClientRequestError) -> Bool {
    guard let b = value.boolValue else { throw fail("true or false") }
    return b
  }

  func object() throws(ClientRequestError) -> JSONObject {
    guard let o = value.objectValue else { throw fail("an object") }
    return o
  }

  func array() throws(ClientRequestError) -> [JSONReader] {
    guard let a = value.arrayValue else { throw fail("an array") }
    return a.enumerated().map { JSONReader($0.element, path: "\(path)[\($0.offset)]") }
  }

  /// A finite number in `range`.
  func number(in range: ClosedRange<Double>) throws(ClientRequestError) -> Double {
    guard let d = value.doubleValue, d.isFinite else { throw fail("a number") }
    guard range.contains(d) else {
      throw ClientRequestError(
        "must be between \(range.lowerBound) and \(range.upperBound)", param: path)
    }
    return d
  }

  /// A whole number in `range` (range-checked before conversion).
  func integer(in range: ClosedRange<Int>) throws(ClientRequestError) -> Int {
    guard let i = value.intValue else { throw fail("an integer") }
    guard range.contains(i) else {
      throw ClientRequestError(
        "must be between \(range.lowerBound) and \(range.upperBound)", param: path)
    }
    return i
  }

  /// A string, or an array of strings (`stop`).
  func strings() throws(ClientRequestError) -> [String] {
    if let s = value.stringValue { return [s] }
    var out: [String] = []
    for item in try array() { out.append(try item.string()) }
    return out
  }
}
