extension Session {
  struct StreamResult {
    var message: AssistantMessage
    var usage: TokenUsage?
    var finish: FinishReason
  }

  /// One model request: streams text and reasoning out as they arrive, collects tool calls.
  /// For providers whose models print tool calls as text, text that may be a call is held back
  /// until it is clearly not one, so the user does not see raw JSON.
  ///
  /// The client hands over the events of each network chunk together; consecutive deltas of
  /// one kind in a batch go out as one event, so a front end writes once per chunk rather than
  /// once per token, and text still appears the moment its bytes arrive.
  ///
  /// When the stream breaks after part of the answer was shown, the request is sent again
  /// (within `stream_max_retries`) and front ends are told to start the answer over; a break
  /// after complete tool calls arrived keeps those calls instead.
  func streamOnce(_ request: ChatRequest, emit: @Sendable (AgentEvent) -> Void) async throws
    -> StreamResult
  {
    var message = AssistantMessage()
    var usage: TokenUsage?
    var finish = FinishReason.stop
    let detectTextCalls = client.provider.textToolCalls && !request.tools.isEmpty
    var holding = detectTextCalls
    var held = ""
    // Text not yet passed on: it is the tail of `message.text` from this UTF-8 offset, so a
    // token is appended once, not also to a separate buffer.
    var unsentTextFrom: Int?
    var unsentReasoning = ""
    func flushText() {
      guard let from = unsentTextFrom else { return }
      unsentTextFrom = nil
      let start = message.text.utf8.index(message.text.utf8.startIndex, offsetBy: from)
      emit(.textDelta(String(message.text[start...])))
    }
    func flushReasoning() {
      guard !unsentReasoning.isEmpty else { return }
      emit(.reasoningDelta(unsentReasoning))
      unsentReasoning = ""
    }
    try await router.run(
      request, primary: client, notice: { emit(.modelFallback($0)) },
      onInterrupted: { attempt, error in
        if !message.toolCalls.isEmpty {
          finish = .toolCalls
          return .acceptPartial
        }
        message = AssistantMessage()
        usage = nil
        finish = .stop
        holding = detectTextCalls
        held = ""
        unsentTextFrom = nil
        unsentReasoning = ""
        emit(.streamRestarted(attempt: attempt, reason: "\(error)"))
        return .retry
      }
    ) { batch in
      for event in batch {
        switch event {
        case .textDelta(let t):
          if holding {
            // Held text is all the text so far: it starts at offset 0.
            message.text += t
            held += t
            if !TextToolCalls.mightBeCall(prefix: held) {
              holding = false
              held = ""
              flushReasoning()
              unsentTextFrom = 0
            }
          } else {
            flushReasoning()
            if unsentTextFrom == nil { unsentTextFrom = message.text.utf8.count }
            message.text += t
          }
        case .reasoningDelta(let r):
          message.reasoning += r
          flushText()
          unsentReasoning += r
        case .toolCall(let c):
          message.toolCalls.append(c)
        case .usage(let u):
          usage = (usage.map { $0 + u }) ?? u
        case .wireState(let s):
          message.wireState = s
        case .finished(let f):
          finish = f
        }
      }
      flushReasoning()
      flushText()
    }
    // An AsyncStream ends quietly (returns nil) when the task is cancelled: without this check
    // an interrupted answer would look complete and its tool calls would run.
    try Task.checkCancellation()
    if detectTextCalls, message.toolCalls.isEmpty,
      let calls = TextToolCalls.extract(from: message.text, offered: request.tools.map(\.name))
    {
      message.toolCalls = calls
      message.text = ""
      finish = .toolCalls
      held = ""
    }
    if !held.isEmpty { emit(.textDelta(held)) }
    return StreamResult(message: message, usage: usage, finish: finish)
  }
}
