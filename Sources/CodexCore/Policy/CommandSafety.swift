/// Which commands are harmless (read-only) and which always need a human, by looking at what
/// they are, not at what the sandbox would allow. Follows codex-rs's `is_safe_command` list
/// and rules; the danger list is our own.
public enum CommandSafety {
  /// Commands that only read, whatever their arguments.
  static let alwaysSafe: Set<String> = [
    "cat", "cd", "echo", "false", "grep", "head", "ls", "nl", "pwd", "tail", "true", "wc",
    "which", "whoami", "id", "uname", "file", "stat", "tree", "du", "df", "printf", "basename",
    "dirname", "realpath", "readlink", "env", "printenv", "uniq", "cut", "tr", "rev", "seq",
    "expr", "test", "[", "diff", "cmp", "md5sum", "sha1sum", "sha256sum", "egrep", "fgrep",
    "column", "hostname", "nproc", "free", "uptime", "type", "less", "more",
  ]

  /// Whether `argv` only reads. A shell script is safe when each of its commands is.
  public static func isKnownSafe(_ argv: [String]) -> Bool {
    guard let commands = ShellCommandParser.commands(argv) else { return false }
    return commands.allSatisfy { isSafeSimple($0.argv) }
  }

  static func isSafeSimple(_ argv: [String]) -> Bool {
    guard let name = argv.first.map(baseName) else { return false }
    let args = Array(argv.dropFirst())
    if alwaysSafe.contains(name) {
      // `env CMD` runs CMD; `printenv`, `env` alone only print.
      if name == "env" { return args.allSatisfy { $0.hasPrefix("-") } && !args.contains("-S") }
      return true
    }
    switch name {
    case "find":
      let unsafe: Set<String> = [
        "-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf",
      ]
      return !args.contains(where: unsafe.contains)
    case "rg":
      return !args.contains {
        $0 == "--pre" || $0.hasPrefix("--pre=") || $0 == "--hostname-bin" || $0 == "--search-zip"
          || $0 == "-z" || $0.hasPrefix("--hostname-bin=")
      }
    case "sort":
      return !args.contains {
        $0 == "-o" || $0.hasPrefix("--output") || ($0.hasPrefix("-o") && $0.count > 2)
      }
    case "date":
      return !args.contains { $0 == "-s" || $0.hasPrefix("--set") }
    case "sed":
      // Only `sed -n Np` / `sed -n M,Np` (print lines), as codex-rs allows.
      guard args.count >= 2, args[0] == "-n" else { return false }
      let expr = args[1]
      guard expr.hasSuffix("p") else { return false }
      let range = expr.dropLast()
      return !range.isEmpty
        && range.split(separator: ",", omittingEmptySubsequences: false).count <= 2
        && range.split(separator: ",").allSatisfy { $0.allSatisfy(\.isNumber) }
    case "git":
      return isSafeGit(args)
    case "cargo":
      return args.first == "check"
    default:
      return false
    }
  }

  static func isSafeGit(_ args: [String]) -> Bool {
    guard let sub = args.first else { return false }
    let rest = Array(args.dropFirst())
    // Writes a file or runs a program, even under read-only subcommands.
    let writes = rest.contains {
      $0.hasPrefix("--output") || $0 == "--ext-diff" || $0.hasPrefix("--exec")
    }
    switch sub {
    case "status", "log", "diff", "show", "blame", "ls-files", "rev-parse", "describe", "shortlog":
      return !writes
    case "branch":
      // Listing only: any non-flag word would create a branch.
      let modifying: Set<String> = [
        "-d", "-D", "-m", "-M", "-c", "-C", "-f", "--delete", "--move", "--copy", "--force",
        "-u", "--set-upstream-to", "--unset-upstream", "--edit-description",
      ]
      return rest.allSatisfy {
        $0.hasPrefix("-") && !modifying.contains($0) && !$0.hasPrefix("--set-upstream-to")
      }
    default:
      return false
    }
  }

  static func baseName(_ s: String) -> String {
    s.split(separator: "/").last.map(String.init) ?? s
  }

  /// Why `argv` needs a human whatever the policy, or nil. Scripts we cannot analyse are
  /// searched for the same patterns as text.
  public static func dangerReason(_ argv: [String]) -> String? {
    if let commands = ShellCommandParser.commands(argv) {
      for (n, c) in commands.enumerated() {
        if let r = dangerReason(simple: c.argv) { return r }
        if c.pipedFromPrevious, n > 0, let first = c.argv.first.map(baseName),
          ["sh", "bash", "zsh", "dash", "python", "python3", "perl"].contains(first),
          let prev = commands[n - 1].argv.first.map(baseName), ["curl", "wget"].contains(prev)
        {
          return "pipes a downloaded script into \(first)"
        }
      }
      return nil
    }
    let text = ShellCommandParser.shellScript(argv) ?? argv.joined(separator: " ")
    return textualDanger(text)
  }

  static func dangerReason(simple argv: [String]) -> String? {
    guard let name = argv.first.map(baseName) else { return nil }
    let args = Array(argv.dropFirst())
    switch name {
    case "sudo", "doas", "su", "pkexec":
      let inner = args.drop { $0.hasPrefix("-") }
      let innerReason = inner.isEmpty ? nil : dangerReason(simple: Array(inner))
      return innerReason.map { "\(name): \($0), as root" } ?? "\(name) runs the command as root"
    case "rm":
      var recursive = false
      var force = false
      for a in args {
        if a == "--recursive" {
          recursive = true
        } else if a == "--force" {
          force = true
        } else if a.hasPrefix("-"), !a.hasPrefix("--") {
          if a.contains("r") || a.contains("R") { recursive = true }
          if a.contains("f") { force = true }
        }
      }
      if recursive && force { return "rm -rf deletes files recursively without asking" }
      if recursive, args.contains(where: { ["/", "~", "/*", "$HOME", ".."].contains($0) }) {
        return "rm -r on \(args.last ?? "/") deletes a whole tree"
      }
      return nil
    case _ where name.hasPrefix("mkfs"), "fdisk", "sfdisk", "parted", "wipefs":
      return "\(name) rewrites disks or partitions"
    case "dd":
      if args.contains(where: { $0.hasPrefix("of=/dev/") }) { return "dd writes to a raw device" }
      return nil
    case "shutdown", "reboot", "halt", "poweroff":
      return "\(name) stops the machine"
    case "chmod", "chown", "chgrp":
      if args.contains(where: { $0 == "-R" || $0 == "--recursive" }), args.contains("/") {
        return "\(name) -R / changes every file on the system"
      }
      return nil
    case "git":
      guard let sub = args.first else { return nil }
      let rest = args.dropFirst()
      if sub == "push",
        rest.contains(where: { $0 == "-f" || $0.hasPrefix("--force") || ($0.hasPrefix("+")) })
      {
        return "git push --force rewrites the remote's history"
      }
      if sub == "reset", rest.contains("--hard") {
        return "git reset --hard discards uncommitted changes"
      }
      if sub == "clean",
        rest.contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("f") })
          || rest.contains("--force")
      {
        return "git clean -f deletes untracked files"
      }
      return nil
    default:
      return nil
    }
  }

  static func textualDanger(_ text: String) -> String? {
    let t = text.lowercased()
    let patterns: [(String, String)] = [
      ("rm -rf", "rm -rf deletes files recursively without asking"),
      ("rm -fr", "rm -rf deletes files recursively without asking"),
      ("rm -r -f", "rm -rf deletes files recursively without asking"),
      ("rm --recursive --force", "rm -rf deletes files recursively without asking"),
      ("sudo ", "sudo runs the command as root"),
      ("mkfs", "mkfs rewrites disks"),
      ("of=/dev/", "dd writes to a raw device"),
      (":(){", "looks like a fork bomb"),
      ("| sh", "pipes text into a shell"), ("| bash", "pipes text into a shell"),
      ("|sh", "pipes text into a shell"), ("|bash", "pipes text into a shell"),
      ("git push --force", "git push --force rewrites the remote's history"),
      ("git push -f", "git push --force rewrites the remote's history"),
      ("git reset --hard", "git reset --hard discards uncommitted changes"),
    ]
    return patterns.first { t.contains($0.0) }?.1
  }
}
