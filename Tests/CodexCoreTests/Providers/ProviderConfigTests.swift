import Foundation
import Testing

@testable import CodexCore

/// The config keys of this area: `fallback`, `model_context_window`, `[models."NAME"] price`.
@Suite struct ProviderConfigTests {
  @Test func fallbackChainWithEachProvidersOptions() throws {
    let c = try TempHome([
      "config.toml": """
      model_provider = "ollama"
      model = "qwen2.5-coder:7b"
      fallback = ["lmstudio/qwen2.5-coder-7b", "openrouter/qwen/qwen-2.5-coder-32b-instruct", "qwen2.5-coder:14b"]
      [model_options]
      temperature = 0.1
      [models."qwen2.5-coder-7b"]
      top_k = 20
      [model_providers.lmstudio]
      base_url = "http://10.0.0.5:1234/v1"
      """
    ]).load()
    #expect(
      c.fallbacks.map(\.description) == [
        "lmstudio/qwen2.5-coder-7b", "openrouter/qwen/qwen-2.5-coder-32b-instruct",
        "ollama/qwen2.5-coder:14b",
      ])
    let lm = c.fallbacks[0]
    #expect(lm.provider.baseURL == "http://10.0.0.5:1234/v1")
    #expect(lm.provider.modelOptions.temperature == 0.1)
    #expect(lm.provider.modelOptions.extra["top_k"] == .int(20))
    #expect(c.fallbacks[1].provider.modelOptions.extra["top_k"] == nil)
    #expect(c.warnings.isEmpty)
  }

  @Test func fallbackInAProfile() throws {
    let c = try TempHome([
      "config.toml": """
      profile = "local"
      [profiles.local]
      model_provider = "ollama"
      model = "a"
      fallback = ["lmstudio/b"]
      """
    ]).load()
    #expect(c.fallbacks.map(\.description) == ["lmstudio/b"])
  }

  @Test func unknownProviderInTheChainIsAnErrorAtItsPlace() throws {
    let home = try TempHome([
      "config.toml": "model = \"m\"\nfallback = [\"lmstudio/x\",\n  \"nosuch/model\"]\n"
    ])
    #expect {
      _ = try home.load()
    } throws: { error in
      let text = "\(error)"
      return text.contains("config.toml:3:3:") && text.contains("'nosuch' is not a provider id")
        && text.contains("fallback entry \"nosuch/model\"")
    }
    #expect(throws: ConfigError.self) {
      _ = try TempHome(["config.toml": "fallback = [\"ollama/\"]\n"]).load()
    }
    #expect(throws: ConfigError.self) {
      _ = try TempHome(["config.toml": "fallback = [\" \"]\n"]).load()
    }
    #expect(throws: ConfigError.self) {
      _ = try TempHome(["config.toml": "fallback = \"ollama/x\"\n"]).load()
    }
  }

  @Test func pricesPerModelAreReadAndNotSentToTheServer() throws {
    let c = try TempHome([
      "config.toml": """
      model = "gpt-5"
      [models."gpt-5"]
      price = { input = 1.25, cached_input = 0.125, output = 10 }
      reasoning_effort = "low"
      [models.local-thing.price]
      input = 0
      output = 0
      """
    ]).load()
    #expect(c.prices.overrides["gpt-5"] == ModelPrice(input: 1.25, cachedInput: 0.125, output: 10))
    #expect(c.prices.overrides["local-thing"] == .free)
    #expect(c.provider.modelOptions.extra["price"] == nil)
    #expect(c.provider.modelOptions.extra["reasoning_effort"] == "low")
    #expect(c.warnings.isEmpty)
  }

  @Test func badPricesAreErrorsWithTheirPlace() throws {
    for (text, wanted) in [
      ("[models.m]\nprice = { input = -1, output = 1 }\n", "must be between 0"),
      ("[models.m]\nprice = { input = 1 }\n", "needs input and output"),
      ("[models.m]\nprice = { input = \"cheap\", output = 1 }\n", "must be a number"),
      ("[models.m]\nprice = { input = 1, output = 1, extra = 2 }\n", ""),
    ] {
      let home = try TempHome(["config.toml": text])
      if wanted.isEmpty {
        // An unknown key inside price is a warning with a suggestion, like any other.
        let c = try home.load()
        #expect(
          c.warnings.contains {
            $0.contains("unknown key 'models.m.price.extra'") || $0.contains("extra")
          })
        continue
      }
      #expect {
        _ = try home.load()
      } throws: { "\($0)".contains(wanted) && "\($0)".contains("config.toml:") }
    }
  }

  @Test func modelContextWindowIsRead() throws {
    let c = try TempHome(["config.toml": "model_context_window = 32768\n"]).load()
    #expect(c.modelContextWindow == 32768)
    #expect(throws: ConfigError.self) {
      _ = try TempHome(["config.toml": "model_context_window = 0\n"]).load()
    }
  }

  @Test func routeSpellings() {
    let registry = ProviderRegistry()
    let current = BuiltInProviders.provider(id: "vllm")!
    func parse(_ s: String) -> String {
      switch ModelRoute.parse(s, providers: registry, current: current) {
      case .success(let r): return r.providerID + "|" + r.model
      case .failure(let e): return "error: \(e)"
      }
    }
    #expect(
      parse("openrouter/qwen/qwen-2.5-coder-32b-instruct")
        == "openrouter|qwen/qwen-2.5-coder-32b-instruct")
    #expect(parse("ollama/qwen2.5-coder:7b") == "ollama|qwen2.5-coder:7b")
    #expect(parse("llama3") == "vllm|llama3")
    #expect(parse("Qwen/Qwen2.5-7B").hasPrefix("error: 'Qwen' is not a provider id"))
    #expect(parse("").hasPrefix("error: an entry is empty"))
  }
}
