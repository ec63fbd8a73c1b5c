/// Flow collections, `[a, b]` and `{key: value}`, which must close on the line they open: config
/// files use them for short lists, and a one-line rule keeps the parser and its errors simple.
extension YAMLParser {
  mutating func flowNode(depth: Int) throws(ConfigSyntaxError) -> ConfigNode? {
    guard depth <= YAMLReader.maxDepth else {
      throw error("nesting deeper than \(YAMLReader.maxDepth) levels")
    }
    let start = position
    guard let c = current else { throw error("expected a value") }
    switch c {
    case "[": return try flowSequence(depth: depth)
    case "{": return try flowMapping(depth: depth)
    case "\"", "'": return ConfigNode(.string(try quotedScalar()), at: start)
    case "|", ">": throw error("block scalars ('|', '>') cannot be used inside '[ ]' or '{ }'")
    default:
      try rejectIndicator()
      let text = flowPlainScalar()
      if text.isEmpty { throw error("expected a value, found '\(Character(c))'") }
      return try resolvePlain(text, at: start).map { ConfigNode($0, at: start) }
    }
  }

  /// Skips blanks inside a flow collection; the end of the line or a comment means it was not
  /// closed on its line.
  mutating func skipFlowBlanks(open: SourcePosition, closer: Character) throws(ConfigSyntaxError) {
    let before = col
    skipInlineBlanks()
    if current == nil || (current == "#" && col > before) {
      throw ConfigSyntaxError(
        "'\(closer == "]" ? "[" : "{")' is not closed on its line; '[ ]' and '{ }' must close on"
          + " the line they open (use one '- item' or 'key: value' per line instead)",
        at: open)
    }
  }

  mutating func flowSequence(depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    let open = position
    col += 1
    var items: [ConfigNode] = []
    while true {
      try skipFlowBlanks(open: open, closer: "]")
      if current == "]" {
        col += 1
        return ConfigNode(.array(items), at: open)
      }
      let itemStart = position
      guard let item = try flowNode(depth: depth + 1) else {
        throw ConfigSyntaxError(
          "null items are not supported in a config sequence; remove the item", at: itemStart)
      }
      items.append(item)
      try skipFlowBlanks(open: open, closer: "]")
      switch current {
      case ",": col += 1
      case "]":
        col += 1
        return ConfigNode(.array(items), at: open)
      case ":": throw error("'key: value' pairs inside '[ ]' are not supported; use '{ }'")
      default: throw error("expected ',' or ']' after an item in '[ ]'")
      }
    }
  }

  mutating func flowMapping(depth: Int) throws(ConfigSyntaxError) -> ConfigNode {
    let open = position
    col += 1
    var table = ConfigTable()
    var seen: [String: SourcePosition] = [:]
    while true {
      try skipFlowBlanks(open: open, closer: "}")
      if current == "}" {
        col += 1
        return ConfigNode(.table(table), at: open)
      }
      let keyPosition = position
      let key: String
      if current == "\"" || current == "'" {
        key = try quotedScalar()
      } else {
        if current == "[" || current == "{" {
          throw error("'[ ]' and '{ }' cannot be used as keys")
        }
        try rejectIndicator()
        key = flowPlainScalar()
        if key.isEmpty { throw error("expected a key") }
      }
      try skipFlowBlanks(open: open, closer: "}")
      guard current == ":" else {
        let hint = key.contains(":") ? "; put a space after the ':'" : ""
        throw error("expected ':' after key \"\(key)\" in '{ }'\(hint)")
      }
      col += 1
      try skipFlowBlanks(open: open, closer: "}")
      var node: ConfigNode?
      if current != "," && current != "}" {
        node = try flowNode(depth: depth + 1)
      }
      if let first = seen[key] {
        throw ConfigSyntaxError(
          "duplicate key \"\(key)\" (first defined at \(first))", at: keyPosition)
      }
      seen[key] = keyPosition
      if let node {
        table.entries.append(ConfigTable.Entry(key: key, keyPosition: keyPosition, node: node))
      }
      try skipFlowBlanks(open: open, closer: "}")
      switch current {
      case ",": col += 1
      case "}":
        col += 1
        return ConfigNode(.table(table), at: open)
      default: throw error("expected ',' or '}' after a value in '{ }'")
      }
    }
  }

  /// A plain scalar inside '[ ]' or '{ }': it also ends at ',', brackets, and ': '.
  mutating func flowPlainScalar() -> String {
    let text = lines[row]
    let start = col
    var end = col
    scan: while end < text.count {
      let c = text[end]
      switch c {
      case ",", "[", "]", "{", "}":
        break scan
      case ":":
        let next: Unicode.Scalar? = end + 1 < text.count ? text[end + 1] : nil
        if isBlankOrEnd(next) || next == "," || next == "]" || next == "}" { break scan }
      case "#":
        if end > start && isBlank(text[end - 1]) { break scan }
      default:
        break
      }
      end += 1
    }
    while end > start && isBlank(text[end - 1]) { end -= 1 }
    col = end
    return string(text[start..<end])
  }
}
