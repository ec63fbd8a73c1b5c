// The terminal front end's one platform file: file descriptors, ttys, signals.
import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Unbuffered writes to stdout/stderr and tty checks. Text goes out the moment it is written,
/// which is what streaming needs; a short write or EINTR is retried, a closed pipe is ignored
/// (the reader left; exiting quietly is right).
public enum TerminalIO {
  public static let stdoutFD: Int32 = 1
  public static let stderrFD: Int32 = 2
  public static let stdinFD: Int32 = 0

  public static func isTTY(_ fd: Int32) -> Bool { isatty(fd) == 1 }

  public static func write(_ fd: Int32, _ text: String) {
    var s = text
    s.withUTF8 { buf in write(fd, UnsafeRawBufferPointer(buf)) }
  }

  public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) {
    guard var p = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
      let n = Glibc.write(fd, p, left)
      if n < 0 {
        if errno == EINTR || errno == EAGAIN { continue }
        return
      }
      left -= n
      p += n
    }
  }

  /// All of stdin (for `echo prompt | codex`).
  public static func readAllStdin(limit: Int = 64 << 20) -> [UInt8] {
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 65536)
    while out.count < limit {
      let n = buf.withUnsafeMutableBytes { read(stdinFD, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      out.append(contentsOf: buf[0..<n])
    }
    return out
  }

  /// One line from the terminal (approval answers), without the newline; nil at end of input.
  public static func readLine(fd: Int32 = stdinFD) -> String? {
    var bytes: [UInt8] = []
    var c: UInt8 = 0
    while true {
      let n = read(fd, &c, 1)
      if n < 0, errno == EINTR { continue }
      if n <= 0 { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
      if c == 0x0A { return String(decoding: bytes, as: UTF8.self) }
      bytes.append(c)
    }
  }

  /// Terminal width for wrapping decisions; 80 when unknown.
  public static func columns() -> Int {
    var ws = winsize()
    if ioctl(stdoutFD, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    return 80
  }
}

/// Ctrl-C: the first press calls `onInterrupt` (cancel the running turn); the handler runs on
/// a Dispatch queue, never in signal context.
// The signal source is created in init and only cancelled afterwards; Dispatch sources are
// thread-safe, they are just not annotated Sendable.
public final class InterruptWatcher: @unchecked Sendable {
  final class Count: Sendable {
    let value = Atomic<Int>(0)
  }
  let source: any DispatchSourceSignal
  let count = Count()

  public init(onInterrupt: @escaping @Sendable () -> Void) {
    signal(SIGINT, SIG_IGN)
    let src = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source = src
    let count = self.count
    src.setEventHandler { @Sendable in
      count.value.add(1, ordering: .relaxed)
      onInterrupt()
    }
    src.resume()
  }

  public var interrupted: Bool { count.value.load(ordering: .relaxed) > 0 }

  public func cancel() {
    source.cancel()
    signal(SIGINT, SIG_DFL)
  }
}

extension TerminalIO {
  /// Runs `sh -c command` attached to this terminal (for `$EDITOR`) and waits for it.
  /// Returns the exit status, or -1 when it could not be started.
  public static func runAttached(_ command: String) -> Int32 {
    var pid: pid_t = 0
    let words = ["/bin/sh", "-c", command]
    let argv: [UnsafeMutablePointer<CChar>?] = words.map { (w: String) in strdup(w) } + [nil]
    defer { for p in argv { free(p) } }
    let rc = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
    guard rc == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      if errno != EINTR { return -1 }
    }
    // Exited normally: the code is in bits 8-15; otherwise report failure.
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
  }
}

extension TerminalIO {
  /// Whatever input is ready, waiting for at least one byte; nil at end of input or on error.
  public static func readAvailable(fd: Int32 = stdinFD, limit: Int = 4096) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: limit)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n < 0, errno == EAGAIN {
        // Someone left the descriptor non-blocking: wait for input instead of spinning.
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, -1)
        continue
      }
      guard n > 0 else { return nil }
      return Array(buffer[0..<n])
    }
  }

  /// The width of the terminal on `fd`; 80 when unknown.
  public static func columns(fd: Int32) -> Int {
    var ws = winsize()
    if ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    return 80
  }
}

/// SIGINT and SIGTERM as a stream (`codex serve` stops on the first and gives up waiting on the
/// second). The handlers run on a Dispatch queue, never in signal context.
// Like InterruptWatcher: the sources are created in init and only cancelled afterwards.
public final class TerminationSignals: @unchecked Sendable {
  let sources: [any DispatchSourceSignal]
  public let signals: AsyncStream<Int32>

  public init() {
    let (stream, continuation) = AsyncStream<Int32>.makeStream()
    signals = stream
    var sources: [any DispatchSourceSignal] = []
    for sig in [SIGINT, SIGTERM] {
      signal(sig, SIG_IGN)
      let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      src.setEventHandler { @Sendable in continuation.yield(sig) }
      src.resume()
      sources.append(src)
    }
    self.sources = sources
  }

  /// The signal's name, for messages.
  public static func name(_ sig: Int32) -> String { sig == SIGINT ? "SIGINT" : "SIGTERM" }

  public func cancel() {
    for s in sources { s.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}
