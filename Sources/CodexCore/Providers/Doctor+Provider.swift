/// The checks for one provider and model: key present, server reachable (and how fast), key
/// accepted, model served, tool support, context window, and with `probe` one tiny real request
/// that offers a tool and expects a call back.
public struct ProviderDoctor: Sendable {
  public let provider: ProviderInfo
  public let model: String
  let transport: any HTTPTransport
  let environment: [String: String]
  public var prices: PriceBook
  public var modelContextWindow: Int?
  /// Longest wait for any one server answer (the probe request gets longer: a local server may
  /// load the model first).
  public var timeout: Duration = .seconds(10)
  public var probeTimeout: Duration = .seconds(180)

  public init(
    provider: ProviderInfo, model: String, transport: any HTTPTransport,
    environment: [String: String], prices: PriceBook = PriceBook(),
    modelContextWindow: Int? = nil
  ) {
    self.provider = provider
    self.model = model
    self.transport = transport
    self.environment = environment
    self.prices = prices
    self.modelContextWindow = modelContextWindow
  }

  var kind: ServerKind { ServerKind.of(provider) }

  public func run(probe: Bool) async -> [DoctorCheck] {
    var checks = [keyCheck()]
    let catalog = ModelCatalog(
      provider: provider, transport: transport, environment: environment, prices: prices,
      timeout: timeout)
    let reply: ServerQuery.Reply
    do {
      reply = try await catalog.query.get(catalog.listingURL)
    } catch {
      checks.append(DoctorCheck("server", .failed, "\(error)", fix: startFix()))
      for name in ["key accepted", "model", "context"] + (probe ? ["tool call"] : []) {
        checks.append(DoctorCheck(name, .skipped, "the server cannot be reached"))
      }
      return checks
    }
    checks.append(
      DoctorCheck(
        "server", .ok,
        "\(ServerKind.root(of: provider.baseURL)) answered in \(reply.latency.milliseconds) ms"))
    checks.append(keyAcceptedCheck(reply))
    if reply.status == 401 || reply.status == 403 {
      for name in ["model", "context"] + (probe ? ["tool call"] : []) {
        checks.append(DoctorCheck(name, .skipped, "the key was not accepted"))
      }
      return checks
    }
    let listed: Result<[ModelInfo], any Error>
    do { listed = .success(try await catalog.list()) } catch { listed = .failure(error) }
    checks += modelChecks(listed)
    checks.append(await contextCheck())
    if probe { checks.append(await probeCheck()) }
    return checks
  }

  // MARK: - Key

  func keyCheck() -> DoctorCheck {
    guard let env = provider.envKey else { return DoctorCheck("API key", .ok, "none needed") }
    if provider.apiKey(environment: environment) != nil {
      return DoctorCheck("API key", .ok, "$\(env) is set")
    }
    if provider.requiresKey {
      let how = provider.envKeyInstructions.map { " (\($0))" } ?? ""
      return DoctorCheck(
        "API key", .failed, "$\(env) is not set", fix: "export \(env)=<your key>\(how)")
    }
    return DoctorCheck("API key", .ok, "$\(env) is not set; a server of your own needs none")
  }

  func keyAcceptedCheck(_ reply: ServerQuery.Reply) -> DoctorCheck {
    let sent = provider.apiKey(environment: environment) != nil
    guard reply.status == 401 || reply.status == 403 else {
      return DoctorCheck("key accepted", .ok, sent ? "yes" : "no key needed")
    }
    let detail = "HTTP \(reply.status): \(reply.errorMessage)"
    if sent, let env = provider.envKey {
      return DoctorCheck("key accepted", .failed, detail, fix: "check the key in $\(env)")
    }
    let env = provider.envKey ?? "MY_KEY"
    return DoctorCheck(
      "key accepted", .failed, detail + " (no key was sent)",
      fix: "this server wants a key: export \(env)=<key> (set env_key under "
        + "[model_providers.\(provider.id)] to use another variable)")
  }

  func startFix() -> String {
    if provider.isLocal || kind.isLocalServer, let hint = provider.startHint {
      return "start the server: \(hint) (or fix base_url: \(provider.baseURL))"
    }
    return "check base_url (\(provider.baseURL)) and your network"
  }

  // MARK: - Model

  /// The listed entry for `model`; Ollama's `llama3` is its `llama3:latest`.
  static func entry(for model: String, in models: [ModelInfo], kind: ServerKind) -> ModelInfo? {
    if let m = models.first(where: { $0.id == model }) { return m }
    if kind == .ollama, !model.contains(":") {
      return models.first { $0.id == model + ":latest" }
    }
    return nil
  }

  func modelChecks(_ listed: Result<[ModelInfo], any Error>) -> [DoctorCheck] {
    let models: [ModelInfo]
    switch listed {
    case .failure(let error as ServerQueryError):
      if case .notOffered = error {
        return [DoctorCheck("model", .skipped, "\(provider.name) does not list its models")]
      }
      return [DoctorCheck("model", .warning, "cannot read the model list: \(error)")]
    case .failure(let error):
      return [DoctorCheck("model", .warning, "cannot read the model list: \(error)")]
    case .success(let m):
      models = m
    }
    let pull = kind == .ollama ? "codex pull \(model.isEmpty ? "<model>" : model)" : nil
    guard !model.isEmpty else {
      guard let first = models.first else {
        return [
          DoctorCheck(
            "model", .failed, "no model configured and \(provider.name) lists none",
            fix: pull ?? "load a model on the server, or pass --model")
        ]
      }
      return [
        DoctorCheck(
          "model", .warning, "no model configured; codex will use the first listed: \(first.id)",
          fix: "set model in config.toml (or pass --model)")
      ]
    }
    guard let info = Self.entry(for: model, in: models, kind: kind) else {
      if models.isEmpty {
        return [
          DoctorCheck(
            "model", .failed, "\(provider.name) lists no models",
            fix: pull ?? "load \(model) on the server")
        ]
      }
      let close = ModelCatalog.closest(to: model, in: models.map(\.id))
      let hint = close.isEmpty ? "" : "; closest: " + close.joined(separator: ", ")
      return [
        DoctorCheck(
          "model", .failed, "\(provider.name) does not serve \(model)\(hint)",
          fix: pull ?? "pass --model with one of: "
            + models.prefix(8).map(\.id).joined(separator: ", "))
      ]
    }
    var out = [DoctorCheck("model", .ok, "\(info.id) is served" + Self.summary(info))]
    if info.tools == false {
      out.append(
        DoctorCheck(
          "tools", .warning, "\(provider.name) says \(info.id) cannot call tools",
          fix: "use a model with tool support (for Ollama: `ollama show \(info.id)` lists its "
            + "capabilities); codex still reads calls printed as text"))
    }
    return out
  }

  static func summary(_ m: ModelInfo) -> String {
    var parts: [String] = []
    if let p = m.parameterSize { parts.append(p) }
    if let q = m.quantization { parts.append(q) }
    if m.tools == true { parts.append("tools") }
    if m.vision == true { parts.append("vision") }
    if m.loaded == true { parts.append("loaded") }
    return parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")"
  }

  // MARK: - Context

  /// Enough for the instructions, the tool definitions and a little conversation.
  static let smallWindow = 8192

  func contextCheck() async -> DoctorCheck {
    let probe = ContextWindowProbe(transport: transport, environment: environment, timeout: timeout)
    guard !model.isEmpty,
      let window = await probe.lookup(
        provider: provider, model: model, configured: modelContextWindow)
    else {
      return DoctorCheck(
        "context", .warning, "unknown: the server does not say and the model is not in the table",
        fix: "set model_context_window in config.toml")
    }
    if window.tokens < Self.smallWindow {
      return DoctorCheck(
        "context", .warning,
        "\(window.tokens) tokens (\(window.source)): small for an agent; the instructions and "
          + "tool definitions alone take a few thousand", fix: contextFix())
    }
    return DoctorCheck("context", .ok, "\(window.tokens) tokens (\(window.source))")
  }

  func contextFix() -> String {
    switch kind {
    case .llamacpp: return "start llama-server with a larger window, e.g. -c 16384"
    case .vllm: return "start vLLM with a larger --max-model-len (e.g. 16384)"
    case .lmstudio: return "load the model in LM Studio with a larger context length"
    case .ollama: return "set num_ctx under [models.\"\(model)\"] (e.g. 16384)"
    case .tgi: return "start TGI with larger --max-total-tokens / --max-input-tokens"
    default: return "use a model with a larger context window"
    }
  }

  // MARK: - Probe

  static let probeTool = ToolSpec(
    name: "report_status",
    description: "Report the status of the system. Always call this tool.",
    parameters: [
      "type": "object",
      "properties": ["status": ["type": "string", "description": "the word ok"]],
      "required": ["status"],
    ])

  func probeCheck() async -> DoctorCheck {
    guard !model.isEmpty else {
      return DoctorCheck("tool call", .skipped, "no model to ask")
    }
    var options = provider.modelOptions
    options.maxOutputTokens = options.maxOutputTokens.map { min($0, 1024) } ?? 1024
    let request = ChatRequest(
      model: model, instructions: "You are a connectivity test. Reply only by calling a tool.",
      messages: [.user("Call the tool report_status with status \"ok\". Do not write any text.")],
      tools: [Self.probeTool], options: options)
    let client = ModelClient(provider: provider, transport: transport, environment: environment)
    let started = ContinuousClock.now
    let result = await ProbeOutcome.collect(client, request, within: probeTimeout)
    let seconds = CostText.fixed(
      Double((ContinuousClock.now - started).milliseconds) / 1000, digits: 1)
    switch result {
    case .timedOut:
      return DoctorCheck(
        "tool call", .failed, "no answer within \(probeTimeout)",
        fix: "check the server's log; a large model may still be loading")
    case .failed(let error):
      return DoctorCheck("tool call", .failed, "\(error)", fix: probeErrorFix(error))
    case .answered(let text, let calls):
      if calls.contains(where: { $0.name == Self.probeTool.name }) {
        return DoctorCheck("tool call", .ok, "a structured call came back in \(seconds) s")
      }
      if let recovered = TextToolCalls.extract(from: text, offered: [Self.probeTool.name]),
        !recovered.isEmpty
      {
        let usable = provider.textToolCalls
        return DoctorCheck(
          "tool call", usable ? .warning : .failed,
          "the model printed the call as text"
            + (usable ? "; codex recovers it (text_tool_calls)" : " and text_tool_calls is off"),
          fix: textCallFix())
      }
      let said = text.trimmingWhitespace()
      let preview =
        said.isEmpty ? "nothing" : "\"" + String(said.prefix(80)) + (said.count > 80 ? "…\"" : "\"")
      return DoctorCheck(
        "tool call", .warning, "the model answered \(preview) instead of calling the tool",
        fix: "small models often ignore tools; try a larger or tool-tuned model")
    }
  }

  /// The server setting that gives structured calls instead of text.
  func textCallFix() -> String {
    switch kind {
    case .llamacpp: return "start llama-server with --jinja"
    case .vllm:
      return "vLLM needs --enable-auto-tool-choice --tool-call-parser <hermes|llama3_json|"
        + "mistral|qwen3_xml|…> (the parser for your model)"
    case .ollama:
      return "use a model whose template supports tools (`ollama show \(model)` lists tools)"
    case .lmstudio: return "use a model LM Studio marks as tool-capable"
    default: return "use a model or server setting with native tool calling"
    }
  }

  func probeErrorFix(_ error: any Error) -> String? {
    let text = "\(error)".lowercased()
    if text.contains("enable-auto-tool-choice") || text.contains("tool-call-parser") {
      return "start vLLM with --enable-auto-tool-choice --tool-call-parser <parser for your model>"
    }
    if text.contains("does not support tools") {
      return "use a model with tool support (`ollama show \(model)` lists its capabilities)"
    }
    if kind == .llamacpp, text.contains("tool") {
      return "start llama-server with --jinja"
    }
    if case ProviderError.unreachable = error { return startFix() }
    return nil
  }
}

/// What the probe request produced.
enum ProbeOutcome: Sendable {
  case answered(text: String, calls: [ToolCall])
  case failed(any Error)
  case timedOut

  static func collect(_ client: ModelClient, _ request: ChatRequest, within limit: Duration) async
    -> ProbeOutcome
  {
    let work = Task { () -> ProbeOutcome in
      var text = ""
      var calls: [ToolCall] = []
      do {
        try await client.run(request) { batch in
          for event in batch {
            switch event {
            case .textDelta(let t): text += t
            case .toolCall(let c): calls.append(c)
            default: break
            }
          }
        }
        return .answered(text: text, calls: calls)
      } catch {
        return .failed(error)
      }
    }
    let outcome = await ContextWindowProbe.value(
      of: Task { Optional(await work.value) }, within: limit)
    guard let outcome else {
      work.cancel()
      return .timedOut
    }
    return outcome
  }
}
