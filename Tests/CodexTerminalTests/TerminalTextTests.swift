import CodexCore
import Testing

@testable import CodexTerminal

/// Text from a model, a command or a server is shown, never obeyed.
@Suite struct TerminalTextTests {
  /// The attack from the review: approving `touch` while the screen says `ls -la`.
  static let disguised = "touch X # \r\u{1B}[2K\u{1B}[1A  ls -la"

  @Test func controlsAreWrittenOut() {
    #expect(TerminalText.escaped(Self.disguised) == #"touch X # \r\e[2K\e[1A  ls -la"#)
    #expect(TerminalText.escaped("a\u{07}b\u{00}c\u{7F}d\td") == #"a\x07b\0c\x7fd\td"#)
    // C1 controls: U+009B is a one-character CSI on terminals that take 8-bit controls.
    #expect(TerminalText.escaped("x\u{9B}31my") == #"x\u{9b}31my"#)
    #expect(TerminalText.escaped("plain ✓ text") == "plain ✓ text")
  }

  @Test func newlinesAreKeptOnlyWhenAsked() {
    #expect(TerminalText.escaped("a\nb") == #"a\nb"#)
    #expect(TerminalText.escaped("a\nb\r", keepingNewlines: true) == "a\nb\\r")
  }

  @Test(
    arguments: Array(0x202A...0x202E) + Array(0x2066...0x2069) + [
      0x200E, 0x200F, 0x061C, 0x2028, 0x2029,
    ])
  func bidiControlsAndLineSeparatorsAreWrittenOut(_ value: UInt32) throws {
    let scalar = try #require(Unicode.Scalar(value))
    let shown = TerminalText.escaped("rm -rf \(scalar)~/ tpircs")
    #expect(!shown.unicodeScalars.contains(scalar))
    #expect(shown.contains(#"\u{"# + String(value, radix: 16) + "}"))
  }

  @Test func proseKeepsLinesAndTabsDropsCarriageReturnsAndEscapesTheRest() {
    #expect(TerminalText.prose("a\r\nb\tc") == "a\nb\tc")
    #expect(TerminalText.prose("x\u{1B}]52;c;ZXZpbA==\u{07}y") == #"x\e]52;c;ZXZpbA==\x07y"#)
    #expect(TerminalText.prose("safe\u{202E}txt") == #"safe\u{202e}txt"#)
  }

  @Test func outputLinesLoseEscapeSequencesAndShowWhatATerminalWouldLeave() {
    func line(_ s: String) -> String { TerminalText.outputLine(Substring(s)) }
    #expect(line("\u{1B}[31mred\u{1B}[0m") == "red")
    #expect(line("\u{1B}]0;title\u{07}plain") == "plain")
    #expect(line("\u{1B}]8;;http://x\u{1B}\\link\u{1B}]8;;\u{1B}\\") == "link")
    #expect(line("\u{1B}P+q544e\u{1B}\\after") == "after")
    #expect(line("\u{1B}(Bcharset") == "charset")
    #expect(line("10%\r50%\r100%") == "100%")
    #expect(line("done\r") == "done")
    #expect(line("bell\u{07}\ttab") == #"bell\x07  tab"#)
    #expect(line("\u{1B}[2K\u{1B}[1Ahidden") == "hidden")
    #expect(line("x\u{202E}y") == #"x\u{202e}y"#)
    // A sequence cut off by the end of the line swallows the rest, nothing more.
    #expect(line("ok\u{1B}[12") == "ok")
    #expect(line("ok\u{1B}") == "ok")
  }

  @Test func longOutputLinesAreCut() throws {
    let shown = TerminalText.outputLine(Substring(String(repeating: "é", count: 1000)))
    #expect(shown.unicodeScalars.count == 201 && shown.hasSuffix("…"))
  }

  @Test func aCommandsOutputCannotDriveTheTerminalThroughTheSummary() {
    let output =
      "\u{1B}[31mred\u{1B}[0m\n\u{1B}]0;pwned\u{07}plain\n10%\r50%\r100%\n\u{1B}[2J\u{1B}[Hclear\n5\n6\n"
    let end = CommandEnd(
      id: "c", command: ["ls"], duration: .milliseconds(20), output: output,
      status: .finished(.exited(code: 0)))
    let text = EventPrinter.summary(end, style: Style(enabled: false))
    #expect(!text.contains("\u{1B}") && !text.contains("\r"))
    #expect(
      text
        == "  exit 0 · 0.02s\n  │ red\n  │ plain\n  │ 100%\n  │ clear\n  │ … 2 more lines\n")
  }

  @Test func summariesSayHowACommandEnded() {
    func head(_ status: CommandEnd.Status) -> String {
      let end = CommandEnd(
        id: "c", command: ["x"], duration: .seconds(12), output: "", status: status)
      return EventPrinter.summary(end, style: Style(enabled: false))
    }
    #expect(head(.finished(.exited(code: 2))) == "  exit 2 · 12s\n")
    #expect(head(.finished(.signaled(signal: 9))) == "  killed by signal 9 (SIGKILL) · 12s\n")
    #expect(head(.finished(.timedOut(limit: .seconds(10)))) == "  timed out after 12s\n")
    #expect(head(.rejected("no\u{1B}[2K")) == #"  not run: no\e[2K"# + "\n")
  }

  @Test func commandLinesWarningsAndAnswersOnATerminalAreShownNotObeyed() {
    let captured = CapturedOutput()
    let printer = EventPrinter(
      out: Style(enabled: false), err: Style(enabled: false), stdoutIsTTY: true,
      stderrIsTTY: true, hideReasoning: false, spinner: nil, sink: captured.sink)
    printer.handle(
      .commandBegin(
        CommandBegin(
          id: "c", command: ["bash", "-lc", Self.disguised], workdir: "/", sandboxed: true)))
    printer.handle(.warning("the model said \u{1B}]0;title\u{07}"))
    printer.handle(.reasoningDelta("think\u{1B}[8m"))
    printer.handle(.textDelta("answer\u{1B}[2J\r\n"))
    printer.handle(
      .turnComplete(
        TurnSummary(
          lastMessage: "", usage: TokenUsage(inputTokens: 0, outputTokens: 0),
          finishReason: .stop)))
    let err = captured.text(2)
    let out = captured.text(1)
    #expect(err.contains(#"$ touch X # \r\e[2K\e[1A  ls -la"#))
    #expect(err.contains(#"warning: the model said \e]0;title\x07"#))
    #expect(out.contains(#"think\e[8m"#))
    #expect(out.contains(#"answer\e[2J"# + "\n"))
    #expect(!(err + out).contains("\u{1B}") && !(err + out).contains("\r"))
  }

  @Test func aPipeGetsTheAnswerAsItCame() {
    let captured = CapturedOutput()
    let printer = EventPrinter(
      out: Style(enabled: false), err: Style(enabled: false), stdoutIsTTY: false,
      stderrIsTTY: false, hideReasoning: false, spinner: nil, sink: captured.sink)
    printer.handle(.textDelta("raw\u{1B}[1mbytes\r\n"))
    printer.handle(.messageComplete("raw"))
    #expect(captured.text(1) == "raw\u{1B}[1mbytes\r\n")
  }
}
