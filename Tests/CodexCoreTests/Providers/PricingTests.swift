import Testing

@testable import CodexCore

@Suite struct PricingTests {
  /// Every built-in figure has its source and date, and none is negative or absurd.
  @Test func theTableIsSourcedAndSane() {
    var seen = Set<String>()
    for f in ModelFacts.all {
      #expect(
        f.source.hasPrefix("models.dev providers/") && f.source.hasSuffix(".toml"), "\(f.model)")
      let date = f.date.split(separator: "-")
      #expect(
        date.count == 3 && date[0].count == 4 && date.allSatisfy { $0.allSatisfy(\.isNumber) },
        "\(f.model)")
      #expect(f.contextWindow >= 8192 && f.contextWindow <= 10_000_000, "\(f.model)")
      for v in [f.price.input, f.price.cachedInput, f.price.output] {
        #expect(v.isFinite && v >= 0 && v < 1000, "\(f.model)")
      }
      #expect(f.price.cachedInput <= f.price.input, "\(f.model): a cache hit never costs more")
      #expect(
        BuiltInProviders.provider(id: f.provider) != nil || f.provider == "anthropic",
        "\(f.provider)")
      #expect(
        seen.insert(f.provider + "/" + f.model).inserted, "duplicate \(f.provider)/\(f.model)")
    }
    #expect(ModelFacts.all.count >= 30)
  }

  @Test func costCountsCachedTokensInsideTheInput() {
    let price = ModelPrice(input: 1.25, cachedInput: 0.125, output: 10)
    let usage = TokenUsage(inputTokens: 10_000, outputTokens: 2_000, cachedInputTokens: 8_000)
    // 2000 uncached × 1.25 + 8000 cached × 0.125 + 2000 out × 10, per million.
    let uncached: Double = 2_000 * 1.25
    let cached: Double = 8_000 * 0.125
    let output: Double = 2_000 * 10
    let expected = (uncached + cached + output) / 1_000_000
    #expect(abs(price.cost(of: usage) - expected) < 1e-12)
    #expect(abs(expected - 0.0235) < 1e-12)
    // A server that reports more cached tokens than input tokens is held to the input.
    let odd = TokenUsage(inputTokens: 100, outputTokens: 0, cachedInputTokens: 500)
    #expect(abs(price.cost(of: odd) - 100 * 0.125 / 1_000_000) < 1e-15)
    #expect(ModelPrice(input: 2, output: 8).cachedInput == 2, "no cache price: the input price")
  }

  @Test func quoteOrder() {
    let openai = BuiltInProviders.provider(id: "openai")!
    let book = PriceBook(overrides: ["gpt-5": ModelPrice(input: 1, output: 2)])
    #expect(book.quote(provider: openai, model: "gpt-5")?.source == "config")
    let builtIn = PriceBook().quote(provider: openai, model: "gpt-4o-mini")
    #expect(builtIn?.price == ModelPrice(input: 0.15, cachedInput: 0.075, output: 0.6))
    #expect(builtIn?.source.contains("(2026-") == true)
    #expect(PriceBook().quote(provider: openai, model: "unknown-model") == nil)
    // Served by someone else, a model costs what that provider charges: not OpenAI's price.
    let together = BuiltInProviders.provider(id: "together")!
    #expect(PriceBook().quote(provider: together, model: "gpt-4o") == nil)
    let ollama = BuiltInProviders.provider(id: "ollama")!
    #expect(PriceBook().quote(provider: ollama, model: "gpt-5")?.price == .free)
    // Dated snapshots match the undated entry.
    #expect(PriceBook().quote(provider: openai, model: "gpt-4o-2024-08-06")?.price.input == 2.5)
    #expect(
      ModelFacts.find(provider: "anthropic", model: "claude-sonnet-4-5-20250929")?.contextWindow
        == 200_000)
    #expect(
      ModelFacts.find(provider: "gemini", model: "models/gemini-2.5-flash")?.contextWindow
        == 1_048_576)
    #expect(ModelFacts.candidates("gpt-5-2025") == ["gpt-5-2025"], "not a date")
  }

  @Test func reportedCostWins() {
    let openai = BuiltInProviders.provider(id: "openai")!
    let reported = TokenUsage(inputTokens: 1_000_000, outputTokens: 0, cost: 0.5)
    #expect(PriceBook().priced(reported, provider: openai, model: "gpt-5").cost == 0.5)
    let computed = PriceBook().priced(
      TokenUsage(inputTokens: 1_000_000, outputTokens: 0), provider: openai, model: "gpt-5")
    #expect(computed.cost == 1.25)
    let unknown = PriceBook().priced(
      TokenUsage(inputTokens: 5, outputTokens: 5), provider: openai, model: "mystery")
    #expect(unknown.cost == nil)
  }

  @Test func usageSumsKeepCostUnknownOnlyWhenAllAre() {
    let a = TokenUsage(inputTokens: 1, outputTokens: 1)
    let b = TokenUsage(inputTokens: 1, outputTokens: 1, cost: 0.25)
    #expect((a + a).cost == nil)
    #expect((a + b).cost == 0.25)
    #expect((b + b).cost == 0.5)
  }

  @Test func openRouterReportsCostInItsUsageChunk() throws {
    var decoder = OpenAIChatDecoder()
    let events = try decoder.decode(
      .event(
        name: nil,
        data:
          #"{"choices":[],"usage":{"prompt_tokens":194,"completion_tokens":2,"total_tokens":196,"cost":0.00000972,"prompt_tokens_details":{"cached_tokens":100}}}"#
      ))
    #expect(
      events == [
        .usage(
          TokenUsage(inputTokens: 194, outputTokens: 2, cachedInputTokens: 100, cost: 0.00000972))
      ])
    for bad in [#""0.1""#, "-1", "null", "1e999"] {
      var d = OpenAIChatDecoder()
      let e = try d.decode(
        .event(
          name: nil,
          data: #"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,"cost":\#(bad)}}"#)
      )
      #expect(e == [.usage(TokenUsage(inputTokens: 1, outputTokens: 1))], "\(bad)")
    }
  }

  @Test(arguments: [
    (0.0, "$0.00"), (0.00001, "<$0.0001"), (0.0235, "$0.0235"), (0.99995, "$1.0000"),
    (1.234, "$1.23"), (1234.5, "$1234.50"), (-1, "unknown"), (Double.nan, "unknown"),
  ])
  func dollars(_ c: (Double, String)) {
    #expect(CostText.dollars(c.0) == c.1)
  }

  @Test func perMillion() {
    #expect(CostText.perMillion(1.25) == "$1.25")
    #expect(CostText.perMillion(0.075) == "$0.075")
    #expect(CostText.perMillion(10) == "$10.00")
    #expect(CostText.perMillion(0.0028) == "$0.0028")
  }
}
