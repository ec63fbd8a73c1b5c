#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Builds the instructions sent with every request: our base prompt, the user's own
/// (`instructions.md`), then the project's `AGENTS.md` files from the git root down to the
/// working directory, as codex-rs does.
public enum Instructions {
  public static let base = """
    You are codex, a coding assistant running in the user's terminal. You work in the user's \
    project folder and can run shell commands with the `shell` tool to read files, make \
    changes and check your work. Commands run under an approval policy and often in a sandbox: \
    if a command is refused or fails with a permission error, explain what you needed and why.

    - Keep going until the task is done, then give a short answer: what you did and anything \
    the user must know. Do not repeat file contents the user can read.
    - Prefer small, safe commands. Read before you change. Quote paths with spaces.
    - To create or change a file, use shell commands (for example `cat > file <<'EOF'`).
    - When you are not sure, ask instead of guessing.
    """

  public static func compose(userInstructions: String?, projectDocs: String?) -> String {
    var parts = [base]
    if let u = userInstructions, !u.isEmpty { parts.append(u) }
    if let p = projectDocs, !p.isEmpty {
      parts.append("The project's AGENTS.md instructions:\n\n" + p)
    }
    return parts.joined(separator: "\n\n")
  }

  /// `AGENTS.md` from the git root (or `cwd` when not in a repository) down to `cwd`, joined,
  /// at most `maxBytes` in all. Unreadable files are skipped.
  public static func projectDocs(cwd: String, maxBytes: Int) -> String? {
    guard maxBytes > 0 else { return nil }
    let fm = FileManager.default
    var dirs: [String] = []
    var dir = Paths.normalize(cwd)
    while true {
      dirs.append(dir)
      if fm.fileExists(atPath: dir + "/.git") || dir == "/" { break }
      dir = Paths.normalize(dir + "/..")
    }
    // Outside a repository only the working directory's own file counts.
    if !fm.fileExists(atPath: (dirs.last ?? "/") + "/.git") { dirs = [Paths.normalize(cwd)] }
    var out: [String] = []
    var budget = maxBytes
    for d in dirs.reversed() {
      let path = (d == "/" ? "" : d) + "/AGENTS.md"
      guard budget > 0, let data = fm.contents(atPath: path) else { continue }
      let bytes = Array(data.prefix(budget))
      budget -= bytes.count
      let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
      if !text.isEmpty { out.append(text) }
    }
    return out.isEmpty ? nil : out.joined(separator: "\n\n")
  }
}
