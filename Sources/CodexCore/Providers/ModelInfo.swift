/// One model a provider serves, with what the server (or our table) says about it. Every field
/// but the id may be unknown: servers report very different things.
public struct ModelInfo: Sendable, Equatable {
  public var id: String
  public var displayName: String?
  /// The usable window in tokens (prompt + answer): what the server allocated when it says so
  /// (llama.cpp `n_ctx`, Ollama's loaded `context_length`), else the model's maximum.
  public var contextWindow: Int?
  /// The model's trained maximum, when the server reports it apart from the allocated window.
  public var trainedContext: Int?
  public var maxOutputTokens: Int?
  /// Whether the server says the model can call tools (nil: it does not say).
  public var tools: Bool?
  public var vision: Bool?
  public var thinking: Bool?
  /// `7.6B` (Ollama, LM Studio, llama.cpp), as the server writes it.
  public var parameterSize: String?
  /// `Q4_K_M`.
  public var quantization: String?
  /// On-disk size in bytes (local servers).
  public var sizeBytes: Int64?
  /// Loaded in memory now (Ollama `/api/ps`, LM Studio `state`).
  public var loaded: Bool?
  /// Per million tokens, in US dollars.
  public var price: ModelPrice?
  /// Where `price` came from ("OpenRouter /models", "config", a table entry's source).
  public var priceSource: String?

  public init(
    id: String, displayName: String? = nil, contextWindow: Int? = nil, trainedContext: Int? = nil,
    maxOutputTokens: Int? = nil, tools: Bool? = nil, vision: Bool? = nil, thinking: Bool? = nil,
    parameterSize: String? = nil, quantization: String? = nil, sizeBytes: Int64? = nil,
    loaded: Bool? = nil, price: ModelPrice? = nil, priceSource: String? = nil
  ) {
    self.id = id
    self.displayName = displayName
    self.contextWindow = contextWindow
    self.trainedContext = trainedContext
    self.maxOutputTokens = maxOutputTokens
    self.tools = tools
    self.vision = vision
    self.thinking = thinking
    self.parameterSize = parameterSize
    self.quantization = quantization
    self.sizeBytes = sizeBytes
    self.loaded = loaded
    self.price = price
    self.priceSource = priceSource
  }
}

/// Token prices in US dollars per million tokens.
public struct ModelPrice: Sendable, Equatable {
  public var input: Double
  /// Input tokens served from the provider's prompt cache (part of the input count).
  public var cachedInput: Double
  public var output: Double

  public init(input: Double, cachedInput: Double? = nil, output: Double) {
    self.input = input
    self.cachedInput = cachedInput ?? input
    self.output = output
  }

  public static let free = ModelPrice(input: 0, cachedInput: 0, output: 0)

  public var isFree: Bool { input == 0 && cachedInput == 0 && output == 0 }

  /// The cost of `usage` in US dollars. Cached tokens are counted inside the input tokens
  /// (OpenAI, Gemini, OpenRouter report them that way), so only the rest pays the full price;
  /// reasoning tokens are inside the output count and pay the output price.
  public func cost(of usage: TokenUsage) -> Double {
    let cached = max(0, min(usage.cachedInputTokens, usage.inputTokens))
    let uncached = max(0, usage.inputTokens - cached)
    let output = max(0, usage.outputTokens)
    return (Double(uncached) * input + Double(cached) * cachedInput + Double(output) * self.output)
      / 1_000_000
  }
}

/// Money for people: `$0.0123`, `$1.24`; amounts under a hundredth of a cent say so.
public enum CostText {
  public static func dollars(_ amount: Double) -> String {
    guard amount.isFinite, amount >= 0 else { return "unknown" }
    if amount == 0 { return "$0.00" }
    if amount < 0.0001 { return "<$0.0001" }
    if amount < 1 { return "$" + fixed(amount, digits: 4) }
    return "$" + fixed(amount, digits: 2)
  }

  /// A price per million tokens: `$1.25`, `$0.075`.
  public static func perMillion(_ amount: Double) -> String {
    guard amount.isFinite, amount >= 0 else { return "?" }
    var text = fixed(amount, digits: 4)
    while text.hasSuffix("0"), let dot = text.firstIndex(of: "."),
      text.distance(from: dot, to: text.endIndex) > 3
    {
      text.removeLast()
    }
    return "$" + text
  }

  /// `amount` with `digits` decimals, rounded half up, without Foundation's formatters.
  public static func fixed(_ amount: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (amount * scale).rounded()
    // Callers pass money: far below the range where Int64 conversion could trap.
    guard scaled.isFinite, scaled < 9e15 else { return "\(amount)" }
    let units = Int64(scaled)
    let whole = units / Int64(scale)
    var fraction = String(units % Int64(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return digits == 0 ? "\(whole)" : "\(whole).\(fraction)"
  }
}
