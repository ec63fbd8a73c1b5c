import CodexCore
import CodexTestSupport
import Foundation
import Testing

@Suite(.serialized) struct ConfigCommandTests {
  @Test func configCreatesStarterFilesOpensTheEditorAndValidates() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    // The "editor" appends a line to each file it is given, recording the order.
    try s.write("editor.sh", "#!/bin/bash\necho \"$1\" >> \"$(dirname \"$0\")/opened\"\n")
    chmod(s.root + "/editor.sh", 0o755)
    let r = try await s.run(["config"], environment: ["EDITOR": s.root + "/editor.sh"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("opened") == "\(s.codexHome)/instructions.md\n\(s.codexHome)/config.toml\n")
    #expect(s.read("home/.codex/config.toml")?.contains("# model_provider") == true)
    #expect(r.stderr.contains("config ok"))
  }

  @Test func configReportsProblemsAfterEditing() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "editor.sh",
      "#!/bin/bash\ncase \"$1\" in *.toml) echo 'sandbox_mode = \"open\"' >> \"$1\";; esac\n")
    chmod(s.root + "/editor.sh", 0o755)
    let r = try await s.run(
      ["config"], environment: ["VISUAL": s.root + "/editor.sh", "EDITOR": "false"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("config.toml:"))
    #expect(
      r.stderr.contains(
        "sandbox_mode must be one of read-only, workspace-write, danger-full-access (got \"open\")")
    )
  }

  @Test func configShowAndPath() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "home/.codex/config.toml",
      "model = \"qwen3\"\nmodel_provider = \"ollama\"\n[model_providers.ollama.http_headers]\nX-Api-Key = \"hunter2\"\n"
    )
    let show = try await s.run(["config", "show", "-c", "approval_policy=never"])
    #expect(show.exitCode == 0, "\(show.stderr)")
    #expect(show.stdout.contains("model = \"qwen3\"  # \(s.codexHome)/config.toml:1"))
    #expect(show.stdout.contains("approval_policy = \"never\"  # -c approval_policy=never"))
    #expect(show.stdout.contains("wire_api = \"ollama\""))
    #expect(!show.stdout.contains("hunter2"))
    let path = try await s.run(["config", "path"])
    #expect(path.stdout.contains("config: \(s.codexHome)/config.toml"))
  }

  @Test func badConfigStopsEveryRunWithOneLine() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "home/.codex/config.toml",
      "model = \"x\"\n[model_providers.a]\nwire_api = \"grpc\"\nbase_url = \"http://h\"\n")
    let r = try await s.run(["hi"])
    #expect(r.exitCode == 1)
    #expect(
      r.stderr
        == "error: \(s.codexHome)/config.toml:3:12: wire_api must be one of chat, responses, ollama, tgi, anthropic, gemini (got \"grpc\")\n"
    )
  }

  @Test func codexHomeMovesTheFolder() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("elsewhere/config.toml", "model = \"from-elsewhere\"\n")
    let r = try await s.run(["config", "show"], environment: ["CODEX_HOME": s.root + "/elsewhere"])
    #expect(r.stdout.contains("model = \"from-elsewhere\""))
  }
}

@Suite(.serialized) struct InterruptTests {
  @Test func ctrlCStopsAOneShotStreamAtOnceWithExit130() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .sse([#"{"choices":[{"delta":{"content":"partial"}}]}"#], then: [.hang])
    }
    defer { server.stop() }
    let binary = try requireCodexBinary()
    // Job control on (set -m) so the background codex does not start with SIGINT ignored.
    let script = """
      set -m
      "$0" --provider-url "$1" -m m hi > "$2/out" 2> "$2/err" &
      pid=$!
      for i in $(seq 1 200); do grep -q partial "$2/out" 2>/dev/null && break; sleep 0.05; done
      kill -INT $pid
      wait $pid
      echo "exit=$?"
      """
    let spec = ProcessSpec(
      executable: "/bin/bash", arguments: ["-c", script, binary, server.baseURL + "/v1", s.root],
      workingDirectory: s.work,
      environment: ["PATH": "/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome],
      timeout: .seconds(30))
    let r = try await ProcessRunner.run(spec)
    #expect(r.stdoutText.contains("exit=130"), "\(r.stdoutText) \(s.read("err") ?? "")")
    #expect(s.read("out") == "partial\n")
    #expect(s.read("err")?.contains("interrupted") == true)
    #expect(await server.wait { $0.openConnectionCount == 0 }, "the request was cancelled")
  }

  @Test func ctrlCDuringACommandKillsItsProcessGroup() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let marker = s.root + "/still-running"
    let server = try FakeHTTPServer(
      handler: ScriptedModel.handler(wire: .chat, script: "sleep 30; touch \(marker)"))
    defer { server.stop() }
    let binary = try requireCodexBinary()
    let script = """
      set -m
      "$0" --provider-url "$1" -m m --full-auto go > "$2/out" 2> "$2/err" &
      pid=$!
      for i in $(seq 1 200); do grep -q 'sleep 30' "$2/err" 2>/dev/null && break; sleep 0.05; done
      sleep 0.3
      kill -INT $pid
      wait $pid
      echo "exit=$?"
      pgrep -f 'sleep 3[0]; touch' >/dev/null && echo survivor
      """
    let spec = ProcessSpec(
      executable: "/bin/bash", arguments: ["-c", script, binary, server.baseURL + "/v1", s.root],
      workingDirectory: s.work,
      environment: ["PATH": "/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome],
      timeout: .seconds(40))
    let r = try await ProcessRunner.run(spec)
    #expect(r.stdoutText.contains("exit=130"), "\(r.stdoutText) \(s.read("err") ?? "")")
    #expect(!r.stdoutText.contains("survivor"))
    #expect(!FileManager.default.fileExists(atPath: marker))
    // Only the first request: the interrupted turn did not go back to the model.
    #expect(server.modelRequests.count == 1)
  }
}
