/// Tool calls a small local model printed as text (`TextToolCalls`), turned into real ones for
/// the client, as a session does for itself: while tools were offered and the answer so far
/// could still be such a call, its text is held back; once it clearly is prose it flows on, and
/// an answer that is nothing but a call for an offered tool becomes that call.
struct TextCallFilter {
  private let offered: [String]
  private var holding: Bool
  private var held = ""
  private var sawRealCall = false
  /// Set while the events following the held text are themselves held (usage, finish).
  private var tail: [ChatEvent] = []

  /// nil when the provider returns real tool calls or no tools were offered: nothing to do.
  init?(provider: ProviderInfo, tools: [ToolSpec]) {
    guard provider.textToolCalls, !tools.isEmpty else { return nil }
    offered = tools.map(\.name)
    holding = true
  }

  /// The events to pass on now.
  mutating func pass(_ batch: [ChatEvent]) -> [ChatEvent] {
    guard holding else { return batch }
    var out: [ChatEvent] = []
    for (i, event) in batch.enumerated() {
      guard holding else {
        out += batch[i...]
        break
      }
      switch event {
      case .textDelta(let t):
        held += t
        if !TextToolCalls.mightBeCall(prefix: held) {
          holding = false
          out.append(.textDelta(held))
          out += tail
          held = ""
          tail = []
        }
      case .toolCall:
        sawRealCall = true
        out.append(event)
      case .reasoningDelta, .wireState:
        out.append(event)
      case .usage, .finished:
        // After held text they must wait for it: a finish before the text is wrong.
        if held.isEmpty { out.append(event) } else { tail.append(event) }
      }
    }
    return out
  }

  /// At the end of the stream: the held text as a call (and `finished(.toolCalls)`), or as
  /// the text it was.
  mutating func finish() -> [ChatEvent] {
    guard holding, !held.isEmpty else { return [] }
    holding = false
    defer {
      held = ""
      tail = []
    }
    if !sawRealCall, let calls = TextToolCalls.extract(from: held, offered: offered) {
      return calls.map { .toolCall($0) }
        + tail.map { event in
          if case .finished = event { return .finished(.toolCalls) }
          return event
        }
    }
    return [.textDelta(held)] + tail
  }
}
