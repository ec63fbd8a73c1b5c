import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

/// Nothing a command starts may outlive it: the helper's supervisor (a child subreaper) kills
/// every descendant when the command ends, and ProcessRunner kills the whole tree on timeout.
/// Each case records the pids of what the command left behind and checks they are gone.
@Suite("Sandbox: supervision")
struct SandboxSupervisorTests {
  static let policies: [SandboxPolicy] = [.readOnly, .dangerFullAccess]

  func policies() -> [SandboxPolicy] {
    LandlockSupport.probe().abi != nil ? Self.policies : [.dangerFullAccess]
  }

  @Test("a setsid'd grandchild is killed when the command ends, sandboxed or not")
  func setsidGrandchildAtTheEnd() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    for policy in policies() {
      let result = try await runSandboxed(
        "setsid sleep 1000 >/dev/null 2>&1 & echo $!", policy: policy, in: scratch.path)
      #expect(result.exitCode == 0, "\(policy): \(result.stderrText)")
      let recorded = pids(in: result.stdoutText)
      #expect(recorded.count == 1)
      #expect(await survivors(recorded) == [], "\(policy)")
    }
  }

  @Test("a double-forked daemon (orphaned at once) is killed when the command ends")
  func daemonAtTheEnd() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    for policy in policies() {
      // The intermediate shell exits at once: the sleep is orphaned before the command ends.
      let result = try await runSandboxed(
        "setsid sh -c 'sleep 1000 >/dev/null 2>&1 & echo $!' ; echo done", policy: policy,
        in: scratch.path)
      #expect(result.stdoutText.hasSuffix("done\n"), "\(policy): \(result.stderrText)")
      let recorded = pids(in: result.stdoutText)
      #expect(recorded.count == 1)
      #expect(await survivors(recorded) == [], "\(policy)")
    }
  }

  @Test("on timeout a setsid'd grandchild is killed too, even one that ignores SIGTERM")
  func setsidGrandchildOnTimeout() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    for policy in policies() {
      // Both pids are printed before the command settles into waiting, however slow the
      // machine; the timeout then hits a command that is only waiting.
      let script = """
        setsid sleep 1000 >/dev/null 2>&1 & echo $!
        rm -f pid; setsid bash -c "trap '' TERM; echo \\$\\$ > pid; sleep 1000; sleep 1000" \\
          >/dev/null 2>&1 &
        while [ ! -s pid ]; do sleep 0.01; done; cat pid
        wait
        """
      let result = try await runSandboxed(
        script,
        policy: policy == .readOnly
          ? .workspaceWrite(writableRoots: [scratch.path], networkAccess: false) : policy,
        in: scratch.path, timeout: .seconds(3))
      #expect(result.timedOut, "\(policy): \(result.stderrText)")
      let recorded = pids(in: result.stdoutText)
      #expect(recorded.count == 2, "\(policy): \(result.stdoutText)")
      #expect(await survivors(recorded) == [], "\(policy)")
    }
  }

  @Test("`kill -9 0` in the command cannot take the supervisor down with it")
  func killZeroSparesTheSupervisor() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    for policy in policies() {
      let result = try await runSandboxed(
        "setsid sleep 1000 >/dev/null 2>&1 & echo $!; kill -9 0", policy: policy,
        in: scratch.path)
      // The command's own group died; the supervisor did not, reported it, and cleaned up.
      #expect(result.signal == 9, "\(policy): \(result.stderrText)")
      let recorded = pids(in: result.stdoutText)
      #expect(recorded.count == 1)
      #expect(await survivors(recorded) == [], "\(policy)")
    }
  }

  @Test("the command's exit code and signal come back through the supervisor")
  func statusPassesThrough() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    for policy in policies() {
      let exited = try await runSandboxed("exit 7", policy: policy, in: scratch.path)
      #expect(exited.exitCode == 7 && exited.signal == nil, "\(policy)")
      let segv = try await runSandboxed("kill -SEGV $$", policy: policy, in: scratch.path)
      #expect(segv.signal == 11 && segv.exitCode == nil, "\(policy)")
      // No core file from the supervisor re-raising the signal.
      #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == [])
    }
  }

  @Test("the supervisor has no environment, cannot be read through /proc, and is its own group")
  func supervisorIsOpaque() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    let script = """
      cat /proc/$PPID/environ >/dev/null 2>&1 && echo environ-readable || echo environ-denied
      read -r _ _ _ _ pgid _ < /proc/self/stat; echo "pgid=$pgid"; echo "pid=$$"
      """
    for policy in policies() where policy != .dangerFullAccess {
      let result = try await runSandboxed(
        script, policy: policy, in: scratch.path,
        environment: ["PATH": testSearchPath, "OPENAI_API_KEY": "sk-secret"])
      let lines = result.stdoutText.split(separator: "\n").map(String.init)
      #expect(lines.first == "environ-denied", "\(result.stdoutText)")
      // The command leads its own process group (bash reads /proc/self of `read`'s shell: the
      // same process, since `read` is a builtin).
      #expect(lines.count == 3 && lines[1].dropFirst(5) == lines[2].dropFirst(4))
    }
  }

  @Test("when the process that started the helper dies, the supervisor ends everything")
  func parentDeath() async throws {
    let scratch = try TemporaryDirectory("codex-supervise")
    defer { scratch.remove() }
    let codex = try requireCodexBinary()
    // An intermediate shell starts the helper (out of its process group, so the runner's kill
    // of that group at the end does not reach it) and is then killed by itself; the helper's
    // parent-death signal must make the supervisor end the command's tree.
    let script = """
      echo $$
      setsid '\(codex)' --sandbox-exec --unsandboxed --env PATH=\(testSearchPath) -- \\
        bash -c 'setsid sleep 1000 >/dev/null 2>&1 & echo $!; echo $$; sleep 1000' &
      wait
      """
    let (lines, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    let task = Task {
      try await ProcessRunner.run(bashSpec(script, in: scratch.path, timeout: .seconds(60))) {
        continuation.yield($0)
      }
    }
    var seen: [UInt8] = []
    for await chunk in lines {
      seen += chunk
      if pids(in: String(decoding: seen, as: UTF8.self)).count == 3 { break }
    }
    let recorded = pids(in: String(decoding: seen, as: UTF8.self))
    #expect(recorded.count == 3)
    if let intermediate = recorded.first { kill(intermediate, SIGKILL) }
    let result = try await task.value
    #expect(result.signal == 9)
    #expect(await survivors(Array(recorded.dropFirst())) == [])
  }
}
