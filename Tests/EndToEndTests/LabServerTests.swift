import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The real llama.cpp server from `scripts/lab` (built from the llama.cpp source in a PyPI sdist,
/// serving SmolLM2-135M-Instruct from a PyPI wheel; `scripts/test` builds both), with a
/// 2,048-token context: a multi-turn session must learn the window from `/props` and compact at
/// least once, and go on working after the compaction.
@Suite(.serialized) struct LabServerTests {
  static var repository: String {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
    return path
  }
  static var labDirectory: String {
    ProcessInfo.processInfo.environment["CODEX_LAB_DIR"]
      ?? (ProcessInfo.processInfo.environment["HOME"] ?? "/root") + "/.cache/codex-lab"
  }

  /// Starts llama-server (as `scripts/lab/llama-server.sh` does) on a free port and waits for
  /// `/health`; nil, with the reason recorded as a failure, when the lab is not built.
  func startServer(context: Int) async throws -> (port: Int, stop: @Sendable () -> Void)? {
    let lab = Self.labDirectory
    let binary = lab + "/bin/llama-server"
    let model = lab + "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    guard FileManager.default.isExecutableFile(atPath: binary),
      FileManager.default.fileExists(atPath: model)
    else {
      Issue.record(
        "the lab llama-server is not built (\(binary), \(model)): run scripts/test, which builds it"
      )
      return nil
    }
    let port = try FakeHTTPServer.unusedLoopbackPort()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
      "-m", model, "--host", "127.0.0.1", "--port", String(port), "--jinja",
      "--chat-template-file",
      Self.repository + "/scripts/lab/templates/Qwen-Qwen2.5-7B-Instruct.jinja",
      "-c", String(context), "-t", "2", "-np", "1", "--no-webui",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    // Killed outright: it has nothing to save, and this build of llama-server was seen to
    // keep running after SIGTERM (idle, still listening), which left the suite waiting. Polled,
    // because Foundation's waitUntilExit spins a core while it waits.
    let stop: @Sendable () -> Void = {
      kill(process.processIdentifier, SIGKILL)
      while process.isRunning { usleep(20_000) }
    }
    // The model loads in about a second on an idle machine; allow for a very busy one.
    let deadline = ContinuousClock.now + .seconds(300)
    let transport = CurlTransport()
    while ContinuousClock.now < deadline {
      if !process.isRunning {
        Issue.record("llama-server exited during startup (status \(process.terminationStatus))")
        return nil
      }
      let health = HTTPRequest(
        method: "GET", url: "http://127.0.0.1:\(port)/health", connectTimeout: .seconds(2),
        idleTimeout: .seconds(5))
      if let response = try? await transport.send(health), response.head.status == 200,
        let body = try? await response.collectBody(),
        String(decoding: body, as: UTF8.self).contains("ok")
      {
        return (port, stop)
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    stop()
    Issue.record("llama-server did not become healthy within 300 s")
    return nil
  }

  @Test func aMultiTurnSessionOnA2048TokenWindowCompactsAndGoesOn() async throws {
    guard let server = try await startServer(context: 2048) else { return }
    let s = try Scratch()
    defer {
      server.stop()
      s.cleanUp()
    }
    do {
      let base = [
        "--provider", "llamacpp", "--provider-url", "http://127.0.0.1:\(server.port)/v1",
        "-c", "model_max_output_tokens=150", "-c", "model_options.temperature=0",
        "-s", "read-only", "-a", "never",
      ]
      let prompts = [
        "Write a short story about a lighthouse keeper.",
        "Continue the story: a storm arrives.",
        "Continue the story: a ship appears.",
        "Continue the story: the keeper rows out.",
        "Continue the story: the rescue.",
        "Continue the story: the morning after.",
        "Continue the story: a letter arrives.",
        "Continue the story: the keeper retires.",
        "Continue the story: a new keeper.",
        "Now give the story a title.",
      ]
      var compacted = false
      var afterCompaction = 0
      for (n, prompt) in prompts.enumerated() {
        let arguments =
          n == 0 ? ["exec"] + base + [prompt] : ["resume", "--last"] + base + [prompt]
        let r = try await s.run(arguments, timeout: .seconds(300))
        #expect(r.exitCode == 0, "turn \(n + 1): \(r.stderr)")
        #expect(!r.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "turn \(n + 1)")
        if compacted { afterCompaction += 1 }
        if r.stderr.contains("context compacted") { compacted = true }
        if compacted && afterCompaction >= 2 { break }
      }
      #expect(compacted, "no compaction in \(prompts.count) turns on a 2,048-token window")
      #expect(afterCompaction >= 1, "the session must go on after compacting")
      // The session file records the compaction, so a resumed session starts compacted.
      let sessions = try FileManager.default.subpathsOfDirectory(atPath: s.codexHome + "/sessions")
        .filter { $0.hasSuffix(".jsonl") }
      let text = try String(
        contentsOfFile: s.codexHome + "/sessions/" + (sessions.first ?? ""), encoding: .utf8)
      #expect(text.contains(#""type":"compacted""#))
    }
  }
}
