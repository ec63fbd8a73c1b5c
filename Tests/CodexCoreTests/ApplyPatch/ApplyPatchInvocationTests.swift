import Foundation
import Testing

@testable import CodexCore

@Suite struct ApplyPatchInvocationTests {
  static let patch = "*** Begin Patch\n*** Add File: foo\n+hi\n*** End Patch"

  private static func heredoc(_ prefix: String, suffix: String = "", opener: String = "<<'PATCH'")
    -> String
  {
    "\(prefix)apply_patch \(opener)\n\(patch)\nPATCH\(suffix)"
  }

  @Test(arguments: ["apply_patch", "applypatch"])
  func directInvocation(command: String) {
    #expect(
      ApplyPatchInvocation.recognize([command, Self.patch + "\n"])
        == .patch(text: Self.patch + "\n", workingDirectory: nil))
  }

  @Test(
    arguments: [
      (["bash", "-lc"], heredoc("")),
      (["bash", "-c"], heredoc("")),
      (["/bin/bash", "-lc"], heredoc("")),
      (["sh", "-c"], heredoc("")),
      (["/usr/bin/zsh", "-lc"], heredoc("")),
      (["bash", "-lc"], heredoc("", opener: "<<PATCH")),
      (["bash", "-lc"], heredoc("", opener: "<<\"PATCH\"")),
      (["bash", "-lc"], heredoc("", opener: "<< 'PATCH'")),
      (["bash", "-lc"], heredoc("", suffix: "\n")),
      (["bash", "-lc"], heredoc("", suffix: "\n\n  \n")),
      (["bash", "-lc"], heredoc("   ")),
    ] as [([String], String)])
  func heredocScripts(shell: [String], script: String) {
    #expect(
      ApplyPatchInvocation.recognize(shell + [script])
        == .patch(text: Self.patch, workingDirectory: nil))
  }

  @Test(arguments: [
    ("cd foo && ", "foo"),
    ("cd 'foo bar' && ", "foo bar"),
    ("cd \"foo bar\" && ", "foo bar"),
    ("cd /abs/path && ", "/abs/path"),
    ("cd ../up&&", "../up"),
  ])
  func leadingCdSetsTheWorkingDirectory(prefix: String, directory: String) {
    #expect(
      ApplyPatchInvocation.recognize(["bash", "-lc", Self.heredoc(prefix)])
        == .patch(text: Self.patch, workingDirectory: directory))
  }

  @Test func tabsAreStrippedForDashHeredocs() {
    let script =
      "applypatch <<-EOF\n\t*** Begin Patch\n\t*** Add File: foo\n\t+hi\n\t*** End Patch\n\tEOF"
    #expect(
      ApplyPatchInvocation.recognize(["bash", "-lc", script])
        == .patch(text: Self.patch, workingDirectory: nil))
  }

  @Test func theHeredocBodyIsLiteral() {
    let body = "*** Begin Patch\n*** Add File: $HOME/`id`.txt\n+$(rm -rf /)\n*** End Patch"
    #expect(
      ApplyPatchInvocation.recognize(["bash", "-lc", "apply_patch <<EOF\n\(body)\nEOF"])
        == .patch(text: body, workingDirectory: nil))
  }

  @Test func crlfScripts() {
    let script =
      "apply_patch <<'EOF'\r\n*** Begin Patch\r\n*** Add File: foo\r\n+hi\r\n*** End Patch\r\nEOF\r\n"
    #expect(
      ApplyPatchInvocation.recognize(["bash", "-lc", script])
        == .patch(text: Self.patch, workingDirectory: nil))
  }

  /// Shapes codex-rs does not take as a patch. Ours: a malformed call (explained to the model)
  /// when `apply_patch` is a command in it, else an ordinary command.
  @Test(arguments: [
    heredoc("cd foo; "),
    heredoc("cd bar || "),
    heredoc("cd bar | "),
    heredoc("echo foo && "),
    heredoc("cd foo && cd bar && "),
    heredoc("cd foo bar && "),
    heredoc("cd -P foo && "),
    heredoc("cd bar && ", suffix: " && echo done"),
    heredoc("echo foo; cd bar && "),
    heredoc("cd $HOME && "),
    heredoc("", suffix: "\necho after"),
    heredoc("", opener: "<<'PATCH' | cat"),
    heredoc("", opener: "<<'PATCH' && rm -rf /"),
    heredoc("", opener: "<<\"PATCH'"),
    "apply_patch foo <<'PATCH'\n\(patch)\nPATCH",
    "apply_patch < patch.txt",
    "apply_patch",
    "apply_patch <<'PATCH'\n\(patch)\n",
  ])
  func malformedCalls(script: String) {
    guard case .malformed(let message) = ApplyPatchInvocation.recognize(["bash", "-lc", script])
    else {
      Issue.record("not malformed: \(ApplyPatchInvocation.recognize(["bash", "-lc", script]))")
      return
    }
    #expect(message.hasPrefix("apply_patch was not run: "))
    #expect(message.contains("apply_patch <<'EOF'"))
  }

  @Test(arguments: [
    ["ls", "-la"],
    ["bash", "-lc", "ls"],
    ["bash", "-lc", "cat <<EOF\nhi\nEOF"],
    ["bash", "-lc", "git apply <<'EOF'\n\(patch)\nEOF"],
    ["bash", "--norc", "-c", heredoc("")],
    ["fish", "-c", heredoc("")],
    ["apply_patch", "a", "b"],
    ["/usr/local/bin/apply_patch", patch],
    [],
  ])
  func ordinaryCommands(argv: [String]) {
    #expect(ApplyPatchInvocation.recognize(argv) == .notAPatch)
  }

  @Test func directories() {
    #expect(ApplyPatchInvocation.directory(for: nil, in: "/w") == "/w")
    #expect(ApplyPatchInvocation.directory(for: "sub/../x", in: "/w") == "/w/x")
    #expect(ApplyPatchInvocation.directory(for: "/abs", in: "/w") == "/abs")
  }

  @Test func aLoneApplyPatchIsMalformed() {
    guard case .malformed = ApplyPatchInvocation.recognize(["apply_patch"]) else {
      Issue.record("not malformed")
      return
    }
  }

  @Test(arguments: [[patch], ["bash", "-lc", patch], ["bash", "-c", "\n  " + patch]])
  func barePatchesAreImplicitInvocations(argv: [String]) {
    guard case .implicitPatch(let message) = ApplyPatchInvocation.recognize(argv) else {
      Issue.record("not an implicit patch")
      return
    }
    #expect(message.contains("without a call to apply_patch"))
  }

  @Test func aCdPatchResolvesAgainstThatDirectory() throws {
    // codex-rs's test_apply_patch_resolves_move_path_with_effective_cwd, end to end.
    let session = try PatchWorkspace(["alt/old.txt": "before\n"])
    let script =
      "cd alt && apply_patch <<'PATCH'\n"
      + wrapPatch("*** Update File: old.txt\n*** Move to: renamed.txt\n@@\n-before\n+after")
      + "\nPATCH"
    guard
      case .patch(let text, let directory?) = ApplyPatchInvocation.recognize([
        "bash", "-lc", script,
      ])
    else {
      Issue.record("not recognised")
      return
    }
    let plan = try PatchPlanner.plan(
      text: text, in: ApplyPatchInvocation.directory(for: directory, in: session.root))
    #expect(plan.changes.first?.path == session.path("alt/old.txt"))
    #expect(plan.changes.first?.movePath == session.path("alt/renamed.txt"))
    try plan.apply()
    #expect(try session.texts() == ["alt/renamed.txt": "after\n"])
  }
}
