/// `[shell_environment_policy]`, as in codex-rs: which environment variables a shell command gets.
public struct ShellEnvironmentPolicy: Sendable, Equatable {
  /// The starting set.
  public enum Inherit: String, Sendable, CaseIterable {
    /// The whole environment of codex.
    case all
    /// Only the variables a shell needs to work (`coreVariables`, `LC_*`).
    case core
    /// Nothing.
    case none
  }

  public var inherit: Inherit
  /// Keep the variables `defaultExcludes` drops (credentials, by their names).
  public var ignoreDefaultExcludes: Bool
  /// Glob patterns (`*`, `?`; case-insensitive) of names to drop.
  public var exclude: [String]
  /// Variables to set, after the excludes.
  public var set: [String: String]
  /// When non-empty, only names matching one of these globs survive (applied last).
  public var includeOnly: [String]

  public static let coreVariables: Set<String> = [
    "HOME", "LOGNAME", "PATH", "SHELL", "USER", "USERNAME", "TMPDIR", "TEMP", "TMP", "LANG",
    "LANGUAGE", "TERM",
  ]
  /// codex-rs's `*KEY*`, `*SECRET*`, `*TOKEN*`, and the other names credentials go by:
  /// passwords, credential files, auth tokens, and the SSH agent's socket (which signs as the
  /// user for as long as the command can reach it).
  public static let defaultExcludes = [
    "*KEY*", "*SECRET*", "*TOKEN*", "*PASS*", "*CREDENTIAL*", "*AUTH*", "SSH_AUTH_SOCK",
  ]

  public init(
    inherit: Inherit = .all, ignoreDefaultExcludes: Bool = false, exclude: [String] = [],
    set: [String: String] = [:], includeOnly: [String] = []
  ) {
    self.inherit = inherit
    self.ignoreDefaultExcludes = ignoreDefaultExcludes
    self.exclude = exclude
    self.set = set
    self.includeOnly = includeOnly
  }

  /// The environment for a command, in codex-rs order: inherit, default excludes, `exclude`,
  /// `set`, `include_only`. So `set` can re-add an excluded name, and `include_only` can still
  /// remove a name that `set` added.
  public func apply(to environment: [String: String]) -> [String: String] {
    var result: [String: String]
    switch inherit {
    case .all: result = environment
    case .core:
      result = environment.filter {
        Self.coreVariables.contains($0.key) || $0.key.hasPrefix("LC_")
      }
    case .none: result = [:]
    }
    if !ignoreDefaultExcludes {
      result = result.filter { !Self.matchesAny($0.key, Self.defaultExcludes) }
    }
    if !exclude.isEmpty {
      result = result.filter { !Self.matchesAny($0.key, exclude) }
    }
    for (name, value) in set { result[name] = value }
    if !includeOnly.isEmpty {
      result = result.filter { Self.matchesAny($0.key, includeOnly) }
    }
    return result
  }

  static func matchesAny(_ name: String, _ patterns: [String]) -> Bool {
    patterns.contains { globMatches($0, name) }
  }

  /// Case-insensitive glob: `*` any run (also empty), `?` one character, everything else literal.
  static func globMatches(_ pattern: String, _ name: String) -> Bool {
    let pattern = Array(pattern.uppercased())
    let text = Array(name.uppercased())
    var p = 0
    var t = 0
    var starAt: Int?
    var resumeAt = 0
    while t < text.count {
      if p < pattern.count && (pattern[p] == "?" || pattern[p] == text[t]) {
        p += 1
        t += 1
      } else if p < pattern.count && pattern[p] == "*" {
        starAt = p
        resumeAt = t
        p += 1
      } else if let star = starAt {
        // Let the last `*` swallow one more character and retry.
        p = star + 1
        resumeAt += 1
        t = resumeAt
      } else {
        return false
      }
    }
    while p < pattern.count && pattern[p] == "*" { p += 1 }
    return p == pattern.count
  }
}
