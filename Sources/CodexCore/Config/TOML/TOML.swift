/// TOML 1.0, read into the shared config tree (`ConfigTable`) with the position of every key and
/// value, and written back for `codex config show`. Our own parser: no dependencies, positions
/// for every error, and no crash or runaway recursion on hostile input.
public enum TOML {
  /// Parses a whole document. Throws `ConfigSyntaxError` (message + 1-based line:column).
  public static func parse(_ text: String) throws -> ConfigTable {
    var text = text
    return try text.withUTF8 { bytes throws(ConfigSyntaxError) in
      var parser = TOMLParser(bytes: bytes)
      return try parser.parseDocument()
    }
  }

  /// Parses a document from raw bytes, as read from a file: invalid UTF-8 is reported with its
  /// position instead of being replaced by U+FFFD.
  public static func parse(bytes: [UInt8]) throws -> ConfigTable {
    try bytes.withUnsafeBufferPointer { buffer throws(ConfigSyntaxError) in
      var parser = TOMLParser(bytes: buffer)
      return try parser.parseDocument()
    }
  }

  /// Parses a single TOML value (for `codex -c key=value`): `0.2`, `"x"`, `[1,2]`, `{a=1}`,
  /// `true`. Spaces and tabs around it are ignored. Throws if `text` is not exactly one valid
  /// TOML value.
  public static func parseValue(_ text: String) throws -> ConfigNode {
    var text = text
    return try text.withUTF8 { bytes throws(ConfigSyntaxError) in
      var parser = TOMLParser(bytes: bytes)
      return try parser.parseStandaloneValue()
    }
  }

  /// A key as TOML text: bare when possible (`model`, `base-url`), otherwise quoted (`"a.b"`).
  public static func render(key: String) -> String {
    if !key.isEmpty && key.utf8.allSatisfy(TOMLByte.isBareKey) { return key }
    return quoted(key)
  }

  /// A value as inline TOML text: strings quoted and escaped, arrays as `[1, 2]`, tables as
  /// `{ a = 1, b = "x" }`. `TOML.parseValue` reads the result back to an equal value.
  public static func render(_ value: ConfigValue) -> String {
    switch value {
    case .string(let string):
      return quoted(string)
    case .integer(let integer):
      return String(integer)
    case .float(let float):
      if float.isNaN { return "nan" }
      if float.isInfinite { return float < 0 ? "-inf" : "inf" }
      // Swift's shortest round-trip form always has a '.' or an exponent ("1.0", "1e+20"),
      // both of which TOML reads as a float.
      return float.description
    case .bool(let bool):
      return bool ? "true" : "false"
    case .datetime(let text):
      return text
    case .array(let elements):
      return "[" + elements.map { render($0.value) }.joined(separator: ", ") + "]"
    case .table(let table):
      if table.entries.isEmpty { return "{}" }
      let pairs = table.entries.map { render(key: $0.key) + " = " + render($0.node.value) }
      return "{ " + pairs.joined(separator: ", ") + " }"
    }
  }

  /// A basic string with everything TOML does not allow raw escaped.
  private static func quoted(_ string: String) -> String {
    var result = "\""
    for scalar in string.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case "\u{08}": result += "\\b"
      case "\u{0C}": result += "\\f"
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          result += "\\u" + TOMLByte.hex(scalar.value, digits: 4)
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result + "\""
  }
}
