extension ServeService {
  /// `POST /v1/chat/completions` and `POST /v1/messages`: decode the client's request, route
  /// it, wait for the provider's limits, stream the provider's answer back in the client's
  /// API. Nothing is sent to the client before the provider has answered well, so a provider
  /// error keeps its status (and the next route of a failover chain can be tried).
  func proxy(
    _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, api: API,
    _ entry: inout AccessLogEntry
  ) async {
    if let debug {
      debug(
        "client > \(request.method) \(AccessLogEntry.clean(request.target)) from \(request.peer)\n"
          + "client > " + String(decoding: request.body, as: UTF8.self))
    }
    let json: JSON
    switch Self.parseBody(request.body) {
    case .success(let j): json = j
    case .failure(let f):
      respondFailure(writer, f, api: api, &entry)
      return
    }
    let client: ClientRequest
    do {
      switch api {
      case .chat: client = try OpenAIChatRequest.decode(json)
      case .messages: client = try AnthropicMessagesRequest.decode(json)
      }
    } catch {
      respondFailure(
        writer, ServeFailure(status: error.status, message: error.description), api: api, &entry)
      return
    }
    entry.stream = client.stream
    let chain: [ModelRoute]
    do {
      chain = modelRouter.chain(from: try router.route(for: client.model))
    } catch {
      respondFailure(writer, error, api: api, &entry)
      return
    }
    var failure = ServeFailure(status: 500, message: "no provider to route to")
    for (index, route) in chain.enumerated() {
      entry.route = route.description
      switch await attempt(route, client, request, writer, api: api, &entry) {
      case .answered:
        return
      case .clientGone:
        entry.status = 499
        entry.error = "the client disconnected"
        return
      case .failed(let f, let fallbackReason):
        failure = f
        // Nothing went to the client yet: the next entry of the chain may answer instead, as
        // in a session (`ModelRouter`).
        if let fallbackReason, index + 1 < chain.count {
          entry.fallbacks.append(fallbackReason)
          debug?("note: \(fallbackReason); trying \(chain[index + 1])")
          continue
        }
      }
      break
    }
    if !entry.fallbacks.isEmpty {
      failure.message += " (after falling back from: \(entry.fallbacks.joined(separator: "; ")))"
    }
    respondFailure(writer, failure, api: api, &entry)
  }

  enum Outcome {
    /// The answer (or an error event inside a started stream) went out.
    case answered
    case clientGone
    /// Nothing went out yet. `fallbackReason` ("ollama unreachable") when the next entry of
    /// the chain may be tried.
    case failed(ServeFailure, fallbackReason: String?)
  }

  func attempt(
    _ route: ModelRoute, _ client: ClientRequest, _ request: HTTPServerRequest,
    _ writer: HTTPResponseWriter, api: API, _ entry: inout AccessLogEntry
  ) async -> Outcome {
    let gate = gates[route.provider.id]
    if let gate {
      do {
        let admission = try await gate.acquire()
        entry.queuePosition = admission.position
        entry.queueWait = admission.waited
      } catch let full as ProviderGate.Full {
        return .failed(
          ServeFailure(
            status: 429,
            message:
              "\(route.provider.name) is at its limit (\(Self.describe(route.provider.limits))) "
              + "and \(full.queued) requests are already waiting; try again later",
            code: "rate_limit_exceeded",
            headers: [("Retry-After", String(full.retryAfterSeconds))]),
          fallbackReason: "\(route.provider.id) at its limit")
      } catch {
        return .clientGone
      }
    }
    defer { gate?.release() }
    if Task.isCancelled { return .clientGone }

    let exchange = UpstreamTransport.Exchange()
    let streaming = client.stream
    let upstream = UpstreamTransport(
      inner: transport, exchange: exchange,
      pace: { if streaming { try await writer.waitForRoom() } })
    let modelClient = self.modelClient(route.provider, transport: upstream)
    var (chatRequest, dropped) = client.upstream(
      model: route.model, provider: route.provider, configured: route.provider.modelOptions)
    await modelRouter.addOllamaContext(
      &chatRequest, route: route,
      isPrimary: route.provider.id == config.provider.id && route.model == config.model)
    if let debug, !dropped.isEmpty {
      debug(
        "note: \(dropped.joined(separator: ", ")) not sent to \(route.provider.id): its "
          + "'\(route.provider.wire.rawValue)' wire has no such setting")
    }

    var dialect: any ResponseDialect =
      api == .chat
      ? OpenAIChatResponse(model: client.model, includeUsage: client.includeUsage)
      : AnthropicMessagesResponse(model: client.model)
    var started = false
    var answer = CollectedAnswer()
    var firstToken: ContinuousClock.Instant?
    var usage: TokenUsage?
    var out: [UInt8] = []
    let debug = self.debug
    func send(_ bytes: [UInt8]) {
      debug?("client < " + String(decoding: bytes, as: UTF8.self))
      // A client that left is noticed by the server, which cancels this task.
      _ = try? writer.send(bytes)
    }
    var textCalls = TextCallFilter(provider: route.provider, tools: chatRequest.tools)
    func deliver(_ batch: [ChatEvent]) {
      guard !batch.isEmpty else { return }
      for event in batch {
        switch event {
        case .textDelta, .reasoningDelta, .toolCall:
          if firstToken == nil { firstToken = .now }
        case .usage(let u):
          usage = usage.map { $0 + u } ?? u
        case .finished, .wireState:
          break
        }
      }
      guard streaming else {
        answer.add(batch)
        return
      }
      if !started {
        started = true
        try? writer.startStream(status: 200, headers: dialect.streamHeaders)
      }
      out.removeAll(keepingCapacity: true)
      dialect.stream(batch, into: &out)
      if !out.isEmpty { send(out) }
    }
    do {
      try await modelClient.run(chatRequest) { batch in
        let batch = modelRouter.priced(batch, route: route)
        deliver(textCalls == nil ? batch : textCalls?.pass(batch) ?? batch)
      }
      if var filter = textCalls { deliver(filter.finish()) }
    } catch {
      entry.firstToken = firstToken.map { $0 - request.receivedAt }
      record(usage, &entry)
      if Self.isClientGone(error) || !writer.isConnected { return .clientGone }
      let failure = ServeFailure(error, upstream: exchange.lastHead)
      guard started else {
        return .failed(
          failure, fallbackReason: ModelRouter.fallbackReason(error, provider: route.provider))
      }
      // Mid-stream: the status is already 200; the error goes out as the API's error event.
      entry.status = 200
      entry.error = failure.message
      out.removeAll(keepingCapacity: true)
      dialect.streamError(failure, into: &out)
      send(out)
      writer.finish()
      return .answered
    }
    entry.firstToken = firstToken.map { $0 - request.receivedAt }
    record(usage, &entry)
    entry.status = 200
    if streaming {
      if !started {
        do { try writer.startStream(status: 200, headers: dialect.streamHeaders) } catch {
          return .clientGone
        }
      }
      out.removeAll(keepingCapacity: true)
      dialect.streamEnd(into: &out)
      send(out)
      writer.finish()
    } else {
      let body = dialect.complete(answer)
      debug?("client < " + String(decoding: body, as: UTF8.self))
      writer.respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }
    return .answered
  }

  func record(_ usage: TokenUsage?, _ entry: inout AccessLogEntry) {
    guard let usage else { return }
    entry.inputTokens = usage.inputTokens
    entry.outputTokens = usage.outputTokens
    entry.cost = usage.cost
  }

  static func isClientGone(_ error: any Error) -> Bool {
    if error is CancellationError { return true }
    if let e = error as? HTTPServerError, e == .clientGone { return true }
    if let e = error as? TransportError, e == .cancelled { return true }
    return false
  }

  static func describe(_ limits: ProviderLimits) -> String {
    var parts: [String] = []
    if let n = limits.maxConcurrent { parts.append("max_concurrent = \(n)") }
    if let n = limits.requestsPerMinute { parts.append("requests_per_minute = \(n)") }
    return parts.joined(separator: ", ")
  }

  // MARK: - Models

  /// `GET /v1/models`: every listed provider's models as `provider/model`, then the aliases.
  /// In Anthropic's shape when the client sent `anthropic-version`.
  func models(
    _ request: HTTPServerRequest, _ writer: HTTPResponseWriter, _ entry: inout AccessLogEntry
  ) async {
    let defaultModel = (provider: config.provider.id, model: config.model)
    let log = self.log
    let listings = await catalog.listings(
      router.listedProviders, defaultModel: defaultModel,
      client: { [self] in modelClient($0, transport: transport) }, problem: log)
    var ids: [(id: String, owner: String)] = []
    for listing in listings {
      for m in listing.models { ids.append(("\(listing.provider.id)/\(m)", listing.provider.id)) }
    }
    for alias in config.serve.aliases { ids.append((alias.name, "alias")) }
    if request.header("anthropic-version") != nil {
      let data: [JSON] = ids.map {
        [
          "type": "model", "id": .string($0.id), "display_name": .string($0.id),
          "created_at": "1970-01-01T00:00:00Z",
        ]
      }
      respondJSON(
        writer, 200,
        [
          "data": .array(data), "has_more": false,
          "first_id": ids.first.map { .string($0.id) } ?? .null,
          "last_id": ids.last.map { .string($0.id) } ?? .null,
        ], &entry)
      return
    }
    let data: [JSON] = ids.map {
      ["id": .string($0.id), "object": "model", "created": 0, "owned_by": .string($0.owner)]
    }
    respondJSON(writer, 200, ["object": "list", "data": .array(data)], &entry)
  }
}
