import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The completion scripts, loaded into the real shells (bash, zsh, fish; `scripts/test` installs
/// them) with the built binary on PATH, asked what Tab offers.
@Suite struct CompletionTests {
  /// Runs `script` with `shell -c`, the built codex first on PATH, CODEX_HOME in `scratch`.
  func shell(_ shell: String, _ script: String, _ scratch: Scratch) async throws -> [String] {
    let path = "/usr/bin/" + shell
    guard FileManager.default.isExecutableFile(atPath: path) else {
      Issue.record("\(path) is missing: run scripts/test, which installs it")
      return []
    }
    let binary = try requireCodexBinary()
    let directory = String(binary[..<(binary.lastIndex(of: "/") ?? binary.endIndex)])
    let result = try await ProcessRunner.run(
      ProcessSpec(
        executable: path, arguments: ["-c", script], workingDirectory: scratch.work,
        environment: [
          "PATH": directory + ":/usr/local/bin:/usr/bin:/bin", "HOME": scratch.home,
          "CODEX_HOME": scratch.codexHome, "TERM": "dumb",
        ], timeout: .seconds(60)))
    #expect(result.exitCode == 0, "\(shell): \(result.stderrText)")
    return result.stdoutText.split(separator: "\n").map {
      String($0.prefix { $0 != "\t" })
    }
  }

  func bashLike(_ words: [String]) -> String {
    let quoted = words.map { "'\($0)'" }.joined(separator: " ")
    return "COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1); _codex; "
      + "printf '%s\\n' \"${COMPREPLY[@]}\""
  }

  func configuredScratch() throws -> Scratch {
    let scratch = try Scratch()
    try scratch.write(
      "home/.codex/config.toml",
      """
      [model_providers.mybox]
      base_url = "http://127.0.0.1:1/v1"
      [profiles.fast]
      model = "m"
      [profiles.careful]
      approval_policy = "untrusted"
      """)
    return scratch
  }

  @Test func bash() async throws {
    let scratch = try configuredScratch()
    defer { scratch.cleanUp() }
    do {
      let load = "source <(codex completion bash); "
      #expect(
        try await shell("bash", load + bashLike(["codex", "config", "s"]), scratch) == ["show"])
      #expect(
        try await shell("bash", load + bashLike(["codex", "-a", "on-"]), scratch)
          == ["on-failure", "on-request"])
      #expect(
        try await shell("bash", load + bashLike(["codex", "--provider", "my"]), scratch) == [
          "mybox"
        ])
      #expect(
        try await shell("bash", load + bashLike(["codex", "exec", "-p", ""]), scratch).sorted()
          == ["careful", "fast"])
      // Options follow the command: serve's flags are not offered to `config path`.
      #expect(
        try await shell("bash", load + bashLike(["codex", "config", "path", "--"]), scratch)
          == ["--help", "--version"])
      #expect(
        try await shell("bash", load + bashLike(["codex", "completion", "z"]), scratch) == ["zsh"])
    }
  }

  @Test func zsh() async throws {
    let scratch = try configuredScratch()
    defer { scratch.cleanUp() }
    do {
      let load = "source <(codex completion zsh); setopt ksharrays; "
      let words = bashLike(["codex", "config", "s"]).replacing(
        "printf '%s\\n' \"${COMPREPLY[@]}\"", with: "print -l $COMPREPLY")
      #expect(try await shell("zsh", load + words, scratch) == ["show"])
    }
  }

  @Test func fish() async throws {
    let scratch = try configuredScratch()
    defer { scratch.cleanUp() }
    do {
      let load = "codex completion fish | source; "
      #expect(try await shell("fish", load + "complete -C 'codex config s'", scratch) == ["show"])
      #expect(
        try await shell("fish", load + "complete -C 'codex --sandbox '", scratch)
          == ["danger-full-access", "read-only", "workspace-write"])
      #expect(
        try await shell("fish", load + "complete -C 'codex --provider myb'", scratch) == ["mybox"])
    }
  }

  @Test func dynamicValuesSurviveABrokenConfig() async throws {
    let scratch = try Scratch()
    defer { scratch.cleanUp() }
    try scratch.write("home/.codex/config.toml", "model = [unclosed\n")
    let run = try await scratch.run(["__complete", "providers"])
    #expect(run.exitCode == 0)
    #expect(run.stdout.split(separator: "\n").contains("ollama"))
    #expect(run.stderr.isEmpty)
  }
}
