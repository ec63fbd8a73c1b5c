import CodexCore
import Foundation

/// The vendored toml-test cases for TOML 1.0 (`Fixtures/toml-test`, MIT), and the suite's tagged
/// JSON form (`{"type":"integer","value":"1"}`) to compare parse results against.
enum TOMLTestSuite {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()
    .deletingLastPathComponent()
    .appendingPathComponent("Fixtures/toml-test")

  /// Every file the suite lists for TOML 1.0, relative to `root`.
  static let listedFiles: [String] = {
    let list = root.appendingPathComponent("files-toml-1.0.0")
    guard let text = try? String(contentsOf: list, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty }
  }()

  static let validCases = listedFiles.filter { $0.hasPrefix("valid/") && $0.hasSuffix(".toml") }
  static let invalidCases = listedFiles.filter {
    $0.hasPrefix("invalid/") && $0.hasSuffix(".toml")
  }

  static func bytes(_ relativePath: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
  }

  // MARK: - Tagged JSON

  static func tagged(_ table: ConfigTable) -> JSON {
    .object(JSONObject(table.entries.map { ($0.key, tagged($0.node.value)) }))
  }

  static func tagged(_ value: ConfigValue) -> JSON {
    func scalar(_ type: String, _ text: String) -> JSON {
      .object(["type": .string(type), "value": .string(text)])
    }
    switch value {
    case .string(let string): return scalar("string", string)
    case .integer(let integer): return scalar("integer", String(integer))
    case .float(let float):
      if float.isNaN { return scalar("float", "nan") }
      if float.isInfinite { return scalar("float", float < 0 ? "-inf" : "inf") }
      return scalar("float", float.description)
    case .bool(let bool): return scalar("bool", bool ? "true" : "false")
    case .datetime(let text): return scalar(dateTimeKind(text), text)
    case .array(let elements): return .array(elements.map { tagged($0.value) })
    case .table(let table): return tagged(table)
    }
  }

  /// toml-test's four date-time types, told apart by shape since the tree keeps only the text.
  static func dateTimeKind(_ text: String) -> String {
    guard let separator = text.firstIndex(where: { $0 == "T" || $0 == "t" || $0 == " " }) else {
      return text.contains(":") ? "time-local" : "date-local"
    }
    let time = text[text.index(after: separator)...]
    let hasOffset = time.contains { $0 == "Z" || $0 == "z" || $0 == "+" || $0 == "-" }
    return hasOffset ? "datetime" : "datetime-local"
  }

  /// Structural equality as toml-test defines it: object key order is ignored, integers and
  /// floats compare by value (`nan` equals `nan`), date-times ignore trailing zeros in the
  /// fraction of a second (the suite writes `.6` as `.600`).
  static func equivalent(_ actual: JSON, _ expected: JSON) -> Bool {
    switch (actual, expected) {
    case (.array(let a), .array(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { equivalent($0, $1) }
    case (.object(let a), .object(let b)):
      if let left = taggedScalar(a), let right = taggedScalar(b) {
        return left.type == right.type && scalarsEqual(left.type, left.value, right.value)
      }
      guard Set(a.keys) == Set(b.keys), a.keys.count == b.keys.count else { return false }
      return a.entries.allSatisfy { entry in
        guard let other = b[entry.key] else { return false }
        return equivalent(entry.value, other)
      }
    default:
      return actual == expected
    }
  }

  private static let scalarTypes: Set<String> = [
    "string", "integer", "float", "bool", "datetime", "datetime-local", "date-local",
    "time-local",
  ]

  private static func taggedScalar(_ object: JSONObject) -> (type: String, value: String)? {
    guard object.keys.count == 2, let type = object["type"]?.stringValue,
      let value = object["value"]?.stringValue, scalarTypes.contains(type)
    else { return nil }
    return (type, value)
  }

  private static func scalarsEqual(_ type: String, _ a: String, _ b: String) -> Bool {
    switch type {
    case "integer":
      return Int64(a) != nil && Int64(a) == Int64(b)
    case "float":
      guard let x = float(a), let y = float(b) else { return false }
      if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
      return x == y && x.sign == y.sign
    case "datetime", "datetime-local", "date-local", "time-local":
      return normalizedDateTime(a) == normalizedDateTime(b)
    default:
      return a == b
    }
  }

  private static func float(_ text: String) -> Double? {
    switch text {
    case "nan", "+nan", "-nan": return .nan
    case "inf", "+inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(text)
    }
  }

  private static func normalizedDateTime(_ text: String) -> String {
    var result = text.uppercased().replacingOccurrences(of: " ", with: "T")
    // Drop trailing zeros of a fractional second: "56.600Z" and "56.6Z" are the same instant.
    if let dot = result.firstIndex(of: ".") {
      let digitsEnd =
        result[result.index(after: dot)...].firstIndex { !$0.isNumber }
        ?? result.endIndex
      var fraction = String(result[result.index(after: dot)..<digitsEnd])
      while fraction.hasSuffix("0") { fraction.removeLast() }
      let rest = String(result[digitsEnd...])
      result = String(result[..<dot]) + (fraction.isEmpty ? "" : "." + fraction) + rest
    }
    return result
  }
}
