import Foundation
import Testing

@testable import CodexCore

@Suite struct PatchParserTests {
  private func update(_ path: String, _ chunks: [PatchChunk], move: String? = nil, line: Int = 2)
    -> PatchOperation
  {
    PatchOperation(
      path: path, kind: .update(moveTo: move, chunks: chunks, endsWithNewline: nil), line: line)
  }

  @Test func parsesEveryOperation() throws {
    let patch = try PatchParser.parse(
      """
      *** Begin Patch
      *** Add File: path/add.py
      +abc
      +def
      *** Delete File: path/delete.py
      *** Update File: path/update.py
      *** Move to: path/update2.py
      @@ def f():
      -    pass
      +    return 123
      *** End Patch
      """)
    #expect(
      patch.operations == [
        PatchOperation(
          path: "path/add.py", kind: .add(lines: ["abc", "def"], endsWithNewline: true), line: 2),
        PatchOperation(path: "path/delete.py", kind: .delete, line: 5),
        update(
          "path/update.py",
          [
            PatchChunk(
              headers: ["def f():"],
              lines: [.init(.removed, "    pass"), .init(.added, "    return 123")],
              isEndOfFile: false, line: 8)
          ], move: "path/update2.py", line: 6),
      ])
  }

  @Test func updateFollowedByAnotherSection() throws {
    let patch = try PatchParser.parse(
      "*** Begin Patch\n*** Update File: file.py\n@@\n+line\n*** Add File: other.py\n+content\n*** End Patch"
    )
    #expect(
      patch.operations == [
        update(
          "file.py",
          [PatchChunk(headers: [], lines: [.init(.added, "line")], isEndOfFile: false, line: 3)]),
        PatchOperation(
          path: "other.py", kind: .add(lines: ["content"], endsWithNewline: true), line: 5),
      ])
  }

  @Test func hunkLinesKeepTheirOrderAndBlankLinesAreEmptyContext() throws {
    let patch = try PatchParser.parse(
      wrapPatch("*** Update File: f\n@@ change_context\n\n context\n-remove\n+add\n context2"))
    let chunk = PatchChunk(
      headers: ["change_context"],
      lines: [
        .init(.context, ""), .init(.context, "context"), .init(.removed, "remove"),
        .init(.added, "add"), .init(.context, "context2"),
      ], isEndOfFile: false, line: 3)
    #expect(patch.operations == [update("f", [chunk])])
    #expect(chunk.oldLines == ["", "context", "remove", "context2"])
    #expect(chunk.newLines == ["", "context", "add", "context2"])
  }

  @Test func endOfFileMarksTheHunk() throws {
    let patch = try PatchParser.parse(wrapPatch("*** Update File: f\n@@\n+line\n*** End of File"))
    #expect(
      patch.operations == [
        update(
          "f", [PatchChunk(headers: [], lines: [.init(.added, "line")], isEndOfFile: true, line: 3)]
        )
      ])
  }

  @Test func severalHeadersInARowNarrowOneHunk() throws {
    let patch = try PatchParser.parse(
      wrapPatch("*** Update File: f\n@@ class BaseClass\n@@ \t def method():\n-a\n+b\n@@\n-c\n+d"))
    guard case .update(_, let chunks, _) = patch.operations.first?.kind else {
      Issue.record("not an update")
      return
    }
    #expect(chunks.map(\.headers) == [["class BaseClass", "def method():"], []])
    #expect(chunks.map(\.line) == [3, 7])
  }

  @Test(
    arguments: [
      ("@@", nil),
      ("@@ ", nil),
      ("@@ def f():", "def f():"),
      ("@@def f():", "def f():"),
      ("@@ -12,5 +12,6 @@", nil),
      ("@@ -12,5 +12,6 @@ func compute(x: Int)", "func compute(x: Int)"),
      ("@@ -1 +1 @@ x", "x"),
      ("@@ -not a range", "-not a range"),
    ] as [(String, String?)])
  func hunkHeaders(line: String, header: String?) throws {
    let patch = try PatchParser.parse(wrapPatch("*** Update File: f\n\(line)\n-a\n+b"))
    guard case .update(_, let chunks, _) = patch.operations.first?.kind else {
      Issue.record("not an update")
      return
    }
    #expect(chunks.first?.headers == (header.map { [$0] } ?? []))
  }

  // MARK: leniency

  /// The hunks of each update, without line numbers (which shift with the wrapping).
  private func hunks(_ patch: Patch) -> [[String]] {
    patch.operations.map { operation in
      guard case .update(_, let chunks, _) = operation.kind else { return [] }
      return chunks.flatMap { chunk in
        chunk.headers.map { "@@ " + $0 }
          + chunk.lines.map { line in
            switch line.kind {
            case .context: " " + line.text
            case .removed: "-" + line.text
            case .added: "+" + line.text
            }
          } + (chunk.isEndOfFile ? ["EOF"] : [])
      }
    }
  }

  private static let canonical = [[" alpha", "-beta", "+BETA"]]

  @Test(arguments: [
    (
      "markers",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    ("no markers", "*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA"),
    ("no end marker", "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n"),
    (
      "trailing newline",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch\n"
    ),
    (
      "padded markers",
      "  *** Begin Patch \n  *** Update File: foo.txt  \n@@\n alpha\n-beta\n+BETA\n *** End Patch "
    ),
    (
      "lower case",
      "*** begin patch\n*** update file: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** end patch"
    ),
    (
      "backticks",
      "*** Begin Patch\n*** Update File: `foo.txt`\n@@\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "quotes",
      "*** Begin Patch\n*** Update File: \"foo.txt\"\n@@\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "crlf",
      "*** Begin Patch\r\n*** Update File: foo.txt\r\n@@\r\n alpha\r\n-beta\r\n+BETA\r\n*** End Patch\r\n"
    ),
    (
      "lost leading space",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\nalpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "blank lines around",
      "\n\n*** Begin Patch\n\n*** Update File: foo.txt\n\n@@\n alpha\n-beta\n+BETA\n*** End Patch\n\n"
    ),
  ])
  func lenientShapes(name: String, text: String) throws {
    let patch = try PatchParser.parse(text)
    #expect(patch.operations.map(\.path) == ["foo.txt"], "\(name)")
    #expect(hunks(patch) == Self.canonical, "\(name)")
  }

  @Test(arguments: [
    "<<EOF\n%@\nEOF\n",
    "<<'EOF'\n%@\nEOF\n",
    "<<\"EOF\"\n%@\nEOF",
    "apply_patch <<'PATCH'\n%@\nPATCH\n",
    "```\n%@\n```",
    "```diff\n%@\n```\n",
    "```\n<<'EOF'\n%@\nEOF\n```",
  ])
  func unwrapsWrappers(wrapper: String) throws {
    let body = "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch"
    let text = wrapper.replacingOccurrences(of: "%@", with: body)
    #expect(hunks(try PatchParser.parse(text)) == Self.canonical)
  }

  @Test func mismatchedHeredocQuotesAreNotUnwrapped() {
    #expect(throws: ApplyPatchError.self) {
      try PatchParser.parse("<<\"EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n")
    }
  }

  @Test func errorLinesCountTheWrapper() {
    // Line 1 is the heredoc opener, so the bad line is line 5 of what was sent.
    #expect(
      throws: ApplyPatchError.syntax(
        line: 5,
        message:
          "every line of an added file starts with '+' (the file's text follows it); got 'oops'")
    ) {
      try PatchParser.parse(
        "<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\noops\n*** End Patch\nEOF")
    }
  }

  @Test func blankLinesInsideAnAddedFileAreContent() throws {
    let patch = try PatchParser.parse(
      wrapPatch("*** Add File: a\n+one\n\n+three\n\n*** Delete File: b"))
    #expect(
      patch.operations == [
        PatchOperation(
          path: "a", kind: .add(lines: ["one", "", "three"], endsWithNewline: true), line: 2),
        PatchOperation(path: "b", kind: .delete, line: 7),
      ])
  }

  @Test func noNewlineMarkers() throws {
    let add = try PatchParser.parse(wrapPatch("*** Add File: a\n+x\n\\ No newline at end of file"))
    #expect(add.operations.first?.kind == .add(lines: ["x"], endsWithNewline: false))

    func updateEnd(_ hunk: String) throws -> (Bool?, Bool?) {
      let patch = try PatchParser.parse(wrapPatch("*** Update File: f\n@@\n\(hunk)"))
      guard case .update(_, let chunks, let end) = patch.operations.first?.kind else {
        return (nil, nil)
      }
      return (end, chunks.first?.isEndOfFile)
    }
    #expect(try updateEnd("-a\n+b\n\\ No newline at end of file") == (false, true))
    #expect(try updateEnd("-a\n\\ No newline at end of file\n+b") == (true, true))
    #expect(
      try updateEnd("-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file") == (
        false, true
      ))
    #expect(try updateEnd(" a\n\\ No newline at end of file") == (false, true))
    #expect(try updateEnd("-a\n+b") == (nil, false))
  }

  @Test func pureRenameNeedsNoHunk() throws {
    let patch = try PatchParser.parse(wrapPatch("*** Update File: a\n*** Move to: b"))
    #expect(patch.operations == [update("a", [], move: "b")])
  }

  @Test func absolutePathsAreKept() throws {
    let patch = try PatchParser.parse(wrapPatch("*** Delete File: /tmp/x/y.txt"))
    #expect(patch.operations.map(\.path) == ["/tmp/x/y.txt"])
  }

  // MARK: strictness

  @Test(arguments: [
    ("bad", 1, "expected '*** Begin Patch' or a file header"),
    ("*** Begin Patch\nbad\n*** End Patch", 2, "expected a file header"),
    (
      "*** Begin Patch\n*** Update File: test.py\n*** End Patch", 2,
      "'*** Update File: test.py' has no hunks"
    ),
    ("*** Begin Patch\n*** Update File: f\nbad\n*** End Patch", 3, "expected a hunk: an '@@' line"),
    (
      "*** Begin Patch\n*** Update File: f\n@@\n*** End Patch", 3,
      "'@@' must be followed by the lines"
    ),
    (
      "*** Begin Patch\n*** Update File: f\n@@\n*** End of File\n*** End Patch", 4,
      "'*** End of File' must come after"
    ),
    (
      "*** Begin Patch\n*** Update File: f\n@@\n-a\n*** Move to: g\n*** End Patch", 5,
      "'*** Move to:' must come right after"
    ),
    (
      "*** Begin Patch\n*** Add File: a\n+x\nnot plus\n*** End Patch", 4,
      "every line of an added file starts with '+'"
    ),
    (
      "*** Begin Patch\n*** Delete File: a\n+x\n*** End Patch", 3,
      "'*** Delete File' takes no lines"
    ),
    ("*** Begin Patch\n*** Add File: \n+x\n*** End Patch", 2, "needs a path"),
    (
      "*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nrm -rf /", 5,
      "unexpected text after '*** End Patch'"
    ),
    (
      "*** Begin Patch\n*** Update File: f\n@@\n+a\n\\ No newline at end of file\n+b\n*** End Patch",
      5, "must follow the last line"
    ),
    (
      "*** Begin Patch\n*** Update File: f\n\\ No newline at end of file\n*** End Patch", 3,
      "must directly follow a hunk line"
    ),
    ("*** Begin Patch\n*** Frobnicate File: a\n*** End Patch", 2, "expected a file header"),
  ])
  func syntaxErrorsNameTheLine(text: String, line: Int, fragment: String) {
    do {
      _ = try PatchParser.parse(text)
      Issue.record("parsed: \(text)")
    } catch {
      guard case .syntax(let errorLine, let message) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(errorLine == line, "\(message)")
      #expect(message.contains(fragment), "\(message)")
      #expect(!error.description.contains("\n"), "one line: \(error)")
    }
  }

  @Test(arguments: ["*** Begin Patch\n*** End Patch", "", "   \n", "<<'EOF'\nEOF"])
  func emptyPatchesAreRefused(text: String) {
    #expect(throws: ApplyPatchError.emptyPatch) { try PatchParser.parse(text) }
  }

  @Test(arguments: ["a\u{0}b", "a\u{1B}[31mb", "a\tb", "a\u{7F}"])
  func controlCharactersInPathsAreRefused(path: String) {
    #expect(throws: ApplyPatchError.self) {
      try PatchParser.parse(wrapPatch("*** Add File: \(path)\n+x"))
    }
    do {
      _ = try PatchParser.parse(wrapPatch("*** Add File: \(path)\n+x"))
    } catch {
      guard case .invalidPath(_, let line, let reason) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(line == 2)
      #expect(reason.contains("control character"))
      // The control character itself never reaches the message (it could drive a terminal).
      #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
    }
  }

  @Test func anIndentedEndMarkerInsideAHunkIsContext() throws {
    let patch = try PatchParser.parse(
      "*** Begin Patch\n*** Update File: f\n@@\n *** End Patch\n-x\n*** End Patch")
    guard case .update(_, let chunks, _) = patch.operations.first?.kind else {
      Issue.record("not an update")
      return
    }
    #expect(chunks.first?.lines == [.init(.context, "*** End Patch"), .init(.removed, "x")])
  }
}
