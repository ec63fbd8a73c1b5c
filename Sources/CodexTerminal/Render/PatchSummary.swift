import CodexCore

/// How file changes look in the terminal: one line per file (`M src/a.swift +3 −1`), and a diff
/// with added lines green and removed lines red.
enum PatchSummary {
  static func line(_ change: FileChange, relativeTo directory: String, style: Style) -> String {
    let path = TerminalText.escaped(relative(change.path, to: directory))
    let counts = style.green("+\(change.added)") + " " + style.red("−\(change.removed)")
    switch change.kind {
    case .add: return style.green("A ") + path + " " + counts
    case .delete: return style.red("D ") + path
    case .update:
      if let to = change.movePath {
        return style.yellow("R ") + path + " → " + TerminalText.escaped(relative(to, to: directory))
          + " " + counts
      }
      return style.yellow("M ") + path + " " + counts
    }
  }

  /// `3 files changed, +12 −4`.
  static func total(_ changes: [FileChange]) -> String {
    let added = changes.reduce(0) { $0 + $1.added }
    let removed = changes.reduce(0) { $0 + $1.removed }
    let files = changes.count == 1 ? "1 file" : "\(changes.count) files"
    return "\(files) changed, +\(added) −\(removed)"
  }

  static func coloredDiff(_ diff: String, style: Style, maxLines: Int = 200) -> String {
    var out = ""
    let lines = diff.split(separator: "\n", omittingEmptySubsequences: false)
    for line in lines.prefix(maxLines) {
      // File contents are shown, never obeyed.
      let text = "    " + TerminalText.escaped(String(line))
      if line.hasPrefix("+++") || line.hasPrefix("---") {
        out += style.bold(text)
      } else if line.hasPrefix("+") {
        out += style.green(text)
      } else if line.hasPrefix("-") {
        out += style.red(text)
      } else if line.hasPrefix("@@") {
        out += style.cyan(text)
      } else {
        out += style.dim(text)
      }
      out += "\n"
    }
    if lines.count > maxLines {
      out += style.dim("    … \(lines.count - maxLines) more lines") + "\n"
    }
    return out
  }

  static func relative(_ path: String, to directory: String) -> String {
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }
}
