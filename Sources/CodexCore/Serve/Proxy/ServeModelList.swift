import Synchronization

/// The models each provider says it has, asked of its server and kept for a while, for
/// `GET /v1/models`. A provider that is down, or whose key is not set, is left out and the
/// reason is reported.
final class ServeModelList: Sendable {
  struct Listing: Sendable {
    var provider: ProviderInfo
    var models: [String]
  }

  private struct Cached {
    var models: [String]
    var fetched: ContinuousClock.Instant
  }

  private let cache = Mutex<[String: Cached]>([:])
  let ttl: Duration

  init(ttl: Duration) {
    self.ttl = ttl
  }

  /// Every provider's list, in the given order; `problem` hears about the ones left out.
  func listings(
    _ providers: [ProviderInfo], defaultModel: (provider: String, model: String)?,
    client: @escaping @Sendable (ProviderInfo) -> ModelClient,
    problem: @escaping @Sendable (String) -> Void
  ) async -> [Listing] {
    let now = ContinuousClock.now
    let results = await withTaskGroup(of: (Int, [String]?).self) { group in
      for (index, provider) in providers.enumerated() {
        if let cached = cache.withLock({ $0[provider.id] }), now - cached.fetched < ttl {
          group.addTask { (index, cached.models) }
          continue
        }
        group.addTask { [self] in
          let c = client(provider)
          do {
            try c.checkCredentials()
            let models = try await c.listModels() ?? []
            cache.withLock { $0[provider.id] = Cached(models: models, fetched: .now) }
            return (index, models)
          } catch {
            problem("models: left out \(provider.id): \(error)")
            return (index, nil)
          }
        }
      }
      var out: [(Int, [String]?)] = []
      for await r in group { out.append(r) }
      return out.sorted { $0.0 < $1.0 }
    }
    var listings: [Listing] = []
    for (index, models) in results {
      guard var models else { continue }
      let provider = providers[index]
      // A server with no list (TGI's native wire) still serves the configured model.
      if let d = defaultModel, d.provider == provider.id, !d.model.isEmpty,
        !models.contains(d.model)
      {
        models.append(d.model)
      }
      listings.append(Listing(provider: provider, models: models))
    }
    return listings
  }
}
