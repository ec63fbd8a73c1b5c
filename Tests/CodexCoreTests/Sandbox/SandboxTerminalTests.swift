import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

private let landlockAvailable = LandlockSupport.probe().abi != nil
/// With `dev.tty.legacy_tiocsti = 0` the kernel refuses TIOCSTI by itself and the control case
/// below cannot show an injection.
private let tiocstiAllowedByKernel =
  (try? String(contentsOfFile: "/proc/sys/dev/tty/legacy_tiocsti", encoding: .utf8))?
  .hasPrefix("1") ?? true

/// Typing into a terminal (TIOCSTI) puts a command into the input of whatever reads that terminal
/// next, outside the sandbox. Commands start without a controlling terminal, /dev/tty is not
/// writable, and seccomp refuses TIOCSTI and TIOCLINUX even on a terminal the command holds.
@Suite(
  "Sandbox: terminal injection",
  .enabled(if: landlockAvailable && python3Available, "needs Landlock and /usr/bin/python3"))
struct SandboxTerminalTests {
  /// Injects `marker` into the terminal on stdin, then reports what happened.
  static let inject = """
    import fcntl, termios, sys
    try:
        for byte in sys.argv[1].encode():
            fcntl.ioctl(0, termios.TIOCSTI, bytes([byte]))
        print("injected")
    except OSError as e:
        print("TIOCSTI errno", e.errno)
    try:
        fcntl.ioctl(0, termios.TIOCLINUX, bytes([12]))
        print("TIOCLINUX ok")
    except OSError as e:
        print("TIOCLINUX errno", e.errno)
    """

  /// Runs `arguments` on a pseudo-terminal of its own (stdin is the terminal, and it is the
  /// controlling terminal) and returns what the terminal showed once it exited.
  func onTerminal(_ executable: String, _ arguments: [String], in directory: String)
    async throws -> String
  {
    try await offThePool {
      let pty = try PseudoTerminal(
        executable: executable, arguments: arguments, environment: ["PATH": testSearchPath],
        workingDirectory: directory)
      _ = try pty.waitForExit(timeout: .seconds(60))
      return pty.text
    }
  }

  @Test("TIOCSTI and TIOCLINUX on the command's own terminal are refused by seccomp")
  func injectionRefused() async throws {
    let scratch = try TemporaryDirectory("codex-tty")
    defer { scratch.remove() }
    let marker = "MARK" + String(UInt32.random(in: 1000...9999))
    let program = scratch.file("inject.py")
    try Self.inject.write(toFile: program, atomically: false, encoding: .utf8)
    // The helper directly on the terminal: the command inherits it as stdin and controlling
    // terminal, so only seccomp stands between it and the injection.
    let arguments = SandboxExecArguments(
      writableRoots: [scratch.path], environment: ["PATH=" + testSearchPath],
      command: ["/usr/bin/python3", program, marker])
    let shown = try await onTerminal(
      try requireCodexBinary(), ["--sandbox-exec"] + arguments.commandLine, in: scratch.path)
    #expect(shown.contains("TIOCSTI errno 1"), "\(shown)")
    #expect(shown.contains("TIOCLINUX errno 1"), "\(shown)")
    // Echo would show injected input on the terminal.
    #expect(!shown.contains(marker + "\n") && !shown.contains("injected"), "\(shown)")
  }

  @Test(
    "control: without the sandbox the same program does inject",
    .enabled(if: tiocstiAllowedByKernel, "the kernel refuses TIOCSTI itself"))
  func injectionWithoutSandbox() async throws {
    let scratch = try TemporaryDirectory("codex-tty")
    defer { scratch.remove() }
    let program = scratch.file("inject.py")
    try Self.inject.write(toFile: program, atomically: false, encoding: .utf8)
    let shown = try await onTerminal("/usr/bin/python3", [program, "MARK"], in: scratch.path)
    #expect(shown.contains("injected"), "\(shown)")
  }

  @Test("a command run by the runner has no terminal to open, sandboxed or not")
  func noControllingTerminal() async throws {
    let scratch = try TemporaryDirectory("codex-tty")
    defer { scratch.remove() }
    let script = """
      (exec 3>/dev/tty) 2>/dev/null && echo tty-opened || echo no-tty
      read -r _ _ _ _ _ session _ < /proc/self/stat; [ "$session" = $$ ] && echo own-session
      """
    let plain = try await ProcessRunner.run(bashSpec(script, in: scratch.path))
    #expect(plain.stdoutText == "no-tty\nown-session\n")
    let sandboxed = try await runSandboxed(script, policy: .readOnly, in: scratch.path)
    // Under the helper the command leads its own group inside the supervisor's session.
    #expect(sandboxed.stdoutText.hasPrefix("no-tty\n"))
  }
}
