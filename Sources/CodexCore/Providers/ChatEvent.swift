/// The one vocabulary every wire decodes into. Vendor field names never leave the wire files.
public enum ChatEvent: Sendable, Equatable {
  case textDelta(String)
  case reasoningDelta(String)
  /// A complete tool call: wires assemble streamed fragments before emitting it.
  case toolCall(ToolCall)
  case usage(TokenUsage)
  /// Wire-private data for the assistant message (see `AssistantMessage.wireState`); the last
  /// one of a response wins.
  case wireState(WireState)
  case finished(FinishReason)
}

/// Token counts as a server reports them. The numbers are the server's: a negative count is
/// read as 0, and sums saturate at `Int.max` instead of trapping.
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
    self.inputTokens = max(0, inputTokens)
    self.outputTokens = max(0, outputTokens)
    self.cachedInputTokens = max(0, cachedInputTokens)
    self.reasoningTokens = max(0, reasoningTokens)
    // A server's figure is checked like every number from outside.
    self.cost = cost.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
  }

  public var totalTokens: Int { Self.sum(inputTokens, outputTokens) }

  public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
    TokenUsage(
      inputTokens: sum(a.inputTokens, b.inputTokens),
      outputTokens: sum(a.outputTokens, b.outputTokens),
      cachedInputTokens: sum(a.cachedInputTokens, b.cachedInputTokens),
      reasoningTokens: sum(a.reasoningTokens, b.reasoningTokens),
      // Unknown only when both are: a sum over some priced requests is still worth showing.
      cost: a.cost == nil && b.cost == nil ? nil : (a.cost ?? 0) + (b.cost ?? 0))
  }

  /// `a + b`, or `Int.max` when that overflows (both are never negative).
  static func sum(_ a: Int, _ b: Int) -> Int {
    let (total, overflowed) = a.addingReportingOverflow(b)
    return overflowed ? Int.max : total
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
