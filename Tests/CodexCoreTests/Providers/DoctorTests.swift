import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// `ProviderDoctor` and `MachineDoctor` against fake servers and fake system files.
/// The machine is shared and slow at times: waits are generous, and a broken timeout shows as
/// the suite's time limit rather than a hang.
@Suite(.timeLimit(.minutes(10))) struct DoctorTests {
  let transport = CurlTransport()

  func doctor(
    _ p: ProviderInfo, model: String, env: [String: String] = [:], window: Int? = nil
  ) -> ProviderDoctor {
    var d = ProviderDoctor(
      provider: p, model: model, transport: transport, environment: env, modelContextWindow: window)
    d.timeout = .seconds(120)
    d.probeTimeout = .seconds(300)
    return d
  }

  func check(_ checks: [DoctorCheck], _ name: String) -> DoctorCheck? {
    checks.first { $0.name == name }
  }

  static func ollamaServer(
    models: String = #"[{"name":"qwen2.5-coder:7b","size":10}]"#, chat: FakeResponse? = nil
  )
    throws -> FakeHTTPServer
  {
    try FakeHTTPServer { req in
      switch req.path {
      case "/api/tags": return .json(200, #"{"models":\#(models)}"#)
      case "/api/show":
        return .json(
          200,
          #"{"model_info":{"general.architecture":"qwen2","qwen2.context_length":32768},"capabilities":["completion","tools"]}"#
        )
      case "/api/ps": return .json(200, #"{"models":[]}"#)
      case "/api/chat": return chat ?? .json(500, "{}")
      default: return .json(404, "{}")
      }
    }
  }

  func ollama(_ base: String) -> ProviderInfo {
    var p = BuiltInProviders.provider(id: "ollama")!
    p.baseURL = base
    return p
  }

  @Test func healthyOllama() async throws {
    let server = try Self.ollamaServer()
    defer { server.stop() }
    let checks = await doctor(ollama(server.baseURL), model: "qwen2.5-coder:7b").run(probe: false)
    #expect(checks.allSatisfy { $0.status == .ok }, "\(checks)")
    #expect(check(checks, "server")?.detail.contains("answered in") == true)
    #expect(check(checks, "model")?.detail.contains("tools") == true)
    #expect(check(checks, "context")?.detail.contains("16384 tokens") == true)
  }

  @Test func missingOllamaModelSuggestsClosestAndPull() async throws {
    let server = try Self.ollamaServer(
      models: #"[{"name":"qwen2.5-coder:14b"},{"name":"llama3.2:latest"}]"#)
    defer { server.stop() }
    let checks = await doctor(ollama(server.baseURL), model: "qwen2.5-coder:7b").run(probe: false)
    let model = try #require(check(checks, "model"))
    #expect(model.status == .failed)
    #expect(model.detail.contains("closest: qwen2.5-coder:14b"))
    #expect(model.fix == "codex pull qwen2.5-coder:7b")
  }

  @Test func downServerNamesWhatToStart() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let checks = await doctor(ollama("http://127.0.0.1:\(port)"), model: "m").run(probe: true)
    let server = try #require(check(checks, "server"))
    #expect(server.status == .failed)
    #expect(server.fix?.contains("ollama serve") == true)
    #expect(
      checks.filter { $0.status == .skipped }.map(\.name) == [
        "key accepted", "model", "context", "tool call",
      ])
  }

  @Test func wrongKeyFailsNamingTheVariable() async throws {
    let server = try FakeHTTPServer { _ in
      .json(401, #"{"error":{"message":"Invalid API Key","code":401}}"#)
    }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "llamacpp")!
    p.baseURL = server.baseURL + "/v1"
    let sent = await doctor(p, model: "m", env: ["LLAMA_API_KEY": "wrong"]).run(probe: false)
    #expect(check(sent, "key accepted")?.status == .failed)
    #expect(check(sent, "key accepted")?.fix == "check the key in $LLAMA_API_KEY")
    #expect(check(sent, "model")?.status == .skipped)
    let none = await doctor(p, model: "m").run(probe: false)
    #expect(check(none, "key accepted")?.fix?.contains("this server wants a key") == true)
  }

  @Test func missingHostedKeyIsAFailureWithInstructions() async throws {
    let server = try FakeHTTPServer { _ in .json(401, #"{"error":{"message":"no key"}}"#) }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "openai")!
    p.baseURL = server.baseURL + "/v1"
    let checks = await doctor(p, model: "gpt-5").run(probe: false)
    let key = try #require(check(checks, "API key"))
    #expect(key.status == .failed)
    #expect(key.fix?.contains("export OPENAI_API_KEY=") == true)
    #expect(key.fix?.contains("platform.openai.com") == true)
  }

  /// A server that accepts and never answers costs the doctor's timeout, then says so.
  @Test func slowServerIsBounded() async throws {
    let server = try FakeHTTPServer { _ in .stream(steps: [.hang]) }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "vllm")!
    p.baseURL = server.baseURL + "/v1"
    var d = doctor(p, model: "m")
    d.timeout = .milliseconds(300)
    let checks = await d.run(probe: false)
    #expect(check(checks, "server")?.status == .failed)
    #expect(check(checks, "server")?.detail.contains("sent nothing") == true)
  }

  @Test func smallWindowIsAWarningWithTheServersFix() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/v1/models": return .json(200, #"{"data":[{"id":"tiny","meta":{"n_ctx":2048}}]}"#)
      case "/props": return .json(200, #"{"default_generation_settings":{"n_ctx":2048}}"#)
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "llamacpp")!
    p.baseURL = server.baseURL + "/v1"
    let checks = await doctor(p, model: "tiny").run(probe: false)
    let context = try #require(check(checks, "context"))
    #expect(context.status == .warning)
    #expect(context.fix == "start llama-server with a larger window, e.g. -c 16384")
    // The configured window wins over what the server says.
    let configured = await doctor(p, model: "tiny", window: 65536).run(probe: false)
    #expect(check(configured, "context")?.status == .ok)
  }

  @Test func probeStructuredCallIsOk() async throws {
    let server = try Self.ollamaServer(
      chat: .ndjson([
        #"{"message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"report_status","arguments":{"status":"ok"}}}]},"done":false}"#,
        #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}"#,
      ]))
    defer { server.stop() }
    let checks = await doctor(ollama(server.baseURL), model: "qwen2.5-coder:7b").run(probe: true)
    let probe = try #require(check(checks, "tool call"))
    #expect(probe.status == .ok, "\(probe)")
    let chat = try #require(server.requests.first { $0.path == "/api/chat" }?.bodyJSON)
    #expect(chat["tools"]?[0]?["function"]?["name"] == "report_status")
  }

  @Test func probeTextCallOnLlamaCppSaysJinja() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/v1/models": return .json(200, #"{"data":[{"id":"m","meta":{"n_ctx":32768}}]}"#)
      case "/v1/chat/completions":
        return .sse([
          #"{"choices":[{"index":0,"delta":{"content":"<tool_call>{\"name\":\"report_status\",\"arguments\":{\"status\":\"ok\"}}</tool_call>"},"finish_reason":null}]}"#,
          #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#, "[DONE]",
        ])
      default: return .json(404, "{}")
      }
    }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "llamacpp")!
    p.baseURL = server.baseURL + "/v1"
    let checks = await doctor(p, model: "m").run(probe: true)
    let probe = try #require(check(checks, "tool call"))
    #expect(probe.status == .warning)
    #expect(probe.fix == "start llama-server with --jinja")
  }

  @Test func probeVLLMWithoutToolParserSaysWhichFlags() async throws {
    let server = try FakeHTTPServer { req in
      switch req.path {
      case "/v1/models": return .json(200, #"{"data":[{"id":"m","max_model_len":32768}]}"#)
      default:
        return .json(
          400,
          #"{"error":{"message":"\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set","type":"BadRequestError","code":400}}"#
        )
      }
    }
    defer { server.stop() }
    var p = BuiltInProviders.provider(id: "vllm")!
    p.baseURL = server.baseURL + "/v1"
    let checks = await doctor(p, model: "m").run(probe: true)
    let probe = try #require(check(checks, "tool call"))
    #expect(probe.status == .failed)
    #expect(probe.fix?.contains("--enable-auto-tool-choice --tool-call-parser") == true)
  }

  @Test func weakerSandboxIsAWarningSayingWhatIsNotEnforced() {
    let none = MachineDoctor.landlockCheck(
      .unavailable(reason: "no Landlock"), mode: .workspaceWrite)
    #expect(none.status == .warning)
    #expect(none.detail.contains("cannot be enforced"))
    let gap = "Landlock ABI 3 < 5: ioctl on device files is not restricted"
    let weak = MachineDoctor.enforcementCheck([gap], seccomp: true)
    #expect(weak.status == .warning)
    #expect(weak.detail.contains(gap))
    #expect(MachineDoctor.enforcementCheck([], seccomp: true).status == .ok)
  }

  @Test func codexHomePermissions() throws {
    let dir = NSTemporaryDirectory() + "codex-doctor-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(MachineDoctor.codexHomeCheck(dir).detail.contains("does not exist yet"))
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir)
    #expect(MachineDoctor.codexHomeCheck(dir).status == .ok)
    try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir)
    let open = MachineDoctor.codexHomeCheck(dir)
    #expect(open.status == .warning)
    #expect(open.fix == "chmod go-w \(dir)")
    let file = dir + "/file"
    _ = FileManager.default.createFile(atPath: file, contents: Data())
    #expect(MachineDoctor.codexHomeCheck(file).detail.contains("not a folder"))
  }

  @Test func libcurlLoadsHere() {
    #expect(MachineDoctor.libcurlCheck().status == .ok)
  }
}
