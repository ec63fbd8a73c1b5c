import Foundation
import Testing

@testable import CodexCore

/// Patches that must not apply: each leaves the tree byte for byte as it was (contents, modes,
/// links), and says what is wrong in a way the model can act on.
@Suite struct ApplyPatchFailureTests {
  struct FailingCase: CustomTestStringConvertible, Sendable {
    let name: String
    let files: [String: String]
    let patch: String
    /// Fragments the error's description must contain.
    let mentions: [String]
    var testDescription: String { name }
  }

  static let cases: [FailingCase] = [
    FailingCase(
      name: "missing context after valid operations (codex-rs 006, 015)",
      files: ["modify.txt": "line1\nline2\n", "other.txt": "o\n"],
      patch: wrapPatch(
        "*** Add File: created.txt\n+hello\n*** Update File: other.txt\n@@\n-o\n+O\n*** Update File: modify.txt\n@@\n-missing\n+changed"
      ),
      mentions: [
        "hunk 1 of modify.txt (patch line 9)", "-missing", "No file was changed",
        "Re-read the file",
      ]),
    FailingCase(
      name: "ambiguous context", files: ["amb.txt": "x = 1\ny = 2\nx = 1\nz = 3\n"],
      patch: wrapPatch("*** Update File: amb.txt\n@@\n-x = 1\n+x = 3"),
      mentions: [
        "hunk 1 of amb.txt", "ambiguous", "2 places", "lines 1, 3", "more unchanged context",
        "'@@ <line>' header",
      ]),
    FailingCase(
      name: "ambiguous second hunk", files: ["amb2.txt": "head\nx\ny\nx\ny\n"],
      patch: wrapPatch("*** Update File: amb2.txt\n@@\n-head\n+HEAD\n@@\n x\n-y\n+Y"),
      mentions: ["hunk 2 of amb2.txt (patch line 6)", "ambiguous", "lines 2, 4"]),
    FailingCase(
      name: "header not in the file", files: ["h.py": "def f():\n    pass\n"],
      patch: wrapPatch("*** Update File: h.py\n@@ def g():\n-    pass\n+    return 1"),
      mentions: ["header '@@ def g():' matches no line", "The closest line is 1: def f():"]),
    FailingCase(
      name: "add a file that exists (codex-rs 011 overwrites)",
      files: ["duplicate.txt": "old content\n"],
      patch: wrapPatch("*** Add File: duplicate.txt\n+new content"),
      mentions: ["duplicate.txt (patch line 2) already exists", "'*** Update File'"]),
    FailingCase(
      name: "update a missing file (codex-rs 009)", files: ["foo.txt": "stable\n"],
      patch: wrapPatch("*** Update File: missing.txt\n@@\n-old\n+new"),
      mentions: ["missing.txt (patch line 2) does not exist", "'*** Add File'"]),
    FailingCase(
      name: "delete a missing file (codex-rs 007)", files: ["foo.txt": "stable\n"],
      patch: wrapPatch("*** Delete File: missing.txt"),
      mentions: ["does not exist, so it cannot be deleted"]),
    FailingCase(
      name: "delete a directory (codex-rs 012)", files: ["dir/foo.txt": "stable\n"],
      patch: wrapPatch("*** Delete File: dir"), mentions: ["dir (patch line 2) is a directory"]),
    FailingCase(
      name: "move onto an existing file (codex-rs 010 overwrites)",
      files: ["old/name.txt": "from\n", "renamed/dir/name.txt": "existing\n"],
      patch: wrapPatch(
        "*** Update File: old/name.txt\n*** Move to: renamed/dir/name.txt\n@@\n-from\n+new"),
      mentions: ["renamed/dir/name.txt (patch line 2) already exists", "cannot be moved there"]),
    FailingCase(
      name: "a path naming a directory", files: ["dir/x.txt": "x\n"],
      patch: wrapPatch("*** Add File: dir/\n+x"), mentions: ["path 'dir/' names a directory"]),
    FailingCase(
      name: "the working directory itself", files: [:], patch: wrapPatch("*** Add File: .\n+x"),
      mentions: ["names a directory"]),
    FailingCase(
      name: "a file under a file", files: ["plain.txt": "p\n"],
      patch: wrapPatch("*** Add File: plain.txt/inner.txt\n+x"), mentions: ["is not a directory"]),
    FailingCase(
      name: "overlapping hunks", files: ["ov.txt": "a\nb\nc\n"],
      patch: wrapPatch("*** Update File: ov.txt\n@@\n a\n-b\n+B\n@@ a\n a\n-b\n+X"),
      mentions: ["hunk 2 of ov.txt", "which hunk 1 already changes", "Merge the two hunks"]),
    FailingCase(
      name: "an end-of-file hunk found nowhere", files: ["t.txt": "a\nb\n"],
      patch: wrapPatch("*** Update File: t.txt\n@@\n-z\n+Z\n*** End of File"),
      mentions: ["these lines are not at its end"]),
    FailingCase(
      name: "a later section fails after a delete", files: ["a.txt": "a\n", "b.txt": "b\n"],
      patch: wrapPatch("*** Delete File: a.txt\n*** Update File: b.txt\n@@\n-nope\n+x"),
      mentions: ["hunk 1 of b.txt"]),
    FailingCase(
      name: "updating a file deleted earlier in the patch", files: ["a.txt": "a\n"],
      patch: wrapPatch("*** Delete File: a.txt\n*** Update File: a.txt\n@@\n-a\n+b"),
      mentions: ["a.txt (patch line 3) does not exist"]),
    FailingCase(
      name: "a syntax error", files: ["a.txt": "a\n"],
      patch: wrapPatch("*** Update File: a.txt\n@@\n-a\n+b\n*** Bogus"),
      mentions: ["invalid patch: line 6", "expected a file header"]),
  ]

  @Test(arguments: cases)
  func failsWithoutWriting(_ failing: FailingCase) throws {
    let workspace = try PatchWorkspace(failing.files)
    let error = try workspace.expectFailure(failing.patch)
    let text = error?.description ?? ""
    for fragment in failing.mentions {
      #expect(text.contains(fragment), "missing '\(fragment)' in: \(text)")
    }
  }

  @Test func missingContextShowsTheNearestLinesWithNumbers() throws {
    var lines = (1...30).map { "line \($0)" }
    lines[19] = "    let total = price * quantity"
    let workspace = try PatchWorkspace(["calc.swift": lines.joined(separator: "\n") + "\n"])
    let error = try workspace.expectFailure(
      wrapPatch(
        "*** Update File: calc.swift\n@@\n line 19\n-    let total = price * qty\n+    let total = price * quantity * 2\n line 21"
      ))
    let text = error?.description ?? ""
    #expect(text.contains("The closest lines of calc.swift are lines 19-21:"), "\(text)")
    #expect(
      text.contains("19 | line 19\n20 |     let total = price * quantity\n21 | line 21"), "\(text)")
  }

  @Test func nearestLinesFallBackToTheMostSimilarLine() throws {
    let workspace = try PatchWorkspace([
      "n.txt": "alpha beta\nconfiguration = load(path)\ngamma\n"
    ])
    let error = try workspace.expectFailure(
      wrapPatch("*** Update File: n.txt\n@@\n-configuraton = load(paths)\n+x"))
    #expect(
      error?.description.contains("2 | configuration = load(path)") == true,
      "\(String(describing: error))")
  }

  @Test func controlCharactersNeverReachAMessage() throws {
    let workspace = try PatchWorkspace(["t.txt": "safe\n\u{1B}]0;pwned\u{7}\u{1B}[2J line\n"])
    let error = try workspace.expectFailure(
      wrapPatch("*** Update File: t.txt\n@@\n-\u{1B}]0;pwned\u{7}\u{1B}[2J lime\u{9B}\n+x"))
    let text = error?.description ?? ""
    #expect(text.contains("\\u{1B}]0;pwned\\u{7}\\u{1B}[2J line"), "\(text)")
    #expect(
      !text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
  }

  @Test func nonUtf8FilesAreNotEdited() throws {
    let workspace = try PatchWorkspace()
    try workspace.write("bin.dat", bytes: [0x61, 0xFF, 0xFE, 0x0A])
    let error = try workspace.expectFailure(wrapPatch("*** Update File: bin.dat\n@@\n+x"))
    #expect(error?.description.contains("is not UTF-8 text") == true)
  }

  @Test func filesOverTheSizeLimitAreNotRead() throws {
    let workspace = try PatchWorkspace()
    let handle = try #require(
      FileManager.default.createFile(atPath: workspace.path("big.txt"), contents: nil)
        ? FileHandle(forWritingAtPath: workspace.path("big.txt")) : nil)
    try handle.truncate(atOffset: UInt64(PatchPlanner.fileSizeLimit + 1))
    try handle.close()
    let error = try workspace.expectFailure(wrapPatch("*** Update File: big.txt\n@@\n+x"))
    #expect(error?.description.contains("too large") == true, "\(String(describing: error))")
  }

  @Test func fifosAreNotOpened() throws {
    let workspace = try PatchWorkspace()
    let made = mkfifo(workspace.path("pipe"), 0o644)
    try #require(made == 0)
    let error = try workspace.expectFailure(wrapPatch("*** Update File: pipe\n@@\n+x"))
    #expect(
      error?.description.contains("is not a regular file") == true, "\(String(describing: error))")
    _ = try workspace.expectFailure(wrapPatch("*** Delete File: pipe"))
  }

  @Test func everyErrorIsOneLineExceptHunkDetails() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n"])
    for patch in [
      wrapPatch("*** Add File: a.txt\n+x"), wrapPatch("*** Delete File: nope"), "garbage",
    ] {
      let error = try workspace.expectFailure(patch)
      #expect(error?.description.contains("\n") == false, "\(String(describing: error))")
    }
  }
}
