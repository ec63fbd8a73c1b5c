import Testing

@testable import CodexCore

@Suite struct ConfigSchemaTests {
  func declared(_ path: [String]) -> ConfigKey? {
    if case .declared(let key) = ConfigSchema.lookup(path) { return key }
    return nil
  }

  @Test func nestedKeysThroughMapsAndProfiles() {
    #expect(declared(["model_providers", "mine", "base_url"])?.name == "base_url")
    #expect(declared(["profiles", "fast", "model_providers", "x", "wire_api"]) != nil)
    #expect(declared(["profiles", "fast", "sandbox_workspace_write", "network_access"]) != nil)
    #expect(declared(["model_providers", "mine", "http_headers", "X-Anything"]) != nil)
    if case .unchecked = ConfigSchema.lookup(["models", "qwen3:8b", "num_ctx"]) {
    } else {
      Issue.record("options per model are passed through unchecked")
    }
  }

  @Test func unknownKeysGetTheClosestSpellingAtTheirLevel() {
    guard case .unknown(let s) = ConfigSchema.lookup(["model_providers", "x", "base_ur"]) else {
      Issue.record("base_ur is not a provider key")
      return
    }
    #expect(s == "base_url")
    guard case .unknown(let t) = ConfigSchema.lookup(["aproval_policy"]) else { return }
    #expect(t == "approval_policy")
    // A scalar has no keys below it.
    if case .unknown = ConfigSchema.lookup(["model", "x"]) {} else { Issue.record("model.x") }
  }

  @Test func namesAreUniquePerLevel() {
    for level in [
      ConfigSchema.topLevel, ConfigSchema.provider, ConfigSchema.history,
      ConfigSchema.sandboxWorkspaceWrite, ConfigSchema.shellEnvironmentPolicy,
    ] {
      #expect(Set(level.map(\.name)).count == level.count)
    }
  }

  @Test func rangesComeFromTheSchema() throws {
    var layers = ConfigLayers()
    layers.merge(
      try TOML.parse("[model_providers.x]\nbase_url = \"http://h\"\nstream_max_retries = 101\n")
    ) {
      .file(path: "c.toml", position: $0)
    }
    var interpreter = ConfigInterpreter(
      layers: layers, overrides: ConfigOverrides(), environment: [:], cwd: "/", codexHome: "/h")
    #expect {
      _ = try interpreter.interpret()
    } throws: {
      "\($0)".contains("stream_max_retries must be between 0 and 100 (got 101)")
    }
  }
}
