extension Session {
  /// How full the context is: the tokens of the last request as the server counted them (else
  /// the estimate of the next one), and the window when known (asked of the server now if no
  /// request has needed it yet).
  public func contextStatus() async -> (used: Int, window: ContextWindow?) {
    await learnWindow()
    return (context.lastRequestTokens ?? context.estimated(request(for: history)), context.window)
  }

  /// `/compact`: summarises the conversation now.
  public func compactNow(emit: @escaping @Sendable (AgentEvent) -> Void) async throws {
    await learnWindow()
    try await compact(trigger: .manual, emit: emit)
  }

  /// Finds the window once per provider and model: the config, else what the server says. After
  /// a fallback, the model that answers is the one whose window counts.
  ///
  /// The lookup starts at once but is only waited for when `request` is big enough for the
  /// window to matter: a short first prompt goes out while the server is still being asked
  /// (a probe costs a round trip, up to the probe's timeout on a slow server). Without
  /// `request`, always waits.
  func learnWindow(before request: ChatRequest? = nil) async {
    let provider = router.answeredBy?.provider ?? client.provider
    let answering = router.answeredBy?.model ?? model
    let key = provider.id + "\u{0}" + provider.baseURL + "\u{0}" + answering
    if context.lookedUpFor != key {
      let switched = context.lookedUpFor != nil
      context.lookedUpFor = key
      if switched { context.modelChanged(keepingLookup: key) }
      if context.window == nil, let lookup = context.settings.lookup {
        context.pendingLookup = Task { await lookup(provider, answering) }
      }
    }
    guard let pending = context.pendingLookup else { return }
    if let request, context.estimated(request) < ContextState.fitsAnyWindow { return }
    context.pendingLookup = nil
    if let found = await pending.value, context.window == nil { context.window = found }
  }

  /// Makes the conversation smaller: old tool outputs are trimmed first; unless that is enough
  /// (for an automatic compaction), the model writes a hand-off summary and the history becomes
  /// that summary plus the most recent messages that fit. Recorded in the session file, so a
  /// resumed session continues from the compacted history.
  func compact(trigger: ContextCompaction.Trigger, emit: @escaping @Sendable (AgentEvent) -> Void)
    async throws
  {
    guard !history.isEmpty else { return }
    let before = context.estimated(request(for: history))
    var compacted = history
    if let trimmed = Compaction.trimmingOldToolOutputs(history) { compacted = trimmed }
    var summarized = false
    if trigger != .auto || context.needsCompaction(request(for: compacted)) {
      // Without a known window (a manual /compact), size things by what the history is now.
      let window = context.window?.tokens ?? max(2048, before)
      let summary = try await summarize(compacted, window: window)
      summarized = summary != nil
      // Leave real room — at most 60 % of the window — so the next rounds do not compact
      // again at once: keep fewer recent messages until the result fits.
      let target = window * 60 / 100
      var tailBudget = Int(Double(window * 35 / 100) / context.calibration)
      var candidate = Compaction.replacement(
        for: compacted, summary: summary, latestRequest: latestRequest, budget: tailBudget)
      while context.estimated(request(for: candidate)) > target, tailBudget > 32 {
        tailBudget /= 2
        candidate = Compaction.replacement(
          for: compacted, summary: summary, latestRequest: latestRequest, budget: tailBudget)
      }
      compacted = candidate
    }
    guard compacted != history else { return }
    history = compacted
    let after = context.estimated(request(for: history))
    context.lastRequestTokens = nil
    let compaction = ContextCompaction(
      tokensBefore: before, tokensAfter: after, summarized: summarized, trigger: trigger)
    if let recorder, !recorderFailed {
      do {
        try recorder.recordCompaction(history, compaction)
      } catch {
        recorderFailed = true
        emit(.warning("this session is no longer being saved: \(error)"))
      }
    }
    emit(.contextCompacted(compaction))
  }

  /// The model's hand-off note for `messages`, or nil when even the summary request does not fit
  /// (then the oldest messages are dropped without one). Other failures end the turn.
  func summarize(_ messages: [ChatMessage], window: Int) async throws -> String? {
    let summaryRequest = Compaction.summaryRequest(
      model: model, history: messages, window: window, options: client.provider.modelOptions)
    var text = ""
    do {
      // Through the fallback chain, like every request: the provider that is answering now is
      // the one to ask.
      try await router.run(
        summaryRequest, primary: client, notice: { _ in },
        onInterrupted: { _, _ in
          text = ""
          return .retry
        }
      ) { batch in
        for case .textDelta(let t) in batch { text += t }
      }
    } catch ProviderError.contextOverflow {
      return nil
    }
    try Task.checkCancellation()
    let trimmed = text.trimmingWhitespace()
    return trimmed.isEmpty ? nil : trimmed
  }
}
