import CodexCore
import Synchronization

/// A Chat Completions server's behaviour, driven by a script: each request is answered with text
/// or tool calls chosen by `respond`. It counts the prompt like a server would and, given a
/// `contextLimit`, refuses prompts that do not fit with llama.cpp's own error (400
/// `exceed_context_size_error` with `n_ctx`). It reports usage with that count, so the client's
/// estimate can calibrate. Host it on a `FakeHTTPServer` (real sockets, the built binary) or a
/// `ScriptedTransport` (in-process).
public final class ScriptedChatModel: Sendable {
  public enum Reply: Sendable {
    case text(String)
    /// Calls as (tool name, arguments JSON text).
    case calls([(name: String, arguments: String)])
    /// Anything else (errors, broken streams).
    case response(FakeResponse)
  }

  /// What the script sees of one request.
  public struct Turn: Sendable {
    public let body: JSON
    /// Requests answered before this one (overflow refusals included).
    public let index: Int
    /// The prompt size as this server counts it.
    public let promptTokens: Int
    /// A compaction's hand-off summary request rather than a turn of the task.
    public var isSummaryRequest: Bool {
      body["messages"]?[0]?["content"]?.stringValue?.contains("hand-off note") == true
    }
    public var messages: [JSON] { body["messages"]?.arrayValue ?? [] }
    public var toolOutputs: [String] {
      messages.filter { $0["role"] == "tool" }.compactMap { $0["content"]?.stringValue }
    }
  }

  struct State {
    var answered = 0
    var overflows = 0
    var promptSizes: [Int] = []
  }

  let respond: @Sendable (Turn) -> Reply
  let contextLimit: Int?
  private let state = Mutex(State())

  public init(contextLimit: Int? = nil, respond: @escaping @Sendable (Turn) -> Reply) {
    self.contextLimit = contextLimit
    self.respond = respond
  }

  /// Requests refused for not fitting the context.
  public var overflowCount: Int { state.withLock { $0.overflows } }
  /// The prompt size of every request, as this server counted it.
  public var promptSizes: [Int] { state.withLock { $0.promptSizes } }

  /// This server's token count: a byte-level BPE spends about a token per 3.5 bytes of JSON-ish
  /// text; deliberately not our own estimator, so the client cannot simply agree with itself.
  public static func countTokens(_ body: JSON) -> Int {
    var bytes = 0
    for message in body["messages"]?.arrayValue ?? [] { bytes += message.serialized().utf8.count }
    for tool in body["tools"]?.arrayValue ?? [] { bytes += tool.serialized().utf8.count }
    return bytes * 2 / 7 + 1
  }

  public func handle(_ request: RecordedRequest) -> FakeResponse {
    guard let body = request.bodyJSON else { return .json(400, #"{"error":"not JSON"}"#) }
    let tokens = Self.countTokens(body)
    let index = state.withLock { s -> Int in
      s.promptSizes.append(tokens)
      defer { s.answered += 1 }
      return s.answered
    }
    if let contextLimit, tokens >= contextLimit {
      state.withLock { $0.overflows += 1 }
      return .json(
        400,
        #"{"error":{"code":400,"message":"request (\#(tokens) tokens) exceeds the available context size (\#(contextLimit) tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":\#(tokens),"n_ctx":\#(contextLimit)}}"#
      )
    }
    let usage =
      #"{"choices":[],"usage":{"prompt_tokens":\#(tokens),"completion_tokens":5,"total_tokens":\#(tokens + 5)}}"#
    switch respond(Turn(body: body, index: index, promptTokens: tokens)) {
    case .text(let text):
      return .sse(
        [
          #"{"choices":[{"index":0,"delta":{"content":\#(JSON.quoted(text))}}]}"#,
          #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#, usage, "[DONE]",
        ])
    case .calls(let calls):
      let deltas = calls.enumerated().map { n, call in
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":\#(n),"id":"call_\#(index)_\#(n)","type":"function","function":{"name":\#(JSON.quoted(call.name)),"arguments":\#(JSON.quoted(call.arguments))}}]}}]}"#
      }
      return .sse(
        deltas + [
          #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#, usage, "[DONE]",
        ])
    case .response(let response):
      return response
    }
  }
}
