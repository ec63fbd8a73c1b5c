/// The block structure of a YAML config: lines, indentation, mappings and sequences.
///
/// The cursor is a line (`row`) and an offset in it (`col`). Between nodes it rests on the next
/// content character, or at `row == lines.count` at the end. The text after `- ` on a line is
/// treated as a line of its own whose indentation is its column, which is how `- key: value`
/// followed by `  other: value` forms one mapping.
struct YAMLParser {
  let lines: [[Unicode.Scalar]]
  var row = 0
  var col = 0
  /// Whether a content line has been seen, so a later `---` is a second document.
  var sawContent = false
  var sawDocumentStart = false

  init(_ scalars: [Unicode.Scalar]) throws(ConfigSyntaxError) {
    var lines: [[Unicode.Scalar]] = []
    var current: [Unicode.Scalar] = []
    var start = 0
    // A byte-order mark is invisible in editors; accept it rather than report column 1.
    if scalars.first == "\u{FEFF}" { start = 1 }
    var index = start
    while index < scalars.count {
      let c = scalars[index]
      index += 1
      if c == "\n" {
        lines.append(current)
        current = []
        continue
      }
      if c == "\r", index == scalars.count || scalars[index] == "\n" { continue }
      if c.value < 0x20 && c != "\t" {
        let what = c == "\r" ? "a carriage return without a line feed" : "U+\(hex4(c.value))"
        throw ConfigSyntaxError(
          "control character \(what) is not allowed in YAML",
          at: SourcePosition(line: lines.count + 1, column: current.count + 1))
      }
      current.append(c)
    }
    // A final line break ends the last line; it does not start an empty one (which `|+` keeps).
    if !current.isEmpty { lines.append(current) }
    self.lines = lines
  }

  // MARK: - Positions and errors

  func position(_ row: Int, _ col: Int) -> SourcePosition {
    SourcePosition(line: row + 1, column: col + 1)
  }

  var position: SourcePosition { position(row, col) }

  func error(_ message: String) -> ConfigSyntaxError {
    ConfigSyntaxError(message, at: position)
  }

  var atEnd: Bool { row >= lines.count }

  /// The character at the cursor, or nil at the end of the line or file.
  var current: Unicode.Scalar? { char(at: col) }

  func char(at c: Int) -> Unicode.Scalar? {
    guard row < lines.count, c >= 0, c < lines[row].count else { return nil }
    return lines[row][c]
  }

  func isBlank(_ c: Unicode.Scalar?) -> Bool { c == " " || c == "\t" }

  /// End of line, or a blank (which a following `-`, `:` or `#` needs to count as an indicator).
  func isBlankOrEnd(_ c: Unicode.Scalar?) -> Bool { c == nil || c == " " || c == "\t" }

  // MARK: - Moving between lines

  mutating func skipInlineBlanks() {
    while isBlank(current) { col += 1 }
  }

  /// After a value: the rest of the line must be empty or a comment (which needs a blank before
  /// the `#`). Then moves to the next content.
  mutating func finishLine(after what: String) throws(ConfigSyntaxError) {
    let before = col
    skipInlineBlanks()
    if let c = current, !(c == "#" && col > before) {
      throw error("unexpected text after \(what)")
    }
    try moveToContent(fromLine: row + 1)
  }

  /// From inside a line: stays if content follows on it, else moves on to the next content line.
  mutating func skipToContent() throws(ConfigSyntaxError) {
    guard !atEnd else { return }
    skipInlineBlanks()
    if let c = current, c != "#" { return }
    try moveToContent(fromLine: row + 1)
  }

  /// Finds the first content line at or after `line`, skipping blank and comment-only lines and
  /// handling the `---` / `...` document markers. Sets `col` to that line's indentation.
  mutating func moveToContent(fromLine line: Int) throws(ConfigSyntaxError) {
    row = line
    col = 0
    while row < lines.count {
      let text = lines[row]
      var spaces = 0
      while spaces < text.count, text[spaces] == " " { spaces += 1 }
      var blanks = spaces
      while blanks < text.count, isBlank(text[blanks]) { blanks += 1 }
      if blanks == text.count || text[blanks] == "#" {
        row += 1
        continue
      }
      if blanks != spaces {
        col = spaces
        throw error("tabs are not allowed for indentation in YAML; use spaces")
      }
      if spaces == 0, try handleDocumentMarker(text) { continue }
      col = spaces
      sawContent = true
      return
    }
    col = 0
  }

  /// Returns true when the line was a marker that was skipped (the caller moves on).
  mutating func handleDocumentMarker(_ text: [Unicode.Scalar]) throws(ConfigSyntaxError) -> Bool {
    if text.first == "%" {
      throw error("YAML directives ('%YAML', '%TAG') are not supported; remove the line")
    }
    let isStart = text.starts(with: ["-", "-", "-"]) && (text.count == 3 || isBlank(text[3]))
    let isEnd = text.starts(with: [".", ".", "."]) && (text.count == 3 || isBlank(text[3]))
    guard isStart || isEnd else { return false }
    if isStart && (sawContent || sawDocumentStart) {
      throw error("multiple documents ('---') are not supported; keep one document per file")
    }
    col = 3
    skipInlineBlanks()
    if let c = current, c != "#" {
      throw error(
        "content on the '\(isStart ? "---" : "...")' line is not supported; start it on the next line"
      )
    }
    if isStart {
      sawDocumentStart = true
      row += 1
      return true
    }
    // `...` ends the document; only blank lines and comments may follow.
    row += 1
    while row < lines.count {
      let rest = lines[row].drop(while: isBlank)
      if let first = rest.first, first != "#" {
        col = lines[row].count - rest.count
        throw error("multiple documents are not supported; nothing may follow '...'")
      }
      row += 1
    }
    return true
  }

  // MARK: - Document

  mutating func document() throws(ConfigSyntaxError) -> ConfigTable {
    try moveToContent(fromLine: 0)
    guard !atEnd else { return ConfigTable() }
    let start = position
    let node: ConfigNode?
    switch classify() {
    case .mappingEntry:
      node = try blockMapping(indent: col, depth: 1)
    case .sequenceItem:
      throw error("the top level of a YAML config must be a mapping (key: value), found a sequence")
    case .other:
      if current == "{" {
        node = try inlineValue(parentIndent: -1, depth: 1)
      } else {
        try rejectIndicator()
        if let hint = missingSpaceHint() { throw error(hint) }
        throw error("the top level of a YAML config must be a mapping (key: value), found a value")
      }
    }
    if !atEnd {
      if col < start.column - 1 {
        throw error(
          "inconsistent indentation: the top-level mapping starts at column \(start.column)")
      }
      throw error("unexpected content after the top-level mapping")
    }
    guard case .table(let table)? = node?.value else {
      throw ConfigSyntaxError(
        "the top level of a YAML config must be a mapping (key: value)", at: start)
    }
    return table
  }

  // MARK: - Block nodes

  enum ContentKind { case sequenceItem, mappingEntry, other }

  /// What starts at the cursor: `- item`, `key: value`, or a value.
  func classify() -> ContentKind {
    guard let c = current else { return .other }
    if c == "-" && isBlankOrEnd(char(at: col + 1)) { return .sequenceItem }
    return mappingColon() == nil ? .other : .mappingEntry
  }

  /// The column of the ':' that ends the key starting at the cursor, if this is `key: value`.
  func mappingColon() -> Int? {
    guard row < lines.count, let c = current else { return nil }
    let text = lines[row]
    var j = col
    if c == "\"" || c == "'" {
      guard let close = closingQuote(from: col) else { return nil }
      j = close + 1
      while j < text.count, isBlank(text[j]) { j += 1 }
      return j < text.count && text[j] == ":" ? j : nil
    }
    switch c {
    case "[", "{", "&", "*", "!", "|", ">", "#", "@", "`", ",", "]", "}": return nil
    default: break
    }
    while j < text.count {
      if text[j] == ":" && isBlankOrEnd(j + 1 < text.count ? text[j + 1] : nil) { return j }
      if text[j] == "#" && j > col && isBlank(text[j - 1]) { return nil }
      j += 1
    }
    return nil
  }

  /// A node starting at the cursor that belongs to a parent at `parentIndent`: a nested block
  /// sequence or mapping, or a value. Nil for null.
  mutating func blockNode(parentIndent: Int, depth: Int) throws(ConfigSyntaxError) -> ConfigNode? {
    guard depth <= YAMLReader.maxDepth else {
      throw error("nesting deeper than \(YAMLReader.maxDepth) levels")
    }
    switch classify() {
    case .sequenceItem: return try blockSequence(indent: col, compact: false, depth: depth)
    case .mappingEntry: return try blockMapping(indent: col, depth: depth)
    case .other: return try inlineValue(parentIndent: parentIndent, depth: depth)
    }
  }

  mutating func blockMapping(indent: Int, depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    let start = position
    var table = ConfigTable()
    var seen: [String: SourcePosition] = [:]
    // The previous entry's key and the line its value ended on, for indentation messages.
    var previous: (key: String, inlineValueLine: Int?)?
    while !atEnd && col >= indent {
      if col > indent {
        if let previous, let line = previous.inlineValueLine {
          throw error(
            "unexpected indentation: \"\(previous.key)\" already has a value on line \(line)"
              + " (a value cannot continue on the next line; use '|' or '>' for multi-line text)")
        }
        throw error(
          "inconsistent indentation: expected \(indent) spaces to continue the mapping at line"
            + " \(start.line), found \(col)")
      }
      switch classify() {
      case .mappingEntry: break
      case .sequenceItem:
        throw error(
          "expected 'key: value' here, found a sequence item; indent the '- ' under its key")
      case .other:
        try rejectIndicator()
        throw error(missingSpaceHint() ?? "expected 'key: value' here")
      }
      let keyPosition = position
      let key = try mappingKey()
      if let first = seen[key] {
        throw ConfigSyntaxError(
          "duplicate key \"\(key)\" (first defined at \(first))", at: keyPosition)
      }
      seen[key] = keyPosition
      let valueRow = row
      let (node, inline) = try mappingValue(indent: indent, depth: depth)
      if let node {
        table.entries.append(ConfigTable.Entry(key: key, keyPosition: keyPosition, node: node))
      }
      previous = (key, inline ? valueRow + 1 : nil)
    }
    return ConfigNode(.table(table), at: start)
  }

  /// Reads the key at the cursor and the ':' after it.
  mutating func mappingKey() throws(ConfigSyntaxError) -> String {
    guard let colon = mappingColon() else { throw error("expected 'key: value' here") }
    let key: String
    if current == "\"" || current == "'" {
      key = try quotedScalar()
    } else {
      if current == "?" && isBlankOrEnd(char(at: col + 1)) {
        throw error("complex mapping keys ('? ') are not supported")
      }
      let text = lines[row][col..<colon]
      var end = text.endIndex
      while end > text.startIndex, isBlank(text[end - 1]) { end -= 1 }
      if end == text.startIndex { throw error("missing key before ':'") }
      var view = String.UnicodeScalarView()
      view.append(contentsOf: text[text.startIndex..<end])
      key = String(view)
    }
    col = colon + 1
    return key
  }

  /// The value after `key:`. `inline` says whether it was on the key's line.
  mutating func mappingValue(
    indent: Int, depth: Int
  ) throws(ConfigSyntaxError) -> (node: ConfigNode?, inline: Bool) {
    let before = col
    skipInlineBlanks()
    if let c = current, !(c == "#" && col > before) {
      if c == "-" && isBlankOrEnd(char(at: col + 1)) {
        throw error(
          "a block sequence cannot start on the same line as its key; move '- ' to the next line")
      }
      if mappingColon() != nil, current != "\"", current != "'" {
        throw error(
          "a nested mapping cannot start on the same line as its key; move it to the next line")
      }
      // A block scalar spans lines; what follows it is not a continuation of a one-line value.
      let spansLines = c == "|" || c == ">"
      return (try inlineValue(parentIndent: indent, depth: depth + 1), !spansLines)
    }
    try moveToContent(fromLine: row + 1)
    if atEnd { return (nil, false) }
    if col > indent { return (try blockNode(parentIndent: indent, depth: depth + 1), false) }
    if col == indent && classify() == .sequenceItem {
      // `key:` followed by `- item` lines at the key's own indentation is common YAML.
      return (try blockSequence(indent: indent, compact: true, depth: depth + 1), false)
    }
    return (nil, false)
  }

  /// `compact` is a sequence at its key's indentation: a line that is not `- ` ends it and
  /// continues the parent mapping instead of being an error.
  mutating func blockSequence(
    indent: Int, compact: Bool, depth: Int
  ) throws(ConfigSyntaxError) -> ConfigNode {
    guard depth <= YAMLReader.maxDepth else {
      throw error("nesting deeper than \(YAMLReader.maxDepth) levels")
    }
    let start = position
    var items: [ConfigNode] = []
    var lastInlineLine: Int?
    while !atEnd && col >= indent {
      if col > indent {
        if let line = lastInlineLine {
          throw error(
            "unexpected indentation: the sequence item on line \(line) already has a value"
              + " (a value cannot continue on the next line; use '|' or '>' for multi-line text)")
        }
        throw error(
          "inconsistent indentation: expected \(indent) spaces to continue the sequence at line"
            + " \(start.line), found \(col)")
      }
      guard classify() == .sequenceItem else {
        if compact { break }
        throw error("expected a sequence item ('- ') here; a sequence cannot also have keys")
      }
      let dashRow = row
      col += 1
      skipInlineBlanks()
      let itemPosition: SourcePosition
      let item: ConfigNode?
      if let c = current, c != "#" {
        itemPosition = position
        let isOneLineValue = classify() == .other && c != "|" && c != ">"
        item = try blockNode(parentIndent: indent, depth: depth + 1)
        lastInlineLine = isOneLineValue ? dashRow + 1 : nil
      } else {
        itemPosition = position(dashRow, indent)
        try moveToContent(fromLine: row + 1)
        if !atEnd && col > indent {
          item = try blockNode(parentIndent: indent, depth: depth + 1)
        } else {
          item = nil
        }
        lastInlineLine = nil
      }
      guard let item else {
        throw ConfigSyntaxError(
          "empty (null) sequence items are not supported in a config; remove the item",
          at: itemPosition)
      }
      items.append(item)
    }
    return ConfigNode(.array(items), at: start)
  }

  /// For a line like `key:value`, the hint that YAML needs a blank after the ':'.
  func missingSpaceHint() -> String? {
    guard row < lines.count, current != "\"", current != "'" else { return nil }
    let text = lines[row][col...]
    guard let colon = text.firstIndex(of: ":"), colon > col, colon + 1 < lines[row].count else {
      return nil
    }
    if text[col..<colon].contains(where: isBlank) { return nil }
    return "expected 'key: value' here; put a space after the ':'"
  }
}
