/// A line and column in a config file, both 1-based, for `config.toml:12:5: ...` messages.
public struct SourcePosition: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var line: Int
  public var column: Int
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
  public var description: String { "\(line):\(column)" }
}

/// The one tree every config format (TOML, JSON, YAML) is read into, with the position of every
/// key and value, so the loader validates all formats alike and errors name file:line:column.
public struct ConfigNode: Sendable, Equatable {
  public var value: ConfigValue
  /// Where the value starts in the source (for a table header `[a.b]`, the header).
  public var position: SourcePosition

  public init(_ value: ConfigValue, at position: SourcePosition) {
    self.value = value
    self.position = position
  }
}

public indirect enum ConfigValue: Sendable, Equatable {
  case string(String)
  case integer(Int64)
  case float(Double)
  case bool(Bool)
  /// TOML date-times are kept as their source text; no config key uses them.
  case datetime(String)
  case array([ConfigNode])
  case table(ConfigTable)

  public var typeName: String {
    switch self {
    case .string: return "a string"
    case .integer: return "an integer"
    case .float: return "a float"
    case .bool: return "a boolean"
    case .datetime: return "a date-time"
    case .array: return "an array"
    case .table: return "a table"
    }
  }
}

/// An ordered table: keys in source order, each with the position of the key itself.
public struct ConfigTable: Sendable, Equatable {
  public struct Entry: Sendable, Equatable {
    public var key: String
    public var keyPosition: SourcePosition
    public var node: ConfigNode
    public init(key: String, keyPosition: SourcePosition, node: ConfigNode) {
      self.key = key
      self.keyPosition = keyPosition
      self.node = node
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry] = []) { self.entries = entries }

  public subscript(key: String) -> ConfigNode? {
    get { entries.first(where: { $0.key == key })?.node }
    set {
      if let i = entries.firstIndex(where: { $0.key == key }) {
        if let newValue { entries[i].node = newValue } else { entries.remove(at: i) }
      } else if let newValue {
        entries.append(Entry(key: key, keyPosition: newValue.position, node: newValue))
      }
    }
  }

  public func entry(_ key: String) -> Entry? { entries.first(where: { $0.key == key }) }
  public var keys: [String] { entries.map(\.key) }
}

/// A syntax error in a config file. `file` is filled in by the loader, which knows the path.
public struct ConfigSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
  public var message: String
  public var position: SourcePosition
  public init(_ message: String, at position: SourcePosition) {
    self.message = message
    self.position = position
  }
  public var description: String { "\(position): \(message)" }
}
