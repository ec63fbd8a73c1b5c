/// What a model's tokens cost, in this order: the user's `[models."NAME"] price`, free for a
/// server on the user's own machine or network, the built-in table (`ModelFacts`) for the
/// provider serving it; else unknown. A cost the provider reports itself (OpenRouter's
/// `usage.cost`) always wins over any of these.
public struct PriceBook: Sendable, Equatable {
  /// Model name → price, from config.
  public var overrides: [String: ModelPrice]

  public init(overrides: [String: ModelPrice] = [:]) {
    self.overrides = overrides
  }

  public struct Quote: Sendable, Equatable {
    public var price: ModelPrice
    /// "config", "local server", or the table entry's source and date.
    public var source: String
  }

  public func quote(provider: ProviderInfo, model: String) -> Quote? {
    if let price = overrides[model] { return Quote(price: price, source: "config") }
    if provider.isLocal || ServerKind.of(provider).isLocalServer {
      return Quote(price: .free, source: "local server")
    }
    if let fact = ModelFacts.find(provider: provider.id, model: model) {
      return Quote(price: fact.price, source: "\(fact.source) (\(fact.date))")
    }
    return nil
  }

  /// `usage` with its cost filled in when the provider did not report one and a price is known.
  public func priced(_ usage: TokenUsage, provider: ProviderInfo, model: String) -> TokenUsage {
    guard usage.cost == nil, let quote = quote(provider: provider, model: model) else {
      return usage
    }
    var u = usage
    u.cost = quote.price.cost(of: usage)
    return u
  }
}
