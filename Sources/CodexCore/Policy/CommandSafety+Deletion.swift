/// `rm`: when a deletion is dangerous. `rm -rf` always is; `rm -r` is when its target is the
/// home directory, the workspace or anything holding them, a whole writable root, anything
/// outside the writable roots, a `.git` directory, or a path only known at run time. Paths are
/// judged as text (`..` resolved, symlinks not followed); the sandbox does the rest.
extension CommandSafety {
  static func rmDangerReason(_ args: [String], scope: DangerScope) -> String? {
    var recursive = false
    var force = false
    var noPreserveRoot = false
    var computedBeforeDoubleDash = false
    var patternBeforeDoubleDash = false
    var operands: [String] = []
    var optionsEnded = false
    for arg in args {
      if optionsEnded || arg == "-" || !startsWithDash(arg) {
        if !optionsEnded && scope.isComputed(arg) { computedBeforeDoubleDash = true }
        if !optionsEnded && scope.expandsPatterns && mayExpandToOption(arg)
          && arg.allSatisfy({ rmOptionCharacters.contains($0) || "*?[]!".contains($0) })
        {
          // `rm -f *` with a file named `-r` is `rm -f -r ...`.
          patternBeforeDoubleDash = true
        }
        operands.append(arg)
      } else if arg == "--" {
        optionsEnded = true
      } else if arg.hasPrefix("--") {
        // GNU accepts any unambiguous prefix of a long option (`--rec`, `--for`).
        let name = arg.prefix { $0 != "=" }
        if name.count >= 3 && "--recursive".hasPrefix(name) { recursive = true }
        if name.count >= 3 && "--force".hasPrefix(name) { force = true }
        if name.count >= 4 && "--no-preserve-root".hasPrefix(name) { noPreserveRoot = true }
      } else {
        if scope.isComputed(arg) { computedBeforeDoubleDash = true }
        if scope.expandsPatterns && isFileNamePattern(arg) { patternBeforeDoubleDash = true }
        for letter in arg.unicodeScalars.dropFirst() {
          if letter == "r" || letter == "R" { recursive = true }
          if letter == "f" { force = true }
        }
      }
    }
    if noPreserveRoot { return "rm --no-preserve-root can delete the whole filesystem" }
    if recursive && force { return "rm -rf deletes files recursively without asking" }
    if computedBeforeDoubleDash && !scope.speculative {
      // GNU rm reads options anywhere: `rm -f "$x"` with x=-r is `rm -rf`.
      return "rm gets arguments computed when the script runs, which could add -rf; "
        + "write them after --"
    }
    if patternBeforeDoubleDash && !scope.speculative {
      // `rm -f *` with a file named `-r` in the folder is `rm -f -r ...`.
      return "rm gets arguments from a file-name pattern that a file named -rf would match; "
        + "put -- before them"
    }
    guard recursive else { return nil }
    for operand in operands {
      if let what = deletionDanger(operand, scope: scope) {
        return "rm -r \(operand) \(what)"
      }
    }
    return nil
  }

  /// Why deleting `operand` recursively is dangerous (`"deletes your home directory"`), or nil.
  static func deletionDanger(_ operand: String, scope: DangerScope) -> String? {
    if scope.isComputed(operand) {
      return scope.speculative ? nil : "deletes a path only known when the script runs"
    }
    // A pattern in the last component empties its directory (`rm -r *` is the directory's
    // whole content); one that starts with `.` can also match `..` in some shells (dash).
    // Patterns in earlier components stand for some directory below.
    var components = operand.split(separator: "/", omittingEmptySubsequences: false).map(
      String.init)
    while components.count > 1, components.last == "" { components.removeLast() }
    var emptied = false
    var mayReachParent = false
    if let last = components.last, hasPatternCharacter(last) {
      emptied = true
      mayReachParent = last.hasPrefix(".")
      components.removeLast()
      if components.isEmpty {
        components = ["."]
      } else if components == [""] {
        components = ["", ""]  // `/*`: the root
      }
    }
    var path = components.map { hasPatternCharacter($0) ? "_" : $0 }.joined(separator: "/")
    if path.isEmpty { path = operand.hasPrefix("/") ? "/" : "." }
    guard let resolved = scope.context.resolve(path, from: scope.cwd) else {
      return "deletes a path that cannot be known ahead"
    }
    if mayReachParent,
      let reason = pathDanger(Paths.normalize(resolved + "/.."), emptied: true, scope.context)
    {
      return reason
    }
    return pathDanger(resolved, emptied: emptied, scope.context)
  }

  /// Why deleting `path` (or, when `emptied`, everything in it) is dangerous, or nil.
  static func pathDanger(_ path: String, emptied: Bool, _ context: CommandContext) -> String? {
    let what = emptied ? "deletes everything in" : "deletes"
    if path == "/" || systemDirectories.contains(path) {
      return "deletes everything under \(path)"
    }
    if let home = context.home, isSameOrBelow(home, path) {
      return path == home ? "\(what) your home directory" : "\(what) \(path), which holds your home"
    }
    if isSameOrBelow(context.workspace, path) {
      return path == context.workspace
        ? "\(what) the workspace" : "\(what) \(path), which holds the workspace"
    }
    if let root = context.writableRoots.first(where: { isSameOrBelow($0, path) }) {
      return "\(what) \(path), which holds the writable folder \(root)"
    }
    if !context.isInsideWritableRoot(path) {
      return "\(what) \(path), outside the workspace and the writable folders"
    }
    if path.split(separator: "/").contains(".git") {
      return "\(what) a git repository's history (\(path))"
    }
    return nil
  }

  static func hasPatternCharacter(_ text: String) -> Bool {
    text.contains("*") || text.contains("?") || text.contains("[")
  }

  /// The characters of rm's options (`-rf`, `--recursive`, `--no-preserve-root`, ...): a
  /// pattern made of these (and pattern characters) may match a file named like an option.
  static let rmOptionCharacters = Set("-=rRfidvIbecusontalympdh")
}
