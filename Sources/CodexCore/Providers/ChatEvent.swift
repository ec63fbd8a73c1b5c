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

public struct TokenUsage: Sendable, Equatable {
  public var inputTokens: Int
  public var outputTokens: Int
  public var cachedInputTokens: Int
  public var reasoningTokens: Int

  public init(
    inputTokens: Int, outputTokens: Int, cachedInputTokens: Int = 0, reasoningTokens: Int = 0
  ) {
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
    self.cachedInputTokens = cachedInputTokens
    self.reasoningTokens = reasoningTokens
  }

  public var totalTokens: Int { inputTokens + outputTokens }

  public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
    TokenUsage(
      inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
      cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
      reasoningTokens: a.reasoningTokens + b.reasoningTokens)
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
