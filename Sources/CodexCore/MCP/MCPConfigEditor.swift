/// `codex mcp add` and `codex mcp remove` on the text of `config.toml`: one table appended or
/// one server's lines taken out, every other byte of the user's file left as it was. Where the
/// lines are comes from the positions the TOML parser records; the result is parsed again
/// before it is returned, so an edit never leaves a file that does not load.
public enum MCPConfigEditor {
  public struct EditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
  }

  /// The `[mcp_servers.NAME]` table for `server`, as `codex mcp add` writes it.
  public static func table(for server: MCPServerConfig) -> String {
    var lines = ["[mcp_servers.\(TOML.render(key: server.name))]"]
    switch server.transport {
    case .stdio(let s):
      lines.append("command = \(TOML.render(.string(s.command)))")
      if !s.args.isEmpty {
        lines.append("args = \(TOML.render(.array(s.args.map { node(.string($0)) })))")
      }
      if !s.env.isEmpty {
        let table = ConfigTable(
          entries: s.env.sorted { $0.key < $1.key }.map {
            .init(key: $0.key, keyPosition: origin, node: node(.string($0.value)))
          })
        lines.append("env = \(TOML.render(.table(table)))")
      }
    case .http(let h):
      lines.append("url = \(TOML.render(.string(h.url)))")
      if let v = h.bearerTokenEnvVar {
        lines.append("bearer_token_env_var = \(TOML.render(.string(v)))")
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static let origin = SourcePosition(line: 0, column: 0)
  static func node(_ v: ConfigValue) -> ConfigNode { ConfigNode(v, at: origin) }

  /// `text` with `server`'s table appended (after one blank line).
  public static func adding(_ server: MCPServerConfig, to text: String) throws -> String {
    let parsed = try parse(text)
    if let existing = servers(in: parsed)?.entry(server.name) {
      throw EditError(
        "an MCP server named '\(server.name)' is already configured (line "
          + "\(existing.keyPosition.line)); remove it first with codex mcp remove \(server.name)")
    }
    var out = text
    if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
    if !out.isEmpty && !out.hasSuffix("\n\n") { out += "\n" }
    out += table(for: server)
    let check: ConfigTable
    do {
      check = try TOML.parse(out)
    } catch {
      throw EditError(
        "cannot append [mcp_servers.\(server.name)] to this file (\(error)); "
          + "add the table by hand")
    }
    guard servers(in: check)?.entry(server.name) != nil else {
      throw EditError("cannot append [mcp_servers.\(server.name)] to this file; add it by hand")
    }
    return out
  }

  /// `text` without the lines that define server `name`.
  public static func removing(_ name: String, from text: String) throws -> String {
    let parsed = try parse(text)
    guard let servers = servers(in: parsed), servers.entry(name) != nil,
      let serversEntry = parsed.entry("mcp_servers")
    else {
      throw EditError("no MCP server named '\(name)' in this file")
    }
    // Split on the byte: "\r\n" is one Character, and the parser counts lines by LF.
    var lines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).map {
      String(decoding: $0, as: UTF8.self)
    }
    if let n = character(at: serversEntry.node.position, in: lines), n == "{" {
      throw EditError(
        "mcp_servers is one inline table (line \(serversEntry.node.position.line)); "
          + "edit it by hand")
    }
    // Every line where a key or a table header starts, with the key's path.
    var starts: [(line: Int, path: [String])] = []
    collect(parsed, [], &starts)
    let target = ["mcp_servers", name]
    func inside(_ path: [String]) -> Bool { path.count >= 2 && Array(path.prefix(2)) == target }
    let ownLines = Set(starts.filter { inside($0.path) }.map(\.line))
    for s in starts where ownLines.contains(s.line) && !inside(s.path) && s.path != ["mcp_servers"]
    {
      throw EditError(
        "line \(s.line) defines '\(s.path.joined(separator: "."))' next to server '\(name)'; "
          + "edit it by hand")
    }
    let otherStarts = starts.filter { !inside($0.path) }.map(\.line).sorted()
    var remove = Set<Int>()
    for line in ownLines {
      let next = otherStarts.first { $0 > line } ?? (lines.count + 1)
      var end = next - 1
      // Comments and blank lines just above the next key or table belong to it.
      while end > line, isBlankOrComment(lines[end - 1]) { end -= 1 }
      // A comment right above (no blank line between) describes what follows it.
      var start = line
      while start > 1, lines[start - 2].trimmingWhitespace().hasPrefix("#") { start -= 1 }
      for l in start...end { remove.insert(l) }
    }
    guard let first = remove.min(), let last = remove.max() else { return text }
    // One blank line left where the table was, not two.
    if first > 1, last < lines.count, lines[first - 2].trimmingWhitespace().isEmpty,
      lines[last].trimmingWhitespace().isEmpty
    {
      remove.insert(last + 1)
    }
    lines = lines.enumerated().filter { !remove.contains($0.offset + 1) }.map(\.element)
    let out = lines.joined(separator: "\n")
    do {
      let check = try TOML.parse(out)
      if self.servers(in: check)?.entry(name) != nil {
        throw EditError("server '\(name)' is defined in more than one place; edit it by hand")
      }
    } catch let e as EditError {
      throw e
    } catch {
      throw EditError("removing '\(name)' would leave invalid TOML (\(error)); edit it by hand")
    }
    return out
  }

  static func parse(_ text: String) throws -> ConfigTable {
    do {
      return try TOML.parse(text)
    } catch {
      throw EditError("the file is not valid TOML: \(error)")
    }
  }

  static func servers(in table: ConfigTable) -> ConfigTable? {
    if case .table(let t)? = table["mcp_servers"]?.value { return t }
    return nil
  }

  static func collect(
    _ table: ConfigTable, _ prefix: [String], _ out: inout [(line: Int, path: [String])]
  ) {
    for e in table.entries {
      let path = prefix + [e.key]
      out.append((e.keyPosition.line, path))
      switch e.node.value {
      case .table(let t):
        out.append((e.node.position.line, path))
        collect(t, path, &out)
      case .array(let items):
        for item in items {
          if case .table(let t) = item.value {
            out.append((item.position.line, path))
            collect(t, path, &out)
          }
        }
      default:
        break
      }
    }
  }

  static func isBlankOrComment(_ line: String) -> Bool {
    let t = line.trimmingWhitespace()
    return t.isEmpty || t.hasPrefix("#")
  }

  static func character(at p: SourcePosition, in lines: [String]) -> Character? {
    guard p.line >= 1, p.line <= lines.count else { return nil }
    let scalars = Array(lines[p.line - 1].unicodeScalars)
    guard p.column >= 1, p.column <= scalars.count else { return nil }
    return Character(scalars[p.column - 1])
  }
}
