import Testing

@testable import CodexTerminal

/// One row of an editing table: type `keys` (raw terminal bytes) into an empty editor and find
/// `text` with the cursor at `cursor`.
struct EditCase: Sendable, CustomTestStringConvertible {
  var name: String
  var keys: String
  var text: String
  var cursor: Int
  var testDescription: String { name }
}

private func typed(_ keys: String, history: [String] = []) -> (LineEditor, [EditorAction]) {
  var editor = LineEditor(history: history)
  let actions = editor.feed(Array(keys.utf8))
  return (editor, actions)
}

@Suite struct LineEditorTests {
  static let esc = "\u{1B}"

  static let editing: [EditCase] = [
    EditCase(name: "ascii", keys: "abc", text: "abc", cursor: 3),
    EditCase(name: "multi-byte UTF-8", keys: "héllo ✓", text: "héllo ✓", cursor: 7),
    EditCase(name: "wide characters", keys: "日本", text: "日本", cursor: 2),
    EditCase(name: "emoji (4 bytes)", keys: "a🙂b", text: "a🙂b", cursor: 3),
    EditCase(name: "combining mark joins", keys: "e\u{301}x", text: "e\u{301}x", cursor: 2),
    EditCase(name: "left", keys: "abc\(esc)[DX", text: "abXc", cursor: 3),
    EditCase(name: "left (SS3)", keys: "abc\(esc)ODX", text: "abXc", cursor: 3),
    EditCase(name: "Ctrl-B", keys: "abc\u{02}X", text: "abXc", cursor: 3),
    EditCase(name: "right", keys: "abc\(esc)[D\(esc)[D\(esc)[CX", text: "abXc", cursor: 3),
    EditCase(name: "right (SS3)", keys: "abc\(esc)OD\(esc)OD\(esc)OCX", text: "abXc", cursor: 3),
    EditCase(name: "Ctrl-F", keys: "abc\u{02}\u{02}\u{06}X", text: "abXc", cursor: 3),
    EditCase(name: "left at start", keys: "\(esc)[Da", text: "a", cursor: 1),
    EditCase(name: "right at end", keys: "a\(esc)[Cb", text: "ab", cursor: 2),
    EditCase(name: "home ESC[H", keys: "abc\(esc)[HX", text: "Xabc", cursor: 1),
    EditCase(name: "home ESC[1~", keys: "abc\(esc)[1~X", text: "Xabc", cursor: 1),
    EditCase(name: "home ESC[7~", keys: "abc\(esc)[7~X", text: "Xabc", cursor: 1),
    EditCase(name: "home ESC OH", keys: "abc\(esc)OHX", text: "Xabc", cursor: 1),
    EditCase(name: "Ctrl-A", keys: "abc\u{01}X", text: "Xabc", cursor: 1),
    EditCase(name: "end ESC[F", keys: "abc\u{01}\(esc)[FX", text: "abcX", cursor: 4),
    EditCase(name: "end ESC[4~", keys: "abc\u{01}\(esc)[4~X", text: "abcX", cursor: 4),
    EditCase(name: "end ESC[8~", keys: "abc\u{01}\(esc)[8~X", text: "abcX", cursor: 4),
    EditCase(name: "end ESC OF", keys: "abc\u{01}\(esc)OFX", text: "abcX", cursor: 4),
    EditCase(name: "Ctrl-E", keys: "abc\u{01}\u{05}X", text: "abcX", cursor: 4),
    EditCase(name: "Ctrl-K", keys: "hello world\u{01}\u{06}\u{06}\u{0B}", text: "he", cursor: 2),
    EditCase(name: "Ctrl-U", keys: "hello world\u{02}\u{02}\u{15}", text: "ld", cursor: 0),
    EditCase(name: "Ctrl-W", keys: "git commit -m\u{17}", text: "git commit ", cursor: 11),
    EditCase(name: "Ctrl-W over spaces", keys: "foo bar  \u{17}", text: "foo ", cursor: 4),
    EditCase(name: "backspace DEL", keys: "abc\u{7F}", text: "ab", cursor: 2),
    EditCase(name: "backspace Ctrl-H", keys: "abc\u{08}", text: "ab", cursor: 2),
    EditCase(name: "backspace wide", keys: "日本\u{7F}", text: "日", cursor: 1),
    EditCase(name: "backspace mid-line", keys: "abc\u{02}\u{7F}", text: "ac", cursor: 1),
    EditCase(name: "delete ESC[3~", keys: "abc\u{01}\(esc)[3~", text: "bc", cursor: 0),
    EditCase(name: "Ctrl-D deletes when not empty", keys: "abc\u{01}\u{04}", text: "bc", cursor: 0),
    EditCase(name: "Alt-B Alt-B", keys: "foo bar\(esc)b\(esc)bX", text: "Xfoo bar", cursor: 1),
    EditCase(name: "Alt-F", keys: "foo bar\u{01}\(esc)fX", text: "fooX bar", cursor: 4),
    EditCase(name: "Ctrl-left", keys: "foo bar\(esc)[1;5DX", text: "foo Xbar", cursor: 5),
    EditCase(name: "Ctrl-right", keys: "foo bar\u{01}\(esc)[1;5CX", text: "fooX bar", cursor: 4),
    EditCase(name: "Alt-Backspace", keys: "foo bar\(esc)\u{7F}", text: "foo ", cursor: 4),
    EditCase(name: "Alt-D", keys: "foo bar\u{01}\(esc)d", text: " bar", cursor: 0),
    EditCase(name: "Alt-Enter inserts a newline", keys: "a\(esc)\rb", text: "a\nb", cursor: 3),
    EditCase(name: "trailing backslash continues", keys: "a\\\rb", text: "a\nb", cursor: 3),
    EditCase(
      name: "bracketed paste keeps newlines",
      keys: "> \(esc)[200~line1\r\nline2\rline3\(esc)[201~!", text: "> line1\nline2\nline3!",
      cursor: 20),
    EditCase(
      name: "paste drops stray escapes, keeps tabs", keys: "\(esc)[200~a\tb\(esc)c\(esc)[201~",
      text: "a\tbc", cursor: 4),
    EditCase(name: "tab", keys: "a\tb", text: "a\tb", cursor: 3),
    EditCase(
      name: "unknown sequence ignored", keys: "a\(esc)[99~b\(esc)[Zc", text: "abc", cursor: 3),
    EditCase(name: "lone ESC then a key", keys: "\(esc)x", text: "x", cursor: 1),
    EditCase(name: "other controls ignored", keys: "a\u{00}\u{1C}b", text: "ab", cursor: 2),
    EditCase(
      name: "Ctrl-K at a line end joins lines", keys: "a\(esc)\rb\u{10}\u{05}\u{0B}", text: "ab",
      cursor: 1),
    EditCase(name: "home within a line", keys: "ab\(esc)\rcd\u{01}X", text: "ab\nXcd", cursor: 4),
  ]

  @Test(arguments: editing) func editsTheBuffer(_ c: EditCase) {
    var editor = LineEditor()
    let actions = editor.feed(Array(c.keys.utf8))
    #expect(editor.text == c.text)
    #expect(editor.cursor == c.cursor)
    #expect(!actions.contains { if case .submit = $0 { return true } else { return false } })
  }

  @Test(arguments: editing) func feedingByteByByteOrAllAtOnceIsTheSame(_ c: EditCase) {
    var whole = LineEditor()
    _ = whole.feed(Array(c.keys.utf8))
    var split = LineEditor()
    for b in c.keys.utf8 { _ = split.feed(b) }
    #expect(whole.buffer == split.buffer)
    #expect(whole.cursor == split.cursor)
  }

  @Test func invalidUTF8IsDroppedAndTheNextByteReadAfresh() {
    var editor = LineEditor()
    // 0xFF is never valid; 0xC3 starts a sequence that "(" breaks.
    _ = editor.feed([0x61, 0xFF, 0xC3, 0x28, 0x62, 0x80, 0xE2, 0x9C, 0x93])
    #expect(editor.text == "a(b✓")
  }

  @Test func enterSubmitsAndEmptiesTheBuffer() {
    let (editor, actions) = typed("say hi\r")
    #expect(actions.last == .submit("say hi"))
    #expect(editor.text.isEmpty)
    #expect(editor.cursor == 0)
    #expect(editor.history == ["say hi"])
  }

  @Test func bothCRAndLFSubmit() {
    #expect(typed("a\n").1.last == .submit("a"))
    #expect(typed("a\r").1.last == .submit("a"))
  }

  @Test func multiLineInputSubmitsWithItsNewlines() {
    let (_, actions) = typed("first\\\rsecond\u{1B}\rthird\r")
    #expect(actions.last == .submit("first\nsecond\nthird"))
  }

  @Test func pasteWithNewlinesDoesNotSubmit() {
    let (editor, actions) = typed("\u{1B}[200~one\rtwo\r\u{1B}[201~")
    #expect(!actions.contains(.submit("one")))
    #expect(editor.text == "one\ntwo\n")
  }

  @Test func pasteEndMarkerSplitAcrossReads() {
    var editor = LineEditor()
    _ = editor.feed(Array("\u{1B}[200~abc\u{1B}[20".utf8))
    #expect(editor.text.isEmpty)
    _ = editor.feed(Array("1~".utf8))
    #expect(editor.text == "abc")
  }

  @Test(arguments: [
    ("\u{04}", EditorAction.endOfInput),
    ("abc\u{03}", .interrupt),
    ("\u{0C}", .clearScreen),
    ("\u{1A}", .suspend),
    ("\u{7F}", .bell),
    ("\u{1B}[3~", .bell),
    ("\u{1B}[A", .bell),
    ("\u{1B}[B", .bell),
    ("\u{17}", .bell),
    ("\u{15}", .bell),
    ("\u{0B}", .bell),
  ])
  func controlKeysReportTheirAction(_ keys: String, _ expected: EditorAction) {
    #expect(typed(keys).1.last == expected)
  }

  @Test func ctrlCAbandonsTheLine() {
    let (editor, _) = typed("half a thought\u{03}")
    #expect(editor.text.isEmpty)
    #expect(editor.history.isEmpty)
  }

  @Test func ctrlDOnlyEndsInputOnAnEmptyLine() {
    #expect(typed("x\u{04}").1.last == .bell)
    #expect(typed("x\u{7F}\u{04}").1.last == .endOfInput)
  }

  // MARK: - History

  @Test func upAndDownWalkTheHistoryAndRestoreTheDraft() {
    var e = LineEditor(history: ["one", "two"])
    _ = e.feed(Array("dr".utf8))
    #expect(e.feed(Array("\u{1B}[A".utf8)) == [.redraw])
    #expect(e.text == "two")
    #expect(e.cursor == 3)
    _ = e.feed(Array("\u{1B}[A".utf8))
    #expect(e.text == "one")
    #expect(e.feed(Array("\u{1B}[A".utf8)) == [.bell])
    #expect(e.text == "one")
    _ = e.feed(Array("\u{1B}[B".utf8))
    #expect(e.text == "two")
    _ = e.feed(Array("\u{1B}[B".utf8))
    #expect(e.text == "dr")
    #expect(e.feed(Array("\u{1B}[B".utf8)) == [.bell])
  }

  @Test func ctrlPAndCtrlNAreUpAndDown() {
    var e = LineEditor(history: ["one", "two"])
    _ = e.feed(Array("\u{10}\u{10}".utf8))
    #expect(e.text == "one")
    _ = e.feed(Array("\u{0E}".utf8))
    #expect(e.text == "two")
  }

  @Test func aRecalledEntryCanBeEditedAndSubmitted() {
    var e = LineEditor(history: ["ls -la"])
    let actions = e.feed(Array("\u{1B}[A\u{7F}\u{7F}h\r".utf8))
    #expect(actions.last == .submit("ls -h"))
    #expect(e.history == ["ls -la", "ls -h"])
  }

  @Test func submittedLinesJoinTheHistoryWithoutRepeatsOrBlanks() {
    var e = LineEditor()
    _ = e.feed(Array("a\ra\r   \rb\r".utf8))
    #expect(e.history == ["a", "b"])
    _ = e.feed(Array("\u{1B}[A\u{1B}[A".utf8))
    #expect(e.text == "a")
  }

  @Test func upAndDownMoveBetweenLinesBeforeHistory() {
    var e = LineEditor(history: ["old"])
    _ = e.feed(Array("abc\u{1B}\rd".utf8))
    #expect(e.cursor == 5)
    _ = e.feed(Array("\u{1B}[A".utf8))
    #expect(e.cursor == 1)  // same column on the line above
    #expect(e.text == "abc\nd")
    _ = e.feed(Array("\u{1B}[B".utf8))
    #expect(e.cursor == 5)  // clamped to the shorter line's end
    _ = e.feed(Array("\u{1B}[A\u{1B}[A".utf8))
    #expect(e.text == "old")
    _ = e.feed(Array("\u{1B}[B".utf8))
    #expect(e.text == "abc\nd")
  }

  @Test func multiLineHistoryEntriesComeBackWhole() {
    var e = LineEditor(history: ["line one\nline two"])
    _ = e.feed(Array("\u{1B}[A".utf8))
    #expect(e.text == "line one\nline two")
    #expect(e.cursor == 17)
  }
}

@Suite struct KeyDecoderTests {
  @Test(arguments: [
    ("\u{1B}[A", Key.up), ("\u{1B}[B", .down), ("\u{1B}[C", .right), ("\u{1B}[D", .left),
    ("\u{1B}OA", .up), ("\u{1B}OB", .down), ("\u{1B}[H", .home), ("\u{1B}[F", .end),
    ("\u{1B}[1~", .home), ("\u{1B}[4~", .end), ("\u{1B}[3~", .delete),
    ("\u{1B}[3;5~", .deleteWordForward), ("\u{1B}\r", .altEnter), ("\u{1B}b", .wordLeft),
    ("\u{1B}f", .wordRight), ("\u{1B}\u{7F}", .deleteWordBackward), ("\r", .enter),
    ("\t", .tab), ("\u{7F}", .backspace), ("\u{01}", .control(1)), ("é", .character("é")),
    ("\u{1B}[200~hi\u{1B}[201~", .paste("hi")),
  ])
  func decodes(_ bytes: String, _ key: Key) {
    var d = KeyDecoder()
    let keys = bytes.utf8.compactMap { d.feed($0) }
    #expect(keys == [key])
  }

  @Test func aRunawayEscapeSequenceIsDroppedWhole() {
    var d = KeyDecoder()
    // Even a final byte that would mean "right" does not act on a truncated sequence.
    let runaway = "\u{1B}[1;5" + String(repeating: "1", count: 40) + "Ca"
    let keys = Array(runaway.utf8).compactMap { d.feed($0) }
    #expect(keys == [.character("a")])
  }
}
