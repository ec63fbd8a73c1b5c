import CodexCore
import CodexTestSupport
import Foundation
import Synchronization
import Testing

/// `apply_patch` through the built binary: a scripted model sends a patch (as the tool, or inside
/// a shell call), codex plans it, decides under the approval policy, applies it in the sandbox,
/// and tells the model and the front ends what happened.
@Suite struct ApplyPatchTests {
  /// A model that sends one call (`name` with `arguments`), then answers with the tool output
  /// it got back.
  final class PatchModel: Sendable {
    let wire: WireAPI
    let call: (name: String, arguments: JSON)
    let outputs = Mutex<[String]>([])

    init(_ wire: WireAPI, _ name: String, _ arguments: JSON) {
      self.wire = wire
      call = (name, arguments)
    }

    convenience init(_ name: String, _ arguments: JSON) { self.init(.chat, name, arguments) }

    var output: String { outputs.withLock { $0.last ?? "" } }

    func handle(_ req: RecordedRequest) -> FakeResponse {
      guard let body = req.bodyJSON,
        ["messages", "input", "contents"].contains(where: { body[$0] != nil })
      else {
        return .json(404, #"{"error":"not a model request"}"#)
      }
      let seen = WireScript.toolOutputs(body)
      if let last = seen.last {
        outputs.withLock { $0 = seen }
        return WireScript.answer(wire, "tool said: " + last.prefix(40))
      }
      return WireScript.calls(wire, [call])
    }
  }

  static func patchCall(_ patch: String) -> JSON { ["input": .string(patch)] }

  func run(
    _ s: Scratch, _ model: PatchModel, _ policy: [String], json: Bool = false
  ) async throws -> CodexRun {
    let server = try FakeHTTPServer(handler: model.handle)
    defer { server.stop() }
    let (toml, args) = WireScript.provider(model.wire, server.baseURL)
    try s.write("home/.codex/config.toml", toml)
    return try await s.run(
      (json ? ["exec", "--json"] : []) + args + ["-m", "m"] + policy + ["edit the file"],
      environment: ["OPENAI_API_KEY": "sk-x"])
  }

  @Test(arguments: [WireAPI.chat, .responses, .ollama, .anthropic, .gemini])
  func aPatchInsideTheWorkspaceAppliesWithoutAsking(_ wire: WireAPI) async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/greet.py", "def greet():\n    print(\"Hi\")\n\ngreet()\n")
    let patch = """
      *** Begin Patch
      *** Update File: greet.py
      @@ def greet():
      -    print("Hi")
      +    print("Hello, world!")
      *** Add File: notes/todo.txt
      +write tests
      *** End Patch
      """
    let model = PatchModel(wire, "apply_patch", Self.patchCall(patch))
    let r = try await run(s, model, ["--full-auto"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/greet.py") == "def greet():\n    print(\"Hello, world!\")\n\ngreet()\n")
    #expect(s.read("work/notes/todo.txt") == "write tests\n")
    #expect(model.output.contains("Success. Updated the following files:"), "\(model.output)")
    #expect(model.output.contains("M greet.py") && model.output.contains("A notes/todo.txt"))
    // The terminal shows a compact summary.
    #expect(r.stderr.contains("patched 2 files changed, +2 −1"), "\(r.stderr)")
  }

  @Test func jsonEmitsAFileChangeItem() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/a.txt", "one\ntwo\n")
    let patch =
      "*** Begin Patch\n*** Delete File: a.txt\n*** Add File: b.txt\n+new\n*** End Patch\n"
    let r = try await run(
      s, PatchModel("apply_patch", Self.patchCall(patch)), ["--full-auto"], json: true)
    #expect(r.exitCode == 0, "\(r.stderr)")
    let items = r.stdout.split(separator: "\n").compactMap { try? JSON.parse(String($0)) }
    let change = try #require(items.first { $0["item"]?["type"] == "file_change" })
    #expect(change["type"] == "item.completed")
    #expect(change["item"]?["status"] == "completed")
    let kinds = change["item"]?["changes"]?.arrayValue?.compactMap { $0["kind"]?.stringValue }
    #expect(kinds == ["delete", "add"])
    #expect(s.read("work/a.txt") == nil && s.read("work/b.txt") == "new\n")
  }

  @Test func aPatchInAShellHeredocIsAppliedByTheEngine() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/src/x.txt", "alpha\nbeta\n")
    let script =
      "cd src && apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: x.txt\n alpha\n-beta\n+gamma\n*** End Patch\nEOF\n"
    let model = PatchModel("shell", ["command": ["bash", "-lc", .string(script)]])
    let r = try await run(s, model, ["--full-auto"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/src/x.txt") == "alpha\ngamma\n")
    #expect(model.output.contains("Success."))
  }

  @Test func aPatchThatDoesNotFitWritesNothingAndSaysWhichHunk() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/a.txt", "one\ntwo\nthree\n")
    try s.write("work/b.txt", "keep\n")
    let patch = """
      *** Begin Patch
      *** Update File: b.txt
      -keep
      +changed
      *** Update File: a.txt
       one
      -TWO WRONG
      +2
      *** End Patch
      """
    let model = PatchModel("apply_patch", Self.patchCall(patch))
    let r = try await run(s, model, ["--full-auto"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    // Nothing was written, not even the file whose hunk did fit.
    #expect(s.read("work/b.txt") == "keep\n")
    #expect(s.read("work/a.txt") == "one\ntwo\nthree\n")
    #expect(model.output.contains("a.txt"), "\(model.output)")
    #expect(r.stderr.contains("patch not applied"), "\(r.stderr)")
  }

  @Test(arguments: [
    ["-a", "on-request", "-s", "workspace-write"], ["-a", "never", "-s", "workspace-write"],
  ])
  func aPatchOutsideTheWritableFoldersIsNeverAppliedUnasked(_ policy: [String]) async throws {
    // Outside /tmp, which the workspace-write sandbox keeps writable.
    let s = try Scratch(base: FileManager.default.currentDirectoryPath + "/.build")
    defer { s.cleanUp() }
    try s.write("outside/victim.txt", "safe\n")
    let patch =
      "*** Begin Patch\n*** Update File: ../outside/victim.txt\n-safe\n+owned\n*** End Patch\n"
    let model = PatchModel("apply_patch", Self.patchCall(patch))
    let r = try await run(s, model, policy)
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("outside/victim.txt") == "safe\n")
    let told = model.output.lowercased()
    #expect(told.contains("not applied") || told.contains("declined"), "\(model.output)")
  }

  @Test func aPatchThroughASymlinkIsJudgedWhereItLands() async throws {
    let s = try Scratch(base: FileManager.default.currentDirectoryPath + "/.build")
    defer { s.cleanUp() }
    try s.write("outside/victim.txt", "safe\n")
    try FileManager.default.createSymbolicLink(
      atPath: s.work + "/link.txt", withDestinationPath: s.root + "/outside/victim.txt")
    let patch = "*** Begin Patch\n*** Update File: link.txt\n-safe\n+owned\n*** End Patch\n"
    let model = PatchModel("apply_patch", Self.patchCall(patch))
    let r = try await run(s, model, ["-a", "never", "-s", "workspace-write"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("outside/victim.txt") == "safe\n")
    #expect(model.output.contains("Not applied"), "\(model.output)")
  }

  @Test func aPatchIntoGitIsRefusedUnderNeverAndUntrustedAsks() async throws {
    for policy in [["-a", "never"], ["-a", "untrusted"]] {
      let s = try Scratch()
      defer { s.cleanUp() }
      try s.write("work/.git/config", "[core]\n")
      let patch =
        "*** Begin Patch\n*** Add File: .git/hooks/pre-commit\n+#!/bin/sh\n+touch pwned\n*** End Patch\n"
      let model = PatchModel("apply_patch", Self.patchCall(patch))
      let r = try await run(s, model, policy + ["-s", "workspace-write"])
      #expect(r.exitCode == 0, "\(r.stderr)")
      #expect(s.read("work/.git/hooks/pre-commit") == nil, "\(policy)")
      // untrusted: nobody at a terminal to ask, so the answer is no.
      #expect(
        model.output.contains("Not applied") || model.output.contains("declined"),
        "\(policy): \(model.output)")
    }
  }

  /// The approval decision only judges; the sandbox enforces. A hooks folder named by the
  /// repository's config (`core.hooksPath`) looks like an ordinary folder in the workspace, so
  /// the patch goes to the sandboxed helper without asking, and the sandbox refuses the write.
  @Test func theSandboxStillHoldsWhenThePatchLooksHarmless() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("work/.git/config", "[core]\n\thooksPath = githooks\n")
    try s.write("work/githooks/README", "hooks live here\n")
    let patch = "*** Begin Patch\n*** Add File: githooks/pre-commit\n+touch pwned\n*** End Patch\n"
    let model = PatchModel("apply_patch", Self.patchCall(patch))
    let r = try await run(s, model, ["-a", "on-request", "-s", "workspace-write"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(s.read("work/githooks/pre-commit") == nil)
    #expect(model.output.contains("Read-only file system"), "\(model.output)")
  }
}
