import Testing

@testable import CodexCore

/// What a model's command must not inherit by default: credentials under every name they go by.
@Suite struct SecretEnvironmentTests {
  static let secrets = [
    "OPENAI_API_KEY", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DB_PASSWORD", "PGPASSWORD",
    "MYSQL_PWD_PASS", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_SHARED_CREDENTIALS_FILE",
    "DOCKER_AUTH_CONFIG", "NPM_AUTH", "npm_config__auth", "SSH_AUTH_SOCK", "Http_Basic_Auth",
    "VAULT_PASSPHRASE", "oauth_client",
  ]
  static let ordinary = [
    "PATH", "HOME", "USER", "SHELL", "LANG", "LC_ALL", "TERM", "EDITOR", "PWD", "TMPDIR",
    "XDG_RUNTIME_DIR", "RUST_LOG", "CARGO_HOME",
  ]

  @Test func defaultExcludesDropCredentialsByAnyOfTheirNames() {
    let env = Dictionary(uniqueKeysWithValues: (Self.secrets + Self.ordinary).map { ($0, "v") })
    let kept = ShellEnvironmentPolicy().apply(to: env)
    #expect(Set(kept.keys) == Set(Self.ordinary))
  }

  @Test func theLoginShellsVariablesAreFilteredTheSameWay() {
    // The shell tool applies the policy to the login environment too; same function, same list.
    let login = ["SSH_AUTH_SOCK": "/run/user/1000/agent", "PATH": "/bin"]
    #expect(ShellEnvironmentPolicy().apply(to: login) == ["PATH": "/bin"])
  }

  @Test func theUserCanStillOptOut() {
    let env = ["SSH_AUTH_SOCK": "/s", "DB_PASSWORD": "p"]
    #expect(ShellEnvironmentPolicy(ignoreDefaultExcludes: true).apply(to: env) == env)
    #expect(
      ShellEnvironmentPolicy(set: ["SSH_AUTH_SOCK": "/s"]).apply(to: env) == ["SSH_AUTH_SOCK": "/s"]
    )
  }
}
