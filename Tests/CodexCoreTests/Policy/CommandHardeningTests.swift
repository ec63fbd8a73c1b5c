import Foundation
import Testing

@testable import CodexCore

@Suite(.serialized) struct CommandHardeningTests {
  static let context = CommandContext(
    workdir: "/w", workspace: "/w", home: "/h", writableRoots: ["/w", "/tmp"])

  @Test func environmentDropsWhatCouldRunSomethingElse() {
    let env = CommandHardening.environment(
      [
        "PATH": "/w/node_modules/.bin:.::bin:/usr/bin:/tmp/x/bin:/w/../w/bin:/h/.cargo/bin:/bin",
        "GIT_DIR": "/elsewhere", "GIT_EXTERNAL_DIFF": "x", "GIT_CONFIG_PARAMETERS": "'a.b'='c'",
        "GIT_CONFIG_COUNT": "9", "BASH_ENV": "/w/env.sh", "ENV": "/w/e",
        "RIPGREP_CONFIG_PATH": "/w/rg", "LD_PRELOAD": "/w/x.so", "LD_AUDIT": "/w/a.so",
        "LD_LIBRARY_PATH": "/w/lib:/usr/lib", "PAGER": "less", "HOME": "/h", "LANG": "C.UTF-8",
      ], context: Self.context)
    #expect(env["PATH"] == "/usr/bin:/h/.cargo/bin:/bin")
    #expect(env["LD_LIBRARY_PATH"] == "/usr/lib")
    for removed in [
      "GIT_DIR", "GIT_EXTERNAL_DIFF", "GIT_CONFIG_PARAMETERS", "BASH_ENV", "ENV",
      "RIPGREP_CONFIG_PATH", "LD_PRELOAD", "LD_AUDIT",
    ] {
      #expect(env[removed] == nil, "\(removed)")
    }
    #expect(env["HOME"] == "/h" && env["LANG"] == "C.UTF-8")
    #expect(env["PAGER"] == "cat" && env["GIT_PAGER"] == "cat")
    #expect(env["GIT_OPTIONAL_LOCKS"] == "0" && env["GIT_NO_LAZY_FETCH"] == "1")
    let count = Int(env["GIT_CONFIG_COUNT"] ?? "") ?? 0
    var config: [String: String] = [:]
    for index in 0..<count {
      config[env["GIT_CONFIG_KEY_\(index)"] ?? ""] = env["GIT_CONFIG_VALUE_\(index)"]
    }
    #expect(config["core.fsmonitor"] == "false")
    #expect(config["core.hooksPath"] == "/dev/null")
    #expect(config["safe.bareRepository"] == "explicit")
    #expect(config["diff.ignoreSubmodules"] == "dirty")
    #expect(config["protocol.file.allow"] == "never")
  }

  @Test func globalGitConfigIsDroppedOnlyWhenHomeIsWritable() {
    #expect(CommandHardening.environment([:], context: Self.context)["GIT_CONFIG_GLOBAL"] == nil)
    let writableHome = CommandContext(
      workdir: "/h/w", workspace: "/h/w", home: "/h", writableRoots: ["/h"])
    #expect(
      CommandHardening.environment([:], context: writableHome)["GIT_CONFIG_GLOBAL"] == "/dev/null")
  }

  @Test func aPathOfOnlyWritableEntriesFallsBackToTheSystemOne() {
    let env = CommandHardening.environment(["PATH": "/w/bin:."], context: Self.context)
    #expect(env["PATH"] == "/usr/bin:/bin")
    #expect(CommandHardening.environment([:], context: Self.context)["PATH"] == nil)
  }

  /// A repository whose own config makes every read-only git command run a program: an
  /// fsmonitor hook, a post-index-change hook, a textconv and an external diff driver named in
  /// `.gitattributes`, `diff.external` (which the driver outranks here, so it only has to stay
  /// quiet), and a submodule with a hook and an fsmonitor of its own.
  /// Unhardened, the programs run (so the test can fail); hardened, none does, and the commands
  /// still work.
  @Test func hardenedGitRunsNoneOfTheRepositorysPrograms() async throws {
    let dir = try TemporaryDirectory("codex-git-hardening")
    defer { dir.remove() }
    let repo = dir.file("repo")
    let markers = dir.file("markers")
    try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
    var setup = "set -e\n"
    for name in ["fsmonitor", "hook", "textconv", "driver", "external", "subfsmonitor", "subhook"] {
      setup += "printf '#!/bin/sh\\ntouch \(markers)/\(name)\\nexec cat\\n' > \(dir.path)/\(name)\n"
      setup += "chmod +x \(dir.path)/\(name)\n"
    }
    setup += """
      g() { git -c user.name=t -c user.email=t@t -c protocol.file.allow=always "$@"; }
      git init -q sub && (cd sub && echo s > s.txt && g add s.txt && g commit -qm s)
      git init -q repo && cd repo
      echo a > f.txt && echo b > g.txt && g add f.txt g.txt && g commit -qm one
      g submodule add -q ../sub sub 2>/dev/null && g commit -qm sub
      printf 'f.txt diff=x\ng.txt diff=y\n' > .gitattributes
      git config core.fsmonitor \(dir.path)/fsmonitor
      git config diff.y.textconv \(dir.path)/textconv
      git config diff.x.command \(dir.path)/driver
      git config diff.external \(dir.path)/external
      cp \(dir.path)/hook .git/hooks/post-index-change
      (cd sub && git config core.fsmonitor \(dir.path)/subfsmonitor \
        && cp \(dir.path)/subhook "$(git rev-parse --git-dir)/hooks/post-index-change" \
        && echo t > s.txt)
      echo more >> f.txt && echo more >> g.txt
      """
    let made = try await ProcessRunner.run(
      bashSpec(setup, in: dir.path, environment: ["PATH": testSearchPath, "HOME": dir.path]))
    try #require(made.exitCode == 0, "\(made.outputText)")
    let context = CommandContext(
      workdir: repo, workspace: repo, home: dir.path, writableRoots: [repo])
    let base = ["PATH": testSearchPath, "HOME": dir.path]

    func markersLeft() throws -> [String] {
      let names = try FileManager.default.contentsOfDirectory(atPath: markers).sorted()
      for name in names { try FileManager.default.removeItem(atPath: markers + "/" + name) }
      return names
    }
    func run(_ argv: [String], env: [String: String]) async throws -> ProcessResult {
      try await ProcessRunner.run(
        ProcessSpec(
          executable: argv[0], arguments: Array(argv.dropFirst()), workingDirectory: repo,
          environment: env, timeout: .seconds(60)))
    }

    // Unhardened, the repository's programs run.
    _ = try await run(["git", "status"], env: base)
    _ = try await run(["git", "diff"], env: base)
    _ = try await run(["git", "diff", "--no-ext-diff"], env: base)
    let unhardened = try markersLeft()
    for name in ["fsmonitor", "hook", "driver", "textconv"] {
      #expect(unhardened.contains(name), "\(name) did not run unhardened: \(unhardened)")
    }
    #expect(unhardened.contains("subfsmonitor") || unhardened.contains("subhook"), "\(unhardened)")

    for argv in [
      ["git", "status"], ["git", "diff"], ["git", "diff", "HEAD"], ["git", "log", "-p", "-2"],
      ["git", "show", "HEAD~1"], ["git", "diff", "--stat"], ["git", "status", "--porcelain"],
      ["bash", "-lc", "git status && git diff HEAD~1 && git log -p -1 | head -50"],
    ] {
      let command = try #require(CommandSafety.knownSafeCommand(argv, context: context), "\(argv)")
      let result = try await run(command, env: CommandHardening.environment(base, context: context))
      #expect(result.exitCode == 0, "\(argv): \(result.outputText)")
      #expect(try markersLeft() == [], "\(argv) ran a program of the repository's")
      if argv == ["git", "diff"] {
        #expect(result.stdoutText.contains("+more"), "\(result.outputText)")
      }
    }
  }
}
