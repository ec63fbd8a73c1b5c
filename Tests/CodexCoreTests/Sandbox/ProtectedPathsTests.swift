import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

private let landlockAvailable = LandlockSupport.probe().abi != nil

@Suite("ProtectedPaths")
struct ProtectedPathsTests {
  @Test("user paths: $CODEX_HOME, start-up files, XDG and ZDOTDIR variants; relative ones ignored")
  func userPaths() {
    let paths = ProtectedPaths.userPaths(
      home: "/home/u", codexHome: "/home/u/.codex",
      environment: ["XDG_CONFIG_HOME": "/cfg", "ZDOTDIR": "/z"])
    for expected in [
      "/home/u/.codex", "/home/u/.bashrc", "/home/u/.profile", "/home/u/.bash_profile",
      "/home/u/.zshenv", "/home/u/.zshrc", "/home/u/.gitconfig", "/home/u/.ssh",
      "/home/u/.config/git", "/cfg/git", "/cfg/systemd", "/z/.zshrc",
    ] {
      #expect(paths.contains(expected), "\(expected)")
    }
    #expect(Set(paths).count == paths.count)
    let relative = ProtectedPaths.userPaths(
      home: "home", codexHome: "codex", environment: ["XDG_CONFIG_HOME": "cfg"])
    #expect(relative.isEmpty)
    #expect(
      ProtectedPaths.userPaths(home: "/", codexHome: nil, environment: [:]).contains("/.bashrc"))
  }

  @Test("the root containing $HOME is named; one below it is not")
  func rootContainingHome() throws {
    let scratch = try TemporaryDirectory("codex-home")
    defer { scratch.remove() }
    let home = scratch.file("home")
    try FileManager.default.createDirectory(
      atPath: home + "/proj", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: scratch.file("link"), withDestinationPath: home)
    #expect(ProtectedPaths.rootContainingHome(writableRoots: ["/tmp/x", home], home: home) == home)
    #expect(ProtectedPaths.rootContainingHome(writableRoots: [scratch.path], home: home) != nil)
    #expect(ProtectedPaths.rootContainingHome(writableRoots: ["/"], home: home) == "/")
    #expect(
      ProtectedPaths.rootContainingHome(writableRoots: [scratch.file("link")], home: home) != nil)
    #expect(ProtectedPaths.rootContainingHome(writableRoots: [home + "/proj"], home: home) == nil)
    #expect(ProtectedPaths.rootContainingHome(writableRoots: [home], home: nil) == nil)
  }

  @Test("placement: existing paths are mounted, missing ones and links kept by Landlock")
  func placement() throws {
    let scratch = try TemporaryDirectory("codex-place")
    defer { scratch.remove() }
    let fm = FileManager.default
    let root = scratch.file("root")
    try fm.createDirectory(atPath: root + "/dotfiles", withIntermediateDirectories: true)
    try "x".write(toFile: root + "/.bashrc", atomically: false, encoding: .utf8)
    try "x".write(toFile: root + "/dotfiles/zshrc", atomically: false, encoding: .utf8)
    try fm.createSymbolicLink(atPath: root + "/.zshrc", withDestinationPath: "dotfiles/zshrc")
    // A link outside every root whose target is inside one: the target is what the shell reads.
    let outsideHome = scratch.file("home")
    try fm.createDirectory(atPath: outsideHome, withIntermediateDirectories: true)
    try fm.createSymbolicLink(
      atPath: outsideHome + "/.profile", withDestinationPath: root + "/dotfiles/profile")
    try "x".write(toFile: root + "/dotfiles/profile", atomically: false, encoding: .utf8)

    let placement = ProtectedPaths.place(
      [
        root + "/.bashrc", root + "/.profile", root + "/.zshrc", outsideHome + "/.profile",
        outsideHome + "/.bashrc", root + "/missing/deeper",
      ], writableRoots: [root])
    #expect(
      placement.existing == [
        root + "/.bashrc", root + "/dotfiles/zshrc", root + "/dotfiles/profile",
      ])
    #expect(
      placement.absentOrLinks == [root + "/.profile", root + "/.zshrc", root + "/missing/deeper"])
  }

  @Test("a missing path's existing ancestors are resolved, the last component is not followed")
  func resolvingParent() throws {
    let scratch = try TemporaryDirectory("codex-resolve")
    defer { scratch.remove() }
    try FileManager.default.createDirectory(
      atPath: scratch.file("real"), withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: scratch.file("alias"), withDestinationPath: scratch.file("real"))
    try FileManager.default.createSymbolicLink(
      atPath: scratch.file("real/link"), withDestinationPath: "/etc")
    #expect(
      ProtectedPaths.resolvingParent(scratch.file("alias/missing/x"))
        == scratch.file("real/missing/x"))
    #expect(ProtectedPaths.resolvingParent(scratch.file("alias/link")) == scratch.file("real/link"))
    #expect(ProtectedPaths.resolvingParent("/") == "/")
  }

  @Test("git config: core.hooksPath and include paths, in the syntax git accepts")
  func gitConfigScanner() {
    let text = #"""
      # comment
      [core]
        bare = false
        HooksPath = "my hooks" ; trailing comment
      [Core "x"]
        hookspath=second\
      -part
      [include]
        path = ../shared.gitconfig
      [includeIf "gitdir:~/work/"]
        path = ~/work.gitconfig
      [alias]
        hooksPath = not-this
      [core] hooksPath = same-line # comment
      """#
    let findings = GitConfigScanner.scan(text)
    #expect(findings.hooksPaths == ["my hooks", "second-part", "same-line"])
    #expect(findings.includePaths == ["../shared.gitconfig", "~/work.gitconfig"])
    #expect(GitConfigScanner.scan("[core\nhooksPath = x").hooksPaths == [])
  }

  @Test(
    "git paths: nested repositories, worktree pointers, hooks paths, includes, the enclosing repo")
  func gitPaths() throws {
    let scratch = try TemporaryDirectory("codex-git")
    defer { scratch.remove() }
    let fm = FileManager.default
    let outer = scratch.file("outer")
    let root = outer + "/ws"
    for directory in [
      outer + "/.git", root + "/.git", root + "/vendor/lib/.git", root + "/main/.git/worktrees/wt",
      root + "/wt", scratch.file("home"),
    ] {
      try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    try "[core]\n\thooksPath = ws/outer-hooks\n".write(
      toFile: outer + "/.git/config", atomically: false, encoding: .utf8)
    try "[core]\n\thooksPath = .githooks\n[include]\n\tpath = ../shared.gitconfig\n".write(
      toFile: root + "/.git/config", atomically: false, encoding: .utf8)
    try "[include]\n\tpath = more.gitconfig\n".write(
      toFile: root + "/shared.gitconfig", atomically: false, encoding: .utf8)
    try "gitdir: ../main/.git/worktrees/wt\n".write(
      toFile: root + "/wt/.git", atomically: false, encoding: .utf8)
    try "../..\n".write(
      toFile: root + "/main/.git/worktrees/wt/commondir", atomically: false, encoding: .utf8)
    try "[core]\n\thooksPath = /abs/hooks\n".write(
      toFile: root + "/main/.git/config", atomically: false, encoding: .utf8)
    // The user's config: a relative hooks path applies to every repository.
    try "[core]\n\thooksPath = .hooks\n".write(
      toFile: scratch.file("home/.gitconfig"), atomically: false, encoding: .utf8)

    let found = ProtectedPaths.gitPaths(
      writableRoots: [root], environment: ["HOME": scratch.file("home")])
    #expect(!found.truncated)
    for expected in [
      outer + "/.git", outer + "/ws/outer-hooks", root + "/.git", root + "/.githooks",
      root + "/shared.gitconfig", root + "/more.gitconfig", root + "/vendor/lib/.git",
      root + "/wt/.git", root + "/main/.git/worktrees/wt", root + "/main/.git", "/abs/hooks",
      root + "/.hooks", root + "/vendor/lib/.hooks", root + "/wt/.hooks",
    ] {
      #expect(found.paths.contains(expected), "\(expected) in \(found.paths)")
    }
    // A .git inside a .git is not searched for (the outer one is protected whole).
    #expect(!found.paths.contains { $0.hasPrefix(root + "/.git/") })

    // A temporary root ($TMPDIR here) is not searched beneath, only for its own .git.
    let temporary = ProtectedPaths.gitPaths(writableRoots: [root], environment: ["TMPDIR": root])
    #expect(temporary.paths.contains(root + "/.git"))
    #expect(!temporary.paths.contains(root + "/vendor/lib/.git"))

    // Breadth first: the root and one more directory are read (`vendor`, `wt` or `main` first,
    // in directory order), so the shallow .git is found and the search is reported cut short.
    let limited = ProtectedPaths.findEntries(named: ".git", under: root, budget: 2)
    #expect(limited.truncated)
    #expect(limited.paths.first == root + "/.git")
    #expect(!limited.paths.contains(root + "/vendor/lib/.git"))
  }
}

/// The protections above, enforced: through the real helper, with namespaces (read-only bind
/// mounts) and without (Landlock alone).
@Suite(
  "ProtectedPaths (enforced)",
  .enabled(if: landlockAvailable, "the kernel reports Landlock as unavailable"))
struct ProtectedPathsEnforcedTests {
  /// `home` is the workspace (the case that exposes start-up files); `home/.codex` exists.
  struct Home {
    let scratch: TemporaryDirectory
    var home: String { scratch.file("home") }
    var codexHome: String { home + "/.codex" }

    init() throws {
      scratch = try TemporaryDirectory("codex-protect")
      let fm = FileManager.default
      for directory in [
        codexHome, home + "/proj", home + "/dotfiles", home + "/.ssh", home + "/repo/.git/hooks",
        home + "/repo/sub/.git",
      ] {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
      }
      for (file, text) in [
        ("/.codex/config.toml", "model = \"m\"\n"), ("/.bashrc", "# rc\n"),
        ("/dotfiles/zshrc", "# zsh\n"), ("/proj/a.txt", "a\n"), ("/.ssh/config", "# ssh\n"),
        ("/repo/.git/config", "[core]\n\thooksPath = hooks\n"), ("/repo/sub/.git/config", "x\n"),
      ] {
        try text.write(toFile: home + file, atomically: false, encoding: .utf8)
      }
      try fm.createSymbolicLink(atPath: home + "/.zshrc", withDestinationPath: "dotfiles/zshrc")
    }

    var protectedPaths: [String] {
      ProtectedPaths.userPaths(home: home, codexHome: codexHome, environment: [:])
    }
  }

  static let attacks = """
    echo 'notify = ["sh", "-c", "evil"]' >> .codex/config.toml || echo denied-codex-config
    touch .codex/new.toml || echo denied-codex-new
    echo evil >> .bashrc || echo denied-bashrc
    echo evil > .profile || echo denied-profile-create
    mkdir -p .config/git || echo denied-config-git
    echo evil >> .ssh/config || echo denied-ssh
    echo key > .ssh/authorized_keys || echo denied-ssh-new
    rm -f .zshrc && echo evil > .zshrc || echo denied-zshrc-link
    echo evil >> dotfiles/zshrc || echo denied-zshrc-target
    mv .bashrc bashrc.old || echo denied-rename
    echo '#!/bin/sh' > repo/sub/.git/hooks || echo denied-nested-git
    mkdir repo/hooks || echo denied-hooks-path
    echo ok >> proj/a.txt && echo ok-proj
    """

  static let expected =
    "denied-codex-config\ndenied-codex-new\ndenied-bashrc\ndenied-profile-create\n"
    + "denied-config-git\ndenied-ssh\ndenied-ssh-new\ndenied-zshrc-link\ndenied-zshrc-target\n"
    + "denied-rename\ndenied-nested-git\ndenied-hooks-path\nok-proj\n"

  func expectUntouched(_ home: Home) throws {
    let fm = FileManager.default
    #expect(
      try String(contentsOfFile: home.codexHome + "/config.toml", encoding: .utf8)
        == "model = \"m\"\n")
    #expect(try String(contentsOfFile: home.home + "/.bashrc", encoding: .utf8) == "# rc\n")
    #expect(!fm.fileExists(atPath: home.home + "/.profile"))
    #expect(!fm.fileExists(atPath: home.home + "/.ssh/authorized_keys"))
    #expect(
      try fm.destinationOfSymbolicLink(atPath: home.home + "/.zshrc") == "dotfiles/zshrc")
    #expect(try String(contentsOfFile: home.home + "/dotfiles/zshrc", encoding: .utf8) == "# zsh\n")
    #expect(!fm.fileExists(atPath: home.home + "/repo/hooks"))
  }

  @Test("with the workspace at $HOME: $CODEX_HOME, start-up files and nested .git stay read-only")
  func homeAsWorkspace() async throws {
    let home = try Home()
    defer { home.scratch.remove() }
    let result = try await runSandboxed(
      Self.attacks, policy: .workspaceWrite(writableRoots: [home.home], networkAccess: false),
      in: home.home, environment: ["PATH": testSearchPath, "HOME": home.home],
      protectedPaths: home.protectedPaths)
    #expect(result.stdoutText == Self.expected, "\(result.stderrText)")
    try expectUntouched(home)
  }

  @Test("without namespaces Landlock alone keeps them read-only")
  func homeAsWorkspaceWithoutNamespaces() async throws {
    let home = try Home()
    defer { home.scratch.remove() }
    let result = try await runHelper(
      SandboxExecArguments(
        writableRoots: [home.home], protectedPaths: home.protectedPaths, avoidNamespaces: true,
        environment: ["PATH=" + testSearchPath, "HOME=" + home.home],
        command: ["/bin/bash", "-c", Self.attacks]), in: home.home)
    #expect(result.stdoutText == Self.expected, "\(result.stderrText)")
    try expectUntouched(home)
  }

  @Test("a .git the command creates is writable for that command and protected from the next on")
  func selfCreatedRepository() async throws {
    let scratch = try TemporaryDirectory("codex-selfgit")
    defer { scratch.remove() }
    let policy = SandboxPolicy.workspaceWrite(writableRoots: [scratch.path], networkAccess: false)
    let first = try await runSandboxed(
      "mkdir -p fresh/.git && echo one > fresh/.git/HEAD && echo created", policy: policy,
      in: scratch.path)
    #expect(first.stdoutText == "created\n", "\(first.stderrText)")
    let second = try await runSandboxed(
      "echo two > fresh/.git/HEAD || echo denied", policy: policy, in: scratch.path)
    #expect(second.stdoutText == "denied\n")
    #expect(try String(contentsOfFile: scratch.file("fresh/.git/HEAD"), encoding: .utf8) == "one\n")
  }

  @Test("a worktree cannot reach its main repository's git directory through .git pointers")
  func worktreePointers() async throws {
    let scratch = try TemporaryDirectory("codex-worktree")
    defer { scratch.remove() }
    let fm = FileManager.default
    try fm.createDirectory(
      atPath: scratch.file("main/.git/worktrees/wt"), withIntermediateDirectories: true)
    try fm.createDirectory(atPath: scratch.file("wt"), withIntermediateDirectories: true)
    try "gitdir: \(scratch.file("main/.git/worktrees/wt"))\n".write(
      toFile: scratch.file("wt/.git"), atomically: false, encoding: .utf8)
    try "../..\n".write(
      toFile: scratch.file("main/.git/worktrees/wt/commondir"), atomically: false, encoding: .utf8)
    try "[core]\n".write(
      toFile: scratch.file("main/.git/config"), atomically: false, encoding: .utf8)
    // Both checkouts are writable roots; the command runs in the worktree.
    let result = try await runSandboxed(
      """
      echo evil >> ../main/.git/config || echo denied-common
      echo evil > ../main/.git/worktrees/wt/HEAD || echo denied-gitdir
      echo 'gitdir: /tmp' > .git || echo denied-pointer
      """,
      policy: .workspaceWrite(
        writableRoots: [scratch.file("wt"), scratch.file("main")], networkAccess: false),
      in: scratch.file("wt"))
    #expect(result.stdoutText == "denied-common\ndenied-gitdir\ndenied-pointer\n")
    #expect(
      try String(contentsOfFile: scratch.file("main/.git/config"), encoding: .utf8) == "[core]\n")
  }
}
