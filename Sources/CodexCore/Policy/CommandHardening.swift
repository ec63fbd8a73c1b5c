/// How a known-safe command runs, so that it stays read-only whatever the repository, the
/// workspace or the user's environment contains. The argv side (`--no-ext-diff --no-textconv`
/// for git's diff commands) comes from `CommandSafety.knownSafeCommand`; this is the
/// environment side. Applied only to commands that run because they are known-safe: an
/// approved command runs as the user wrote it.
public enum CommandHardening {
  /// Config forced on every git process of the command (also on the ones git starts for
  /// submodules), through `GIT_CONFIG_COUNT`, which outranks the repository's own config:
  /// - `core.fsmonitor`, `core.hooksPath`: programs git runs on `status`/`diff`
  ///   (`post-index-change` fires when status refreshes the index).
  /// - `core.pager`: only used on a terminal, which commands never have, but cheap to pin.
  /// - `safe.bareRepository=explicit`: a bare repository committed into the workspace is not
  ///   picked up by a `git log` run inside it.
  /// - `diff.ignoreSubmodules=dirty`, `diff.submodule=short`, `status.submoduleSummary`:
  ///   no git runs inside submodules, whose config the sandbox does not protect.
  /// - `gpg.*program`: `log.showSignature` or a `%G?` format in the repository's config would
  ///   run the program named there; this pins git's defaults.
  /// - `protocol.*`: no fetch of missing objects (a partial clone's promisor remote can name
  ///   an upload-pack command); `GIT_NO_LAZY_FETCH` says the same to newer git.
  /// `diff.external` is not listed: set empty, git tries to run "" and fails;
  /// `--no-ext-diff` covers it.
  static let gitConfig: [(key: String, value: String)] = [
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.pager", "cat"),
    ("safe.bareRepository", "explicit"),
    ("diff.ignoreSubmodules", "dirty"),
    ("diff.submodule", "short"),
    ("status.submoduleSummary", "false"),
    ("gpg.program", "gpg"),
    ("gpg.ssh.program", "ssh-keygen"),
    ("gpg.x509.program", "gpgsm"),
    ("protocol.allow", "never"),
    ("protocol.file.allow", "never"),
    ("protocol.ext.allow", "never"),
    ("protocol.fd.allow", "never"),
    ("protocol.git.allow", "never"),
    ("protocol.ssh.allow", "never"),
    ("protocol.http.allow", "never"),
    ("protocol.https.allow", "never"),
  ]

  /// Variables that make a read-only command run something else first or instead: `BASH_ENV`
  /// and `ENV` are sourced by `bash -c`/`sh`, `RIPGREP_CONFIG_PATH` can add `--pre`,
  /// `LD_PRELOAD`/`LD_AUDIT` load libraries into every program.
  static let removedVariables: Set<String> = [
    "BASH_ENV", "ENV", "RIPGREP_CONFIG_PATH", "LD_PRELOAD", "LD_AUDIT",
  ]

  /// `environment` as a known-safe command gets it: no `GIT_*` variables of the user's (one
  /// could name another repository, a pager or an external diff), the git config above (and
  /// no global git config when HOME is writable), no pager, and search paths (`PATH`,
  /// `LD_LIBRARY_PATH`) without entries the model could have written to: relative ones, and
  /// those inside the writable roots (a `node_modules/.bin` or `.venv/bin` on PATH would let a
  /// planted `ls` run in place of the real one).
  public static func environment(
    _ environment: [String: String], context: CommandContext
  ) -> [String: String] {
    var out = environment.filter { !$0.key.hasPrefix("GIT_") && !removedVariables.contains($0.key) }
    out["GIT_CONFIG_COUNT"] = String(gitConfig.count)
    for (index, entry) in gitConfig.enumerated() {
      out["GIT_CONFIG_KEY_\(index)"] = entry.key
      out["GIT_CONFIG_VALUE_\(index)"] = entry.value
    }
    out["GIT_OPTIONAL_LOCKS"] = "0"
    out["GIT_NO_LAZY_FETCH"] = "1"
    out["GIT_TERMINAL_PROMPT"] = "0"
    out["GIT_PAGER"] = "cat"
    out["PAGER"] = "cat"
    // With HOME writable (codex run in ~, or a temporary HOME), ~/.gitconfig may be the
    // model's: it could name filters or an attributes file. The system config stays.
    if let home = context.home, context.isInsideWritableRoot(home) {
      out["GIT_CONFIG_GLOBAL"] = "/dev/null"
    }
    if let path = environment["PATH"] {
      let kept = trustedSearchPath(path, context: context)
      out["PATH"] = kept.isEmpty ? "/usr/bin:/bin" : kept
    }
    if let libraries = environment["LD_LIBRARY_PATH"] {
      let kept = trustedSearchPath(libraries, context: context)
      out["LD_LIBRARY_PATH"] = kept.isEmpty ? nil : kept
    }
    return out
  }

  /// A colon-separated search path without empty, relative or writable entries.
  static func trustedSearchPath(_ value: String, context: CommandContext) -> String {
    value.split(separator: ":", omittingEmptySubsequences: false)
      .map(String.init)
      .filter { $0.hasPrefix("/") && !context.isInsideWritableRoot(Paths.normalize($0)) }
      .joined(separator: ":")
  }
}
