import Foundation
import Testing

@testable import CodexCore

/// What a patch keeps of a file besides the lines it changes: line ends, the final newline,
/// a byte-order mark, the file mode.
@Suite struct ApplyPatchFileFormatTests {
  private func applied(_ original: [UInt8], _ hunks: String) throws -> [UInt8]? {
    let workspace = try PatchWorkspace()
    try workspace.write("f.txt", bytes: original)
    try workspace.apply(wrapPatch("*** Update File: f.txt\n" + hunks))
    return workspace.bytes("f.txt")
  }

  private func applied(_ original: String, _ hunks: String) throws -> String? {
    try applied(Array(original.utf8), hunks).map { String(decoding: $0, as: UTF8.self) }
  }

  @Test func crlfFilesStayCrlf() throws {
    #expect(
      try applied("a\r\nb\r\nc\r\n", "@@\n a\n-b\n+B\n@@\n c\n+d\n*** End of File")
        == "a\r\nB\r\nc\r\nd\r\n")
  }

  @Test func crlfPatchOnCrlfFile() throws {
    #expect(try applied("a\r\nb\r\n", "@@\r\n a\r\n-b\r\n+B\r\n") == "a\r\nB\r\n")
  }

  @Test func carriageReturnsInsideLinesAreKept() throws {
    // codex-rs's test: the extra CR of "foo\r\r\n" must not collapse.
    #expect(
      try applied(Array("foo\r\r\nbar\r\n".utf8), "@@\n+BAZ\n*** End of File")
        == Array("foo\r\r\nbar\r\nBAZ\r\n".utf8))
  }

  @Test func mixedEndingsKeepEachLinesOwnAndNewLinesTakeTheFirst() throws {
    #expect(try applied("a\r\nb\nc\r\nd\n", "@@\n b\n-c\n+C") == "a\r\nb\nC\r\nd\n")
    #expect(try applied("a\nb\r\n", "@@\n a\n+x") == "a\nx\nb\r\n")
  }

  @Test func finalNewlineStateIsKept() throws {
    // codex-rs 014 adds a newline; a file that had none keeps having none.
    #expect(
      try applied("no newline at end", "@@\n-no newline at end\n+first line\n+second line")
        == "first line\nsecond line")
    #expect(try applied("a\nb", "@@\n a\n-b\n+c") == "a\nc")
    #expect(try applied("a", "@@\n+b") == "a\nb")
    #expect(try applied("a\nb\n", "@@\n a\n-b\n+c") == "a\nc\n")
    #expect(try applied("a\r\nb", "@@\n+c") == "a\r\nb\r\nc")
  }

  @Test func noNewlineMarkersChangeTheFinalNewline() throws {
    #expect(try applied("a\nb\n", "@@\n a\n-b\n+c\n\\ No newline at end of file") == "a\nc")
    #expect(try applied("a\nb", "@@\n a\n-b\n\\ No newline at end of file\n+b") == "a\nb\n")
    let workspace = try PatchWorkspace()
    try workspace.apply(wrapPatch("*** Add File: n.txt\n+x\n\\ No newline at end of file"))
    #expect(workspace.read("n.txt") == "x")
  }

  @Test func byteOrderMarkStaysInFront() throws {
    let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    let result = try applied(bom + Array("import a\nimport b\n".utf8), "@@\n-import a\n+import A")
    #expect(result == bom + Array("import A\nimport b\n".utf8))
  }

  @Test func modesAreKeptOnUpdateAndMove() throws {
    let workspace = try PatchWorkspace()
    try workspace.write("run.sh", "echo a\n", mode: 0o750)
    try workspace.write("secret.txt", "s\n", mode: 0o600)
    try workspace.apply(
      wrapPatch(
        "*** Update File: run.sh\n@@\n-echo a\n+echo b\n*** Update File: secret.txt\n*** Move to: moved/secret.txt\n@@\n-s\n+t"
      ))
    #expect(workspace.mode("run.sh") == 0o750)
    #expect(workspace.read("run.sh") == "echo b\n")
    #expect(workspace.mode("moved/secret.txt") == 0o600)
  }

  @Test func newFilesGetTheDefaultMode() throws {
    let workspace = try PatchWorkspace()
    try workspace.apply(wrapPatch("*** Add File: a/b/new.txt\n+x"))
    #expect(workspace.mode("a/b/new.txt") == 0o666 & ~currentUmask())
  }

  @Test func noTemporaryFilesAreLeftBehind() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n"])
    try workspace.apply(wrapPatch("*** Update File: a.txt\n@@\n-a\n+b\n*** Add File: c.txt\n+c"))
    #expect(try Set(workspace.snapshot().keys) == ["a.txt", "c.txt"])
  }
}
