/// Where each kind of server reports the context window (protocols.md §9). Always the window
/// the server allocated, not the model's trained maximum, where the two differ.
extension ContextWindowProbe {
  func serverWindow(_ q: ServerQuery, model: String, options: ModelOptions) async -> ContextWindow?
  {
    switch q.kind {
    case .ollama: return await ollamaWindow(q, model: model, options: options)
    case .llamacpp: return await llamaCppWindow(q, model: model)
    case .tgi: return await tgiWindow(q)
    case .anthropic: return await anthropicWindow(q, model: model)
    case .gemini: return await geminiWindow(q, model: model)
    case .openai:
      return nil  // its listing has no window (protocols.md §9): the table answers
    case .vllm, .lmstudio, .openrouter, .generic:
      return await listedWindow(q, model: model)
    }
  }

  /// The window in the model's entry of the server's listing (vLLM `max_model_len`, LM Studio
  /// `loaded_context_length` else `max_context_length`, OpenRouter `context_length`).
  func listedWindow(_ q: ServerQuery, model: String) async -> ContextWindow? {
    let catalog = ModelCatalog(query: q)
    guard let models = try? await catalog.fetch() else { return nil }
    let entry = models.first { $0.id == model } ?? (models.count == 1 ? models.first : nil)
    guard let tokens = entry?.contextWindow else { return nil }
    let field: String
    switch q.kind {
    case .vllm: field = "max_model_len"
    case .lmstudio: field = entry?.loaded == true ? "loaded_context_length" : "max_context_length"
    default: field = "context_length"
    }
    return ContextWindow(
      tokens: tokens,
      source: "\(q.kind.displayName) GET \(Self.path(of: catalog.listingURL)) (\(field))")
  }

  /// `/props` `default_generation_settings.n_ctx` (the per-slot window); a router serving several
  /// models answers 0 there and wants `?model=`. Older builds: `meta.n_ctx` in `/v1/models`.
  func llamaCppWindow(_ q: ServerQuery, model: String) async -> ContextWindow? {
    async let listed = listedLlamaCpp(q, model: model)
    for url in [q.rootURL("props"), q.rootURL("props") + "?model=" + URLQuery.escape(model)] {
      if let reply = try? await q.get(url), reply.ok,
        let n = ModelListParsers.positive(reply.json?["default_generation_settings"]?["n_ctx"])
      {
        return ContextWindow(
          tokens: n, source: "llama.cpp GET /props (n_ctx)")
      }
    }
    return await listed
  }

  func listedLlamaCpp(_ q: ServerQuery, model: String) async -> ContextWindow? {
    guard let reply = try? await q.get(q.baseURL("models")), reply.ok, let json = reply.json
    else { return nil }
    let models = ModelListParsers.openAIList(json)
    let entry = models.first { $0.id == model } ?? models.first
    guard let n = entry?.contextWindow else { return nil }
    return ContextWindow(
      tokens: n, source: "llama.cpp GET /v1/models (meta.n_ctx)")
  }

  /// `GET /info`: `max_total_tokens` is prompt + answer, `max_input_tokens` the prompt alone.
  func tgiWindow(_ q: ServerQuery) async -> ContextWindow? {
    guard let reply = try? await q.get(q.rootURL("info")), reply.ok, let json = reply.json,
      let total = ModelListParsers.positive(json["max_total_tokens"])
    else { return nil }
    let input = ModelListParsers.positive(json["max_input_tokens"]).map {
      "; prompts at most \($0)"
    }
    return ContextWindow(tokens: total, source: "TGI GET /info (max_total_tokens\(input ?? ""))")
  }

  func anthropicWindow(_ q: ServerQuery, model: String) async -> ContextWindow? {
    guard let reply = try? await q.get(q.rootURL("v1/models/" + URLQuery.escape(model))), reply.ok,
      let n = ModelListParsers.positive(reply.json?["max_input_tokens"])
    else { return nil }
    return ContextWindow(
      tokens: n, source: "Anthropic GET /v1/models/\(model) (max_input_tokens)")
  }

  func geminiWindow(_ q: ServerQuery, model: String) async -> ContextWindow? {
    let id = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
    guard let reply = try? await q.get(q.rootURL("v1beta/models/" + URLQuery.escape(id))), reply.ok,
      let n = ModelListParsers.positive(reply.json?["inputTokenLimit"])
    else { return nil }
    return ContextWindow(
      tokens: n, source: "Gemini GET /v1beta/models/\(id) (inputTokenLimit)")
  }

  /// The window Ollama will really use: the `num_ctx` codex sends (or the one configured),
  /// never more than the model was trained for; else the loaded model's allocation.
  func ollamaWindow(_ q: ServerQuery, model: String, options: ModelOptions) async -> ContextWindow?
  {
    guard let facts = await ollamaFactsTask(provider: q.provider, model: model).value else {
      return nil
    }
    let configured = OllamaContextSize.configured(in: options)
    let sent = OllamaContextSize.numCtx(
      configured: configured, modelContextWindow: nil, trainedContext: facts.trainedContext,
      serverDefault: facts.serverDefault)
    let trained = facts.trainedContext.map { ", the model's maximum is \($0)" } ?? ""
    if let sent {
      let tokens = min(sent, facts.trainedContext ?? sent)
      let why = configured != nil ? "num_ctx from model_options" : "num_ctx codex sends to Ollama"
      return ContextWindow(tokens: tokens, source: why + trained)
    }
    if let loaded = facts.loadedContext {
      return ContextWindow(tokens: loaded, source: "Ollama GET /api/ps" + trained)
    }
    return nil
  }

  /// `/api/show` and `/api/ps` together (one round trip), once per model. No answer (the
  /// server was down, or does not have the model yet) is not kept: the next request asks
  /// again, so a server that comes back, or a model pulled meanwhile, gets its `num_ctx`.
  func ollamaFactsTask(provider: ProviderInfo, model: String) -> Task<OllamaFacts?, Never> {
    let root = ServerKind.root(of: provider.baseURL)
    let key = root + "\u{0}" + model
    return ollamaFacts.withLock { cache in
      if let existing = cache[key] { return existing }
      let q = query(provider)
      let task = Task { () -> OllamaFacts? in
        let facts = await OllamaFacts.fetch(q, model: model)
        if facts == nil { self.ollamaFacts.withLock { _ = $0.removeValue(forKey: key) } }
        return facts
      }
      cache[key] = task
      return task
    }
  }

  /// `http://h/v1/models?x=1` → `/v1/models`.
  static func path(of url: String) -> String {
    var rest = Substring(url)
    if let r = rest.firstRange(of: "://") { rest = rest[r.upperBound...] }
    guard let slash = rest.firstIndex(of: "/") else { return "/" }
    return String(rest[slash...].prefix { $0 != "?" })
  }
}

/// What Ollama says about one model's context: trained maximum, Modelfile default, and the
/// allocation of the loaded instance.
struct OllamaFacts: Sendable, Equatable {
  var trainedContext: Int?
  var modelfileNumCtx: Int?
  /// `/api/ps` `context_length` when the model is loaded.
  var loadedContext: Int?

  /// The window the server gives this model when the request does not say.
  var serverDefault: Int? {
    switch (loadedContext, modelfileNumCtx) {
    case (let a?, let b?): return max(a, b)
    case (let a?, nil): return a
    case (nil, let b?): return b
    case (nil, nil): return nil
    }
  }

  /// Nil when `/api/show` does not know the model (or the server is not Ollama).
  static func fetch(_ q: ServerQuery, model: String) async -> OllamaFacts? {
    async let psReply = try? q.get(q.rootURL("api/ps"))
    guard let show = try? await q.post(q.rootURL("api/show"), ["model": .string(model)]),
      show.ok, let json = show.json
    else {
      _ = await psReply
      return nil
    }
    let parsed = ModelListParsers.ollamaShow(json)
    var facts = OllamaFacts(
      trainedContext: parsed.trainedContext, modelfileNumCtx: parsed.modelfileNumCtx)
    if let ps = await psReply, ps.ok, let psJSON = ps.json {
      let loaded = ModelListParsers.ollamaLoaded(psJSON)
      let names = model.contains(":") ? [model] : [model, model + ":latest"]
      for name in names {
        if let context = loaded[name] {
          facts.loadedContext = context
          break
        }
      }
    }
    return facts
  }
}
