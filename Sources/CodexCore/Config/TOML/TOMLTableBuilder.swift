/// One key of a (possibly dotted) TOML key, with where it is written.
struct TOMLKeyPart {
  var name: String
  var position: SourcePosition
}

/// A table while the document is being read. TOML's redefinition rules depend on *how* a table
/// came to exist (a `[header]`, a dotted key, or implicitly as the parent of a header), which the
/// finished `ConfigTable` does not record, so the parser builds these and converts at the end.
/// A reference type because headers reopen tables deep in the tree.
final class TOMLTableBuilder {
  enum Origin {
    /// The document itself.
    case root
    /// Created as a parent of a header (`a` for `[a.b]`); a later `[a]` may still define it.
    case implicit
    /// Defined by a `[header]`, or an element of an array of tables.
    case header
    /// Created by a dotted key (`a.b = 1` creates `a`); only more dotted keys may extend it.
    case dotted
    /// The top of an inline table while it is being read.
    case inline
  }

  enum Item {
    /// A plain value: immutable afterwards, including inline tables and static arrays.
    case value(ConfigNode)
    case table(TOMLTableBuilder)
    case arrayOfTables(TOMLArrayOfTablesBuilder)
  }

  struct Entry {
    var key: String
    var keyPosition: SourcePosition
    var item: Item
  }

  var origin: Origin
  var position: SourcePosition
  /// The names from the document root, for messages; empty for an inline table's top.
  let path: [String]
  /// How many tables deep this one is; capped so building and comparing trees cannot overflow
  /// the stack on hostile input.
  let depth: Int
  private(set) var entries: [Entry] = []
  private var indexByKey: [String: Int] = [:]

  init(origin: Origin, position: SourcePosition, depth: Int, path: [String] = []) {
    self.origin = origin
    self.position = position
    self.depth = depth
    self.path = path
  }

  // MARK: - Headers

  /// Finds or creates the table a `[a.b]` or `[[a.b]]` header names and returns the table that
  /// the following key/value lines go into.
  func openTable(
    _ key: [TOMLKeyPart], isArray: Bool, headerPosition: SourcePosition, maxDepth: Int
  ) throws(ConfigSyntaxError) -> TOMLTableBuilder {
    var table = self
    for (index, part) in key.enumerated() {
      let isLast = index == key.count - 1
      let path = Self.display(key[...index])
      guard let existing = table.lookup(part.name) else {
        let child = try table.makeChild(part, maxDepth: maxDepth) { depth, path in
          if isLast && isArray {
            let element = TOMLTableBuilder(
              origin: .header, position: headerPosition, depth: depth, path: path)
            return .arrayOfTables(
              TOMLArrayOfTablesBuilder(tables: [element], position: headerPosition))
          }
          return .table(
            TOMLTableBuilder(
              origin: isLast ? .header : .implicit, position: headerPosition, depth: depth,
              path: path))
        }
        switch child {
        case .table(let created): table = created
        case .arrayOfTables(let created): table = created.tables[created.tables.count - 1]
        case .value: break
        }
        continue
      }
      switch existing.item {
      case .value(let node):
        if case .table = node.value {
          throw ConfigSyntaxError(
            "cannot extend inline table '\(path)' (defined at \(existing.keyPosition)); "
              + "an inline table must be complete where it is written",
            at: part.position)
        }
        throw ConfigSyntaxError(
          "cannot use '\(path)' as a table: it is already \(node.value.typeName) "
            + "(defined at \(existing.keyPosition))",
          at: part.position)
      case .table(let child):
        guard isLast else {
          table = child
          continue
        }
        if isArray {
          throw ConfigSyntaxError(
            "cannot define array of tables [[\(path)]]: '\(path)' is already a table "
              + "(defined at \(child.position))",
            at: part.position)
        }
        switch child.origin {
        case .implicit:
          // `[a.b]` then `[a]`: the first header only implied `a`, so this defines it.
          child.origin = .header
          child.position = headerPosition
          table.setKeyPosition(part.position, for: part.name)
          return child
        case .dotted:
          throw ConfigSyntaxError(
            "table '\(path)' is already defined by dotted keys at \(existing.keyPosition)",
            at: part.position)
        case .header, .root, .inline:
          throw ConfigSyntaxError(
            "table [\(path)] is already defined at \(child.position)", at: part.position)
        }
      case .arrayOfTables(let array):
        if isLast {
          guard isArray else {
            throw ConfigSyntaxError(
              "cannot define table [\(path)]: '\(path)' is an array of tables "
                + "(defined at \(array.position)); use [[\(path)]] to add an element",
              at: part.position)
          }
          let element = TOMLTableBuilder(
            origin: .header, position: headerPosition, depth: table.depth + 1,
            path: table.path + [part.name])
          array.tables.append(element)
          return element
        }
        // `[a.b]` after `[[a]]` reaches into the most recent element.
        table = array.tables[array.tables.count - 1]
      }
    }
    return table
  }

  // MARK: - Key/value lines

  /// Adds `key = value`, creating the tables a dotted key implies.
  func insert(
    _ key: [TOMLKeyPart], value: ConfigNode, maxDepth: Int
  ) throws(ConfigSyntaxError) {
    var table = self
    for (index, part) in key.dropLast().enumerated() {
      let path = Self.display(key[...index])
      guard let existing = table.lookup(part.name) else {
        let child = try table.makeChild(part, maxDepth: maxDepth) { depth, path in
          .table(
            TOMLTableBuilder(origin: .dotted, position: part.position, depth: depth, path: path))
        }
        if case .table(let created) = child { table = created }
        continue
      }
      switch existing.item {
      case .value(let node):
        if case .table = node.value {
          throw ConfigSyntaxError(
            "cannot add '\(Self.display(key[...]))' to inline table '\(path)' "
              + "(defined at \(existing.keyPosition)); an inline table must be complete where "
              + "it is written",
            at: part.position)
        }
        throw ConfigSyntaxError(
          "cannot use '\(path)' as a table: it is already \(node.value.typeName) "
            + "(defined at \(existing.keyPosition))",
          at: part.position)
      case .table(let child):
        switch child.origin {
        case .dotted:
          table = child
        case .implicit:
          // Only implied by a deeper header so far; dotted keys now define it, and a later
          // `[header]` for it would be a redefinition.
          child.origin = .dotted
          table = child
        case .header, .root, .inline:
          let header = Self.display(child.path)
          throw ConfigSyntaxError(
            "cannot add keys to table [\(header)] (defined at \(child.position)) with dotted "
              + "keys; put them under its [\(header)] header",
            at: part.position)
        }
      case .arrayOfTables(let array):
        let header = Self.display(table.path + [part.name])
        throw ConfigSyntaxError(
          "cannot add keys to array of tables [[\(header)]] (defined at \(array.position)) "
            + "with dotted keys",
          at: part.position)
      }
    }
    guard let last = key.last else { return }
    if let existing = table.lookup(last.name) {
      throw ConfigSyntaxError(
        "duplicate key '\(Self.display(key[...]))' (first defined at \(existing.keyPosition))",
        at: last.position)
    }
    table.append(Entry(key: last.name, keyPosition: last.position, item: .value(value)))
  }

  // MARK: - Result

  /// The finished tree. Recursion depth is bounded by `maxDepth`, which the parser enforces.
  func build() -> ConfigTable {
    ConfigTable(
      entries: entries.map { entry in
        let node: ConfigNode
        switch entry.item {
        case .value(let value):
          node = value
        case .table(let table):
          node = ConfigNode(.table(table.build()), at: table.position)
        case .arrayOfTables(let array):
          node = ConfigNode(
            .array(array.tables.map { ConfigNode(.table($0.build()), at: $0.position) }),
            at: array.position)
        }
        return ConfigTable.Entry(key: entry.key, keyPosition: entry.keyPosition, node: node)
      })
  }

  /// A key as TOML would write it: `a."b c".d`.
  static func display(_ key: ArraySlice<TOMLKeyPart>) -> String {
    display(key.map(\.name))
  }

  static func display(_ names: [String]) -> String {
    names.map { TOML.render(key: $0) }.joined(separator: ".")
  }

  // MARK: - Storage

  private func lookup(_ key: String) -> Entry? {
    guard let index = indexByKey[key] else { return nil }
    return entries[index]
  }

  private func append(_ entry: Entry) {
    indexByKey[entry.key] = entries.count
    entries.append(entry)
  }

  private func setKeyPosition(_ position: SourcePosition, for key: String) {
    if let index = indexByKey[key] { entries[index].keyPosition = position }
  }

  private func makeChild(
    _ part: TOMLKeyPart, maxDepth: Int, _ make: (_ depth: Int, _ path: [String]) -> Item
  ) throws(ConfigSyntaxError) -> Item {
    guard depth < maxDepth else {
      throw ConfigSyntaxError(
        "tables are nested too deeply (more than \(maxDepth) levels)", at: part.position)
    }
    let item = make(depth + 1, path + [part.name])
    append(Entry(key: part.name, keyPosition: part.position, item: item))
    return item
  }
}

/// An array of tables (`[[name]]`) while the document is being read; each header appends one.
final class TOMLArrayOfTablesBuilder {
  var tables: [TOMLTableBuilder]
  let position: SourcePosition

  init(tables: [TOMLTableBuilder], position: SourcePosition) {
    self.tables = tables
    self.position = position
  }
}
