import Foundation
import Testing

@testable import CodexCore

/// A temporary CODEX_HOME with the given files.
struct TempHome {
  let path: String

  init(_ files: [String: String] = [:]) throws {
    path = NSTemporaryDirectory() + "codex-config-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    for (name, text) in files {
      try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
    }
  }

  func loader(env: [String: String] = [:]) -> ConfigLoader {
    ConfigLoader(
      environment: env.merging(["CODEX_HOME": path, "HOME": "/nonexistent"]) { a, _ in a },
      currentDirectory: "/work/project")
  }

  func load(_ o: ConfigOverrides = ConfigOverrides(), env: [String: String] = [:]) throws -> Config
  {
    try loader(env: env).load(o)
  }
}

@Suite struct ConfigLoaderTests {
  static let issueExample = """
    model = "llama-3.1-tool"
    model_provider = "vllm"
    approval_policy = "on-request"
    sandbox_mode = "workspace-write"

    [model_providers.vllm]
    name = "Local vLLM"
    base_url = "http://127.0.0.1:8001/v1"
    wire_api = "chat"
    request_max_retries = 0
    stream_max_retries = 1

    [model_providers.vllm.model_options]
    temperature = 0.2
    top_p = 0.9
    max_output_tokens = 2048

    [model_providers.vllm.http_headers]
    Authorization = "Bearer secret"
    """

  @Test func issueExampleLoads() throws {
    let c = try TempHome(["config.toml": Self.issueExample]).load()
    #expect(c.model == "llama-3.1-tool")
    #expect(c.provider.id == "vllm")
    #expect(c.provider.name == "Local vLLM")
    #expect(c.provider.baseURL == "http://127.0.0.1:8001/v1")
    #expect(c.provider.wire == .chat)
    #expect(c.provider.requestMaxRetries == 0)
    #expect(c.provider.streamMaxRetries == 1)
    #expect(
      c.provider.modelOptions == ModelOptions(temperature: 0.2, topP: 0.9, maxOutputTokens: 2048))
    #expect(
      c.provider.httpHeaders.map { "\($0.name)=\($0.value)" } == ["Authorization=Bearer secret"])
    #expect(c.approvalPolicy == .onRequest)
    #expect(c.sandboxMode == .workspaceWrite)
    #expect(c.warnings.isEmpty)
  }

  @Test func exampleFileAtRepositoryRootLoadsWithoutWarnings() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let text = try String(
      contentsOf: root.appendingPathComponent("config.example.toml"), encoding: .utf8)
    let c = try TempHome(["config.toml": text]).load()
    #expect(c.warnings == [])
    // profile = "fast" selects vllm-8b.
    #expect(c.provider.id == "vllm-8b")
    #expect(c.model == "llama-3.1-8b")
    #expect(c.approvalPolicy == .untrusted)
    #expect(c.providers["ollama"]?.baseURL == "http://gpu-box.local:11434")
    #expect(c.providers["ollama"]?.wire == .ollama)
    #expect(c.providers["vllm"]?.queryParams.first?.value == "2025-04-01-preview")
  }

  @Test func aliasesCustomModelAndProvider() throws {
    let c = try TempHome([
      "config.toml": "custom_model = \"m\"\ncustom_model_provider = \"ollama\"\n"
    ]).load()
    #expect(c.model == "m")
    #expect(c.provider.id == "ollama")
  }

  @Test func precedenceFlagsOverOverridesOverProfileOverFile() throws {
    let home = try TempHome([
      "config.toml": """
      model = "file"
      model_provider = "ollama"
      approval_policy = "never"
      [profiles.p]
      model = "profile"
      approval_policy = "untrusted"
      sandbox_mode = "read-only"
      """
    ])
    var o = ConfigOverrides(profile: "p")
    #expect(try home.load(o).model == "profile")
    #expect(try home.load(o).approvalPolicy == .untrusted)
    o.settings = ["model=override", "sandbox_mode=\"danger-full-access\""]
    let c = try home.load(o)
    #expect(c.model == "override")
    #expect(c.sandboxMode == .dangerFullAccess)
    #expect(c.origins["model"] == .override("model=override"))
    o.model = "flag"
    #expect(try home.load(o).model == "flag")
    #expect(try home.load(o).origins["model"] == .flag("--model"))
  }

  @Test func profileChosenInFileOrByOverride() throws {
    let home = try TempHome([
      "config.toml": "profile = \"a\"\n[profiles.a]\nmodel = \"A\"\n[profiles.b]\nmodel = \"B\"\n"
    ])
    #expect(try home.load().model == "A")
    #expect(try home.load(ConfigOverrides(settings: ["profile=b"])).model == "B")
  }

  @Test func unknownProfileListsKnownOnes() throws {
    let home = try TempHome(["config.toml": "[profiles.a]\nmodel = \"A\"\n"])
    let e = try #require(throws: ConfigError.self) {
      try home.load(ConfigOverrides(profile: "zzz"))
    }
    #expect(e.description == "--profile: no profile 'zzz' in the config; profiles: a")
  }

  @Test func badValueNamesFileLineAndColumn() throws {
    let home = try TempHome(["config.toml": "model = \"x\"\napproval_policy = \"sometimes\"\n"])
    let e = try #require(throws: ConfigError.self) { try home.load() }
    #expect(
      e.description
        == "\(home.path)/config.toml:2:19: approval_policy must be one of untrusted, on-failure, on-request, never (got \"sometimes\")"
    )
  }

  @Test func wrongTypeIsAnError() throws {
    let home = try TempHome([
      "config.toml": "[model_providers.x]\nbase_url = \"http://a\"\nrequest_max_retries = \"3\"\n"
    ])
    let e = try #require(throws: ConfigError.self) { try home.load() }
    #expect(
      e.description.hasSuffix(
        "config.toml:3:23: model_providers.x.request_max_retries must be an integer (got a string)")
    )
  }

  @Test func syntaxErrorNamesFileAndPosition() throws {
    let home = try TempHome(["config.toml": "model = \"x\"\nmodel_provider = \n"])
    let e = try #require(throws: ConfigError.self) { try home.load() }
    #expect(e.location.hasPrefix("\(home.path)/config.toml:2:"))
  }

  @Test func unknownKeyWarnsWithSuggestion() throws {
    let c = try TempHome([
      "config.toml":
        "model = \"m\"\naproval_policy = \"never\"\n[model_providers.ollama]\nbase_ur = \"http://x\"\n"
    ]).load()
    #expect(c.warnings.count == 2)
    #expect(
      c.warnings[0].hasSuffix(
        "config.toml:2:1: unknown key 'aproval_policy'; did you mean 'approval_policy'?"))
    #expect(
      c.warnings[1].hasSuffix(
        "config.toml:4:1: unknown key 'model_providers.ollama.base_ur'; did you mean 'base_url'?"))
  }

  @Test func unknownProviderListsKnownOnes() throws {
    let e = try #require(throws: ConfigError.self) {
      try TempHome().load(ConfigOverrides(provider: "nope"))
    }
    #expect(
      e.description.hasPrefix(
        "--provider: unknown provider 'nope'; known providers: openai, ollama, vllm"))
  }

  @Test func userEntryOverridesBuiltInFieldByField() throws {
    let c = try TempHome([
      "config.toml":
        "model_provider = \"openai\"\n[model_providers.openai]\nbase_url = \"http://127.0.0.1:9999/v1\"\n"
    ]).load()
    #expect(c.provider.baseURL == "http://127.0.0.1:9999/v1")
    #expect(c.provider.wire == .responses)
    #expect(c.provider.envKey == "OPENAI_API_KEY")
  }

  @Test func severalProvidersSideBySide() throws {
    let toml = """
      model_provider = "vllm-8b"
      [model_providers.vllm-70b]
      base_url = "http://127.0.0.1:8001/v1"
      [model_providers.vllm-8b]
      base_url = "http://127.0.0.1:8002/v1"
      env_key = "VLLM_KEY"
      """
    let c = try TempHome(["config.toml": toml]).load()
    #expect(c.provider.baseURL == "http://127.0.0.1:8002/v1")
    #expect(c.provider.requiresKey == false)  // a local server: the key is optional
    #expect(c.providers["vllm-70b"]?.baseURL == "http://127.0.0.1:8001/v1")
  }

  @Test func hostedCustomProviderRequiresItsKey() throws {
    let c = try TempHome([
      "config.toml":
        "model_provider = \"x\"\n[model_providers.x]\nbase_url = \"https://api.example.com/v1\"\nenv_key = \"X_KEY\"\n"
    ]).load()
    #expect(c.provider.requiresKey)
    #expect(c.provider.isLocal == false)
  }

  /// Small local models print tool calls as text; recovering them is on by default for any
  /// server on the user's machine or network, however it became the provider.
  @Test func textToolCallsFollowWhetherTheServerIsLocalUnlessSet() throws {
    let c = try TempHome([
      "config.toml": """
      model_provider = "box"
      [model_providers.box]
      base_url = "http://127.0.0.1:8080/v1"
      [model_providers.hosted]
      base_url = "https://api.example.com/v1"
      [model_providers.strict]
      base_url = "http://localhost:8081/v1"
      text_tool_calls = false
      [model_providers.lenient]
      base_url = "https://api.example.com/v1"
      text_tool_calls = true
      """
    ]).load()
    #expect(c.provider.textToolCalls)
    #expect(c.providers["hosted"]?.textToolCalls == false)
    #expect(c.providers["strict"]?.textToolCalls == false)
    #expect(c.providers["lenient"]?.textToolCalls == true)
    // A hosted built-in pointed at a local server with --provider-url.
    var o = ConfigOverrides()
    o.provider = "openai"
    o.providerURL = "http://127.0.0.1:9000/v1"
    #expect(try TempHome().load(o).provider.textToolCalls)
    #expect(try TempHome().load().provider.textToolCalls == false)
  }

  @Test func modelWithProviderPrefixRoutes() throws {
    let home = try TempHome([
      "config.toml": "[model_providers.mistral]\nbase_url = \"https://api.mistral.ai/v1\"\n"
    ])
    let c = try home.load(ConfigOverrides(model: "mistral/codestral-2501"))
    #expect(c.provider.id == "mistral")
    #expect(c.model == "codestral-2501")
    // An explicit provider wins and the name is kept whole.
    let d = try home.load(ConfigOverrides(model: "mistral/codestral-2501", provider: "vllm"))
    #expect(d.provider.id == "vllm")
    #expect(d.model == "mistral/codestral-2501")
  }

  @Test func huggingFaceStyleIdStaysWithConfiguredProvider() throws {
    let c = try TempHome([
      "config.toml": "model_provider = \"vllm\"\nmodel = \"openai/gpt-oss-20b\"\n"
    ]).load()
    #expect(c.provider.id == "vllm")
    #expect(c.model == "openai/gpt-oss-20b")
  }

  @Test func overrideValuesParseAsTOMLOrFallBackToString() throws {
    let c = try TempHome().load(
      ConfigOverrides(
        provider: "ollama",
        settings: [
          "model_providers.ollama.model_options.num_ctx=32768",
          "model_providers.ollama.model_options.temperature=0.5",
          "model=qwen3:8b",
          "sandbox_workspace_write.writable_roots=[\"/data\"]",
        ]))
    #expect(c.model == "qwen3:8b")
    #expect(c.provider.modelOptions.extra["num_ctx"] == 32768)
    #expect(c.provider.modelOptions.temperature == 0.5)
    #expect(c.sandboxWorkspaceWrite.writableRoots == ["/data"])
  }

  @Test func perModelOptions() throws {
    let c = try TempHome([
      "config.toml":
        "model_provider = \"ollama\"\nmodel = \"qwen3\"\n[models.qwen3]\nnum_ctx = 8192\n[models.other]\nnum_ctx = 1\n"
    ]).load()
    #expect(c.provider.modelOptions.extra["num_ctx"] == 8192)
  }

  @Test func providerURLFlag() throws {
    let home = try TempHome()
    let c = try home.load(ConfigOverrides(provider: "ollama", providerURL: "http://h:11434/api"))
    #expect(c.provider.wire == .ollama)
    #expect(c.provider.baseURL == "http://h:11434/api")
    let d = try home.load(ConfigOverrides(providerURL: "http://127.0.0.1:8080/v1"))
    #expect(d.provider.wire == .chat)
    #expect(d.provider.requiresKey == false)
    #expect(throws: ConfigError.self) {
      try home.load(ConfigOverrides(providerURL: "localhost:8080"))
    }
  }

  @Test func fullAutoAndBypassFlags() throws {
    let home = try TempHome([
      "config.toml": "approval_policy = \"untrusted\"\nsandbox_mode = \"read-only\"\n"
    ])
    let a = try home.load(ConfigOverrides(fullAuto: true))
    #expect(a.approvalPolicy == .onRequest)
    #expect(a.sandboxMode == .workspaceWrite)
    let b = try home.load(ConfigOverrides(bypassApprovalsAndSandbox: true))
    #expect(b.approvalPolicy == .never)
    #expect(b.sandboxMode == .dangerFullAccess)
  }

  @Test func legacyJSONConfig() throws {
    let json = """
      {"model": "llama3", "providerType": "ollama", "providerUrl": "http://localhost:11434/api",
       "approvalMode": "full-auto"}
      """
    let c = try TempHome(["config.json": json]).load()
    #expect(c.model == "llama3")
    #expect(c.provider.id == "ollama")
    #expect(c.provider.baseURL == "http://localhost:11434/api")
    #expect(c.approvalPolicy == .onRequest)
    #expect(c.sandboxMode == .workspaceWrite)
    #expect(c.warnings.isEmpty)
  }

  @Test func legacyYAMLWithProviders() throws {
    let yaml = """
      model: mistral-large
      provider: mistral-eu
      approvalMode: suggest
      providers:
        mistral-eu:
          name: Mistral EU
          baseURL: https://api.mistral.ai/v1
          envKey: MISTRAL_API_KEY
      """
    let c = try TempHome(["config.yaml": yaml]).load()
    #expect(c.provider.id == "mistral-eu")
    #expect(c.provider.name == "Mistral EU")
    #expect(c.provider.envKey == "MISTRAL_API_KEY")
    #expect(c.provider.requiresKey)
    #expect(c.approvalPolicy == .untrusted)
  }

  @Test func legacyBadApprovalModeIsPositioned() throws {
    let home = try TempHome(["config.json": "{\n  \"approvalMode\": \"yolo\"\n}\n"])
    let e = try #require(throws: ConfigError.self) { try home.load() }
    #expect(
      e.description
        == "\(home.path)/config.json:2:19: approvalMode must be one of suggest, auto-edit, full-auto"
    )
  }

  @Test func tomlWinsOverJSONWithAWarning() throws {
    let c = try TempHome(["config.toml": "model = \"t\"\n", "config.json": "{\"model\": \"j\"}"])
      .load()
    #expect(c.model == "t")
    #expect(c.warnings.count == 1)
  }

  @Test func instructionsFileAndKey() throws {
    let c = try TempHome([
      "instructions.md": "Use tabs.\n", "config.toml": "instructions = \"Be brief.\"\n",
    ]).load()
    #expect(c.userInstructions == "Use tabs.\n\nBe brief.")
  }

  @Test func codexHomeDefaultsToDotCodex() {
    let l = ConfigLoader(environment: ["HOME": "/home/u"], currentDirectory: "/")
    #expect(l.codexHome == "/home/u/.codex")
  }

  @Test func configShowNamesTheFallbacksAndMCPServers() throws {
    let c = try TempHome([
      "config.toml": """
      fallback = ["ollama/llama3"]
      [mcp_servers.time]
      command = "mcp-server-time"
      [mcp_servers.docs]
      url = "http://127.0.0.1:9/mcp"
      enabled = false
      """
    ]).load()
    let report = ConfigReport.render(c)
    #expect(report.contains(#"fallback = ["ollama/llama3"]  # "#), "\(report)")
    #expect(report.contains("config.toml:1"))
    #expect(report.contains("# mcp servers: "), "\(report)")
    #expect(report.contains("time (stdio)"))
    #expect(report.contains("docs (http, disabled)"))
  }

  @Test func configShowRedactsSecrets() throws {
    let c = try TempHome(["config.toml": Self.issueExample]).load()
    let report = ConfigReport.render(c)
    #expect(!report.contains("secret"))
    #expect(report.contains("Authorization = \"Bearer <redacted 6 chars>\""))
    #expect(report.contains("model = \"llama-3.1-tool\"  # "))
    #expect(report.contains("config.toml:1"))
  }
}
