import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// `codex models`, `codex doctor` and `codex pull` through the built binary, against fake
/// servers: healthy, missing model, wrong key, down and slow.
@Suite(.serialized) struct ProviderToolsTests {
  static let defaultTags =
    #"[{"name":"qwen2.5-coder:7b","size":4683087332,"details":{"parameter_size":"7.6B","quantization_level":"Q4_K_M"}},{"name":"llama3.2:latest","size":2019393189}]"#

  static func fakeOllama(tags: String = defaultTags, pull: FakeResponse? = nil) throws
    -> FakeHTTPServer
  {
    try FakeHTTPServer { req in ollamaResponse(req, tags: tags, pull: pull) }
  }

  /// A fake Ollama: two models (only the coder has tools; it is loaded with 16384 of its
  /// 32768), a chat that calls the doctor's probe tool, and `pull` as given.
  static func ollamaResponse(
    _ req: RecordedRequest, tags: String = defaultTags, pull: FakeResponse? = nil
  ) -> FakeResponse {
    switch req.path {
    case "/api/tags": return .json(200, #"{"models":\#(tags)}"#)
    case "/api/show":
      let tools = req.bodyJSON?["model"] == "qwen2.5-coder:7b" ? #","tools""# : ""
      return .json(
        200,
        #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768},"capabilities":["completion"\#(tools)]}"#
      )
    case "/api/ps":
      return .json(200, #"{"models":[{"name":"qwen2.5-coder:7b","context_length":16384}]}"#)
    case "/api/pull": return pull ?? .json(500, #"{"error":"no"}"#)
    case "/api/chat":
      return .ndjson([
        #"{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"report_status","arguments":{"status":"ok"}}}]},"done":false}"#,
        #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
      ])
    default: return .json(404, "{}")
    }
  }

  func ollamaArgs(_ server: FakeHTTPServer, model: String = "qwen2.5-coder:7b") -> [String] {
    ["--provider", "ollama", "--provider-url", server.baseURL, "-m", model]
  }

  // MARK: - models

  @Test func modelsTableForOllama() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama()
    defer { server.stop() }
    let r = try await s.run(["models"] + ollamaArgs(server))
    #expect(r.exitCode == 0, "\(r.stderr)")
    let lines = r.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasPrefix("Ollama (ollama, \(server.baseURL)): 2 models") == true)
    #expect(
      lines[1].contains("MODEL") && lines[1].contains("CONTEXT") && lines[1].contains("TOOLS"))
    let current = try #require(lines.first { $0.contains("qwen2.5-coder:7b") })
    #expect(current.hasPrefix("* "))
    #expect(current.contains("16384 of 32768"))
    #expect(current.contains("4.7 GB"))
    #expect(current.contains("Q4_K_M"))
    let other = try #require(lines.first { $0.contains("llama3.2:latest") })
    #expect(other.hasPrefix("  "))
    #expect(other.contains(" no"), "its capabilities lack tools")
    #expect(!r.stdout.contains("$IN/M"), "a local server has no price column")
    // The names are now cached for shell completion.
    let cached = s.read("home/.codex/cache/models-ollama.txt")
    #expect(cached == "qwen2.5-coder:7b\nllama3.2:latest\n")
  }

  @Test func modelsJSONWithPrices() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .json(
        200,
        #"{"data":[{"id":"qwen/qwen-2.5-coder-32b-instruct","context_length":32768,"pricing":{"prompt":"0.00000006","completion":"0.00000015"},"supported_parameters":["tools"]}]}"#
      )
    }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      model_provider = "router"
      model = "qwen/qwen-2.5-coder-32b-instruct"
      [model_providers.router]
      base_url = "\(server.baseURL)/api/v1"
      env_key = "ROUTER_KEY"
      """)
    let r = try await s.run(["models", "--json"], environment: ["ROUTER_KEY": "k"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let json = try JSON.parse(r.stdout)
    #expect(json["provider"] == "router")
    let m = try #require(json["models"]?[0])
    #expect(m["current"] == true)
    #expect(m["context_window"] == 32768)
    #expect(m["tools"] == true)
    let input = try #require(m["price"]?["input"]?.doubleValue)
    #expect(abs(input - 0.06) < 1e-9)
    #expect(server.requests.first?.path == "/api/v1/models")
    #expect(server.requests.first?.header("authorization") == "Bearer k")
    let text = try await s.run(["models"], environment: ["ROUTER_KEY": "k"])
    #expect(text.stdout.contains("$IN/M"))
    #expect(text.stdout.contains("$0.06"))
  }

  /// A hostile server's bytes under DEBUG=1 are shown, never obeyed: the escape sequence that
  /// would clear the screen and retitle the terminal arrives as text, for every command.
  @Test func debugOutputOfAHostileServerIsEscapedForEveryCommand() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let hostile = "\u{1b}]0;pwned\u{07}\u{1b}[2J"
    let server = try FakeHTTPServer { req in
      req.path.hasSuffix("/models")
        ? .json(200, #"{"object":"list","data":[{"id":"m\#(hostile)"}]}"#)
        : .sse(chatSSE(["ok\(hostile)"]))
    }
    defer { server.stop() }
    let url = server.baseURL + "/v1"
    for arguments in [
      ["models", "--provider-url", url],
      ["--provider-url", url, "-m", "m", "hi"],
    ] {
      let r = try await s.run(arguments, environment: ["DEBUG": "1"])
      #expect(r.stderr.contains("< HTTP 200"), "\(arguments): \(r.stderr)")
      #expect(!r.stderr.contains("\u{1b}]0;pwned"), "\(arguments)")
      #expect(!r.stderr.contains("\u{1b}[2J"), "\(arguments)")
    }
  }

  @Test func modelsWhenTheServerIsDown() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let r = try await s.run([
      "models", "--provider", "vllm", "--provider-url", "http://127.0.0.1:\(port)/v1",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("cannot reach vLLM"))
    #expect(r.stderr.contains("vllm serve"))
  }

  @Test func modelsWithAWrongKey() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .json(401, #"{"error":{"message":"Invalid API Key"}}"#) }
    defer { server.stop() }
    let r = try await s.run(
      ["models", "--provider", "llamacpp", "--provider-url", server.baseURL + "/v1"],
      environment: ["LLAMA_API_KEY": "nope"])
    #expect(r.exitCode == 1)
    #expect(
      r.stderr.contains(
        "rejected the request with 401 (Invalid API Key): check the key in $LLAMA_API_KEY"))
  }

  @Test func modelsNeedsTheHostedKeyFirst() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let r = try await s.run(["models", "--provider", "groq"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("set the environment variable GROQ_API_KEY"))
  }

  // MARK: - doctor

  @Test func doctorHealthyWithProbe() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama()
    defer { server.stop() }
    let r = try await s.run(["doctor", "--probe"] + ollamaArgs(server))
    #expect(r.exitCode == 0, "\(r.stdout)\n\(r.stderr)")
    #expect(r.stdout.contains("✓ server"))
    #expect(r.stdout.contains("✓ model"))
    #expect(r.stdout.contains("16384 tokens"))
    #expect(r.stdout.contains("✓ tool call"))
    #expect(r.stdout.contains("Machine"))
    #expect(r.stdout.hasSuffix("All set.\n"))
  }

  @Test func doctorMissingModel() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama()
    defer { server.stop() }
    let r = try await s.run(["doctor"] + ollamaArgs(server, model: "qwen2.5-coder:14b"))
    #expect(r.exitCode == 1)
    #expect(r.stdout.contains("✗ model"))
    #expect(r.stdout.contains("closest: qwen2.5-coder:7b"))
    #expect(r.stdout.contains("fix: codex pull qwen2.5-coder:14b"))
  }

  @Test func doctorServerDownAndConfigWarnings() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    try s.write("home/.codex/config.toml", "aproval_policy = \"never\"\n")
    let r = try await s.run([
      "doctor", "--json", "--provider", "ollama", "--provider-url", "http://127.0.0.1:\(port)",
    ])
    #expect(r.exitCode == 1)
    let json = try JSON.parse(r.stdout)
    #expect(json["ok"] == false)
    let sections = try #require(json["sections"]?.arrayValue)
    let config = try #require(sections.first?["checks"]?.arrayValue)
    #expect(
      config.contains {
        $0["status"] == "warning"
          && $0["detail"]?.stringValue?.contains("config.toml:1:1: unknown key 'aproval_policy'")
            == true
      })
    let provider = try #require(sections[1]["checks"]?.arrayValue)
    let server = try #require(provider.first { $0["name"] == "server" })
    #expect(server["status"] == "failed")
    #expect(server["fix"]?.stringValue?.contains("ollama serve") == true)
    #expect(sections.last?["title"] == "Machine")
    // The machine section runs the real sandbox set-up through the helper: it either finds
    // every rule enforced or names the gaps, and never fails to run.
    let machine = try #require(sections.last?["checks"]?.arrayValue)
    if LinuxSandbox().landlock.abi != nil {
      let sandbox = try #require(machine.first { $0["name"] == "sandbox" })
      let detail = sandbox["detail"]?.stringValue ?? ""
      #expect(!detail.contains("cannot be set up"), "\(detail)")
      #expect(sandbox["status"] == "ok" || detail.hasPrefix("not enforced here: "))
    }
  }

  @Test func doctorWithABrokenConfigStillChecksTheMachine() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("home/.codex/config.toml", "approval_policy = \"sometimes\"\n")
    let r = try await s.run(["doctor"])
    #expect(r.exitCode == 1)
    #expect(r.stdout.contains("✗ config"))
    #expect(r.stdout.contains("config.toml:1:19: approval_policy must be one of"))
    #expect(r.stdout.contains("Landlock"))
  }

  /// Each fallback entry is checked too; a server that accepts and never answers costs the
  /// doctor's bounded wait, not forever.
  @Test func doctorChecksFallbacksAndBoundsASlowServer() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let healthy = try Self.fakeOllama()
    defer { healthy.stop() }
    let slow = try FakeHTTPServer { _ in .stream(steps: [.hang]) }
    defer { slow.stop() }
    try s.write(
      "home/.codex/config.toml",
      """
      model_provider = "ollama"
      model = "qwen2.5-coder:7b"
      fallback = ["slowbox/m"]
      [model_providers.ollama]
      base_url = "\(healthy.baseURL)"
      [model_providers.slowbox]
      base_url = "\(slow.baseURL)/v1"
      """)
    // A doctor that waited forever would be killed at the run's timeout (exit code nil).
    let r = try await s.run(["doctor"], timeout: .seconds(600))
    #expect(r.exitCode == 1)
    #expect(r.stdout.contains("Fallback 1 slowbox"))
    let slowSection = try #require(r.stdout.components(separatedBy: "Fallback 1").last)
    #expect(slowSection.contains("✗ server"))
  }

  // MARK: - pull

  @Test func pullShowsStagesAndFinishes() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama(
      pull: .ndjson([
        #"{"status":"pulling manifest"}"#,
        #"{"status":"pulling 3a4f","digest":"sha256:3a4f","total":4096,"completed":1024}"#,
        #"{"status":"pulling 3a4f","digest":"sha256:3a4f","total":4096,"completed":4096}"#,
        #"{"status":"verifying sha256 digest"}"#, #"{"status":"writing manifest"}"#,
        #"{"status":"success"}"#,
      ]))
    defer { server.stop() }
    let r = try await s.run([
      "pull", "qwen3:8b", "--provider-url", server.baseURL, "--provider", "ollama",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    // Without a terminal: one line per stage, not one per progress update.
    #expect(
      r.stderr == """
        pulling manifest
        pulling (4.1 KB)
        verifying sha256 digest
        writing manifest
        success
        pulled qwen3:8b

        """)
    #expect(server.requests.first { $0.path == "/api/pull" }?.bodyJSON?["model"] == "qwen3:8b")
  }

  @Test func pullIntoTheConfiguredOllamaWhenAnotherProviderIsInUse() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama(pull: .ndjson([#"{"status":"success"}"#]))
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      "model_provider = \"openai\"\n[model_providers.ollama]\nbase_url = \"\(server.baseURL)\"\n")
    let r = try await s.run(["pull", "llama3"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stderr.hasSuffix("pulled llama3\n"))
  }

  @Test func pullErrors() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try Self.fakeOllama(
      pull: .ndjson([
        #"{"status":"pulling manifest"}"#, #"{"error":"pull model manifest: file does not exist"}"#,
      ]))
    defer { server.stop() }
    let missing = try await s.run([
      "pull", "nosuch", "--provider", "ollama", "--provider-url", server.baseURL,
    ])
    #expect(missing.exitCode == 1)
    #expect(
      missing.stderr.contains(
        "Ollama could not pull nosuch: pull model manifest: file does not exist"))
    let notOllama = try await s.run(["pull", "x", "--provider", "vllm"])
    #expect(notOllama.exitCode == 1)
    #expect(notOllama.stderr.contains("cannot pull models (only Ollama can)"))
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let down = try await s.run([
      "pull", "x", "--provider", "ollama", "--provider-url", "http://127.0.0.1:\(port)",
    ])
    #expect(down.exitCode == 1)
    #expect(down.stderr.contains("ollama serve"))
    let none = try await s.run(["pull"])
    #expect(none.exitCode == 2)
  }

  // MARK: - interactive

  /// `/model` lists the catalog, `/model NAME` offers to pull into Ollama, `/status` and the
  /// exit line show the cost and the context window.
  @Test func interactiveModelPullStatusAndCost() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/api/chat":
        return .ndjson([
          #"{"message":{"role":"assistant","content":"pong"},"done":false}"#,
          #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":1000,"eval_count":500}"#,
        ])
      case "/api/pull":
        return .ndjson([
          #"{"status":"pulling 3a4f","digest":"sha256:3a4f","total":4096,"completed":4096}"#,
          #"{"status":"success"}"#,
        ])
      default:
        return Self.ollamaResponse(req)
      }
    }
    defer { server.stop() }
    try s.write(
      "home/.codex/config.toml",
      "[models.\"qwen3:8b\"]\nprice = { input = 10, output = 20 }\n")
    let pty = try PseudoTerminal(
      executable: try requireCodexBinary(), arguments: ollamaArgs(server),
      environment: [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
        "TERM": "xterm-256color",
      ], workingDirectory: s.work)
    try pty.expect("›", timeout: .seconds(60))
    pty.send("/model\r")
    try pty.expect("16384 of 32768", timeout: .seconds(60))
    try pty.expect("llama3.2:latest", timeout: .seconds(60))
    try pty.expect("›", timeout: .seconds(60))
    pty.send("/model qwen3:8b\r")
    try pty.expect("Pull it now? [y/N]", timeout: .seconds(60))
    pty.send("y\r")
    try pty.expect("pulled qwen3:8b", timeout: .seconds(60))
    try pty.expect("model: qwen3:8b", timeout: .seconds(60))
    try pty.expect("›", timeout: .seconds(60))
    pty.send("ping\r")
    try pty.expect("pong", timeout: .seconds(60))
    #expect(server.requests.last { $0.path == "/api/chat" }?.bodyJSON?["model"] == "qwen3:8b")
    try pty.expect("›", timeout: .seconds(60))
    pty.send("/status\r")
    // 1000 input tokens at $10 and 500 output at $20 per million.
    try pty.expect("$0.0200 this session", timeout: .seconds(60))
    try pty.expect("context", timeout: .seconds(60))
    try pty.expect("›", timeout: .seconds(60))
    pty.send("\u{04}")
    try pty.expect("cost=$0.0200", timeout: .seconds(60))
    #expect(try pty.waitForExit(timeout: .seconds(60)) == 0)
  }
}
