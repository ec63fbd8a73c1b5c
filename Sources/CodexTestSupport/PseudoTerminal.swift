// Platform file: a pseudo-terminal for end-to-end tests of the interactive session.
import CSandbox

#if canImport(Glibc)
  import Glibc
#endif

/// Why a pseudo-terminal test step failed: it could not start, or the expected text did not
/// show up in time (the message carries what did).
public struct PseudoTerminalError: Error, CustomStringConvertible {
  public let description: String
}

/// A program running on a pseudo-terminal of its own, as if a person sat at it: the pty is its
/// stdin, stdout and stderr and its controlling terminal (a new session), so Ctrl-C typed as
/// byte 0x03 becomes SIGINT for it, and `isatty` is true everywhere.
///
/// ```swift
/// let pty = try PseudoTerminal(executable: codex, arguments: [], environment: env, workingDirectory: dir)
/// try pty.expect("›")
/// pty.send("hello\r")
/// try pty.expect("Hi there")
/// ```
/// Output is matched on text with escape codes and carriage returns removed.
public final class PseudoTerminal {
  public let pid: pid_t
  let master: Int32
  var raw: [UInt8] = []
  /// Where in `text` the last `expect` matched; the next one searches after it.
  var searchFrom = 0
  var exitStatus: Int32?
  var closed = false

  public init(
    executable: String, arguments: [String], environment: [String: String],
    workingDirectory: String, columns: Int = 100, rows: Int = 30
  ) throws {
    // posix_openpt, unlockpt and ptsname sit behind _XOPEN_SOURCE, which Swift's Glibc module
    // does not define; they are this open and these two ioctls on Linux (same numbers on
    // x86_64 and arm64). grantpt has nothing to do with devpts.
    let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
    guard master >= 0 else {
      throw PseudoTerminalError(description: "cannot open /dev/ptmx: errno \(errno)")
    }
    let unlockRequest: UInt = 0x4004_5431  // TIOCSPTLCK
    let numberRequest: UInt = 0x8004_5430  // TIOCGPTN
    var unlock: Int32 = 0
    var number: UInt32 = 0
    guard ioctl(master, unlockRequest, &unlock) == 0, ioctl(master, numberRequest, &number) == 0
    else {
      close(master)
      throw PseudoTerminalError(description: "cannot unlock the pseudo-terminal: errno \(errno)")
    }
    let slavePath = "/dev/pts/\(number)"
    var size = winsize(
      ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
    _ = ioctl(master, UInt(TIOCSWINSZ), &size)

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // Opened after setsid and without O_NOCTTY, the terminal becomes the child's controlling
    // terminal (Linux), as TIOCSCTTY would make it.
    posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
    posix_spawn_file_actions_adddup2(&actions, 0, 1)
    posix_spawn_file_actions_adddup2(&actions, 0, 2)
    // Nothing else of the test process goes along: a descriptor another test has open at
    // this moment (a script being written, a client socket) would otherwise stay open for the
    // child's whole life (ETXTBSY when that script runs; a connection the server never sees
    // close).
    _ = csb_spawn_addclosefrom(&actions, 3)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // POSIX_SPAWN_SETSID (0x80) is a GNU extension Swift's Glibc module does not import.
    let setsid: Int32 = 0x80
    posix_spawnattr_setflags(
      &attributes, Int16(setsid | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigdefault(&attributes, &all)
    var none = sigset_t()
    sigemptyset(&none)
    posix_spawnattr_setsigmask(&attributes, &none)

    // posix_spawn has no portable chdir action: a shell changes directory and execs.
    let argv =
      ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", workingDirectory, executable] + arguments
    let env = environment.map { "\($0.key)=\($0.value)" }
    var child: pid_t = 0
    let rc =
      withCStrings(argv) { cArgv in
        withCStrings(env) { cEnv in
          posix_spawn(&child, "/bin/sh", &actions, &attributes, cArgv, cEnv)
        }
      } ?? nil
    guard let rc, rc == 0 else {
      close(master)
      throw PseudoTerminalError(
        description: "posix_spawn failed: \(rc.map(String.init) ?? "no argv")")
    }
    self.master = master
    pid = child
  }

  deinit {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      _ = waitpid(pid, &status, 0)
    }
    close(master)
  }

  /// Types `text` (use `\r` for Enter, `\u{03}` for Ctrl-C, `\u{04}` for Ctrl-D).
  public func send(_ text: String) {
    send(bytes: Array(text.utf8))
  }

  public func send(bytes: [UInt8]) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR || errno == EAGAIN { continue }
      guard n > 0 else { return }
      offset += n
    }
  }

  /// Sends a signal to the program (as `kill` from another terminal would).
  public func signal(_ sig: Int32) {
    kill(pid, sig)
  }

  /// The terminal's echo and line-editing (canonical) modes as the program left them: both on
  /// is how a shell expects to get its terminal back.
  public var lineModes: (echo: Bool, canonical: Bool)? {
    var t = termios()
    guard tcgetattr(master, &t) == 0 else { return nil }
    return (t.c_lflag & tcflag_t(ECHO) != 0, t.c_lflag & tcflag_t(ICANON) != 0)
  }

  /// Everything written to the terminal so far, escape codes and carriage returns removed.
  public var text: String { Self.stripEscapes(raw) }

  /// Everything written so far, exactly.
  public var rawText: String { String(decoding: raw, as: UTF8.self) }

  /// Waits until `needle` appears after the previous match; returns the text from the previous
  /// match to the end of this one.
  @discardableResult
  public func expect(_ needle: String, timeout: Duration = .seconds(10)) throws -> String {
    let deadline = ContinuousClock.now + timeout
    while true {
      let all = Array(text.utf8)
      if let range = Self.find(Array(needle.utf8), in: all, from: searchFrom) {
        let seen = String(decoding: all[searchFrom..<range.upperBound], as: UTF8.self)
        searchFrom = range.upperBound
        return seen
      }
      let left = deadline - ContinuousClock.now
      guard left > .zero, !closed else {
        throw PseudoTerminalError(
          description:
            "expected \(String(reflecting: needle)) on the terminal\(closed ? " (it closed)" : ""); after the last match it shows:\n"
            + String(decoding: all[min(searchFrom, all.count)...], as: UTF8.self))
      }
      pump(timeoutMilliseconds: Int32(min(left.components.seconds * 1000 + 1, 200)))
    }
  }

  /// Waits for the program to exit, reading its output meanwhile (a full terminal buffer would
  /// block it). Returns the exit code, or 128 + signal. On timeout it is killed, and this throws.
  @discardableResult
  public func waitForExit(timeout: Duration = .seconds(10)) throws -> Int32 {
    let deadline = ContinuousClock.now + timeout
    while true {
      if let exitStatus { return exitStatus }
      var status: Int32 = 0
      let r = waitpid(pid, &status, WNOHANG)
      if r == pid {
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        exitStatus = code
        // Collect what it wrote just before exiting.
        while !closed, pump(timeoutMilliseconds: 50) {}
        return code
      }
      guard ContinuousClock.now < deadline else {
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
        exitStatus = 128 + SIGKILL
        throw PseudoTerminalError(
          description: "the program did not exit in time; the terminal shows:\n" + text)
      }
      pump(timeoutMilliseconds: 50)
    }
  }

  /// Reads what is available within the timeout; false when nothing came.
  @discardableResult
  func pump(timeoutMilliseconds: Int32) -> Bool {
    guard !closed else { return false }
    var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
    let ready = poll(&p, 1, timeoutMilliseconds)
    guard ready > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 16384)
    let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
    if n > 0 {
      raw.append(contentsOf: buffer[0..<n])
      return true
    }
    if n < 0, errno == EINTR || errno == EAGAIN { return true }
    // EIO: every process holding the other side has gone.
    closed = true
    return false
  }

  /// Removes CSI (`ESC [ … final`), OSC (`ESC ] … BEL`), other two-byte escapes and `\r`.
  public static func stripEscapes(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      if b == 0x0D {
        i += 1
        continue
      }
      guard b == 0x1B, i + 1 < bytes.count else {
        if b != 0x1B { out.append(b) }
        i += 1
        continue
      }
      let kind = bytes[i + 1]
      i += 2
      if kind == UInt8(ascii: "[") {
        while i < bytes.count, !(0x40...0x7E).contains(bytes[i]) { i += 1 }
        i += 1
      } else if kind == UInt8(ascii: "]") {
        while i < bytes.count, bytes[i] != 0x07, bytes[i] != 0x1B { i += 1 }
        i += bytes.count > i && bytes[i] == 0x1B ? 2 : 1
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  public static func stripEscapes(_ text: String) -> String { stripEscapes(Array(text.utf8)) }

  static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
    guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
    var i = max(0, start)
    while i + needle.count <= haystack.count {
      if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) {
        return i..<(i + needle.count)
      }
      i += 1
    }
    return nil
  }
}

private func withCStrings<R>(
  _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
) -> R? {
  let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
  defer { for p in pointers { free(p) } }
  return pointers.withUnsafeBufferPointer { buffer in buffer.baseAddress.map(body) }
}
