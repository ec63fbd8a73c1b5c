/// git: which invocations are known-safe, and which are dangerous.
///
/// A repository's own config can make even `git status` run programs (`core.fsmonitor`,
/// hooks, clean filters, textconv and external diff drivers named in `.gitattributes`). So git
/// is known-safe only where that config cannot be the model's: in the workspace itself, whose
/// `.git` the sandbox keeps read-only, without `-C`/`--git-dir`/`--work-tree` and never after
/// a `cd` elsewhere (`cd sub && git diff` would read a nested repository the model may have
/// written). What remains is closed by `CommandHardening` and by `--no-ext-diff --no-textconv`.
extension CommandSafety {
  /// Global options (before the subcommand) that only choose how to read. Left out: `-C`,
  /// `--git-dir`, `--work-tree`, `--bare` (another repository's config), `-c`, `--config-env`
  /// (config that runs programs), `--exec-path`, `-p`/`--paginate`.
  static let gitReadOnlyGlobalFlags: Set<String> = [
    "--no-pager", "-P", "--no-replace-objects", "--literal-pathspecs", "--glob-pathspecs",
    "--noglob-pathspecs", "--icase-pathspecs", "--no-optional-locks",
  ]

  /// `git status` options. Left out: `-v` (shows a diff, through textconv), `--ignore-submodules`
  /// (would look into submodules, whose config may be the model's).
  static let gitStatusOptions = OptionSpec(
    flags: "sbz", optionalValues: "u",
    long: [
      "short", "branch", "show-stash", "long", "ahead-behind", "no-ahead-behind", "renames",
      "no-renames", "null", "no-column",
    ], longOptionalValues: ["porcelain", "untracked-files", "ignored", "column", "find-renames"])

  /// Options of `git log`, `git diff` and `git show` (one list; an option one of them lacks
  /// just fails). Left out: `--output` (writes a file), `--ext-diff`, `--textconv` (run
  /// programs), `--submodule` (diffs inside submodules), `--show-signature`, `-L`.
  static let gitDiffOptions = OptionSpec(
    flags: "pusmcRwbWzatiEFP", values: "nSGO", optionalValues: "UMCB",
    long: [
      "patch", "no-patch", "raw", "patch-with-raw", "patch-with-stat", "numstat", "shortstat",
      "summary", "name-only", "name-status", "check", "full-index", "binary", "cached", "staged",
      "merge-base", "no-index", "exit-code", "quiet", "text", "ignore-space-at-eol",
      "ignore-space-change", "ignore-all-space", "ignore-blank-lines", "ignore-cr-at-eol",
      "function-context", "minimal", "patience", "histogram", "no-renames", "no-prefix",
      "no-color", "no-color-moved", "irreversible-delete", "ita-invisible-in-index",
      "ita-visible-in-index", "no-ext-diff", "no-textconv", "indent-heuristic",
      "no-indent-heuristic", "compact-summary", "pickaxe-all", "pickaxe-regex",
      "find-copies-harder", "no-relative", "follow", "oneline", "all", "graph", "reverse",
      "no-merges", "merges", "first-parent", "topo-order", "date-order", "author-date-order",
      "abbrev-commit", "no-abbrev-commit", "no-decorate", "left-right", "cherry-pick",
      "cherry-mark", "cherry", "boundary", "source", "use-mailmap", "no-use-mailmap", "mailmap",
      "no-mailmap", "full-history", "simplify-merges", "simplify-by-decoration", "dense",
      "sparse", "show-pulls", "regexp-ignore-case", "extended-regexp", "fixed-strings",
      "perl-regexp", "basic-regexp", "all-match", "invert-grep", "do-walk", "relative-date",
      "parents", "children", "no-notes", "log-size", "no-expand-tabs", "walk-reflogs",
      "single-worktree", "not", "remerge-diff", "cc", "combined-all-paths", "stdin",
    ],
    longValues: [
      "max-count", "skip", "since", "after", "until", "before", "author", "committer", "grep",
      "grep-reflog", "diff-filter",
    ],
    longOptionalValues: [
      "format", "pretty", "date", "min-parents", "max-parents", "decorate", "color", "stat",
      "relative", "abbrev", "word-diff", "word-diff-regex", "color-words", "dirstat", "unified",
      "find-renames", "find-copies",
      "break-rewrites", "src-prefix", "dst-prefix", "line-prefix", "inter-hunk-context",
      "color-moved", "color-moved-ws", "branches", "tags", "remotes", "glob", "exclude",
      "no-walk", "expand-tabs", "notes", "show-linear-break", "stat-width", "stat-name-width",
      "stat-count", "stat-graph-width", "encoding", "anchored", "diff-merges",
      "output-indicator-new", "output-indicator-old", "output-indicator-context",
      "ws-error-highlight", "decorate-refs", "decorate-refs-exclude",
    ], numericOption: true)

  static func gitSafeVerdict(
    _ args: ArraySlice<CommandWord>, cwd: String?, context: CommandContext
  ) -> SafeVerdict? {
    guard cwd == context.workspace else { return nil }
    var index = args.startIndex
    while index < args.endIndex, args[index].globPrefix == nil,
      gitReadOnlyGlobalFlags.contains(args[index].text)
    {
      index += 1
    }
    guard index < args.endIndex, args[index].globPrefix == nil,
      !startsWithDash(args[index].text)
    else { return nil }
    let subcommandArgs = args[(index + 1)...]
    switch args[index].text {
    case "status":
      return gitStatusOptions.operands(subcommandArgs) == nil ? nil : SafeVerdict()
    case "log", "diff", "show":
      return gitDiffOptions.operands(subcommandArgs) == nil ? nil : SafeVerdict(hardenAfter: index)
    case "branch":
      return isReadOnlyGitBranch(subcommandArgs) ? SafeVerdict() : nil
    default:
      return nil
    }
  }

  /// `git branch` lists only with no arguments or listing flags; a name creates, renames or
  /// deletes a branch.
  static func isReadOnlyGitBranch(_ args: ArraySlice<CommandWord>) -> Bool {
    let listingFlags: Set<String> = [
      "--list", "-l", "--show-current", "-a", "--all", "-r", "--remotes", "-v", "-vv",
      "--verbose", "--no-color",
    ]
    return args.allSatisfy {
      $0.globPrefix == nil && (listingFlags.contains($0.text) || $0.text.hasPrefix("--format="))
    }
  }

  // MARK: danger

  /// Config keys that `git -c` may set without that being dangerous: identity, colours and
  /// formatting. Any other key may run a program (aliases, pagers, hooks, filters, helpers,
  /// ssh commands) or change what a command does, so it needs a human.
  static let harmlessGitConfigKeys: Set<String> = [
    "user.name", "user.email", "author.name", "author.email", "committer.name",
    "committer.email", "init.defaultbranch", "core.quotepath", "core.autocrlf", "core.safecrlf",
    "core.eol", "core.filemode", "core.ignorecase", "core.abbrev", "pull.rebase", "pull.ff",
    "push.default", "push.autosetupremote", "fetch.prune", "merge.conflictstyle",
    "rebase.autosquash", "rebase.autostash", "diff.renames", "diff.algorithm", "diff.noprefix",
    "diff.mnemonicprefix", "diff.context", "log.date", "log.decorate", "log.abbrevcommit",
    "status.short", "status.branch", "status.showuntrackedfiles", "commit.gpgsign",
    "tag.gpgsign", "gc.auto", "maintenance.auto", "protocol.version",
  ]
  static let harmlessGitConfigSections: Set<String> = ["color", "advice", "column", "i18n"]

  /// Why `git -c ASSIGNMENT` (or `--config-env`) is dangerous, or nil for a harmless key.
  static func gitConfigDangerReason(_ assignment: String) -> String? {
    let key = String(assignment.prefix { $0 != "=" }).lowercased()
    let section = String(key.prefix { $0 != "." })
    if harmlessGitConfigKeys.contains(key) || harmlessGitConfigSections.contains(section) {
      return nil
    }
    return "git -c \(key) changes what git runs (aliases, pagers, hooks, filters and helpers "
      + "can run any program)"
  }

  static func gitDangerReason(_ args: ArraySlice<String>, scope: DangerScope) -> String? {
    // Global options: unknown flags are assumed to take no value, so a value option we do not
    // know could hide the subcommand, but only behind a flag git rejects.
    var index = args.startIndex
    while index < args.endIndex, startsWithDash(args[index]) {
      let arg = args[index]
      index += 1
      if arg == "-c" || arg == "--config-env" {
        guard index < args.endIndex else { return nil }
        if let reason = gitConfigDangerReason(args[index]) { return reason }
        index += 1
      } else if arg.hasPrefix("--config-env=") || (arg.hasPrefix("-c") && !arg.hasPrefix("--")) {
        let assignment =
          arg.hasPrefix("-c")
          ? String(arg.dropFirst(2)) : String(arg.drop { $0 != "=" }.dropFirst())
        if let reason = gitConfigDangerReason(assignment) { return reason }
      } else if arg.hasPrefix("--exec-path=") {
        return "git --exec-path makes git run its commands from another directory"
      } else if ["-C", "--git-dir", "--work-tree", "--namespace", "--super-prefix"].contains(arg) {
        index += 1
      }
    }
    guard index < args.endIndex else { return nil }
    let subcommand = args[index]
    let rest = Array(args[(index + 1)...])
    if scope.isComputed(subcommand) && !scope.speculative {
      return "git runs a subcommand computed when the script runs"
    }
    let computed = !scope.speculative && rest.contains(where: scope.isComputed)
    switch subcommand {
    case "push":
      if computed {
        return "git push gets arguments computed when the script runs, which could force-push "
          + "or delete"
      }
      return gitPushDangerReason(rest)
    case "reset":
      if computed { return "git reset gets arguments computed when the script runs" }
      return rest.contains(where: { isLongOption($0, prefixOf: "--hard", minimumLength: 3) })
        ? "git reset --hard throws away uncommitted changes" : nil
    case "clean":
      let dryRun = rest.contains {
        $0 == "--dry-run" || shortCluster($0, contains: "n", valueOptions: ["e"])
      }
      return dryRun ? nil : "git clean deletes untracked files"
    case "branch":
      if computed { return "git branch gets arguments computed when the script runs" }
      return gitBranchDangerReason(rest)
    case "fetch", "pull", "clone", "ls-remote", "archive", "submodule", "init":
      return gitProgramOptionDangerReason(subcommand: subcommand, rest, scope: scope)
    case "rebase":
      return gitRebaseDangerReason(rest, scope: scope)
    case "bisect":
      guard rest.first == "run", rest.count > 1 else { return nil }
      return dangerReason(Array(rest.dropFirst()), scope: scope.nested())
    default:
      return nil
    }
  }

  /// `--name` or an abbreviation of it at least `minimumLength` characters long, with or
  /// without `=value`: git, like GNU getopt, takes any unambiguous prefix (`--har`, `--del`).
  static func isLongOption(_ arg: String, prefixOf option: String, minimumLength: Int) -> Bool {
    guard arg.hasPrefix("--") else { return false }
    let name = arg.prefix { $0 != "=" }
    return name.count >= minimumLength && option.hasPrefix(name)
  }

  static func gitPushDangerReason(_ args: [String]) -> String? {
    let forcing = ["--force", "--force-with-lease", "--force-if-includes", "--mirror"]
    let deleting = ["--delete", "--prune"]
    for arg in args {
      if forcing.contains(where: { isLongOption(arg, prefixOf: $0, minimumLength: 3) })
        || shortCluster(arg, contains: "f", valueOptions: ["o"])
        || (arg.hasPrefix("+") && arg.count > 1)
      {
        return "git push --force overwrites history on the remote"
      }
      if deleting.contains(where: { isLongOption(arg, prefixOf: $0, minimumLength: 3) })
        || shortCluster(arg, contains: "d", valueOptions: ["o"])
        || (arg.hasPrefix(":") && arg.count > 1)
      {
        return "git push --delete deletes branches on the remote"
      }
      if ["--receive-pack", "--exec"].contains(where: {
        isLongOption(arg, prefixOf: $0, minimumLength: 4)
      }) {
        return "git push --receive-pack runs a program of the caller's choosing"
      }
    }
    return nil
  }

  static func gitBranchDangerReason(_ args: [String]) -> String? {
    let valueLetters: Set<Character> = ["u", "t"]
    let deletes = args.contains {
      isLongOption($0, prefixOf: "--delete", minimumLength: 3)
        || shortCluster($0, contains: "d", valueOptions: valueLetters)
    }
    let forces = args.contains {
      isLongOption($0, prefixOf: "--force", minimumLength: 3)
        || shortCluster($0, contains: "f", valueOptions: valueLetters)
    }
    let forceDeletes = args.contains { shortCluster($0, contains: "D", valueOptions: valueLetters) }
    return forceDeletes || (deletes && forces)
      ? "git branch -D deletes a branch even if it is not merged" : nil
  }

  /// Options that name a program for git to run (`fetch --upload-pack=CMD`, `clone -u CMD`,
  /// `archive --exec`), config for a new repository, and hook templates.
  static func gitProgramOptionDangerReason(
    subcommand: String, _ args: [String], scope: DangerScope
  ) -> String? {
    if subcommand == "submodule", let foreach = args.firstIndex(of: "foreach") {
      let command = args[(foreach + 1)...].filter {
        !["--recursive", "-q", "--quiet"].contains($0)
      }
      return scriptDangerReason(command.joined(separator: " "), scope: scope.nested())
    }
    var index = 0
    while index < args.count {
      let arg = args[index]
      index += 1
      if ["--upload-pack", "--exec"].contains(where: {
        isLongOption(arg, prefixOf: $0, minimumLength: 4)
      })
        || (subcommand == "clone" && arg == "-u")
      {
        return "git \(subcommand) \(arg) runs a program of the caller's choosing"
      }
      if isLongOption(arg, prefixOf: "--template", minimumLength: 4) {
        return "git \(subcommand) --template installs hooks that run programs later"
      }
      if subcommand == "clone"
        && (arg == "-c" || isLongOption(arg, prefixOf: "--config", minimumLength: 4))
      {
        let assignment =
          arg.contains("=")
          ? String(arg.drop { $0 != "=" }.dropFirst()) : (index < args.count ? args[index] : "")
        if let reason = gitConfigDangerReason(assignment) { return reason }
      }
    }
    return nil
  }

  /// `git rebase -x CMD` / `--exec CMD` runs CMD after each commit.
  static func gitRebaseDangerReason(_ args: [String], scope: DangerScope) -> String? {
    var index = 0
    while index < args.count {
      let arg = args[index]
      index += 1
      var command: String? = nil
      if arg == "-x" || arg == "--exec" {
        command = index < args.count ? args[index] : nil
      } else if arg.hasPrefix("--exec=") {
        command = String(arg.dropFirst("--exec=".count))
      } else if arg.hasPrefix("-x") && !arg.hasPrefix("--") {
        command = String(arg.dropFirst(2))
      }
      if let command, let reason = scriptDangerReason(command, scope: scope.nested()) {
        return reason
      }
    }
    return nil
  }
}
