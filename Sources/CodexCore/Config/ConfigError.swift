/// A configuration problem that stops `codex`: one line that names where (file:line:column,
/// the `-c` override or the flag) and what is wrong.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
  public var location: String
  public var message: String

  public init(location: String, message: String) {
    self.location = location
    self.message = message
  }

  public init(_ origin: ConfigOrigin?, _ message: String) {
    self.location = origin.map(Self.locate) ?? ""
    self.message = message
  }

  public var description: String { location.isEmpty ? message : "\(location): \(message)" }

  static func locate(_ origin: ConfigOrigin) -> String {
    switch origin {
    case .file(let path, let pos): return "\(path):\(pos.line):\(pos.column)"
    case .override(let text): return "-c \(text)"
    case .flag(let f): return f
    case .environment(let v): return "$\(v)"
    case .builtIn: return "default"
    }
  }
}
