import CodexCore
import Synchronization
import Testing

@testable import CodexTerminal

/// The printer's writes, captured per descriptor.
final class CapturedOutput: Sendable {
  let writes = Mutex<[(fd: Int32, text: String)]>([])
  var sink: @Sendable (Int32, String) -> Void {
    { fd, text in self.writes.withLock { $0.append((fd, text)) } }
  }
  func text(_ fd: Int32) -> String {
    writes.withLock { $0.filter { $0.fd == fd }.map(\.text).joined() }
  }
}

@Suite struct EventPrinterTests {
  func printer(
    styled: Bool, stdoutIsTTY: Bool, stderrIsTTY: Bool = false, hideReasoning: Bool = false
  ) -> (EventPrinter, CapturedOutput) {
    let captured = CapturedOutput()
    let p = EventPrinter(
      out: Style(enabled: styled), err: Style(enabled: styled), stdoutIsTTY: stdoutIsTTY,
      stderrIsTTY: stderrIsTTY, hideReasoning: hideReasoning, spinner: nil, sink: captured.sink)
    return (p, captured)
  }

  static let done = AgentEvent.turnComplete(
    TurnSummary(
      lastMessage: "", usage: TokenUsage(inputTokens: 0, outputTokens: 0), finishReason: .stop))

  @Test func pipedOutputIsTheAnswerVerbatimAndReasoningGoesToStderr() {
    let (p, out) = printer(styled: false, stdoutIsTTY: false)
    for e: AgentEvent in [
      .turnStarted, .reasoningDelta("hmm"), .textDelta("# Hi **there**\n"), .textDelta("`x`"),
      .messageComplete("# Hi **there**\n`x`"), Self.done,
    ] {
      p.handle(e)
    }
    #expect(out.text(1) == "# Hi **there**\n`x`\n")
    #expect(out.text(2) == "thinking\nhmm\n")
  }

  @Test func aStyledTerminalGetsMarkdownAndDimReasoningOnStdout() {
    let (p, out) = printer(styled: true, stdoutIsTTY: true)
    p.handle(.reasoningDelta("plan"))
    p.handle(.textDelta("**ok**"))
    p.handle(.messageComplete("**ok**"))
    p.handle(Self.done)
    let text = out.text(1)
    #expect(text.contains("\u{1B}[2mplan\u{1B}[0m"))
    #expect(text.hasSuffix("\u{1B}[1mok\u{1B}[22m\n"))
    #expect(out.text(2).isEmpty)
  }

  @Test func hiddenReasoningShowsOneThinkingLineOnATerminal() {
    let (p, out) = printer(styled: false, stdoutIsTTY: true, stderrIsTTY: true, hideReasoning: true)
    p.handle(.reasoningDelta("secret "))
    p.handle(.reasoningDelta("plan"))
    p.handle(.textDelta("answer"))
    p.handle(Self.done)
    #expect(out.text(2) == "thinking…\n")
    #expect(out.text(1) == "answer\n")
  }

  @Test func hiddenReasoningIsSilentWhenPiped() {
    let (p, out) = printer(styled: false, stdoutIsTTY: false, hideReasoning: true)
    p.handle(.reasoningDelta("secret"))
    p.handle(.textDelta("answer"))
    p.handle(Self.done)
    #expect(out.text(2).isEmpty)
    #expect(out.text(1) == "answer\n")
  }

  @Test func commandsGoToStderrAfterTheAnswerLineIsFinished() {
    let (p, out) = printer(styled: false, stdoutIsTTY: false)
    p.handle(.textDelta("Let me look"))
    p.handle(.messageComplete("Let me look"))
    p.handle(
      .commandBegin(
        CommandBegin(id: "c", command: ["bash", "-lc", "ls"], workdir: "/", sandboxed: true)))
    p.handle(
      .commandEnd(
        CommandEnd(
          id: "c", command: ["bash", "-lc", "ls"], duration: .milliseconds(20),
          output: "a\nb", status: .finished(.exited(code: 0)))))
    #expect(out.text(1) == "Let me look\n")
    #expect(out.text(2) == "$ ls\n  exit 0 · 0.02s\n  │ a\n  │ b\n")
  }
}
