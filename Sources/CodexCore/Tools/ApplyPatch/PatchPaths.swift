/// Where a patch path points: the absolute path to show, and the real location that the kernel
/// would reach, which is what is read, written and checked against the sandbox.
enum PatchPaths {
  /// `path` made absolute against `directory`, with `.` and `..` removed lexically (never above
  /// `/`). The form shown to the user and the model.
  static func absolute(_ path: String, in directory: String) -> String {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    var components: [Substring] = []
    for component in joined.split(separator: "/", omittingEmptySubsequences: true) {
      switch component {
      case ".": continue
      case "..": _ = components.popLast()
      default: components.append(component)
      }
    }
    return "/" + components.joined(separator: "/")
  }

  /// The real location of an absolute path, resolved the way the kernel walks it: each existing
  /// symlink is replaced by its target, and `..` goes to the parent of the real directory (so
  /// `link/../x` leaves from wherever `link` points). Past the first missing component the rest
  /// is taken lexically. With `followFinal` false a symlink in the last component is kept (the
  /// entry itself is what a delete removes). Nil after more than 40 links (a loop).
  static func realLocation(of absolutePath: String, followFinal: Bool) -> String? {
    var pending = absolutePath.split(separator: "/").map(String.init)
    pending.reverse()  // a stack: the next component is last
    var resolved: [String] = []
    var links = 0
    var exists = true
    while let component = pending.popLast() {
      switch component {
      case ".": continue
      case "..":
        _ = resolved.popLast()
        continue
      default: break
      }
      let candidate = "/" + (resolved + [component]).joined(separator: "/")
      let isFinal = pending.allSatisfy { $0 == "." }
      guard exists, followFinal || !isFinal else {
        resolved.append(component)
        continue
      }
      let entry = try? PatchFileSystem.entry(candidate)
      guard entry == .symlink, let target = PatchFileSystem.readLink(candidate) else {
        if entry == nil { exists = false }
        resolved.append(component)
        continue
      }
      links += 1
      guard links <= 40 else { return nil }
      if target.hasPrefix("/") { resolved = [] }
      pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
    }
    return "/" + resolved.joined(separator: "/")
  }
}
