import CodexCore
import CodexTestSupport
import Foundation
import Synchronization
import Testing

private let landlockAvailable = LandlockSupport.probe().abi != nil
private let python3Available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

/// The ways out of the sandbox an attacker's review found (issue 10), each tried for real: the
/// built `codex` binary, a scripted model that asks for the attack as a shell call, and checks
/// outside the sandbox of what the attack achieved. Every test here failed before the fix.
@Suite(
  .serialized,
  .enabled(if: landlockAvailable && python3Available, "needs Landlock and /usr/bin/python3"))
struct SandboxEscapeTests {
  /// A model that makes the shell calls in `calls` one after another (each request carries the
  /// outputs of the calls so far), then answers "Done". `onOutput` sees each call's output as
  /// it arrives at the model, that is, right after codex saw the command end.
  final class StepModel: Sendable {
    struct Call: Sendable {
      var script: String
      var timeoutMilliseconds: Int?
    }
    let calls: [Call]
    let outputs = Mutex<[String]>([])
    let onOutput: (@Sendable (String) -> Void)?

    init(_ calls: [Call], onOutput: (@Sendable (String) -> Void)? = nil) {
      self.calls = calls
      self.onOutput = onOutput
    }

    convenience init(_ scripts: String..., onOutput: (@Sendable (String) -> Void)? = nil) {
      self.init(scripts.map { Call(script: $0) }, onOutput: onOutput)
    }

    var handler: @Sendable (RecordedRequest) -> FakeResponse {
      { request in
        let messages = request.bodyJSON?["messages"]?.arrayValue ?? []
        let toolOutputs = messages.filter { $0["role"] == "tool" }.compactMap {
          $0["content"]?.stringValue
        }
        let known = self.outputs.withLock { outputs in
          defer { if toolOutputs.count > outputs.count { outputs = toolOutputs } }
          return outputs.count
        }
        if toolOutputs.count > known, let last = toolOutputs.last { self.onOutput?(last) }
        guard toolOutputs.count < self.calls.count else { return .sse(chatSSE(["Done"])) }
        let call = self.calls[toolOutputs.count]
        var arguments: JSONObject = ["command": ["bash", "-lc", .string(call.script)]]
        if let timeout = call.timeoutMilliseconds {
          arguments["timeout_ms"] = .int(Int64(timeout))
        }
        let encoded = JSON.object(arguments).serialized()
        let id = "call_\(toolOutputs.count)"
        return .sse([
          #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"\#(id)","type":"function","function":{"name":"shell","arguments":\#(JSON.quoted(encoded))}}]}}]}"#,
          #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#, "[DONE]",
        ])
      }
    }

    var toolOutputs: [String] { outputs.withLock { $0 } }
  }

  /// Scratch folders outside /tmp (a writable root by default), so the home directory and
  /// anything else outside `work/` is somewhere the sandbox must refuse.
  func scratch() throws -> Scratch { try Scratch(base: "/var/tmp") }

  func arguments(_ server: FakeHTTPServer, _ extra: [String] = ["--full-auto"]) -> [String] {
    ["--provider-url", server.baseURL + "/v1", "-m", "m"] + extra + ["go"]
  }

  // MARK: - Unix sockets

  @Test func aUnixSocketOutsideTheRootsCannotBeReachedWithTheNetworkOff() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    // Stands in for the systemd user bus, docker.sock, ssh-agent: a listener in the home folder.
    let listener = try UnixListener(name: s.home + "/agent.sock")
    let abstract = "codex-e2e-" + UUID().uuidString
    let abstractListener = try UnixListener(name: abstract, abstract: true)
    let model = StepModel(
      """
      python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("\(listener.name)"); print("connected")'
      python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("\\0\(abstract)"); print("connected")'
      python3 -c 'import socket; socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0); print("netlink")'
      """)
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server))
    #expect(r.exitCode == 0, "\(r.stderr)")
    let output = try #require(model.toolOutputs.first)
    #expect(!output.contains("connected") && !output.contains("netlink"), "\(output)")
    #expect(output.components(separatedBy: "Permission denied").count == 4, "\(output)")
    #expect(listener.acceptPending() == 0)
    #expect(abstractListener.acceptPending() == 0)
  }

  // MARK: - Terminal injection

  @Test func aCommandCannotTypeIntoTheUsersTerminal() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    let marker = s.home + "/typed-by-the-sandbox"
    // Type `touch MARKER` into every terminal the command can reach: its controlling terminal
    // (/dev/tty, as before the fix) and, as root could, any pseudo-terminal it can open.
    let attack = """
      import fcntl, glob, os, termios
      line = "touch \(marker)\\n"
      for path in ["/dev/tty"] + glob.glob("/dev/pts/[0-9]*"):
          for flags in (os.O_RDWR, os.O_RDONLY):
              try:
                  fd = os.open(path, flags | os.O_NOCTTY)
              except OSError as e:
                  print(path, "open", e.errno); continue
              try:
                  for byte in line.encode():
                      fcntl.ioctl(fd, termios.TIOCSTI, bytes([byte]))
                  print(path, "TYPED")
              except OSError as e:
                  print(path, "ioctl", e.errno)
              os.close(fd)
      """
    try s.write("work/attack.py", attack)
    let model = StepModel("python3 attack.py")
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    // codex runs on a terminal; when it exits, a shell reads the next line from that terminal
    // and runs it, as the user's interactive shell would. The conversation blocks, so it runs
    // on a thread of its own rather than on one of the cooperative pool's few threads.
    let codex = try requireCodexBinary()
    let arguments = arguments(server)
    let (home, codexHome, work) = (s.home, s.codexHome, s.work)
    let shown: String = try await withCheckedThrowingContinuation { continuation in
      let rc = Platform.startThread {
        continuation.resume(
          with: Result {
            let pty = try PseudoTerminal(
              executable: "/bin/bash",
              arguments: [
                "-c", "\"$@\"; IFS= read -r line; eval \"$line\"; echo END-OF-SHELL", "bash",
                codex,
              ] + arguments,
              environment: [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home, "CODEX_HOME": codexHome,
                "TERM": "dumb",
              ], workingDirectory: work)
            try pty.expect("Done", timeout: .seconds(60))
            // What the user types next; an injected line would be read before it.
            pty.send("echo typed-by-the-user\r")
            try pty.expect("END-OF-SHELL", timeout: .seconds(30))
            _ = try pty.waitForExit(timeout: .seconds(30))
            return pty.text
          })
      }
      if rc != 0 { continuation.resume(throwing: POSIXError(.EAGAIN)) }
    }
    let output = try #require(model.toolOutputs.first)
    #expect(!output.contains("TYPED"), "\(output)")
    #expect(!FileManager.default.fileExists(atPath: marker), "\(shown)")
  }

  // MARK: - Start-up files and $CODEX_HOME

  @Test func withTheWorkspaceAtHomeStartupFilesAndCodexHomeStayReadOnly() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    try s.write("home/.codex/config.toml", "model = \"m\"\n")
    try s.write("home/.bashrc", "# rc\n")
    let model = StepModel(
      """
      echo 'notify = ["touch", "\(s.root)/notified"]' >> "$CODEX_HOME/config.toml" || echo denied-config
      echo 'touch ~/pwned' >> ~/.bashrc || echo denied-bashrc
      echo 'touch ~/pwned' > ~/.profile || echo denied-profile
      mkdir -p ~/.ssh && echo key >> ~/.ssh/authorized_keys || echo denied-ssh
      echo 'hooksPath = /tmp' > ~/.gitconfig || echo denied-gitconfig
      """)
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server, ["--full-auto", "-C", s.home]))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stderr.contains("contains your home directory"), "\(r.stderr)")
    let output = try #require(model.toolOutputs.first)
    for denial in [
      "denied-config", "denied-bashrc", "denied-profile", "denied-ssh", "denied-gitconfig",
    ] {
      #expect(output.contains(denial), "\(denial): \(output)")
    }
    #expect(s.read("home/.codex/config.toml") == "model = \"m\"\n")
    #expect(s.read("home/.bashrc") == "# rc\n")
    for created in ["home/.profile", "home/.ssh", "home/.gitconfig", "notified"] {
      #expect(
        s.read(created) == nil && !FileManager.default.fileExists(atPath: s.root + "/" + created))
    }
  }

  // MARK: - Nested repositories

  @Test func aNestedRepositorysGitFolderStaysReadOnly() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    try s.write("work/.git/config", "[core]\n")
    try s.write("work/vendor/lib/.git/config", "[core]\n")
    let model = StepModel(
      """
      mkdir -p vendor/lib/.git/hooks && printf '#!/bin/sh\\ntouch ~/pwned\\n' > vendor/lib/.git/hooks/post-checkout || echo denied-hook
      echo '[core] fsmonitor = touch ~/pwned' >> vendor/lib/.git/config || echo denied-config
      echo fine > vendor/lib/file.txt && echo ok-worktree
      """)
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server))
    #expect(r.exitCode == 0, "\(r.stderr)")
    let output = try #require(model.toolOutputs.first)
    #expect(
      output.contains("denied-hook") && output.contains("denied-config")
        && output.contains("ok-worktree"), "\(output)")
    #expect(s.read("work/vendor/lib/.git/config") == "[core]\n")
    #expect(!FileManager.default.fileExists(atPath: s.work + "/vendor/lib/.git/hooks"))
  }

  // MARK: - The helper binary

  @Test func aReplacedCodexBinaryInTheWorkspaceIsNeverRunAsTheHelper() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    // codex run from a build inside the workspace (`.build/release/codex` in a checkout).
    let copy = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/bin/cp", arguments: [try requireCodexBinary(), s.work + "/codex"],
        workingDirectory: "/", environment: [:], timeout: .seconds(60)))
    #expect(copy.exitCode == 0, "\(copy.stderrText)")
    let marker = s.home + "/ran-outside-the-sandbox"
    let model = StepModel(
      // Replace the binary (a rename: the running file itself cannot be written).
      "printf '#!/bin/sh\\ntouch \(marker)\\nexec /bin/true\\n' > codex.new && chmod +x codex.new && mv codex.new codex && echo replaced",
      "echo second-command")
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await ProcessRunner.run(
      ProcessSpec(
        executable: s.work + "/codex", arguments: arguments(server), workingDirectory: s.work,
        environment: [
          "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
          "TERM": "dumb",
        ], timeout: .seconds(60)))
    #expect(r.exitCode == 0, "\(r.stderrText)")
    let outputs = model.toolOutputs
    #expect(outputs.count == 2)
    #expect(outputs.first?.contains("replaced") == true, "\(outputs)")
    #expect(outputs.last?.contains("second-command") == true, "\(outputs)")
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  // MARK: - Capabilities and codex's secrets

  @Test func aRootCommandHasNoCapabilitiesAndCannotReadCodexsEnvironment() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    let model = StepModel(
      """
      grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status
      read -r _ _ _ codex _ < /proc/$PPID/stat
      cat /proc/$PPID/environ /proc/$codex/environ 2>/dev/null | tr '\\0' '\\n' | grep KEY || echo no-key
      """)
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server), environment: ["OPENAI_API_KEY": "sk-e2e-secret"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    let output = try #require(model.toolOutputs.first)
    #expect(output.components(separatedBy: "0000000000000000").count == 6, "\(output)")
    #expect(!output.contains("sk-e2e-secret") && output.contains("no-key"), "\(output)")
  }

  // MARK: - Nothing outlives the command

  @Test(arguments: [["--full-auto"], ["--dangerously-bypass-approvals-and-sandbox"]])
  func aSetsidGrandchildIsKilledWhenTheCommandEnds(_ mode: [String]) async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    let aliveWhenReported = Mutex<[Int32: Bool]>([:])
    let model = StepModel(
      // A process that leaves the command's session by itself (the `setsid` program is a
      // wrapper the approval policy always asks about; a program calling setsid(2) is not).
      Self.leaveSession + " >/dev/null 2>&1 & echo $!",
      onOutput: { output in
        for pid in Self.pids(in: output) {
          aliveWhenReported.withLock { $0[pid] = isRunning(pid) }
        }
      })
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server, mode))
    #expect(r.exitCode == 0, "\(r.stderr)")
    let seen = aliveWhenReported.withLock { $0 }
    #expect(seen.count == 1, "\(model.toolOutputs)")
    #expect(seen.values.allSatisfy { !$0 }, "still running when codex reported the command's end")
  }

  @Test func aSetsidGrandchildIsKilledOnTimeout() async throws {
    let s = try scratch()
    defer { s.cleanUp() }
    let aliveWhenReported = Mutex<[Int32: Bool]>([:])
    let model = StepModel(
      [
        .init(
          script: Self.leaveSession + " >/dev/null 2>&1 & echo $!; sleep 1000",
          timeoutMilliseconds: 1000)
      ],
      onOutput: { output in
        for pid in Self.pids(in: output) {
          aliveWhenReported.withLock { $0[pid] = isRunning(pid) }
        }
      })
    let server = try FakeHTTPServer(handler: model.handler)
    defer { server.stop() }
    let r = try await s.run(arguments(server))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(model.toolOutputs.first?.contains("timed out") == true)
    let seen = aliveWhenReported.withLock { $0 }
    #expect(seen.count == 1, "\(model.toolOutputs)")
    #expect(seen.values.allSatisfy { !$0 }, "still running when codex reported the timeout")
  }

  /// Starts a new session, then sleeps: it escapes any process-group kill.
  static let leaveSession = "python3 -c 'import os, time; os.setsid(); time.sleep(1000)'"

  /// Whole-line numbers in a tool output (the JSON payload escapes newlines).
  static func pids(in output: String) -> [Int32] {
    let text = (try? JSON.parse(output))?["output"]?.stringValue ?? output
    return text.split(whereSeparator: \.isNewline).compactMap { Int32($0) }
  }
}

/// Running, not a zombie (a container's PID 1 may never reap).
private func isRunning(_ pid: Int32) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = stat.lastIndex(of: ")")
  else { return false }
  let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
  return state != "Z" && state != "X"
}
