import Testing

@testable import CodexCore

@Suite("ShellEnvironmentPolicy")
struct ShellEnvironmentPolicyTests {
  static let environment = [
    "PATH": "/usr/bin", "HOME": "/home/u", "USER": "u", "LANG": "C.UTF-8", "LC_ALL": "C",
    "TERM": "xterm", "TMPDIR": "/tmp", "OPENAI_API_KEY": "sk-1", "GITHUB_TOKEN": "t",
    "aws_secret_access_key": "s", "MonkeyBusiness": "m", "EDITOR": "vi", "RUST_LOG": "debug",
    "RUSTFLAGS": "-O",
  ]

  static let cases: [(name: String, policy: ShellEnvironmentPolicy, expected: Set<String>)] = [
    (
      "default: everything but KEY/SECRET/TOKEN names (case-insensitive, anywhere in the name)",
      ShellEnvironmentPolicy(),
      [
        "PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR", "EDITOR", "RUST_LOG",
        "RUSTFLAGS",
      ]
    ),
    (
      "ignore_default_excludes keeps secrets",
      ShellEnvironmentPolicy(ignoreDefaultExcludes: true), Set(environment.keys)
    ),
    (
      "core keeps the shell basics only",
      ShellEnvironmentPolicy(inherit: .core),
      ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TERM", "TMPDIR"]
    ),
    ("none starts empty", ShellEnvironmentPolicy(inherit: .none), []),
    (
      "exclude globs are case-insensitive",
      ShellEnvironmentPolicy(exclude: ["rust*", "?ERM"]),
      ["PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "EDITOR"]
    ),
    (
      "set comes after the excludes",
      ShellEnvironmentPolicy(
        inherit: .none, exclude: ["*"], set: ["MY_TOKEN": "x", "CI": "1"]),
      ["MY_TOKEN", "CI"]
    ),
    (
      "include_only comes last, also filtering what set added",
      ShellEnvironmentPolicy(set: ["CI": "1", "PATHX": "y"], includeOnly: ["PATH*", "home"]),
      ["PATH", "PATHX", "HOME"]
    ),
  ]

  @Test("applies inherit, default excludes, exclude, set, include_only in order", arguments: cases)
  func apply(_ example: (name: String, policy: ShellEnvironmentPolicy, expected: Set<String>)) {
    let result = example.policy.apply(to: Self.environment)
    #expect(Set(result.keys) == example.expected, "\(example.name)")
    for (key, value) in result {
      #expect(value == example.policy.set[key] ?? Self.environment[key], "\(key)")
    }
  }

  @Test("set overrides an inherited value")
  func setOverrides() {
    let policy = ShellEnvironmentPolicy(set: ["PATH": "/opt/bin"])
    #expect(policy.apply(to: ["PATH": "/usr/bin"]) == ["PATH": "/opt/bin"])
  }

  @Test(
    "glob matching",
    arguments: [
      ("*KEY*", "OPENAI_API_KEY", true), ("*KEY*", "monkey", true), ("*KEY*", "KE_Y", false),
      ("A?C", "abc", true), ("A?C", "ac", false), ("*", "", true), ("", "", true),
      ("", "A", false), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
      ("PATH", "PATH2", false), ("**x", "x", true), ("*.*", "a.b", true),
    ])
  func glob(_ pattern: String, _ name: String, _ matches: Bool) {
    #expect(ShellEnvironmentPolicy.globMatches(pattern, name) == matches)
  }
}
