import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

private let landlockAvailable = LandlockSupport.probe().abi != nil

/// Real Landlock, through the real `codex --sandbox-exec` binary.
@Suite(
  "LinuxSandbox (real Landlock)",
  .enabled(if: landlockAvailable, "the kernel reports Landlock as unavailable"))
struct LinuxSandboxTests {
  /// A workspace with a `.git` directory, a second directory that is not listed, both under the
  /// temp dir.
  struct Workspace {
    let root: TemporaryDirectory
    var workspace: String { root.path + "/ws" }
    var outside: String { root.path + "/outside" }

    init() throws {
      root = try TemporaryDirectory("codex-sandbox")
      let fm = FileManager.default
      try fm.createDirectory(atPath: workspace + "/.git/hooks", withIntermediateDirectories: true)
      try fm.createDirectory(atPath: workspace + "/src", withIntermediateDirectories: true)
      try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
      try "[core]\n".write(toFile: workspace + "/.git/config", atomically: false, encoding: .utf8)
      try "let x = 1\n".write(
        toFile: workspace + "/src/a.swift", atomically: false, encoding: .utf8)
    }
  }

  func run(
    _ script: String, policy: SandboxPolicy, in directory: String,
    environment: [String: String] = ["PATH": testSearchPath]
  ) async throws -> ProcessResult {
    try await runSandboxed(script, policy: policy, in: directory, environment: environment)
  }

  @Test("workspace-write: writes inside the roots succeed, writes elsewhere are refused")
  func workspaceWrite() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let home = FileManager.default.homeDirectoryForCurrentUser.path
    let homeProbe = home + "/codex-sandbox-probe-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: homeProbe) }
    let script = """
      echo new > created.txt && echo ok-create
      echo more >> src/a.swift && echo ok-append
      mkdir -p deep/er && echo x > deep/er/f && rm -r deep && echo ok-tree
      mv created.txt src/moved.txt && echo ok-rename
      echo x > \(ws.outside)/escape.txt || echo denied-outside
      echo x > \(homeProbe) || echo denied-home
      """
    let result = try await run(
      script, policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: true),
      in: ws.workspace)
    #expect(
      result.stdoutText
        == "ok-create\nok-append\nok-tree\nok-rename\ndenied-outside\ndenied-home\n")
    // Outside the roots everything is mounted read-only (EROFS) before Landlock (EACCES) would
    // even be asked; without namespaces it is Landlock's refusal.
    let refusals =
      result.stderrText.components(separatedBy: "Read-only file system").count
      + result.stderrText.components(separatedBy: "Permission denied").count - 2
    #expect(refusals == 2, "\(result.stderrText)")
    #expect(FileManager.default.fileExists(atPath: ws.workspace + "/src/moved.txt"))
    #expect(!FileManager.default.fileExists(atPath: ws.outside + "/escape.txt"))
    #expect(!FileManager.default.fileExists(atPath: homeProbe))
  }

  @Test("workspace-write with /tmp as a root: /tmp is writable")
  func slashTmpRoot() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let probe = "/tmp/codex-sandbox-tmp-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: probe) }
    let result = try await run(
      "echo hi > \(probe) && cat \(probe)",
      policy: .workspaceWrite(writableRoots: [ws.workspace, "/tmp"], networkAccess: true),
      in: ws.workspace)
    #expect(result.exitCode == 0)
    #expect(result.stdoutText == "hi\n")
  }

  static let dotGitAttacks = """
    echo evil >> .git/config || echo denied-modify
    touch .git/new || echo denied-create
    echo '#!/bin/sh' > .git/hooks/pre-commit || echo denied-hook
    mkdir .git/dir || echo denied-mkdir
    rm .git/config || echo denied-remove
    mv .git moved-git || echo denied-rename
    ln .git/config hardlink || echo denied-link
    """

  @Test("workspace-write: .git stays read-only, new entries anywhere else are writable")
  func dotGitReadOnly() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let script =
      Self.dotGitAttacks + """

        echo x > brand-new.txt && mkdir new-dir && echo y > new-dir/f && echo ok-new-entries
        echo z >> src/a.swift && echo ok-existing
        """
    let result = try await run(
      script, policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: true),
      in: ws.workspace)
    #expect(
      result.stdoutText
        == "denied-modify\ndenied-create\ndenied-hook\ndenied-mkdir\ndenied-remove\n"
        + "denied-rename\ndenied-link\nok-new-entries\nok-existing\n")
    try expectGitUntouched(ws)
    #expect(FileManager.default.fileExists(atPath: ws.workspace + "/new-dir/f"))
  }

  @Test("fallback without namespaces: .git still read-only, existing entries writable")
  func dotGitReadOnlyWithoutNamespaces() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let arguments = SandboxExecArguments(
      writableRoots: [ws.workspace], avoidNamespaces: true, environment: ["PATH=" + testSearchPath],
      command: [
        "/bin/bash", "-c",
        Self.dotGitAttacks + "\necho z >> src/a.swift && echo ok-existing"
          + "\ntouch top-level-new || echo denied-new-top-level",
      ])
    let result = try await ProcessRunner.run(
      ProcessSpec(
        executable: try requireCodexBinary(), arguments: ["--sandbox-exec"] + arguments.commandLine,
        workingDirectory: ws.workspace, environment: ["PATH": testSearchPath],
        timeout: .seconds(60)))
    #expect(
      result.stdoutText
        == "denied-modify\ndenied-create\ndenied-hook\ndenied-mkdir\ndenied-remove\n"
        + "denied-rename\ndenied-link\nok-existing\ndenied-new-top-level\n")
    try expectGitUntouched(ws)
  }

  @Test(
    "as an unprivileged user (user namespace): .git read-only, new entries writable",
    .enabled(
      if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
      "needs root and setpriv to switch to nobody"))
  func dotGitReadOnlyAsNobody() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    // nobody needs its own copy of the binary and a path it may traverse. The copy is made by
    // `cp`, not in this process: a write descriptor open here could be inherited by a process
    // another test forks at that moment, and exec'ing the copy would then fail with ETXTBSY.
    let binary = ws.root.path + "/codex"
    let copy = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/bin/cp", arguments: [try requireCodexBinary(), binary],
        workingDirectory: "/", environment: [:], timeout: .seconds(60)))
    #expect(copy.exitCode == 0, "\(copy.stderrText)")
    for path in [ws.root.path, binary] {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    for path in [
      ws.workspace, ws.workspace + "/.git", ws.workspace + "/.git/config",
      ws.workspace + "/.git/hooks", ws.workspace + "/src", ws.workspace + "/src/a.swift",
    ] {
      try FileManager.default.setAttributes(
        [.ownerAccountID: 65534, .groupOwnerAccountID: 65534], ofItemAtPath: path)
    }
    let wrapped = try LinuxSandbox().wrap(
      bashSpec(
        Self.dotGitAttacks + "\necho x > brand-new.txt && echo ok-new; id -u",
        in: ws.workspace),
      policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: true),
      sandboxExecutable: binary)
    var spec = wrapped
    spec.executable = "/usr/bin/setpriv"
    spec.arguments =
      ["--reuid=65534", "--regid=65534", "--clear-groups", wrapped.executable] + wrapped.arguments
    let result = try await ProcessRunner.run(spec)
    #expect(
      result.stdoutText
        == "denied-modify\ndenied-create\ndenied-hook\ndenied-mkdir\ndenied-remove\n"
        + "denied-rename\ndenied-link\nok-new\n65534\n")
    try expectGitUntouched(ws)
  }

  @Test(
    "every capability set is empty and codex's environment unreadable, as root and as nobody",
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "needs setpriv"))
  func capabilities() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let binary = ws.root.path + "/codex"
    let copy = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/bin/cp", arguments: [try requireCodexBinary(), binary],
        workingDirectory: "/", environment: [:], timeout: .seconds(60)))
    #expect(copy.exitCode == 0, "\(copy.stderrText)")
    for path in [ws.root.path, binary, ws.workspace] {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
    // The command reads its own capability sets and tries the environment of its parent (the
    // supervisor) and of the process that started the helper (codex, here `setpriv`'s image).
    let script = """
      grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb)' /proc/self/status | tr -s '\t' ' '
      cat /proc/$PPID/environ >/dev/null 2>&1 && echo supervisor-readable
      read -r _ _ _ supervisor_parent _ < /proc/$PPID/stat
      grep -qa OPENAI_API_KEY /proc/$supervisor_parent/environ 2>/dev/null && echo codex-readable
      echo done
      """
    let wrapped = try LinuxSandbox().wrap(
      bashSpec(script, in: ws.workspace),
      policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: false),
      sandboxExecutable: binary)
    let asRoot = ["--reuid=0"]
    let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"]
    for identity in getuid() == 0 ? [asRoot, asNobody] : [[]] {
      // A bash holding the key stands in for codex: it starts setpriv, which execs the helper,
      // so the helper's parent has OPENAI_API_KEY in its environment.
      var spec = wrapped
      spec.executable = "/bin/bash"
      spec.arguments =
        ["-c", "\"$@\"; exit $?", "bash", "/usr/bin/setpriv"] + identity
        + [wrapped.executable] + wrapped.arguments
      spec.environment = ["OPENAI_API_KEY": "sk-secret"]
      let result = try await ProcessRunner.run(spec)
      let zero = "0000000000000000"
      #expect(
        result.stdoutText
          == "CapInh: \(zero)\nCapPrm: \(zero)\nCapEff: \(zero)\nCapBnd: \(zero)\n"
          + "CapAmb: \(zero)\ndone\n", "\(identity): \(result.stderrText)")
    }
  }

  func expectGitUntouched(_ ws: Workspace) throws {
    let git = ws.workspace + "/.git"
    #expect(try String(contentsOfFile: git + "/config", encoding: .utf8) == "[core]\n")
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: git).sorted() == ["config", "hooks"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: git + "/hooks") == [])
  }

  @Test("network off: TCP and UDP to 127.0.0.1 fail; network on: TCP connects")
  func network() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let listener = try LoopbackListener()
    let script = """
      (exec 3<>/dev/tcp/127.0.0.1/\(listener.port)) && echo tcp-connected || echo tcp-denied
      (exec 3<>/dev/udp/127.0.0.1/\(listener.port)) && echo udp-open || echo udp-denied
      echo "flag=$CODEX_SANDBOX_NETWORK_DISABLED"
      """
    let offline = try await run(
      script, policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: false),
      in: ws.workspace)
    #expect(offline.stdoutText == "tcp-denied\nudp-denied\nflag=1\n")
    let online = try await run(
      script, policy: .workspaceWrite(writableRoots: [ws.workspace], networkAccess: true),
      in: ws.workspace)
    #expect(online.stdoutText == "tcp-connected\nudp-open\nflag=\n")
  }

  @Test("read-only: every write fails, reads and /dev/null work")
  func readOnly() async throws {
    let ws = try Workspace()
    defer { ws.root.remove() }
    let probe = "/tmp/codex-sandbox-ro-\(UUID().uuidString)"
    let script = """
      cat src/a.swift
      echo x > new.txt || echo denied-new
      echo x >> src/a.swift || echo denied-append
      echo x > \(probe) || echo denied-tmp
      mkdir d || echo denied-mkdir
      echo quiet > /dev/null && echo ok-devnull
      ls / > /dev/null && echo ok-list
      """
    let result = try await run(script, policy: .readOnly, in: ws.workspace)
    #expect(
      result.stdoutText
        == "let x = 1\ndenied-new\ndenied-append\ndenied-tmp\ndenied-mkdir\nok-devnull\nok-list\n")
    #expect(!FileManager.default.fileExists(atPath: probe))
    #expect(
      try String(contentsOfFile: ws.workspace + "/src/a.swift", encoding: .utf8) == "let x = 1\n")
  }

  @Test("a sandbox-exec failure exits 126 with one line on stderr, without running the command")
  func failClosed() async throws {
    let binary = try requireCodexBinary()
    let cases: [([String], String)] = [
      (
        ["--bogus", "--", "/bin/true"],
        "codex sandbox: invalid sandbox arguments: unknown option --bogus\n"
      ),
      (
        ["--rw", "relative", "--", "/bin/true"],
        "codex sandbox: invalid sandbox arguments: --rw needs an absolute path, got relative\n"
      ),
      (
        ["--rw", "/tmp", "/bin/true"],
        "codex sandbox: invalid sandbox arguments: unknown option /bin/true\n"
      ),
      (
        ["--rw", "/tmp"],
        "codex sandbox: invalid sandbox arguments: missing -- before the command\n"
      ),
      (
        ["--", "/no/such/program"],
        "codex sandbox: cannot execute /no/such/program: No such file or directory\n"
      ),
    ]
    for (arguments, message) in cases {
      let result = try await ProcessRunner.run(
        ProcessSpec(
          executable: binary, arguments: ["--sandbox-exec"] + arguments, workingDirectory: "/",
          environment: ["PATH": testSearchPath], timeout: .seconds(60)))
      #expect(result.exitCode == 126)
      #expect(result.stderrText == message)
      #expect(result.stdout.isEmpty)
    }
  }
}

@Suite("LinuxSandbox.wrap")
struct LinuxSandboxWrapTests {
  let spec = bashSpec("echo hi", in: "/", environment: ["PATH": testSearchPath, "K": "v"])
  var bash: String {
    get throws {
      try ExecutableLocator.resolve("bash", workingDirectory: "/", searchPath: testSearchPath)
    }
  }

  @Test("danger-full-access runs under the helper only to be supervised, with no restriction")
  func dangerFullAccess() throws {
    let sandbox = LinuxSandbox(landlock: .unavailable(reason: "none"), seccompFilter: false)
    let wrapped = try sandbox.wrap(
      spec, policy: .dangerFullAccess, protectedPaths: ["/home/u/.bashrc"],
      sandboxExecutable: "/x/codex")
    #expect(wrapped.executable == "/x/codex")
    #expect(
      wrapped.arguments == [
        "--sandbox-exec", "--unsandboxed", "--env", "K=v", "--env", "PATH=" + testSearchPath,
        "--", try bash, "-c", "echo hi",
      ])
    #expect(wrapped.environment.isEmpty)
  }

  @Test("refuses instead of running unsandboxed when the kernel cannot enforce the policy")
  func unavailable() throws {
    let noLandlock = LinuxSandbox(
      landlock: .unavailable(reason: "Landlock is disabled"), seccompFilter: true)
    for policy in [
      SandboxPolicy.readOnly, .workspaceWrite(writableRoots: ["/tmp"], networkAccess: true),
    ] {
      #expect(throws: SandboxError.unavailable("Landlock unavailable: Landlock is disabled")) {
        try noLandlock.wrap(spec, policy: policy, sandboxExecutable: "/x/codex")
      }
    }
    // Network off needs seccomp: Landlock alone would leave UDP and Unix sockets open.
    let noSeccomp = LinuxSandbox(landlock: .available(abi: 7), seccompFilter: false)
    #expect(throws: SandboxError.self) {
      try noSeccomp.wrap(spec, policy: .readOnly, sandboxExecutable: "/x/codex")
    }
    // Network allowed: Landlock without seccomp is enough.
    let wrapped = try noSeccomp.wrap(
      spec, policy: .workspaceWrite(writableRoots: ["/tmp"], networkAccess: true),
      sandboxExecutable: "/x/codex")
    #expect(wrapped.executable == "/x/codex")
  }

  @Test("builds the re-exec command line: canonical roots, protected paths, resolved program")
  func commandLine() throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    try FileManager.default.createDirectory(
      atPath: directory.path + "/repo/.git", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: directory.path + "/plain", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: directory.path + "/link", withDestinationPath: directory.path + "/repo")
    let sandbox = LinuxSandbox(landlock: .available(abi: 7), seccompFilter: true)
    let wrapped = try sandbox.wrap(
      spec,
      policy: .workspaceWrite(
        writableRoots: [
          directory.path + "/link", directory.path + "/plain",
          directory.path + "/repo", directory.path + "/missing",
        ],
        networkAccess: false),
      protectedPaths: ["/home/u/.bashrc"], sandboxExecutable: "/opt/codex")
    #expect(wrapped.executable == "/opt/codex")
    #expect(
      wrapped.arguments == [
        "--sandbox-exec", "--rw", directory.path + "/repo", "--rw", directory.path + "/plain",
        "--protect", "/home/u/.bashrc", "--no-net", "--env", "CODEX_SANDBOX_NETWORK_DISABLED=1",
        "--env", "K=v", "--env", "PATH=" + testSearchPath, "--", try bash, "-c", "echo hi",
      ])
    // The helper itself gets no environment: nothing in it acts before the sandbox is in place.
    #expect(wrapped.environment.isEmpty)
    #expect(wrapped.workingDirectory == spec.workingDirectory && wrapped.timeout == spec.timeout)
  }

  @Test("a lower ABI than the kernel's is passed on, so the helper acts as that kernel would")
  func assumedABI() throws {
    let kernel = try #require(LandlockSupport.probe().abi)
    try #require(kernel > 2, "the kernel itself has ABI \(kernel)")
    let wrapped = try LinuxSandbox(landlock: .available(abi: 2), seccompFilter: true).wrap(
      spec, policy: .workspaceWrite(writableRoots: ["/tmp"], networkAccess: true),
      sandboxExecutable: "/x/codex")
    #expect(wrapped.arguments.prefix(5) == ["--sandbox-exec", "--rw", "/tmp", "--abi", "2"])
  }

  @Test("a NUL byte anywhere is refused, never cut short")
  func nulBytes() throws {
    let sandbox = LinuxSandbox(landlock: .available(abi: 7), seccompFilter: true)
    var cases: [ProcessSpec] = []
    for change in 0..<4 {
      var bad = spec
      switch change {
      case 0: bad.arguments = ["-c", "echo hi\0; rm -rf ~"]
      case 1: bad.environment["X"] = "a\0b"
      case 2: bad.executable = "/bin/bash\0x"
      default: bad.workingDirectory = "/tmp\0"
      }
      cases.append(bad)
    }
    for bad in cases {
      for policy in [SandboxPolicy.readOnly, .dangerFullAccess] {
        #expect(throws: SandboxError.self) {
          try sandbox.wrap(bad, policy: policy, sandboxExecutable: "/x/codex")
        }
      }
    }
    #expect(throws: SandboxError.self) {
      try sandbox.wrap(
        spec, policy: .readOnly, protectedPaths: ["/home\0/u"], sandboxExecutable: "/x/codex")
    }
  }
}
