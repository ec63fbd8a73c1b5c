/// `|` (literal) and `>` (folded) block scalars, with the `-` / `+` chomping and 1-9 indentation
/// indicators, for multi-line values such as instructions or prompts.
extension YAMLParser {
  /// Reads the block scalar whose indicator is at the cursor, and the lines that belong to it,
  /// then moves to the next content.
  mutating func blockScalar(parentIndent: Int) throws(ConfigSyntaxError) -> String {
    let folded = current == ">"
    col += 1
    enum Chomping { case clip, strip, keep }
    var chomping = Chomping.clip
    var explicitIndent: Int?
    var sawChomping = false
    while let c = current, !isBlank(c) {
      if (c == "-" || c == "+") && !sawChomping {
        chomping = c == "-" ? .strip : .keep
        sawChomping = true
      } else if ("1"..."9").contains(c) && explicitIndent == nil {
        explicitIndent = Int(c.value - 0x30)
      } else {
        throw error(
          "invalid block scalar header; expected '|' or '>' optionally followed by '-', '+' or"
            + " an indentation digit")
      }
      col += 1
    }
    let before = col
    skipInlineBlanks()
    if let c = current, !(c == "#" && col > before) {
      throw error("a block scalar starts on the line after '|' or '>'; move this text there")
    }

    let baseIndent = max(parentIndent, 0)
    var contentIndent = explicitIndent.map { baseIndent + $0 }
    var texts: [ArraySlice<Unicode.Scalar>] = []
    var r = row + 1
    while r < lines.count {
      let line = lines[r]
      var spaces = 0
      while spaces < line.count && line[spaces] == " " { spaces += 1 }
      if spaces == line.count {
        let keep = contentIndent.map { spaces > $0 ? line[$0...] : [] } ?? []
        texts.append(keep)
        r += 1
        continue
      }
      if contentIndent == nil {
        guard spaces > parentIndent else { break }
        contentIndent = spaces
      }
      guard let indent = contentIndent, spaces >= indent else { break }
      texts.append(line[indent...])
      r += 1
    }

    var body = texts
    var trailingEmpty = 0
    while let last = body.last, last.isEmpty {
      body.removeLast()
      trailingEmpty += 1
    }
    var text = folded ? fold(body) : body.map { string($0) }.joined(separator: "\n")
    switch chomping {
    case .strip: break
    case .clip: if !body.isEmpty { text += "\n" }
    case .keep: text += String(repeating: "\n", count: trailingEmpty + (body.isEmpty ? 0 : 1))
    }
    try moveToContent(fromLine: r)
    return text
  }

  /// Folding: a single line break between two ordinary lines becomes a space; empty lines stay
  /// as line breaks; lines indented further than the block keep their breaks.
  func fold(_ lines: [ArraySlice<Unicode.Scalar>]) -> String {
    var out = ""
    var pendingBreaks = 0
    var previousMoreIndented = false
    var first = true
    for line in lines {
      if line.isEmpty {
        pendingBreaks += 1
        continue
      }
      let moreIndented = isBlank(line.first)
      if first {
        out += String(repeating: "\n", count: pendingBreaks)
      } else if pendingBreaks == 0 {
        out += moreIndented || previousMoreIndented ? "\n" : " "
      } else {
        let extra = moreIndented || previousMoreIndented ? 1 : 0
        out += String(repeating: "\n", count: pendingBreaks + extra)
      }
      out += string(line)
      pendingBreaks = 0
      previousMoreIndented = moreIndented
      first = false
    }
    return out
  }
}
