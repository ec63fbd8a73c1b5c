import Testing

@testable import CodexCore

/// The same tree with every position zeroed, to compare what two formats mean.
func strippingPositions(_ table: ConfigTable) -> ConfigTable {
  let origin = SourcePosition(line: 0, column: 0)
  func strip(_ node: ConfigNode) -> ConfigNode {
    switch node.value {
    case .array(let items): return ConfigNode(.array(items.map(strip)), at: origin)
    case .table(let t): return ConfigNode(.table(strippingPositions(t)), at: origin)
    default: return ConfigNode(node.value, at: origin)
    }
  }
  return ConfigTable(
    entries: table.entries.map {
      ConfigTable.Entry(key: $0.key, keyPosition: origin, node: strip($0.node))
    })
}

/// The tree as core `JSON`, for readable expectations (positions dropped).
func plainJSON(_ table: ConfigTable) -> JSON {
  func convert(_ value: ConfigValue) -> JSON {
    switch value {
    case .string(let s): return .string(s)
    case .integer(let i): return .int(i)
    case .float(let d): return .double(d)
    case .bool(let b): return .bool(b)
    case .datetime(let s): return .string(s)
    case .array(let items): return .array(items.map { convert($0.value) })
    case .table(let t): return plainJSON(t)
    }
  }
  return .object(JSONObject(table.entries.map { ($0.key, convert($0.node.value)) }))
}

func pos(_ line: Int, _ column: Int) -> SourcePosition {
  SourcePosition(line: line, column: column)
}

/// The error a reader throws for `text`, or nil (recorded as a failure) if it parses.
func syntaxError(
  _ text: String, _ parse: (String) throws(ConfigSyntaxError) -> ConfigTable,
  sourceLocation: SourceLocation = #_sourceLocation
) -> ConfigSyntaxError? {
  do {
    let table = try parse(text)
    Issue.record(
      "expected a syntax error, parsed \(plainJSON(table).serialized())",
      sourceLocation: sourceLocation)
    return nil
  } catch {
    return error
  }
}

/// One malformed document with the exact message and position a reader must report.
struct SyntaxErrorCase: Sendable, CustomTestStringConvertible {
  var text: String
  var message: String
  var line: Int
  var column: Int

  init(_ text: String, _ message: String, _ line: Int, _ column: Int) {
    self.text = text
    self.message = message
    self.line = line
    self.column = column
  }

  var testDescription: String { text.debugDescription }
}

/// Fails unless every key and value position of `table` lies inside `text` (a column may be one
/// past the end of its line only for zero-width values, which no reader produces).
func expectPositionsInside(
  _ text: String, _ table: ConfigTable, sourceLocation: SourceLocation = #_sourceLocation
) {
  let lineLengths = text.split(separator: "\n", omittingEmptySubsequences: false).map {
    $0.unicodeScalars.count
  }
  func check(_ p: SourcePosition) {
    let inside =
      p.line >= 1 && p.line <= lineLengths.count && p.column >= 1
      && p.column <= lineLengths[p.line - 1]
    if !inside {
      Issue.record("position \(p) is outside the text", sourceLocation: sourceLocation)
    }
  }
  func walk(_ table: ConfigTable) {
    for entry in table.entries {
      check(entry.keyPosition)
      walk(entry.node)
    }
  }
  func walk(_ node: ConfigNode) {
    check(node.position)
    switch node.value {
    case .table(let t): walk(t)
    case .array(let items): items.forEach(walk)
    default: break
    }
  }
  walk(table)
}
