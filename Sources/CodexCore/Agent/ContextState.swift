/// How big the model's context window is, and where that number came from.
public struct ContextWindow: Sendable, Equatable {
  public var tokens: Int
  /// `config`, `server`, `built-in table`, `server error`, ...
  public var source: String

  public init(tokens: Int, source: String) {
    self.tokens = tokens
    self.source = source
  }
}

/// What the session is told about the context window before it starts.
public struct ContextSettings: Sendable {
  /// `model_context_window`: wins over anything a server says.
  public var window: Int?
  /// `model_auto_compact_token_limit`: compact before a request grows past this.
  public var autoCompactLimit: Int?
  /// Asks the server (or a built-in table) for the window of a model; called at most once per
  /// provider and model, and expected to answer within one round trip.
  public var lookup: (@Sendable (ProviderInfo, String) async -> ContextWindow?)?

  public init(
    window: Int? = nil, autoCompactLimit: Int? = nil,
    lookup: (@Sendable (ProviderInfo, String) async -> ContextWindow?)? = nil
  ) {
    self.window = window
    self.autoCompactLimit = autoCompactLimit
    self.lookup = lookup
  }
}

/// The session's view of its context window: the size, how full the last request was, and a
/// calibration of the token estimate against what the server counted.
struct ContextState {
  let settings: ContextSettings
  var window: ContextWindow?
  /// The provider and model whose window was last looked up (`provider\u{0}model`).
  var lookedUpFor: String?
  /// That lookup while the server has not answered yet (see `Session.learnWindow`).
  var pendingLookup: Task<ContextWindow?, Never>?
  /// Below this many estimated tokens a request fits any window a server is run with (the
  /// smallest seen in practice is llama.cpp's `-c 2048`, whose compaction limit is about 1,700),
  /// so it need not wait for the window lookup. A smaller window still shows up as an overflow
  /// error, which compacts and retries.
  static let fitsAnyWindow = 1_500
  /// Tokens the server counted per estimated token, from the last request that reported usage.
  var calibration = 1.0
  /// Prompt plus output tokens of the last request, as the server reported them.
  var lastRequestTokens: Int?

  init(settings: ContextSettings) {
    self.settings = settings
    if let configured = settings.window {
      window = ContextWindow(tokens: configured, source: "model_context_window")
    }
  }

  mutating func modelChanged(keepingLookup key: String? = nil) {
    lookedUpFor = key
    pendingLookup = nil
    calibration = 1
    if settings.window == nil { window = nil }
  }

  /// The estimate of a request's prompt, calibrated by what the server said last time.
  func estimated(_ request: ChatRequest) -> Int {
    Int((Double(TokenEstimator.estimate(request)) * calibration).rounded(.up))
  }

  /// The most a request's prompt may be: `model_auto_compact_token_limit`, else 85 % of the
  /// window; never so much that the answer has no room. Nil when the window is unknown.
  func limit(for request: ChatRequest) -> Int? {
    let configured = settings.autoCompactLimit
    guard let window = window?.tokens else { return configured }
    let reserve = min(request.options.maxOutputTokens ?? window / 8, window / 4)
    let room = window - reserve
    return min(configured ?? window * 85 / 100, room)
  }

  func needsCompaction(_ request: ChatRequest) -> Bool {
    guard let limit = limit(for: request), !request.messages.isEmpty else { return false }
    return estimated(request) > limit
  }

  mutating func observe(usage: TokenUsage, request: ChatRequest) {
    guard usage.inputTokens > 0 else { return }
    lastRequestTokens = usage.inputTokens.addingReportingOverflow(usage.outputTokens).partialValue
    let raw = TokenEstimator.estimate(request)
    if raw > 200 {
      // Within reason: one odd report must not make every later estimate absurd.
      calibration = min(2.5, max(0.4, Double(usage.inputTokens) / Double(raw)))
    }
  }

  /// The server refused a request as too long. Take its window; when it gave none, assume the
  /// window is a little smaller than what was sent, so the compaction makes real room. When it
  /// said how long the prompt was, that also recalibrates the estimate.
  mutating func learnedFromOverflow(window reported: Int?, promptTokens: Int?, request: ChatRequest)
  {
    let raw = TokenEstimator.estimate(request)
    if let promptTokens, raw > 200 {
      calibration = min(2.5, max(0.4, Double(promptTokens) / Double(raw)))
    }
    let sent = promptTokens ?? estimated(request)
    if let reported {
      window = ContextWindow(tokens: reported, source: "server error")
    } else if window == nil || (window?.tokens ?? 0) >= sent {
      window = ContextWindow(tokens: max(256, sent * 9 / 10), source: "server error")
    }
  }

  /// A single tool output may take at most a quarter of the window: larger ones keep their head
  /// and tail, so one huge output cannot end the session.
  func fitToolOutput(_ text: String) -> String {
    guard let window = window?.tokens else { return text }
    let maxTokens = max(64, window / 4)
    guard Double(TokenEstimator.estimate(text)) * calibration > Double(maxTokens) else {
      return text
    }
    return ToolOutputFormatter(maxBytes: maxTokens * 3, maxLines: max(8, maxTokens / 8))
      .truncate(text)
  }
}

/// Spots a model going round in circles: the same failing call three times in a row, or the same
/// call with the same output five times, stops the turn; the second repeat gets a nudge.
struct CallRepetition {
  enum Verdict: Equatable {
    case fine
    case nudge(String)
    case stop(String)
  }

  static let failingLimit = 3
  static let sameOutputLimit = 5

  var lastKey: String?
  var lastOutput: String?
  var failing = 0
  var sameOutput = 0

  mutating func record(_ call: ToolCall, _ output: ToolOutput) -> Verdict {
    let arguments = (try? JSON.parse(call.arguments))?.serialized() ?? call.arguments
    let key = call.name + "\u{1}" + arguments
    if key == lastKey {
      failing = output.isError ? failing + 1 : 0
      sameOutput = output.text == lastOutput ? sameOutput + 1 : 1
    } else {
      failing = output.isError ? 1 : 0
      sameOutput = 1
    }
    lastKey = key
    lastOutput = output.text
    let shown = "\(call.name) \(arguments.prefix(120))"
    if failing >= Self.failingLimit {
      return .stop("the model made the same failing call \(failing) times in a row (\(shown))")
    }
    if sameOutput >= Self.sameOutputLimit {
      return .stop(
        "the model made the same call \(sameOutput) times with the same result (\(shown))")
    }
    if failing == 2 || sameOutput == 2 {
      return .nudge(
        "Note: this is the same call as the one before, with the same result. Repeating it will "
          + "not help: change the call, try another approach, or answer the user.")
    }
    return .fine
  }
}
