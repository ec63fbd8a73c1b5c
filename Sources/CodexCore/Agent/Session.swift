/// One conversation: the history, and the turn loop — ask the model, run the tools it calls,
/// send their output back, until it answers without calling a tool.
///
/// It keeps the conversation inside the model's context window (compacting before a request
/// would not fit, and once more when a server says the context was exceeded), survives
/// malformed and repeated tool calls, and lets a dropped stream be sent again.
public actor Session {
  public nonisolated let id: String
  public private(set) var client: ModelClient
  public private(set) var model: String
  let instructions: String?
  public let tools: Toolbox
  public internal(set) var history: [ChatMessage]
  public private(set) var totalUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
  /// Stops a model that calls tools forever.
  public var maxToolRounds = 100
  /// Saves each history item as it is added (`codex resume`); nil: not saved.
  let recorder: RolloutRecorder?
  /// Every request goes through it: the fallback chain, prices, Ollama's `num_ctx`.
  public nonisolated let router: ModelRouter
  /// A recorder failure is reported once, then the session goes on unsaved.
  var recorderFailed = false
  /// The context window and how it is found and spent.
  var context: ContextState
  /// What the user asked for in the turn under way (or the last one): a compaction keeps it
  /// word for word.
  var latestRequest: String?

  public init(
    id: String, client: ModelClient, model: String, instructions: String?, tools: Toolbox,
    history: [ChatMessage] = [], recorder: RolloutRecorder? = nil,
    router: ModelRouter = ModelRouter(),
    contextSettings: ContextSettings = ContextSettings()
  ) {
    self.id = id
    self.client = client
    self.model = model
    self.instructions = instructions
    self.tools = tools
    self.history = history
    self.recorder = recorder
    self.router = router
    self.context = ContextState(settings: contextSettings)
    self.latestRequest = history.last {
      if case .user(let text) = $0 { return !text.hasPrefix(Compaction.summaryHeader) }
      return false
    }.flatMap {
      if case .user(let text) = $0 { return text }
      return nil
    }
  }

  public func setClient(_ client: ModelClient, model: String) {
    self.client = client
    self.model = model
    context.modelChanged()
  }
  public func reset() {
    history = []
    totalUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
    context.lastRequestTokens = nil
  }

  func append(_ m: ChatMessage, emit: @Sendable (AgentEvent) -> Void) {
    history.append(m)
    guard let recorder, !recorderFailed else { return }
    do {
      try recorder.record([m])
    } catch {
      recorderFailed = true
      emit(.warning("this session is no longer being saved: \(error)"))
    }
  }

  func request(for messages: [ChatMessage]) -> ChatRequest {
    ChatRequest(
      model: model, instructions: instructions, messages: messages,
      tools: tools.specs(for: client.provider.wire),
      options: client.provider.modelOptions)
  }

  /// Runs one user turn to completion. Events arrive in order on `emit`.
  public func submit(
    _ text: String, approvals: any ApprovalHandler, emit: @escaping @Sendable (AgentEvent) -> Void
  ) async throws -> TurnSummary {
    append(.user(text), emit: emit)
    latestRequest = text
    emit(.turnStarted)
    var turnUsage = TokenUsage(inputTokens: 0, outputTokens: 0)
    var rounds = 0
    var repetition = CallRepetition()
    var overflowRetried = false
    while true {
      await tools.prepareForRequest(emit: emit)
      try Task.checkCancellation()
      var request = request(for: history)
      await learnWindow(before: request)
      if context.needsCompaction(request) {
        try await compact(trigger: .auto, emit: emit)
        request = self.request(for: history)
      }
      let result: StreamResult
      do {
        result = try await streamOnce(request, emit: emit)
      } catch ProviderError.contextOverflow(_, let message, let window, let prompt)
        where !overflowRetried
      {
        // Learn the window from the error, compact, and send this request once more; a second
        // refusal of the same request stands.
        overflowRetried = true
        context.learnedFromOverflow(window: window, promptTokens: prompt, request: request)
        emit(.warning("the server says the context is full (\(message)); compacting"))
        try await compact(trigger: .overflow, emit: emit)
        continue
      }
      overflowRetried = false
      // A fallback may have answered: its window is the one to budget against from now on,
      // and tool outputs are fitted to it. A final answer needs no window.
      if !result.message.toolCalls.isEmpty { await learnWindow() }
      if let u = result.usage {
        turnUsage = turnUsage + u
        totalUsage = totalUsage + u
        context.observe(usage: u, request: request)
        emit(.usage(u))
      }
      append(.assistant(Self.replayable(result.message)), emit: emit)
      emit(.messageComplete(result.message.text))
      if result.message.toolCalls.isEmpty {
        let summary = TurnSummary(
          lastMessage: result.message.text, usage: turnUsage, finishReason: result.finish)
        emit(.turnComplete(summary))
        return summary
      }
      rounds += 1
      let toolContext = ToolContext(emit: emit, approvals: approvals)
      var stop: String?
      for (n, call) in result.message.toolCalls.enumerated() {
        var output: ToolOutput
        do {
          output = try await runTool(call, cutOff: result.finish == .length, context: toolContext)
        } catch {
          // Every call must have an answer or the next request is invalid (OpenAI and
          // others reject unanswered calls), so an interrupted turn answers the rest.
          for rest in result.message.toolCalls[n...] {
            append(
              .toolResult(
                ToolResult(
                  callID: rest.id, name: rest.name,
                  output: "The user interrupted this command; it did not finish.", isError: true)),
              emit: emit)
          }
          throw error
        }
        switch repetition.record(call, output) {
        case .fine: break
        case .nudge(let note): output.text += "\n\n" + note
        case .stop(let why): stop = why
        }
        output.text = context.fitToolOutput(output.text)
        append(
          .toolResult(
            ToolResult(
              callID: call.id, name: call.name, output: output.text, isError: output.isError)),
          emit: emit)
      }
      if stop == nil, rounds >= maxToolRounds {
        stop = "the model made \(rounds) rounds of tool calls in one turn"
      }
      if let stop {
        emit(.warning("stopped: \(stop)"))
        let summary = TurnSummary(
          lastMessage: result.message.text, usage: turnUsage, finishReason: .other("tool_loop"))
        emit(.turnComplete(summary))
        return summary
      }
    }
  }

  /// Runs one call through the toolbox's gate. A call that does not pass is answered with what
  /// was wrong; it never runs.
  func runTool(_ call: ToolCall, cutOff: Bool, context: ToolContext) async throws -> ToolOutput {
    switch tools.prepare(call) {
    case .success(let prepared):
      return try await tools.run(prepared, context: context)
    case .failure(let rejection):
      let message = rejection.message(cutOff: cutOff)
      context.emit(.warning("a tool call was not run: " + Self.firstSentence(message)))
      return .error(message)
    }
  }

  static func firstSentence(_ text: String) -> String {
    guard let end = text.firstRange(of: ". ") else { return text }
    return String(text[..<end.lowerBound])
  }

  /// The message as it may go back to a server in the history. A call whose arguments are not
  /// a JSON object (cut off at the token limit, malformed) is never replayed verbatim: llama.cpp
  /// answers such a history with HTTP 500, so it is kept as a call with `{}` — the tool result
  /// says what was wrong with the original.
  static func replayable(_ message: AssistantMessage) -> AssistantMessage {
    var message = message
    for index in message.toolCalls.indices {
      if case .failure = ToolArguments.parse(message.toolCalls[index].arguments) {
        message.toolCalls[index].arguments = "{}"
      }
    }
    return message
  }
}
