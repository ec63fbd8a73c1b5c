/// Finds a hunk's lines in a file the way codex-rs's `seek_sequence` does, in passes of
/// decreasing strictness: exact, then ignoring trailing whitespace, then ignoring leading and
/// trailing whitespace, then also mapping Unicode look-alikes (curly quotes, dashes, odd spaces)
/// to ASCII. Unlike codex-rs it reports every position the first successful pass matches, so the
/// planner can refuse an ambiguous hunk instead of silently editing the first place.
final class LineMatcher {
  enum Pass: Int, CaseIterable {
    case exact
    case trailingWhitespace
    case surroundingWhitespace
    case punctuation
  }

  /// The file's lines in each pass's form, each computed the first time a pass needs it (most
  /// hunks match exactly, and the looser forms cost a pass over every line).
  private var forms: [[String]?]
  private let lines: [String]
  var lineCount: Int { lines.count }

  init(lines: [String]) {
    self.lines = lines
    forms = [lines] + Array(repeating: nil, count: Pass.allCases.count - 1)
  }

  private func form(_ pass: Pass) -> [String] {
    if let computed = forms[pass.rawValue] { return computed }
    let computed = lines.map { Self.form($0, pass) }
    forms[pass.rawValue] = computed
    return computed
  }

  static func form(_ line: String, _ pass: Pass) -> String {
    switch pass {
    case .exact: return line
    case .trailingWhitespace:
      var text = Substring(line)
      while let last = text.last, last.isWhitespace { text.removeLast() }
      return String(text)
    case .surroundingWhitespace: return line.trimmingWhitespace()
    case .punctuation: return normalised(line)
    }
  }

  /// Trimmed, with typographic punctuation and spaces replaced by their ASCII counterparts.
  static func normalised(_ line: String) -> String {
    var scalars = String.UnicodeScalarView()
    for scalar in line.trimmingWhitespace().unicodeScalars {
      switch scalar.value {
      case 0x2010...0x2015, 0x2212: scalars.append("-")
      case 0x2018...0x201B: scalars.append("'")
      case 0x201C...0x201F: scalars.append("\"")
      case 0x00A0, 0x2002...0x200A, 0x202F, 0x205F, 0x3000: scalars.append(" ")
      default: scalars.append(scalar)
      }
    }
    return String(scalars)
  }

  /// Every start position in `starts` where `pattern` matches, from the strictest pass that
  /// matches anywhere in `starts`. Empty when no pass matches.
  func matches(of pattern: [String], startingIn starts: Range<Int>) -> [Int] {
    guard !pattern.isEmpty, pattern.count <= lineCount else { return [] }
    let lower = max(0, starts.lowerBound)
    let upper = min(starts.upperBound, lineCount - pattern.count + 1)
    guard lower < upper else { return [] }
    let candidates = lower..<upper
    for pass in Pass.allCases {
      let file = form(pass)
      let wanted = pattern.map { Self.form($0, pass) }
      var found: [Int] = []
      // Only where the first line matches: a hash lookup instead of a scan of the file.
      for start in positions(pass)[wanted[0], default: []] where candidates.contains(start) {
        var matched = true
        for offset in 1..<wanted.count where file[start + offset] != wanted[offset] {
          matched = false
          break
        }
        if matched { found.append(start) }
      }
      if !found.isEmpty { return found }
    }
    return []
  }

  private var positionsByPass: [Pass: [String: [Int]]] = [:]

  /// Where each distinct line (in a pass's form) occurs, ascending.
  private func positions(_ pass: Pass) -> [String: [Int]] {
    if let computed = positionsByPass[pass] { return computed }
    var computed: [String: [Int]] = [:]
    for (index, line) in form(pass).enumerated() { computed[line, default: []].append(index) }
    positionsByPass[pass] = computed
    return computed
  }

  /// The first line at or after `start` matching an `@@` header: in the passes above, then as
  /// the start of a line (headers are often a shortened signature), then anywhere in a line.
  func firstLine(matching header: String, from start: Int) -> Int? {
    guard start < lineCount else { return nil }
    if let line = matches(of: [header], startingIn: start..<lineCount).first { return line }
    let wanted = Self.normalised(header)
    guard !wanted.isEmpty else { return nil }
    let lines = form(.punctuation)
    return (start..<lineCount).first { lines[$0].hasPrefix(wanted) }
      ?? (start..<lineCount).first { lines[$0].contains(wanted) }
  }

  /// Where the file looks most like `pattern`: the window with the most lines equal after
  /// normalisation, or else the line most similar to one of the pattern's lines. Nil when
  /// nothing resembles it.
  func nearest(to pattern: [String]) -> (start: Int, length: Int)? {
    guard !pattern.isEmpty, lineCount > 0 else { return nil }
    let lines = form(.punctuation)
    let wanted = pattern.map(Self.normalised)
    let length = min(pattern.count, lineCount)
    var best: (start: Int, score: Int)?
    for start in 0...(lineCount - length) {
      var score = 0
      for offset in 0..<length
      where !wanted[offset].isEmpty && lines[start + offset] == wanted[offset] {
        score += 1
      }
      if score > (best?.score ?? 0) { best = (start, score) }
    }
    if let best { return (best.start, length) }
    // Nothing equal: find the single most similar line (bounded work on huge files).
    guard lineCount * wanted.count <= 200_000 else { return nil }
    let lineGrams = lines.map(Self.bigrams)
    var closest: (line: Int, offset: Int, similarity: Double)?
    for (offset, text) in wanted.enumerated() where text.count >= 3 {
      let grams = Self.bigrams(text)
      for line in 0..<lineCount {
        let similarity = Self.similarity(grams, lineGrams[line])
        if similarity > (closest?.similarity ?? 0.5) { closest = (line, offset, similarity) }
      }
    }
    guard let closest else { return nil }
    let start = max(0, min(closest.line - closest.offset, lineCount - length))
    return (start, length)
  }

  /// Pairs of adjacent scalars (letter case ignored), packed into one integer each.
  private static func bigrams(_ text: String) -> Set<UInt64> {
    let scalars = Array(text.lowercased().unicodeScalars)
    guard scalars.count >= 2 else { return [] }
    return Set(
      (1..<scalars.count).map { UInt64(scalars[$0 - 1].value) << 32 | UInt64(scalars[$0].value) })
  }

  /// Dice's coefficient of two bigram sets.
  private static func similarity(_ a: Set<UInt64>, _ b: Set<UInt64>) -> Double {
    guard !a.isEmpty, !b.isEmpty else { return 0 }
    return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
  }
}
