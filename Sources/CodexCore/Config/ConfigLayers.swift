/// The merge of every config source into one map of leaf settings, each remembering where it
/// came from. Layers are applied lowest first (file, profile, `-c`, flags), so a later `set`
/// replaces an earlier one and `origin` always names the winner.
public struct ConfigLayers: Sendable {
  public struct Setting: Sendable, Equatable {
    public var node: ConfigNode
    public var origin: ConfigOrigin
  }

  /// Leaves by path; a table with no keys is kept as a leaf so `[model_providers.x]` alone
  /// still defines provider `x`.
  private(set) var settings: [[String]: Setting] = [:]
  /// First-seen order, so listings follow the file.
  private(set) var order: [[String]] = []

  public init() {}

  public mutating func set(_ path: [String], _ setting: Setting) {
    // A scalar replaces a table below the same path and vice versa (`-c a={...}` vs `a.b=1`).
    for p in order where p.count > path.count && Array(p.prefix(path.count)) == path {
      settings[p] = nil
    }
    for n in 1..<max(1, path.count) where settings[Array(path.prefix(n))] != nil {
      settings[Array(path.prefix(n))] = nil
    }
    if settings[path] == nil, !order.contains(path) { order.append(path) }
    settings[path] = setting
  }

  /// Adds every leaf of `table` below `prefix`.
  public mutating func merge(
    _ table: ConfigTable, under prefix: [String] = [], origin: (SourcePosition) -> ConfigOrigin
  ) {
    for e in table.entries {
      let path = prefix + [e.key]
      if case .table(let t) = e.node.value, !t.entries.isEmpty {
        merge(t, under: path, origin: origin)
      } else {
        set(path, Setting(node: e.node, origin: origin(e.keyPosition)))
      }
    }
  }

  public subscript(_ path: String...) -> Setting? { settings[path] }
  public func get(_ path: [String]) -> Setting? { settings[path] }

  /// The distinct keys directly below `prefix`, in first-seen order.
  public func children(of prefix: [String]) -> [String] {
    var out: [String] = []
    for p in order where p.count > prefix.count && Array(p.prefix(prefix.count)) == prefix {
      let k = p[prefix.count]
      if settings[p] != nil, !out.contains(k) { out.append(k) }
    }
    return out
  }

  /// Every live leaf path, in order.
  public var paths: [[String]] { order.filter { settings[$0] != nil } }

  /// All leaves below `prefix`, with paths relative to it.
  public func subtree(_ prefix: [String]) -> [(path: [String], setting: Setting)] {
    paths.compactMap { p in
      guard p.count > prefix.count, Array(p.prefix(prefix.count)) == prefix,
        let s = settings[p]
      else { return nil }
      return (Array(p.dropFirst(prefix.count)), s)
    }
  }

  /// The origin of the first leaf below `prefix` (for errors about a whole table).
  public func origin(of prefix: [String]) -> ConfigOrigin? {
    if let s = settings[prefix] { return s.origin }
    return subtree(prefix).first?.setting.origin
  }
}
