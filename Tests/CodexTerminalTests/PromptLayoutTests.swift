import Testing

@testable import CodexTerminal

@Suite struct PromptLayoutTests {
  let layout = PromptLayout(prompt: "› ", promptWidth: 2, continuation: "… ", continuationWidth: 2)

  func paint(_ text: String, cursor: Int? = nil, columns: Int = 80, previous: Int = 0)
    -> PromptLayout.Paint
  {
    let buffer = Array(text)
    return layout.paint(
      buffer: buffer, cursor: cursor ?? buffer.count, columns: columns, previousCursorRow: previous)
  }

  @Test func oneShortLine() {
    let p = paint("abc")
    #expect(p.output == "\r\u{1B}[J› abc\r\u{1B}[5C")
    #expect(p.cursorRow == 0)
  }

  @Test func cursorInsideTheLine() {
    #expect(paint("abc", cursor: 1).output == "\r\u{1B}[J› abc\r\u{1B}[3C")
  }

  @Test func emptyLineStillPlacesTheCursorAfterThePrompt() {
    #expect(paint("").output == "\r\u{1B}[J› \r\u{1B}[2C")
  }

  @Test func startsFromThePromptsFirstRow() {
    #expect(paint("x", previous: 2).output.hasPrefix("\u{1B}[2A\r\u{1B}[J"))
  }

  @Test func wrapsLikeTheTerminal() {
    // 2 + 10 characters on a 10-column terminal: 8 on the first row, 2 on the second.
    let p = paint("0123456789", columns: 10)
    #expect(p.cursorRow == 1)
    #expect(p.output.hasSuffix("0123456789\r\u{1B}[2C"))
    let start = paint("0123456789", cursor: 0, columns: 10)
    #expect(start.cursorRow == 0)
    #expect(start.output.hasSuffix("\u{1B}[1A\r\u{1B}[2C"))
  }

  @Test func aFullRowMovesTheCursorToTheNextRow() {
    // Exactly fills the row: the terminal's pending wrap is resolved with CR LF.
    let p = paint("01234567", columns: 10)
    #expect(p.output.hasSuffix("01234567\r\n\r"))
    #expect(p.cursorRow == 1)
  }

  @Test func wideCharactersThatDoNotFitStartTheNextRow() {
    // 2 + 2 + 2 = 6 columns used; the third needs 2 of the 1 left.
    let p = paint("日本語", columns: 7)
    #expect(p.cursorRow == 1)
    #expect(p.output.hasSuffix("\r\u{1B}[2C"))
    #expect(paint("日本語", cursor: 2, columns: 7).output.hasSuffix("\u{1B}[1A\r\u{1B}[6C"))
  }

  @Test func multiLineInputUsesTheContinuationPrompt() {
    let p = paint("ab\ncd", cursor: 1)
    #expect(p.output == "\r\u{1B}[J› ab\r\n… cd\u{1B}[1A\r\u{1B}[3C")
    #expect(p.cursorRow == 0)
    let end = paint("ab\ncd")
    #expect(end.output.hasSuffix("… cd\r\u{1B}[4C"))
    #expect(end.cursorRow == 1)
  }

  @Test func tabsAreDrawnAsSpaces() {
    let p = paint("a\tb")
    #expect(p.output == "\r\u{1B}[J› a    b\r\u{1B}[8C")
  }

  @Test func finishLeavesTheCursorBelowTheInput() {
    #expect(layout.finish(buffer: Array("ab\ncd"), columns: 80, cursorRow: 0) == "\u{1B}[1B\r\n")
    #expect(layout.finish(buffer: Array("ab"), columns: 80, cursorRow: 0) == "\r\n")
    #expect(layout.finish(buffer: Array("01234567"), columns: 10, cursorRow: 1) == "\r")
  }

  @Test(arguments: [
    ("a", 1), ("é", 1), ("日", 2), ("한", 2), ("🙂", 2), ("\t", 4), ("\u{07}", 0), ("ｱ", 1),
    ("Ａ", 2),
  ])
  func characterWidths(_ c: Character, _ width: Int) {
    #expect(CharacterWidth.of(c) == width)
  }
}
