import Testing

@testable import CodexTerminal

@Suite struct MarkdownRendererTests {
  static let bold = "\u{1B}[1m"
  static let unbold = "\u{1B}[22m"
  static let code = "\u{1B}[36m"
  static let uncode = "\u{1B}[39m"
  static let dim = "\u{1B}[2m"
  static let reset = "\u{1B}[0m"

  static func render(_ chunks: [String], styled: Bool = true) -> String {
    var r = MarkdownRenderer(styled: styled)
    var out = ""
    for c in chunks { out += r.feed(c) }
    return out + r.finish()
  }

  static let documents: [String] = [
    "Hello, **world** and `code`.\n",
    "# Title\n\nSome text\n## Second ##\n",
    "```swift\nlet x = 1\n  **not bold** `not code`\n```\nafter\n",
    "~~~\nplain fence\n~~~~\n",
    "````\n```\nstill code\n````\n",
    "    indented **bold**\n",
    "#hashtag and ####### seven\n",
    "unclosed **bold\nnext line\n",
    "** not bold ** and * star * and ``double``\n",
    "```python `x`\nnot a fence\n",
    "- item **one**\n- item `two`\n\n> quote\n",
    "ünïcödé **日本語** 🙂 `ç`\n",
    "no newline at the end **b**",
    "```\nunterminated fence",
    "   ## indented heading\n",
    "```\n   ``` \n",
  ]

  @Test(arguments: documents) func unstyledIsTheTextUnchanged(_ doc: String) {
    #expect(Self.render([doc], styled: false) == doc)
    #expect(!Self.render([doc], styled: false).contains("\u{1B}"))
  }

  @Test(arguments: documents) func sameOutputHoweverTheStreamIsChunked(_ doc: String) {
    let whole = Self.render([doc])
    let scalars = doc.unicodeScalars.map { String($0) }
    #expect(Self.render(scalars) == whole, "one scalar at a time")
    for cut in 1..<scalars.count {
      let head = scalars[..<cut].joined()
      let tail = scalars[cut...].joined()
      #expect(Self.render([head, tail]) == whole, "split at \(cut)")
    }
    var threes: [String] = []
    var i = 0
    while i < scalars.count {
      threes.append(scalars[i..<min(i + 3, scalars.count)].joined())
      i += 3
    }
    #expect(Self.render(threes) == whole, "chunks of three")
  }

  @Test(arguments: documents) func styledOutputKeepsTheTextWithoutMarkup(_ doc: String) {
    // Stripping the escape codes leaves the words: markup may go, text never does.
    let stripped = Self.stripEscapes(Self.render([doc]))
    let words = doc.split(whereSeparator: { " \n*`#~".contains($0) })
    for w in words { #expect(stripped.contains(w), "\(w)") }
  }

  @Test func boldAndInlineCode() {
    #expect(
      Self.render(["Hello, **world** and `code`.\n"])
        == "Hello, \(Self.bold)world\(Self.unbold) and \(Self.code)code\(Self.uncode).\n")
  }

  @Test func headingsAreBoldWithTheirMarkers() {
    #expect(
      Self.render(["# Title\ntext\n"]) == "\(Self.bold)# Title\(Self.unbold)\ntext\n")
    #expect(Self.render(["#hashtag\n"]) == "#hashtag\n")
    #expect(Self.render(["####### seven\n"]) == "####### seven\n")
  }

  @Test func fencedCodeSitsBetweenRulesUntouched() {
    let out = Self.render(["Look:\n```swift\nlet a = **b** * `c`\n\n    indented\n```\ndone\n"])
    #expect(
      out
        == "Look:\n\(Self.dim)─── swift\(Self.reset)\nlet a = **b** * `c`\n\n    indented\n"
        + "\(Self.dim)───\(Self.reset)\ndone\n")
  }

  @Test func aShorterFenceDoesNotCloseALongerOne() {
    let out = Self.render(["````\n```\n````\n"])
    #expect(out == "\(Self.dim)───\(Self.reset)\n```\n\(Self.dim)───\(Self.reset)\n")
  }

  @Test func backtickFenceWithBacktickInInfoIsText() {
    #expect(Self.render(["```a`b\n"]) == "```a\(Self.code)b\(Self.uncode)\n")
  }

  @Test func markersWithSpaceAfterThemStayLiteral() {
    #expect(Self.render(["** x ** and * y\n"]) == "** x ** and * y\n")
    #expect(Self.render(["**x **\n"]) == "\(Self.bold)x \(Self.unbold)\n")
    #expect(Self.render(["a ` b\n"]) == "a ` b\n")
  }

  @Test func anUnclosedStyleEndsWithItsLine() {
    #expect(
      Self.render(["**bold\nplain\n"]) == "\(Self.bold)bold\(Self.unbold)\nplain\n")
  }

  @Test func plainTextStreamsWithoutWaitingForTheLineEnd() {
    var r = MarkdownRenderer(styled: true)
    #expect(r.feed("Hello wor") == "Hello wor")
    #expect(r.feed("ld") == "ld")
    // A line start that could be a heading is held until it is decided.
    #expect(r.feed("\n#") == "\n")
    #expect(r.feed("# Big") == "\(Self.bold)## Big")
  }

  static func stripEscapes(_ s: String) -> String {
    var out = ""
    var skipping = false
    for c in s.unicodeScalars {
      if c == "\u{1B}" {
        skipping = true
        continue
      }
      if skipping {
        if ("a"..."z").contains(c) || ("A"..."Z").contains(c) { skipping = false }
        continue
      }
      out.unicodeScalars.append(c)
    }
    return out
  }
}
