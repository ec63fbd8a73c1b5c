import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The approval-policy attacks, through the built binary: a fake model calls `shell` with the
/// attack, and the test proves that what the attack would create was not created. With no
/// terminal on stdin every question is answered "no", so under `untrusted` only a command
/// wrongly judged known-safe could run, and under `never` only one wrongly judged harmless.
@Suite(.serialized) struct PolicyAttackTests {
  /// A chat-wire model that calls `shell` once with `command` (an argv) and then says "Done".
  static func model(_ command: [String], workdir: String? = nil)
    -> @Sendable (RecordedRequest) -> FakeResponse
  {
    var object: JSONObject = ["command": .array(command.map { .string($0) })]
    if let workdir { object["workdir"] = .string(workdir) }
    let args = JSON.object(object).serialized()
    return { req in
      if ScriptedModel.toolOutput(req) != nil { return .sse(chatSSE(["Done"])) }
      return .sse([
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"shell","arguments":\#(JSON.quoted(args))}}]}}]}"#,
        #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#, "[DONE]",
      ])
    }
  }

  /// Runs codex with `flags` (default `-a untrusted`) against a model calling `command`, and
  /// returns what the model was told.
  func attack(
    _ s: Scratch, _ command: [String], workdir: String? = nil,
    flags: [String] = ["-a", "untrusted"], environment: [String: String] = [:]
  ) async throws -> String {
    let server = try FakeHTTPServer(handler: Self.model(command, workdir: workdir))
    defer { server.stop() }
    let r = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m"] + flags + ["go"],
      environment: environment)
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.hasSuffix("Done\n"), "\(r.stdout)")
    return try lastToolOutput(server)
  }

  func exists(_ s: Scratch, _ relativePath: String) -> Bool {
    FileManager.default.fileExists(atPath: s.root + "/" + relativePath)
  }

  /// Runs `script` with bash in the workspace, for setting up an attack.
  func setUp(_ s: Scratch, _ script: String) async throws {
    let r = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/bin/bash", arguments: ["-c", "set -e\n" + script], workingDirectory: s.work,
        environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home],
        timeout: .seconds(60)))
    try #require(r.exitCode == 0, "\(r.outputText)")
  }

  /// An executable in the scratch folder that creates `marker` (relative to the scratch root)
  /// and passes its input through.
  func markerScript(_ s: Scratch, _ name: String, creates marker: String) throws -> String {
    let path = s.root + "/" + name
    try s.write(name, "#!/bin/sh\ntouch '\(s.root)/\(marker)'\nexec cat\n")
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return path
  }

  // MARK: NUL bytes

  @Test func nulByteInAFindOptionIsRefused() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let out = try await attack(
      s, ["find", ".", "-maxdepth", "0", "-exec\u{0}", "touch", "X", "{}", ";"])
    #expect(!exists(s, "work/X"))
    #expect(out.contains("NUL byte"), "\(out)")
  }

  @Test func nulByteInAGitOptionIsRefused() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try await setUp(
      s, "git init -q . && git -c user.name=a -c user.email=a@b commit -q --allow-empty -m x")
    let out = try await attack(s, ["git", "log", "-1", "--output\u{0}", "F"])
    #expect(!exists(s, "work/F"))
    #expect(out.contains("NUL byte"), "\(out)")
  }

  @Test func nulByteInTheWorkdirIsRefused() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/sub/keep.txt", "precious")
    let out = try await attack(
      s, ["bash", "-lc", "rm -rf ./*"], workdir: "sub\u{0}/..",
      flags: ["--dangerously-bypass-approvals-and-sandbox"])
    #expect(s.read("work/sub/keep.txt") == "precious")
    #expect(out.contains("NUL byte"), "\(out)")
  }

  // MARK: options that write or run something

  @Test func abbreviatedCompressProgramDoesNotRunCode() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    // sort spills to compressed temporary files and runs the "compressor" on them: with
    // `--compress-prog=sh` that runs the lines seq printed.
    _ = try await attack(
      s,
      [
        "bash", "-lc",
        "seq -f 'touch PWNED; #%g' 200000 | sort --compress-prog=sh -S 100K > /dev/null",
      ])
    #expect(!exists(s, "work/PWNED"))
  }

  @Test func abbreviatedOutputOptionDoesNotWrite() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/in.txt", "b\na\n")
    _ = try await attack(s, ["sort", "--out=F", "in.txt"])
    #expect(!exists(s, "work/F"))
  }

  @Test func sedOptionAmongTheFilesDoesNotWrite() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    _ = try await attack(s, ["sed", "-n", "1p", "-ew FILE"])
    #expect(!exists(s, "work/FILE"))
  }

  @Test func patternThatExpandsToDeleteDeletesNothing() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/keep.txt", "precious")
    try s.write("work/-delete", "")
    _ = try await attack(s, ["bash", "-lc", "find . -de*"])
    #expect(s.read("work/keep.txt") == "precious")
  }

  // MARK: git

  @Test func gitWithAnotherGitDirDoesNotRunItsFsmonitor() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let hook = try markerScript(s, "fsmonitor", creates: "work/PWNED")
    try await setUp(s, "git init -q --bare X && git --git-dir=X config core.fsmonitor \(hook)")
    _ = try await attack(s, ["git", "--git-dir=X", "--work-tree=.", "status"])
    #expect(!exists(s, "work/PWNED"))
  }

  @Test func nestedRepositoryTextconvDoesNotRun() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let textconv = try markerScript(s, "textconv", creates: "work/PWNED")
    try await setUp(
      s,
      """
      git init -q sub && cd sub && echo a > f && git add f
      git -c user.name=a -c user.email=a@b commit -qm x
      echo b >> f && echo '* diff=x' > .gitattributes && git config diff.x.textconv \(textconv)
      """)
    _ = try await attack(s, ["bash", "-lc", "cd sub && git diff"])
    #expect(!exists(s, "work/PWNED"))
  }

  /// Known-safe git still runs in the workspace, but hardened: the repository's fsmonitor,
  /// hooks, textconv and diff drivers stay quiet while the diff still shows.
  @Test func knownSafeGitInTheWorkspaceRunsNoneOfItsPrograms() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let fsmonitor = try markerScript(s, "fsmonitor", creates: "FSMONITOR")
    let textconv = try markerScript(s, "textconv", creates: "TEXTCONV")
    let external = try markerScript(s, "external", creates: "EXTERNAL")
    try await setUp(
      s,
      """
      git init -q . && echo a > f && echo a > g && git add f g
      git -c user.name=a -c user.email=a@b commit -qm x
      printf 'f diff=x\\ng diff=y\\n' > .gitattributes
      git config core.fsmonitor \(fsmonitor) && git config diff.x.textconv \(textconv)
      git config diff.y.command \(external) && git config diff.external \(external)
      echo changed >> f && echo changed >> g
      """)
    let out = try await attack(s, ["bash", "-lc", "git status --short && git diff"])
    #expect(out.contains("+changed"), "\(out)")
    #expect(out.contains("\\\"exit_code\\\":0") || out.contains("\"exit_code\":0"), "\(out)")
    for marker in ["FSMONITOR", "TEXTCONV", "EXTERNAL"] {
      #expect(!exists(s, marker), "\(marker) ran")
    }
  }

  @Test func gitDirInTheEnvironmentIsNotFollowed() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let hook = try markerScript(s, "fsmonitor", creates: "PWNED")
    try await setUp(
      s,
      "git init -q . && git init -q --bare ../evil.git\n"
        + "git --git-dir=../evil.git config core.fsmonitor \(hook)")
    _ = try await attack(
      s, ["git", "status"],
      environment: ["GIT_DIR": s.root + "/evil.git", "GIT_WORK_TREE": s.work])
    #expect(!exists(s, "PWNED"))
  }

  // MARK: PATH

  @Test func aProgramPlantedOnAWritablePathIsNotRunForAKnownSafeName() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/bin/ls", "#!/bin/sh\ntouch '\(s.work)/PWNED'\n")
    try FileManager.default.setAttributes(
      [.posixPermissions: 0o755], ofItemAtPath: s.work + "/bin/ls")
    let out = try await attack(
      s, ["ls"], environment: ["PATH": s.work + "/bin:/usr/local/bin:/usr/bin:/bin"])
    #expect(!exists(s, "work/PWNED"))
    #expect(out.contains("bin"), "the real ls lists the folder: \(out)")
  }

  /// HOME sits in /tmp here, so `~/.profile` is the model's to write: a known-safe `sh -lc`
  /// must not run it.
  @Test func aLoginProfileInAWritableHomeIsNotRunForAKnownSafeScript() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("home/.profile", "touch '\(s.work)/PWNED'\n")
    let out = try await attack(s, ["sh", "-lc", "ls -a"])
    #expect(!exists(s, "work/PWNED"))
    #expect(out.contains("exit_code\\\":0") || out.contains("\"exit_code\":0"), "\(out)")
  }

  // MARK: dangerous commands under `never`

  @Test func findDeleteIsRefusedUnderNever() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/keep.txt", "precious")
    let out = try await attack(
      s, ["find", ".", "-name", "*.txt", "-delete"],
      flags: ["-a", "never", "-s", "workspace-write"])
    #expect(s.read("work/keep.txt") == "precious")
    #expect(out.contains("find -delete") && out.contains("never"), "\(out)")
  }

  @Test func deletingTheWholeWorkspaceIsRefusedUnderNever() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/src/keep.txt", "precious")
    let out = try await attack(
      s, ["bash", "-lc", "rm -r *"], flags: ["-a", "never", "-s", "workspace-write"])
    #expect(s.read("work/src/keep.txt") == "precious")
    #expect(out.contains("everything in the workspace"), "\(out)")
  }

  @Test func decodedScriptPipedIntoAShellIsRefusedUnderNever() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let encoded = Data("touch PWNED\n".utf8).base64EncodedString()
    let out = try await attack(
      s, ["bash", "-lc", "echo \(encoded) | base64 -d | sh"],
      flags: ["-a", "never", "-s", "workspace-write"])
    #expect(!exists(s, "work/PWNED"))
    #expect(out.contains("pipes text into sh"), "\(out)")
  }

  @Test func gitAliasThatRunsAShellCommandIsRefusedUnderNever() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try await setUp(s, "git init -q .")
    let out = try await attack(
      s, ["git", "-c", "alias.x=!touch PWNED", "x"],
      flags: ["-a", "never", "-s", "workspace-write"])
    #expect(!exists(s, "work/PWNED"))
    #expect(out.contains("alias.x"), "\(out)")
  }
}
