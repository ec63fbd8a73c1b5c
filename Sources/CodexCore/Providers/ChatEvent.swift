/// The one vocabulary every wire decodes into. Vendor field names never leave the wire files.
public enum ChatEvent: Sendable, Equatable {
  case textDelta(String)
  case reasoningDelta(String)
  /// A complete tool call: wires assemble streamed fragments before emitting it.
  case toolCall(ToolCall)
  case usage(TokenUsage)
  case finished(FinishReason)
}

public struct TokenUsage: Sendable, Equatable {
  public var inputTokens: Int
  public var outputTokens: Int
  public var cachedInputTokens: Int
  public var reasoningTokens: Int
  /// What the request cost in US dollars: as the provider reported it (OpenRouter's
  /// `usage.cost`), else from the price table (`PriceBook`); nil when unknown.
  public var cost: Double?

  public init(
    inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, reasoningTokens: Int = 0,
    cost: Double? = nil
  ) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.cachedInputTokens = cachedInputTokens
    self.reasoningTokens = reasoningTokens
    self.cost = cost
  }

  public var totalTokens: Int { inputTokens + outputTokens }

  public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
    TokenUsage(
      inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
      cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
      reasoningTokens: a.reasoningTokens + b.reasoningTokens,
      // Unknown only when both are: a sum over some priced requests is still worth showing.
      cost: a.cost == nil && b.cost == nil ? nil : (a.cost ?? 0) + (b.cost ?? 0))
  }
}

public enum FinishReason: Sendable, Equatable, CustomStringConvertible {
  case stop
  /// The output token limit was hit: the answer is cut short.
  case length
  case toolCalls
  case contentFilter
  case other(String)

  public var description: String {
    switch self {
    case .stop: return "stop"
    case .length: return "length"
    case .toolCalls: return "tool_calls"
    case .contentFilter: return "content_filter"
    case .other(let s): return s
    }
  }
}
