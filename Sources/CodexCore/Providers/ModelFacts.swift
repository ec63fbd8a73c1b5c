/// Context windows and token prices of well-known hosted models, for when the server does not
/// say (OpenAI's `/v1/models` has no window; no API reports prices but OpenRouter's).
///
/// Every figure is taken from models.dev (github.com/anomalyco/models.dev, a maintained open
/// table of provider data) at commit f3fc692 (2026-07-02): `source` is the file, `date` the day
/// that file last changed. Prices are US dollars per million tokens: input, cached input
/// (`cache_read`), output. Where a provider charges more above a prompt size (`tiered`), the
/// base tier is listed. Correct or extend them per model in config:
/// `[models."gpt-5"] price = { input = 1.25, cached_input = 0.125, output = 10 }`.
public struct ModelFact: Sendable, Equatable {
  /// The built-in provider id the model is served by at this price.
  public var provider: String
  public var model: String
  public var contextWindow: Int
  public var price: ModelPrice
  public var source: String
  public var date: String
  /// The provider charges more for long prompts; `price` is the base tier.
  public var tiered: Bool
}

public enum ModelFacts {
  static func fact(
    _ provider: String, _ model: String, _ contextWindow: Int, _ price: ModelPrice,
    _ file: String, _ date: String, tiered: Bool = false
  ) -> ModelFact {
    ModelFact(
      provider: provider, model: model, contextWindow: contextWindow, price: price,
      source: "models.dev " + file, date: date, tiered: tiered)
  }

  public static let all: [ModelFact] = [
    fact(
      "openai", "gpt-5", 400_000, ModelPrice(input: 1.25, cachedInput: 0.125, output: 10),
      "providers/openai/models/gpt-5.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5-mini", 400_000, ModelPrice(input: 0.25, cachedInput: 0.025, output: 2),
      "providers/openai/models/gpt-5-mini.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5-nano", 400_000, ModelPrice(input: 0.05, cachedInput: 0.005, output: 0.4),
      "providers/openai/models/gpt-5-nano.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5-codex", 400_000, ModelPrice(input: 1.25, cachedInput: 0.125, output: 10),
      "providers/openai/models/gpt-5-codex.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5.1", 400_000, ModelPrice(input: 1.25, cachedInput: 0.125, output: 10),
      "providers/openai/models/gpt-5.1.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5.1-codex", 400_000, ModelPrice(input: 1.25, cachedInput: 0.125, output: 10),
      "providers/openai/models/gpt-5.1-codex.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5.2", 400_000, ModelPrice(input: 1.75, cachedInput: 0.175, output: 14),
      "providers/openai/models/gpt-5.2.toml", "2026-06-08"),
    fact(
      "openai", "gpt-5.4", 1_050_000, ModelPrice(input: 2.5, cachedInput: 0.25, output: 15),
      "providers/openai/models/gpt-5.4.toml", "2026-06-08", tiered: true),
    fact(
      "openai", "gpt-5.5", 1_050_000, ModelPrice(input: 5, cachedInput: 0.5, output: 30),
      "providers/openai/models/gpt-5.5.toml", "2026-06-08", tiered: true),
    fact(
      "openai", "gpt-4.1", 1_047_576, ModelPrice(input: 2, cachedInput: 0.5, output: 8),
      "providers/openai/models/gpt-4.1.toml", "2026-04-02"),
    fact(
      "openai", "gpt-4.1-mini", 1_047_576, ModelPrice(input: 0.4, cachedInput: 0.1, output: 1.6),
      "providers/openai/models/gpt-4.1-mini.toml", "2026-04-02"),
    fact(
      "openai", "gpt-4o", 128_000, ModelPrice(input: 2.5, cachedInput: 1.25, output: 10),
      "providers/openai/models/gpt-4o.toml", "2026-04-02"),
    fact(
      "openai", "gpt-4o-mini", 128_000, ModelPrice(input: 0.15, cachedInput: 0.075, output: 0.6),
      "providers/openai/models/gpt-4o-mini.toml", "2026-05-26"),
    fact(
      "openai", "o3", 200_000, ModelPrice(input: 2, cachedInput: 0.5, output: 8),
      "providers/openai/models/o3.toml", "2026-06-08"),
    fact(
      "openai", "o4-mini", 200_000, ModelPrice(input: 1.1, cachedInput: 0.275, output: 4.4),
      "providers/openai/models/o4-mini.toml", "2026-06-08"),
    fact(
      "anthropic", "claude-sonnet-4-0", 200_000, ModelPrice(input: 3, cachedInput: 0.3, output: 15),
      "providers/anthropic/models/claude-sonnet-4-0.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-sonnet-4-5", 200_000, ModelPrice(input: 3, cachedInput: 0.3, output: 15),
      "providers/anthropic/models/claude-sonnet-4-5.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-sonnet-4-6", 1_000_000,
      ModelPrice(input: 3, cachedInput: 0.3, output: 15),
      "providers/anthropic/models/claude-sonnet-4-6.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-opus-4-1", 200_000, ModelPrice(input: 15, cachedInput: 1.5, output: 75),
      "providers/anthropic/models/claude-opus-4-1.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-opus-4-5", 200_000, ModelPrice(input: 5, cachedInput: 0.5, output: 25),
      "providers/anthropic/models/claude-opus-4-5.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-opus-4-7", 1_000_000, ModelPrice(input: 5, cachedInput: 0.5, output: 25),
      "providers/anthropic/models/claude-opus-4-7.toml", "2026-06-01"),
    fact(
      "anthropic", "claude-haiku-4-5", 200_000, ModelPrice(input: 1, cachedInput: 0.1, output: 5),
      "providers/anthropic/models/claude-haiku-4-5.toml", "2026-06-01"),
    fact(
      "gemini", "gemini-2.5-pro", 1_048_576,
      ModelPrice(input: 1.25, cachedInput: 0.125, output: 10),
      "providers/google/models/gemini-2.5-pro.toml", "2026-06-15", tiered: true),
    fact(
      "gemini", "gemini-2.5-flash", 1_048_576,
      ModelPrice(input: 0.3, cachedInput: 0.03, output: 2.5),
      "providers/google/models/gemini-2.5-flash.toml", "2026-06-15"),
    fact(
      "gemini", "gemini-2.5-flash-lite", 1_048_576,
      ModelPrice(input: 0.1, cachedInput: 0.01, output: 0.4),
      "providers/google/models/gemini-2.5-flash-lite.toml", "2026-06-03"),
    fact(
      "gemini", "gemini-3-pro-preview", 1_048_576,
      ModelPrice(input: 2, cachedInput: 0.2, output: 12),
      "providers/google/models/gemini-3-pro-preview.toml", "2026-06-03", tiered: true),
    fact(
      "gemini", "gemini-3.5-flash", 1_048_576, ModelPrice(input: 1.5, cachedInput: 0.15, output: 9),
      "providers/google/models/gemini-3.5-flash.toml", "2026-06-03"),
    fact(
      "deepseek", "deepseek-chat", 1_000_000,
      ModelPrice(input: 0.14, cachedInput: 0.0028, output: 0.28),
      "providers/deepseek/models/deepseek-chat.toml", "2026-06-07"),
    fact(
      "deepseek", "deepseek-reasoner", 1_000_000,
      ModelPrice(input: 0.14, cachedInput: 0.0028, output: 0.28),
      "providers/deepseek/models/deepseek-reasoner.toml", "2026-06-26"),
    fact(
      "groq", "llama-3.3-70b-versatile", 131_072, ModelPrice(input: 0.59, output: 0.79),
      "providers/groq/models/llama-3.3-70b-versatile.toml", "2026-06-10"),
    fact(
      "groq", "llama-3.1-8b-instant", 131_072, ModelPrice(input: 0.05, output: 0.08),
      "providers/groq/models/llama-3.1-8b-instant.toml", "2026-06-10"),
    fact(
      "groq", "openai/gpt-oss-120b", 131_072,
      ModelPrice(input: 0.15, cachedInput: 0.075, output: 0.6),
      "providers/groq/models/openai/gpt-oss-120b.toml", "2026-06-27"),
    fact(
      "groq", "openai/gpt-oss-20b", 131_072,
      ModelPrice(input: 0.075, cachedInput: 0.0375, output: 0.3),
      "providers/groq/models/openai/gpt-oss-20b.toml", "2026-06-26"),
    fact(
      "groq", "qwen/qwen3-32b", 131_072, ModelPrice(input: 0.29, output: 0.59),
      "providers/groq/models/qwen/qwen3-32b.toml", "2026-06-26"),
    fact(
      "mistral", "codestral-latest", 256_000, ModelPrice(input: 0.3, output: 0.9),
      "providers/mistral/models/codestral-latest.toml", "2026-02-21"),
    fact(
      "mistral", "devstral-latest", 262_144, ModelPrice(input: 0.4, output: 2),
      "providers/mistral/models/devstral-latest.toml", "2026-06-02"),
    fact(
      "mistral", "mistral-large-latest", 262_144, ModelPrice(input: 0.5, output: 1.5),
      "providers/mistral/models/mistral-large-latest.toml", "2026-02-21"),
    fact(
      "mistral", "mistral-medium-latest", 262_144, ModelPrice(input: 0.4, output: 2),
      "providers/mistral/models/mistral-medium-latest.toml", "2026-06-04"),
    fact(
      "mistral", "mistral-small-latest", 256_000, ModelPrice(input: 0.15, output: 0.6),
      "providers/mistral/models/mistral-small-latest.toml", "2026-06-03"),
    fact(
      "xai", "grok-4.3", 1_000_000, ModelPrice(input: 1.25, cachedInput: 0.2, output: 2.5),
      "providers/xai/models/grok-4.3.toml", "2026-06-08", tiered: true),
    fact(
      "cerebras", "gpt-oss-120b", 131_072, ModelPrice(input: 0.35, output: 0.75),
      "providers/cerebras/models/gpt-oss-120b.toml", "2026-06-27"),
  ]

  /// The entry for `model` as served by `provider` (a built-in id). Dated snapshots
  /// (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`) match their undated name.
  public static func find(provider: String, model: String) -> ModelFact? {
    let names = candidates(model)
    for name in names {
      if let f = all.first(where: { $0.provider == provider && $0.model == name }) { return f }
    }
    return nil
  }

  /// The entry for `model` served by anyone: context windows do not depend on who serves a
  /// model, prices do (so this is for windows only).
  public static func find(model: String) -> ModelFact? {
    for name in candidates(model) {
      if let f = all.first(where: { $0.model == name }) { return f }
    }
    return nil
  }

  /// `model`, then without a trailing date (`-20250929`, `-2024-08-06`). Gemini's
  /// OpenAI-compatible listing names models `models/gemini-…`.
  static func candidates(_ spelling: String) -> [String] {
    let model =
      spelling.hasPrefix("models/") ? String(spelling.dropFirst("models/".count)) : spelling
    var out = [model]
    let parts = model.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
    func isDigits(_ s: String, _ n: Int) -> Bool {
      s.count == n && s.allSatisfy(\.isASCII) && s.allSatisfy(\.isNumber)
    }
    if let last = parts.last, parts.count > 1, isDigits(last, 8) {
      out.append(parts.dropLast().joined(separator: "-"))
    } else if parts.count > 3, isDigits(parts[parts.count - 3], 4),
      isDigits(parts[parts.count - 2], 2), isDigits(parts[parts.count - 1], 2)
    {
      out.append(parts.dropLast(3).joined(separator: "-"))
    }
    return out
  }
}
