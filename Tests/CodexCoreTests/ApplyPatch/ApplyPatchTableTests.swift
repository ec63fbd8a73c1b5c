import Foundation
import Testing

@testable import CodexCore

/// A patch applied to a tree of real files, and the whole tree expected afterwards.
struct PatchCase: CustomTestStringConvertible, Sendable {
  let name: String
  let files: [String: String]
  let patch: String
  let expected: [String: String]

  var testDescription: String { name }
}

@Suite struct ApplyPatchTableTests {
  static let valid: [PatchCase] = [
    PatchCase(
      name: "add a file in a new directory", files: [:],
      patch: wrapPatch("*** Add File: nested/new.txt\n+hello\n+world"),
      expected: ["nested/new.txt": "hello\nworld\n"]),
    PatchCase(
      name: "add an empty file", files: [:], patch: wrapPatch("*** Add File: empty.txt"),
      expected: ["empty.txt": ""]),
    PatchCase(
      name: "delete a file", files: ["obsolete.txt": "x\n", "keep.txt": "k\n"],
      patch: wrapPatch("*** Delete File: obsolete.txt"), expected: ["keep.txt": "k\n"]),
    PatchCase(
      name: "update a line", files: ["update.txt": "foo\nbar\n"],
      patch: wrapPatch("*** Update File: update.txt\n@@\n foo\n-bar\n+baz"),
      expected: ["update.txt": "foo\nbaz\n"]),
    PatchCase(
      name: "move and update", files: ["src.txt": "line\n"],
      patch: wrapPatch("*** Update File: src.txt\n*** Move to: dst.txt\n@@\n-line\n+line2"),
      expected: ["dst.txt": "line2\n"]),
    PatchCase(
      name: "move to a new directory (codex-rs 004)",
      files: ["old/name.txt": "old content\n", "old/other.txt": "unrelated file\n"],
      patch: wrapPatch(
        "*** Update File: old/name.txt\n*** Move to: renamed/dir/name.txt\n@@\n-old content\n+new content"
      ),
      expected: ["renamed/dir/name.txt": "new content\n", "old/other.txt": "unrelated file\n"]),
    PatchCase(
      name: "pure rename", files: ["a.txt": "same\n"],
      patch: wrapPatch("*** Update File: a.txt\n*** Move to: b.txt"), expected: ["b.txt": "same\n"]),
    PatchCase(
      name: "several hunks (codex-rs 003)", files: ["multi.txt": "foo\nbar\nbaz\nqux\n"],
      patch: wrapPatch("*** Update File: multi.txt\n@@\n foo\n-bar\n+BAR\n@@\n baz\n-qux\n+QUX"),
      expected: ["multi.txt": "foo\nBAR\nbaz\nQUX\n"]),
    PatchCase(
      name: "interleaved hunks and end of file", files: ["i.txt": "a\nb\nc\nd\ne\nf\n"],
      patch: wrapPatch(
        "*** Update File: i.txt\n@@\n a\n-b\n+B\n@@\n c\n d\n-e\n+E\n@@\n f\n+g\n*** End of File"),
      expected: ["i.txt": "a\nB\nc\nd\nE\nf\ng\n"]),
    PatchCase(
      name: "a pure addition goes at the end (codex-rs 016)",
      files: ["input.txt": "line1\nline2\n"],
      patch: wrapPatch("*** Update File: input.txt\n@@\n+added line 1\n+added line 2"),
      expected: ["input.txt": "line1\nline2\nadded line 1\nadded line 2\n"]),
    PatchCase(
      name: "a pure addition then a removal", files: ["p.txt": "line1\nline2\nline3\n"],
      patch: wrapPatch(
        "*** Update File: p.txt\n@@\n+after-context\n+second-line\n@@\n line1\n-line2\n-line3\n+line2-replacement"
      ),
      expected: ["p.txt": "line1\nline2-replacement\nafter-context\nsecond-line\n"]),
    PatchCase(
      name: "end of file marker (codex-rs 022)", files: ["tail.txt": "first\nsecond\n"],
      patch: wrapPatch(
        "*** Update File: tail.txt\n@@\n first\n-second\n+second updated\n*** End of File"),
      expected: ["tail.txt": "first\nsecond updated\n"]),
    PatchCase(
      name: "end of file picks the last of two equal blocks", files: ["t.txt": "x\nend\nx\nend\n"],
      patch: wrapPatch("*** Update File: t.txt\n@@\n x\n-end\n+END\n*** End of File"),
      expected: ["t.txt": "x\nend\nx\nEND\n"]),
    PatchCase(
      name: "deletion only (codex-rs 021)", files: ["lines.txt": "line1\nline2\nline3\n"],
      patch: wrapPatch("*** Update File: lines.txt\n@@\n line1\n-line2\n line3"),
      expected: ["lines.txt": "line1\nline3\n"]),
    PatchCase(
      name: "several files (codex-rs 002)",
      files: ["delete.txt": "obsolete\n", "modify.txt": "line1\nline2\n"],
      patch: wrapPatch(
        "*** Add File: nested/new.txt\n+created\n*** Delete File: delete.txt\n*** Update File: modify.txt\n@@\n-line2\n+changed"
      ),
      expected: ["nested/new.txt": "created\n", "modify.txt": "line1\nchanged\n"]),
    PatchCase(
      name: "a header picks the second of two equal blocks",
      files: ["f.swift": "func a() {\n  return 1\n}\nfunc b() {\n  return 1\n}\n"],
      patch: wrapPatch("*** Update File: f.swift\n@@ func b() {\n-  return 1\n+  return 2"),
      expected: ["f.swift": "func a() {\n  return 1\n}\nfunc b() {\n  return 2\n}\n"]),
    PatchCase(
      name: "two headers in a row narrow twice",
      files: ["c.py": "class A:\n  def f():\n    pass\nclass B:\n  def f():\n    pass\n"],
      patch: wrapPatch(
        "*** Update File: c.py\n@@ class B:\n@@   def f():\n-    pass\n+    return 2"),
      expected: ["c.py": "class A:\n  def f():\n    pass\nclass B:\n  def f():\n    return 2\n"]),
    PatchCase(
      name: "a pure addition under a header goes right after it",
      files: ["h.py": "class A:\n    x = 1\n\nclass B:\n    y = 2\n"],
      patch: wrapPatch("*** Update File: h.py\n@@ class A:\n+    z = 0"),
      expected: ["h.py": "class A:\n    z = 0\n    x = 1\n\nclass B:\n    y = 2\n"]),
    PatchCase(
      name: "end of file wins over a header for a pure addition",
      files: ["h.py": "class A:\n    x = 1\n"],
      patch: wrapPatch("*** Update File: h.py\n@@ class A:\n+y = 2\n*** End of File"),
      expected: ["h.py": "class A:\n    x = 1\ny = 2\n"]),
    PatchCase(
      name: "a pure addition keeps a final blank line last (codex-rs)",
      files: ["b.txt": "a\n\n"], patch: wrapPatch("*** Update File: b.txt\n@@\n+z"),
      expected: ["b.txt": "a\nz\n\n"]),
    PatchCase(
      name: "the header line repeated as the first context line",
      files: ["r.py": "def f():\n    pass\n"],
      patch: wrapPatch("*** Update File: r.py\n@@ def f():\n def f():\n-    pass\n+    return 1"),
      expected: ["r.py": "def f():\n    return 1\n"]),
    PatchCase(
      name: "a shortened signature as header",
      files: ["s.swift": "func other() {}\nfunc compute(x: Int) -> Int {\n  x\n}\n"],
      patch: wrapPatch("*** Update File: s.swift\n@@ func compute\n-  x\n+  x * 2"),
      expected: ["s.swift": "func other() {}\nfunc compute(x: Int) -> Int {\n  x * 2\n}\n"]),
    PatchCase(
      name: "unicode text (codex-rs 019)", files: ["foo.txt": "line1\nnaïve café\nline3\n"],
      patch: wrapPatch("*** Update File: foo.txt\n@@\n line1\n-naïve café\n+naïve café ✅"),
      expected: ["foo.txt": "line1\nnaïve café ✅\nline3\n"]),
    PatchCase(
      name: "two sections for one file stack", files: ["two.txt": "a\nb\nc\n"],
      patch: wrapPatch(
        "*** Update File: two.txt\n@@\n-a\n+A\n*** Update File: two.txt\n@@\n-c\n+C"),
      expected: ["two.txt": "A\nb\nC\n"]),
    PatchCase(
      name: "add then update in one patch", files: [:],
      patch: wrapPatch("*** Add File: n.txt\n+one\n+two\n*** Update File: n.txt\n@@\n-two\n+TWO"),
      expected: ["n.txt": "one\nTWO\n"]),
    PatchCase(
      name: "delete then add the same path", files: ["d.txt": "old\n"],
      patch: wrapPatch("*** Delete File: d.txt\n*** Add File: d.txt\n+new"),
      expected: ["d.txt": "new\n"]),
    PatchCase(
      name: "hunks out of order", files: ["o.txt": "a\nb\nc\nd\ne\nf\n"],
      patch: wrapPatch("*** Update File: o.txt\n@@\n d\n-e\n+E\n@@\n a\n-b\n+B"),
      expected: ["o.txt": "a\nB\nc\nd\nE\nf\n"]),
    PatchCase(
      name: "an empty line of context inside a hunk", files: ["e.txt": "one\n\ntwo\n"],
      patch: wrapPatch("*** Update File: e.txt\n@@\n one\n\n-two\n+TWO"),
      expected: ["e.txt": "one\n\nTWO\n"]),
    PatchCase(
      name: "a blank line between sections is not context", files: ["b.txt": "x\ny\n"],
      patch: wrapPatch("*** Update File: b.txt\n@@\n-x\n+X\n\n*** Add File: c.txt\n+c"),
      expected: ["b.txt": "X\ny\n", "c.txt": "c\n"]),
    PatchCase(
      name: "dot segments in a path", files: ["dir/f.txt": "1\n"],
      patch: wrapPatch("*** Update File: ./dir/../dir/f.txt\n@@\n-1\n+2"),
      expected: ["dir/f.txt": "2\n"]),
    PatchCase(
      name: "a file that becomes empty", files: ["gone.txt": "only\n"],
      patch: wrapPatch("*** Update File: gone.txt\n@@\n-only"), expected: ["gone.txt": ""]),
    PatchCase(
      name: "adding to an empty file", files: ["empty.txt": ""],
      patch: wrapPatch("*** Update File: empty.txt\n@@\n+first"), expected: ["empty.txt": "first\n"]
    ),
  ]

  @Test(arguments: valid)
  func appliesValidPatches(_ patchCase: PatchCase) throws {
    let workspace = try PatchWorkspace(patchCase.files)
    try workspace.apply(patchCase.patch)
    #expect(try workspace.texts() == patchCase.expected)
  }

  /// Each leniency, applied to the same file with the same intended change.
  @Test(arguments: [
    (
      "canonical",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    ("missing markers", "*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA"),
    (
      "heredoc wrapper",
      "<<'EOF'\n*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch\nEOF\n"
    ),
    (
      "crlf patch",
      "*** Begin Patch\r\n*** Update File: foo.txt\r\n@@\r\n alpha\r\n-beta\r\n+BETA\r\n*** End Patch\r\n"
    ),
    (
      "no @@ at all",
      "*** Begin Patch\n*** Update File: foo.txt\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "git-style @@",
      "*** Begin Patch\n*** Update File: foo.txt\n@@ -1,3 +1,3 @@\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "trailing whitespace",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha   \n-beta\t\n+BETA\n*** End Patch"
    ),
    (
      "indentation",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n     alpha\n-  beta\n+BETA\n*** End Patch"
    ),
    (
      "lost leading space",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\nalpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "trailing blank lines",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n\n\n*** End Patch"
    ),
    (
      "leading blank line",
      "*** Begin Patch\n*** Update File: foo.txt\n@@\n\n alpha\n-beta\n+BETA\n*** End Patch"
    ),
    (
      "code fence",
      "```diff\n*** Begin Patch\n*** Update File: foo.txt\n@@\n alpha\n-beta\n+BETA\n*** End Patch\n```"
    ),
  ])
  func lenientPatchesApply(name: String, patch: String) throws {
    let workspace = try PatchWorkspace(["foo.txt": "alpha\nbeta\ngamma\n"])
    try workspace.apply(patch)
    #expect(workspace.read("foo.txt") == "alpha\nBETA\ngamma\n", "\(name)")
  }

  @Test func whitespaceInTheFileIsMatchedLooselyAndKeptInContext() throws {
    let workspace = try PatchWorkspace(["w.py": "def f():\n    x = 1   \n    return x\t\n"])
    try workspace.apply(
      wrapPatch("*** Update File: w.py\n@@\n x = 1\n-return x\n+    return x + 1"))
    // The context line keeps its trailing spaces; only the removed line is replaced.
    #expect(workspace.read("w.py") == "def f():\n    x = 1   \n    return x + 1\n")
  }

  @Test func unicodeLookAlikesMatchTheirAsciiSpelling() throws {
    let original = "import asyncio  # local import \u{2013} avoids top\u{2011}level dep\n"
    let workspace = try PatchWorkspace([
      "unicode.py": original,
      "quotes.txt": "say \u{201C}hi\u{201D} \u{2014} it\u{2019}s\u{00A0}ok\nnext\n",
    ])
    try workspace.apply(
      wrapPatch(
        """
        *** Update File: unicode.py
        @@
        -import asyncio  # local import - avoids top-level dep
        +import asyncio  # HELLO
        *** Update File: quotes.txt
        @@
         say "hi" - it's ok
        -next
        +NEXT
        """))
    #expect(workspace.read("unicode.py") == "import asyncio  # HELLO\n")
    // The context line keeps its typographic characters.
    #expect(
      workspace.read("quotes.txt")
        == "say \u{201C}hi\u{201D} \u{2014} it\u{2019}s\u{00A0}ok\nNEXT\n")
  }

  @Test func absolutePathsWork() throws {
    let workspace = try PatchWorkspace(["abs.txt": "a\n"])
    let elsewhere = try PatchWorkspace()
    try elsewhere.apply(
      wrapPatch(
        "*** Update File: \(workspace.path("abs.txt"))\n@@\n-a\n+b\n*** Add File: \(workspace.path("new.txt"))\n+n"
      ))
    #expect(try workspace.texts() == ["abs.txt": "b\n", "new.txt": "n\n"])
    #expect(try elsewhere.texts() == [:])
  }
}
