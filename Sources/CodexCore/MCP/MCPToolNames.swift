/// The names MCP tools get in front of the model: `server__tool`, as function names must be on
/// every wire — at most 64 characters of `[A-Za-z0-9_-]` (MCP allows dots and 128 characters).
/// Characters outside that set become `_` (as codex-rs does); a name that is too long, or that
/// collides with one already given, keeps its first 51 characters and ends with `_` and 12 hex
/// digits of the SHA-1 of the raw `server__tool`, so it is stable from run to run.
public enum MCPToolNames {
  public static let maxLength = 64
  public static let delimiter = "__"
  static let hashLength = 12

  public static func isAllowed(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
      || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x2D
  }

  /// Each character outside the set (a whole character, however many bytes) becomes `_`.
  public static func sanitize(_ name: String) -> String {
    String(
      name.map { c -> Character in
        c.utf8.count == 1 && c.utf8.allSatisfy(isAllowed) ? c : "_"
      })
  }

  public struct Assignment: Sendable, Equatable {
    public var name: String
    public var server: String
    public var tool: String
  }

  /// Names for each (server, tool) in order; `taken` holds names already in use (built-in
  /// tools). A pair that cannot get a unique name (practically never) is left out.
  public static func assign(_ pairs: [(server: String, tool: String)], taken: Set<String> = [])
    -> [Assignment]
  {
    var used = taken
    var out: [Assignment] = []
    for (server, tool) in pairs {
      let raw = server + delimiter + tool
      var name = sanitize(raw)
      if name.utf8.count > maxLength || used.contains(name) {
        let hash = String(SHA1.hex(raw).prefix(hashLength))
        name = String(name.prefix(maxLength - hashLength - 1)) + "_" + hash
      }
      guard used.insert(name).inserted else { continue }
      out.append(Assignment(name: name, server: server, tool: tool))
    }
    return out
  }
}
