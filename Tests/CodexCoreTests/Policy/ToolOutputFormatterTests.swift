import Testing

@testable import CodexCore

@Suite struct ToolOutputFormatterTests {
  typealias Execution = ToolOutputFormatter.Execution

  func execution(
    _ text: String, _ termination: CommandTermination = .exited(code: 0),
    duration: Duration = .milliseconds(120)
  ) -> Execution {
    Execution(output: Array(text.utf8), termination: termination, duration: duration)
  }

  // MARK: payload

  @Test func smallOutputIsSentWhole() {
    let payload = ToolOutputFormatter().modelPayload(execution("hello\n\"quoted\"\n"))
    #expect(
      payload
        == #"{"output":"hello\n\"quoted\"\n","metadata":{"exit_code":0,"duration_seconds":0.1}}"#)
  }

  @Test func payloadParsesBackAsJSON() throws {
    let text = String(repeating: "line with ünïcødé and \t tabs\n", count: 2000)
    let payload = ToolOutputFormatter().modelPayload(
      execution(text, .exited(code: 3), duration: .seconds(2.36)))
    let parsed = try JSON.parse(payload)
    #expect(parsed["metadata"]?["exit_code"]?.intValue == 3)
    #expect(parsed["metadata"]?["duration_seconds"]?.doubleValue == 2.4)
    let output = try #require(parsed["output"]?.stringValue)
    #expect(output.hasPrefix("Total output lines: 2000\n\nline with ünïcødé"))
  }

  @Test func timeoutIsStatedAndUses124() throws {
    let formatter = ToolOutputFormatter()
    let run = execution("partial\n", .timedOut(limit: .seconds(10)), duration: .seconds(10.02))
    #expect(
      formatter.modelOutputText(run) == "command timed out after 10s and was killed\npartial\n")
    let parsed = try JSON.parse(formatter.modelPayload(run))
    #expect(parsed["metadata"]?["exit_code"]?.intValue == 124)
    #expect(parsed["metadata"]?["duration_seconds"]?.doubleValue == 10.0)
    #expect(
      formatter.modelOutputText(execution("", .timedOut(limit: .milliseconds(1500))))
        == "command timed out after 1.5s and was killed")
  }

  @Test func signalIsStatedAndUses128PlusN() throws {
    let formatter = ToolOutputFormatter()
    let run = execution("", .signaled(signal: 9))
    #expect(formatter.modelOutputText(run) == "command was killed by signal 9 (SIGKILL)")
    #expect(try JSON.parse(formatter.modelPayload(run))["metadata"]?["exit_code"]?.intValue == 137)
    #expect(
      formatter.modelOutputText(execution("x", .signaled(signal: 40)))
        == "command was killed by signal 40\nx")
  }

  @Test func invalidUTF8IsReplacedNotFatal() throws {
    // "a", two junk bytes, "b", a cut-off "€", a newline, a cut-off "😀".
    let bytes: [UInt8] = [0x61, 0xFF, 0xFE, 0x62, 0xE2, 0x82, 0x0A, 0xF0, 0x9F, 0x98]
    let run = Execution(output: bytes, termination: .exited(code: 1), duration: .zero)
    let text = ToolOutputFormatter().modelOutputText(run)
    #expect(text == "a\u{FFFD}\u{FFFD}b\u{FFFD}\n\u{FFFD}")
    let parsed = try JSON.parse(ToolOutputFormatter().modelPayload(run))
    #expect(parsed["output"]?.stringValue == text)
  }

  // MARK: truncation

  /// Splits a truncated text into header, head, removed count and tail, or nil. Works on
  /// scalars: a tail starting with a combining mark merges with the marker's "…" into one
  /// Character, which would hide the marker from a Character search.
  func pieces(_ truncated: String) -> (lines: Int, head: String, removed: Int, tail: String)? {
    let text = truncated.unicodeScalars
    guard let headerEnd = text.firstRange(of: "\n\n".unicodeScalars),
      text[..<headerEnd.lowerBound].starts(with: "Total output lines: ".unicodeScalars),
      let lines = Int(
        String(text[text.index(text.startIndex, offsetBy: 20)..<headerEnd.lowerBound])),
      let open = text[headerEnd.upperBound...].firstIndex(of: "…"),
      let close = text[open...].firstRange(of: " chars truncated…".unicodeScalars),
      let removed = Int(String(text[text.index(after: open)..<close.lowerBound]))
    else { return nil }
    var tail = text[close.upperBound...]
    if tail.first == "\n" { tail = tail.dropFirst() }
    return (lines, String(text[headerEnd.upperBound..<open]), removed, String(tail))
  }

  /// The truncated form must keep a real head and tail of the input and count what it dropped.
  func checkTruncation(_ input: String, _ formatter: ToolOutputFormatter) throws {
    let out = formatter.truncate(input)
    let p = try #require(pieces(out), "no marker in \(out.prefix(200))")
    #expect(input.hasPrefix(p.head))
    #expect(input.hasSuffix(p.tail))
    #expect(
      p.head.unicodeScalars.count + p.removed + p.tail.unicodeScalars.count
        == input.unicodeScalars.count)
    #expect(!out.unicodeScalars.contains("\u{FFFD}"))
    let body = out.utf8.count - "Total output lines: \(p.lines)\n\n".utf8.count
    #expect(body <= formatter.maxBytes, "body \(body) bytes over \(formatter.maxBytes)")
    #expect(p.head.utf8.count > 0 && p.tail.utf8.count > 0)
  }

  @Test func longSingleLineKeepsHeadAndTail() throws {
    let input = String(repeating: "a", count: 10_000) + String(repeating: "b", count: 10_000)
    let out = ToolOutputFormatter().truncate(input)
    let p = try #require(pieces(out))
    #expect(p.lines == 1)
    #expect(p.head.allSatisfy { $0 == "a" } && p.tail.allSatisfy { $0 == "b" })
    #expect(p.removed == 20_000 - p.head.count - p.tail.count)
    try checkTruncation(input, ToolOutputFormatter())
  }

  @Test(arguments: ["€", "😀", "aé€😀", "e\u{301}", "\u{10FFFF}x", "👨‍👩‍👧", "🇫🇷", "a\r\n"])
  func multiByteCharactersAreNeverSplit(unit: String) throws {
    let input = String(repeating: unit, count: 400)
    // Every budget in a range hits every offset inside a character.
    for maxBytes in 90...110 {
      try checkTruncation(input, ToolOutputFormatter(maxBytes: maxBytes, maxLines: 256))
    }
  }

  @Test func cutsPreferLineEnds() throws {
    let input = (1...2000).map { "line \($0)" }.joined(separator: "\n") + "\n"
    let out = ToolOutputFormatter().truncate(input)
    let p = try #require(pieces(out))
    #expect(p.lines == 2000)
    #expect(p.head.hasSuffix("\n"))
    #expect(p.tail.hasPrefix("line "))
    #expect(out.contains(" chars truncated…\nline "))
    try checkTruncation(input, ToolOutputFormatter())
  }

  @Test func lineLimitKeepsFirstAndLast128Lines() throws {
    // 1000 short lines stay under 10 KiB, so only the line limit applies.
    let input = (1...1000).map { "l\($0)" }.joined(separator: "\n") + "\n"
    #expect(input.utf8.count < 10 * 1024)
    let out = ToolOutputFormatter().truncate(input)
    let p = try #require(pieces(out))
    #expect(p.lines == 1000)
    #expect(p.head == (1...128).map { "l\($0)\n" }.joined())
    #expect(p.tail == (873...1000).map { "l\($0)\n" }.joined())
    try checkTruncation(input, ToolOutputFormatter())
  }

  @Test func limitsAreInclusive() {
    let formatter = ToolOutputFormatter(maxBytes: 100, maxLines: 4)
    let fourLines = "a\nb\nc\nd\n"
    #expect(formatter.truncate(fourLines) == fourLines)
    #expect(formatter.truncate(fourLines + "e") != fourLines + "e")
    let hundred = String(repeating: "x", count: 100)
    #expect(formatter.truncate(hundred) == hundred)
    #expect(formatter.truncate(hundred + "y").contains("chars truncated"))
    #expect(formatter.truncate("") == "")
  }

  @Test func lineLimitWithOddCountsAndNoFinalNewline() throws {
    let formatter = ToolOutputFormatter(maxBytes: 10_000, maxLines: 5)
    let out = formatter.truncate("1\n2\n3\n4\n5\n6\n7")
    let p = try #require(pieces(out))
    #expect(p.lines == 7)
    #expect(p.head == "1\n2\n")
    #expect(p.tail == "5\n6\n7")
    #expect(p.removed == 4)
  }

  @Test func tinyBudgetsDoNotCrash() {
    for maxBytes in 0...30 {
      let out = ToolOutputFormatter(maxBytes: maxBytes, maxLines: 2).truncate(
        "😀😀😀😀😀😀😀😀😀😀\nmore\nlines\n")
      #expect(out.hasPrefix("Total output lines: 3\n\n"))
      #expect(!out.unicodeScalars.contains("\u{FFFD}"))
    }
  }

  @Test func truncationHappensBeforeTheTimeoutLine() {
    let formatter = ToolOutputFormatter(maxBytes: 50, maxLines: 256)
    let run = execution(String(repeating: "z", count: 500), .timedOut(limit: .seconds(3)))
    let text = formatter.modelOutputText(run)
    #expect(
      text.hasPrefix("command timed out after 3s and was killed\nTotal output lines: 1\n\nzzz"))
  }
}
