/// The models a provider serves, with what its server says about each (context window, tool
/// calling, vision, size and quantisation, loaded or not, prices), completed from the built-in
/// table where the server is silent. `codex models`, `/model`, `codex doctor` and shell
/// completion all read this one list.
public struct ModelCatalog: Sendable {
  public let provider: ProviderInfo
  public let kind: ServerKind
  public var prices: PriceBook
  let query: ServerQuery

  public init(
    provider: ProviderInfo, transport: any HTTPTransport, environment: [String: String],
    prices: PriceBook = PriceBook(), timeout: Duration? = nil
  ) {
    self.init(
      query: ServerQuery(
        provider: provider, transport: transport, environment: environment, timeout: timeout),
      prices: prices)
  }

  init(query: ServerQuery, prices: PriceBook = PriceBook()) {
    self.provider = query.provider
    self.kind = query.kind
    self.prices = prices
    self.query = query
  }

  /// Where a listing lives and how to read it.
  struct Source: Sendable {
    enum Place: Sendable {
      /// Below the provider's base URL (`…/v1` + `models`).
      case base(String)
      /// Below the server root (`…:11434` + `api/tags`).
      case root(String)
    }
    var place: Place
    var parse: @Sendable (JSON) -> [ModelInfo]
    /// The query string of the next page, when the reply says there is one.
    var nextPage: (@Sendable (JSON) -> String?)? = nil
  }

  /// Per server kind, the listings to try in order: a 404 (an older or different server) moves
  /// on to the next. A new kind of server is one entry here.
  static let sources: [ServerKind: [Source]] = [
    .ollama: [Source(place: .root("api/tags"), parse: ModelListParsers.ollamaTags)],
    .lmstudio: [
      Source(place: .root("api/v0/models"), parse: ModelListParsers.openAIList),
      Source(place: .root("api/v1/models"), parse: ModelListParsers.lmStudioV1),
      Source(place: .base("models"), parse: ModelListParsers.openAIList),
    ],
    .tgi: [
      Source(place: .root("info"), parse: ModelListParsers.tgiInfo),
      Source(place: .base("models"), parse: ModelListParsers.openAIList),
    ],
    .anthropic: [
      Source(
        place: .root("v1/models"), parse: ModelListParsers.anthropicList,
        nextPage: ModelListParsers.anthropicNextPage)
    ],
    .gemini: [
      Source(
        place: .root("v1beta/models"), parse: ModelListParsers.geminiList,
        nextPage: ModelListParsers.geminiNextPage)
    ],
  ]

  /// vLLM, llama.cpp, OpenRouter, OpenAI and any compatible server.
  static let openAICompatible = [Source(place: .base("models"), parse: ModelListParsers.openAIList)]

  static func sources(for kind: ServerKind) -> [Source] { sources[kind] ?? openAICompatible }

  /// The first URL asked: where `codex doctor` measures reachability.
  public var listingURL: String { url(Self.sources(for: kind)[0].place) }

  func url(_ place: Source.Place) -> String {
    switch place {
    case .base(let path): return query.baseURL(path)
    case .root(let path): return query.rootURL(path)
    }
  }

  /// The listing as the server gives it, completed from the table and the price book.
  /// - Throws: `ProviderError` (unreachable, key rejected) or `ServerQueryError`.
  /// `details: false` skips the per-model questions some servers need (Ollama's `/api/show`):
  /// for a quick list of names.
  public func list(details: Bool = true) async throws -> [ModelInfo] {
    var models = try await fetch()
    if details, kind == .ollama { models = await OllamaModelDetails(query: query).complete(models) }
    return models.map(completed)
  }

  /// Fills what the server did not say from the built-in table and the price book.
  func completed(_ model: ModelInfo) -> ModelInfo {
    var m = model
    if m.contextWindow == nil, m.trainedContext == nil, !kind.isLocalServer,
      let fact = ModelFacts.find(model: m.id)
    {
      m.contextWindow = fact.contextWindow
    }
    if m.price == nil, let quote = prices.quote(provider: provider, model: m.id) {
      m.price = quote.price
      m.priceSource = quote.source
    } else if let override = prices.overrides[m.id] {
      m.price = override
      m.priceSource = "config"
    }
    return m
  }

  func fetch() async throws -> [ModelInfo] {
    var lastURL = ""
    for source in Self.sources(for: kind) {
      let first = url(source.place)
      lastURL = first
      var reply = try await query.get(first)
      if [404, 405, 501].contains(reply.status) { continue }
      var models: [ModelInfo] = []
      var pages = 0
      while true {
        guard reply.ok else { throw query.failure(reply) }
        guard let json = reply.json else {
          throw ServerQueryError.malformed(
            provider: provider.name, url: reply.url, detail: "the model list is not JSON")
        }
        models += source.parse(json)
        pages += 1
        // A bound, so a server that always says "more" cannot keep us here.
        guard pages < 20, let next = source.nextPage?(json) else { break }
        reply = try await query.get(first + (first.contains("?") ? "&" : "?") + next)
      }
      return kind.isLocalServer ? models : models.sorted { $0.id < $1.id }
    }
    throw ServerQueryError.notOffered(provider: provider.name, what: "a model list", url: lastURL)
  }

  /// Names in `available` closest to `model`, best first: the same name with another tag,
  /// names containing it, then by edit distance. For "model not found" messages.
  public static func closest(to model: String, in available: [String], limit: Int = 3)
    -> [String]
  {
    let wanted = model.lowercased()
    let stem = wanted.split(separator: ":").first.map(String.init) ?? wanted
    func score(_ name: String) -> Int {
      let n = name.lowercased()
      if n.split(separator: ":").first.map(String.init) == stem { return 0 }
      if n.contains(stem) || stem.contains(n) { return 1 }
      return 2
        + ConfigSchema.editDistance(stem, n.split(separator: ":").first.map(String.init) ?? n)
    }
    let scored = available.map { ($0, score($0)) }.filter { $0.1 <= 2 + max(3, stem.count / 2) }
    return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
  }
}

/// Ollama's listing says little before v0.30: `/api/show` has each model's trained context and
/// capabilities, `/api/ps` which are loaded and with how much context.
struct OllamaModelDetails: Sendable {
  let query: ServerQuery
  /// Local and quick, but a list of fifty models should not be fifty requests at once.
  static let parallelShows = 4

  func complete(_ models: [ModelInfo]) async -> [ModelInfo] {
    async let loadedReply = try? query.get(query.rootURL("api/ps"))
    var out = models
    let needShow = out.indices.filter { out[$0].tools == nil || out[$0].trainedContext == nil }
    var shows: [Int: ModelListParsers.OllamaShow] = [:]
    await withTaskGroup(of: (Int, ModelListParsers.OllamaShow?).self) { group in
      var next = 0
      func add() {
        guard next < needShow.count else { return }
        let index = needShow[next]
        let id = out[index].id
        next += 1
        group.addTask { (index, await show(id)) }
      }
      for _ in 0..<Self.parallelShows { add() }
      while let (index, show) = await group.next() {
        if let show { shows[index] = show }
        add()
      }
    }
    for (index, show) in shows {
      if out[index].trainedContext == nil { out[index].trainedContext = show.trainedContext }
      if let caps = show.capabilities {
        ModelListParsers.applyOllamaCapabilities(caps, to: &out[index])
      }
    }
    if let reply = await loadedReply, reply.ok, let json = reply.json {
      let loaded = ModelListParsers.ollamaLoaded(json)
      for index in out.indices {
        if let allocated = loaded[out[index].id] {
          out[index].loaded = true
          out[index].contextWindow = allocated
        } else {
          out[index].loaded = false
        }
      }
    }
    return out
  }

  func show(_ model: String) async -> ModelListParsers.OllamaShow? {
    guard let reply = try? await query.post(query.rootURL("api/show"), ["model": .string(model)]),
      reply.ok, let json = reply.json
    else { return nil }
    return ModelListParsers.ollamaShow(json)
  }
}
