/// Light, incremental Markdown for a terminal, meant to stay readable when copied: headings
/// and `**bold**` are bold, `` `code` `` is coloured, fenced code blocks sit between dim rules
/// (the opening one names the language) with the code itself untouched — never reflowed,
/// never prefixed — so selecting it copies exactly the code.
///
/// Text streams through as it arrives. Only the start of a line is held back while it could
/// still be a heading or a fence (`#`, `` ``` ``), and a `*` or `` ` `` until the next character
/// says whether it is markup. The decisions depend on the characters alone, so the output is
/// the same however the stream is chunked. Styling off (`NO_COLOR`, `TERM=dumb`, a pipe): the
/// text passes through unchanged.
public struct MarkdownRenderer: Sendable {
  public let styled: Bool

  enum LineKind: Sendable {
    /// The line so far could still be a heading or a fence.
    case undecided
    case plain
    case heading
    /// The opening fence of a code block: held whole for its info string.
    case fenceOpening
    /// A line inside a code block.
    case code
  }

  struct Fence: Sendable {
    var marker: Unicode.Scalar
    var length: Int
  }

  struct Inline: Sendable {
    var bold = false
    var code = false
    /// `*` / `` ` `` seen but not yet decided.
    var stars = 0
    var ticks = 0
  }

  var kind = LineKind.undecided
  var held: [Unicode.Scalar] = []
  var fence: Fence?
  var inline = Inline()
  var out = ""

  static let boldOn = "\u{1B}[1m"
  static let boldOff = "\u{1B}[22m"
  static let codeOn = "\u{1B}[36m"
  static let codeOff = "\u{1B}[39m"
  static let dimOn = "\u{1B}[2m"
  static let reset = "\u{1B}[0m"

  public init(styled: Bool) { self.styled = styled }

  /// The terminal text for the next piece of the stream.
  public mutating func feed(_ text: String) -> String {
    guard styled else { return text }
    for scalar in text.unicodeScalars { step(scalar) }
    defer { out = "" }
    return out
  }

  /// The end of the message: whatever is held is written out and every style closed. The
  /// renderer is then ready for a new message.
  public mutating func finish() -> String {
    guard styled else { return "" }
    endLine()
    fence = nil
    defer { out = "" }
    return out
  }

  mutating func step(_ c: Unicode.Scalar) {
    if c == "\n" {
      endLine()
      out += "\n"
      return
    }
    switch kind {
    case .undecided:
      held.append(c)
      classify(atEnd: false)
    case .fenceOpening:
      held.append(c)
    case .plain:
      inlineStep(c)
    case .heading, .code:
      out.unicodeScalars.append(c)
    }
  }

  // MARK: - Line starts

  /// Decides what the held start of a line is, once it can be told (or the line ended).
  mutating func classify(atEnd: Bool) {
    let indent = held.prefix(while: { $0 == " " }).count
    if indent > 3 {
      become(fence == nil ? .plain : .code)
      return
    }
    let rest = held[indent...]
    guard let first = rest.first else {
      if atEnd { become(fence == nil ? .plain : .code) }
      return
    }
    if let fence {
      guard first == fence.marker else { return become(.code) }
      let run = rest.prefix(while: { $0 == fence.marker }).count
      let tail = rest.dropFirst(run)
      guard run >= fence.length || tail.isEmpty, tail.allSatisfy({ $0 == " " || $0 == "\t" })
      else { return become(.code) }
      // Could still be the closing fence: wait for the end of the line.
      guard atEnd else { return }
      if run >= fence.length {
        out += Self.dimOn + "───" + Self.reset
        self.fence = nil
        held = []
      } else {
        become(.code)
      }
      return
    }
    switch first {
    case "#":
      let run = rest.prefix(while: { $0 == "#" }).count
      if run > 6 { return become(.plain) }
      if run == rest.count {
        if atEnd { become(.heading) }
        return
      }
      let after = rest[rest.startIndex + run]
      become(after == " " || after == "\t" ? .heading : .plain)
    case "`", "~":
      let run = rest.prefix(while: { $0 == first }).count
      if run >= 3 {
        kind = .fenceOpening
      } else if run < rest.count || atEnd {
        become(.plain)
      }
    default:
      become(.plain)
    }
  }

  /// Commits the held text as the start of a line of this kind.
  mutating func become(_ newKind: LineKind) {
    kind = newKind
    let text = held
    held = []
    switch newKind {
    case .plain:
      for c in text { inlineStep(c) }
    case .heading:
      out += Self.boldOn
      out.unicodeScalars.append(contentsOf: text)
    case .code:
      out.unicodeScalars.append(contentsOf: text)
    case .undecided, .fenceOpening:
      held = text
    }
  }

  mutating func endLine() {
    if kind == .undecided, !held.isEmpty { classify(atEnd: true) }
    switch kind {
    case .plain:
      endInline()
    case .heading:
      out += Self.boldOff
    case .fenceOpening:
      openFence()
    case .undecided, .code:
      break
    }
    kind = .undecided
    held = []
    inline = Inline()
  }

  /// The held line is a whole opening fence: a dim rule naming the language. A backtick fence
  /// whose info string has a backtick is not a fence (CommonMark), just text.
  mutating func openFence() {
    let indent = held.prefix(while: { $0 == " " }).count
    let rest = held[indent...]
    guard let marker = rest.first else { return }
    let run = rest.prefix(while: { $0 == marker }).count
    let info = String(String.UnicodeScalarView(rest.dropFirst(run)))
    if marker == "`", info.contains("`") {
      kind = .plain
      let text = held
      held = []
      for c in text { inlineStep(c) }
      endInline()
      return
    }
    let language = info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init)
    fence = Fence(marker: marker, length: run)
    out += Self.dimOn + "───" + (language.map { " " + $0 } ?? "") + Self.reset
  }

  // MARK: - Inline markup

  mutating func inlineStep(_ c: Unicode.Scalar) {
    if c != "`", inline.ticks > 0 { resolveTicks(next: c) }
    if c == "`" {
      if inline.stars > 0 { resolveStars(next: c) }
      inline.ticks += 1
      return
    }
    if inline.code {
      out.unicodeScalars.append(c)
      return
    }
    if c == "*" {
      inline.stars += 1
      return
    }
    if inline.stars > 0 { resolveStars(next: c) }
    out.unicodeScalars.append(c)
  }

  /// A single backtick opens (when text follows it) or closes a code span; longer runs are
  /// text.
  mutating func resolveTicks(next: Unicode.Scalar?) {
    let run = inline.ticks
    inline.ticks = 0
    if run == 1, inline.code {
      out += Self.codeOff
      inline.code = false
    } else if run == 1, let next, !next.properties.isWhitespace {
      out += Self.codeOn
      inline.code = true
    } else {
      out += String(repeating: "`", count: run)
    }
  }

  /// `**` opens bold (when text follows it) or closes it; other runs of `*` are text.
  mutating func resolveStars(next: Unicode.Scalar?) {
    let run = inline.stars
    inline.stars = 0
    if run == 2, inline.bold {
      out += Self.boldOff
      inline.bold = false
    } else if run == 2, let next, !next.properties.isWhitespace {
      out += Self.boldOn
      inline.bold = true
    } else {
      out += String(repeating: "*", count: run)
    }
  }

  /// End of a line: pending markers are decided with nothing after them, and open styles are
  /// closed (an unclosed `**` does not run on into the rest of the answer).
  mutating func endInline() {
    if inline.ticks > 0 { resolveTicks(next: nil) }
    if inline.stars > 0 { resolveStars(next: nil) }
    if inline.bold { out += Self.boldOff }
    if inline.code { out += Self.codeOff }
    inline = Inline()
  }
}
