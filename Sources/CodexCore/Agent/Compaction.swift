/// The pure parts of keeping a conversation inside the context window: trimming old tool
/// outputs, the hand-off summary request, and which recent messages to keep after it.
/// `Session` decides when to compact and talks to the model.
public enum Compaction {
  /// Tool outputs older than the last few rounds are cut to their head and tail first: they
  /// are usually the bulk of a coding session and the least needed later.
  static let trimmedToolOutputBytes = 600
  /// Rounds of tool results at the end that keep their full output.
  static let untouchedRecentResults = 4

  static let summaryInstructions = """
    You are writing a hand-off note so that another assistant, starting with an empty memory, \
    can continue a coding session exactly where it stopped. Use these headings:
    Goal: what the user asked for, in their words where possible.
    Done: what was done so far, with the results that matter.
    Files: each file created or changed, and how.
    Remaining: what is left, the next step first.
    Key facts: names, paths, commands, error messages and decisions the rest of the work needs.
    Be concrete and brief (at most 400 words). Do not address the user and do not add anything \
    that is not in the session.
    """

  static let summaryHeader = "Earlier in this conversation (compacted to fit the context window):"

  /// `history` with tool outputs before the last `untouchedRecentResults` results cut to head and
  /// tail; nil when nothing was long enough to cut.
  static func trimmingOldToolOutputs(_ history: [ChatMessage]) -> [ChatMessage]? {
    let resultIndices = history.indices.filter {
      if case .toolResult = history[$0] { return true }
      return false
    }
    let old = resultIndices.dropLast(untouchedRecentResults)
    var out = history
    var changed = false
    let formatter = ToolOutputFormatter(maxBytes: trimmedToolOutputBytes, maxLines: 12)
    for index in old {
      guard case .toolResult(var result) = out[index],
        result.output.utf8.count > trimmedToolOutputBytes
      else { continue }
      result.output = formatter.truncate(result.output)
      out[index] = .toolResult(result)
      changed = true
    }
    return changed ? out : nil
  }

  /// The conversation as plain text for the summary request, within `budget` tokens: the first
  /// user message (the goal), then as much of the end as fits.
  static func transcript(_ history: [ChatMessage], budget: Int) -> String {
    let formatter = ToolOutputFormatter(maxBytes: trimmedToolOutputBytes, maxLines: 12)
    let entries: [String] = history.map { message in
      switch message {
      case .user(let text):
        return "USER: " + text
      case .assistant(let a):
        var parts: [String] = []
        if !a.text.isEmpty { parts.append("ASSISTANT: " + a.text) }
        for call in a.toolCalls {
          parts.append("ASSISTANT CALLED \(call.name): " + String(call.arguments.prefix(2000)))
        }
        return parts.isEmpty ? "ASSISTANT: (no text)" : parts.joined(separator: "\n")
      case .toolResult(let r):
        return "RESULT OF \(r.name)" + (r.isError ? " (failed)" : "") + ": "
          + formatter.truncate(r.output)
      }
    }
    guard let first = entries.first else { return "" }
    var used = TokenEstimator.estimate(first)
    var tail: [String] = []
    for entry in entries.dropFirst().reversed() {
      let cost = TokenEstimator.estimate(entry) + 2
      if used + cost > budget { break }
      used += cost
      tail.append(entry)
    }
    let omitted = entries.count - 1 - tail.count
    var parts = [first]
    if omitted > 0 { parts.append("[… \(omitted) earlier messages omitted …]") }
    parts += tail.reversed()
    return parts.joined(separator: "\n\n")
  }

  /// The request that asks the model for the hand-off note.
  static func summaryRequest(
    model: String, history: [ChatMessage], window: Int, options: ModelOptions
  ) -> ChatRequest {
    let answerBudget = min(1024, max(128, window / 6))
    let transcriptBudget = max(
      64, window - answerBudget - TokenEstimator.estimate(summaryInstructions) - 64)
    var options = options
    options.maxOutputTokens = min(options.maxOutputTokens ?? answerBudget, answerBudget)
    let text =
      "Here is the session so far:\n\n" + transcript(history, budget: transcriptBudget * 9 / 10)
      + "\n\nWrite the hand-off note now."
    return ChatRequest(
      model: model, instructions: summaryInstructions, messages: [.user(text)], tools: [],
      options: options)
  }

  /// The compacted history: the summary (or, when there is none, a note that earlier messages
  /// were dropped, with the first request repeated), then the most recent messages that fit in
  /// `budget` tokens. The kept part starts at a user or assistant message, never at a tool
  /// result whose call was cut away.
  static func replacement(
    for history: [ChatMessage], summary: String?, latestRequest: String?, budget: Int
  ) -> [ChatMessage] {
    var keptFrom = history.endIndex
    var used = 0
    while keptFrom > history.startIndex {
      let cost = TokenEstimator.estimate(history[keptFrom - 1])
      if used + cost > budget { break }
      used += cost
      keptFrom -= 1
    }
    while keptFrom < history.endIndex, case .toolResult = history[keptFrom] { keptFrom += 1 }
    let kept = Array(history[keptFrom...])

    var head: String
    if let summary, !summary.trimmingWhitespace().isEmpty {
      head = summaryHeader + "\n\n" + summary.trimmingWhitespace()
    } else {
      head = "[Earlier messages of this conversation were removed to fit the context window.]"
    }
    // The user's latest request must survive even when its message was cut away.
    let requestKept = kept.contains {
      if case .user(let text) = $0 { return text == latestRequest }
      return false
    }
    if let latestRequest, !requestKept {
      head += "\n\nThe user's latest request:\n" + latestRequest
    }
    head += "\n\nContinue the work from here."
    // Two user messages in a row are fine for every wire, but a first kept message from the
    // user merges into the head so the summary reads as context for it.
    if case .user(let text)? = kept.first {
      return [.user(head + "\n\n" + text)] + kept.dropFirst()
    }
    return [.user(head)] + kept
  }
}
