/// Formats a finished shell command for the model (codex-rs's JSON payload). Pure: it only
/// reads the `Execution` it is given. (The terminal's summary is the front end's: it renders
/// the `CommandEnd` event.)
///
/// Model text follows codex-rs: `{"output": "...", "metadata": {"exit_code": 0,
/// "duration_seconds": 0.1}}`, duration rounded to 0.1 s. Exit codes follow the shell
/// conventions codex-rs also uses: 124 for a timeout, 128 + N for death by signal N. Output past
/// the budget (10 KiB and 256 lines, codex-rs's `MODEL_FORMAT_MAX_BYTES` / `_LINES`) keeps its
/// head and tail with `…N chars truncated…` between them, under a `Total output lines: N` header
/// as codex-rs writes it. A timeout or signal is stated on the first line of the output, never
/// truncated away.
public struct ToolOutputFormatter: Sendable {
  /// A finished command as the runner saw it.
  public struct Execution: Equatable, Sendable {
    /// stdout and stderr interleaved as they arrived; any bytes, not necessarily UTF-8.
    public var output: [UInt8]
    public var termination: CommandTermination
    /// Wall time from start to end.
    public var duration: Duration

    public init(output: [UInt8], termination: CommandTermination, duration: Duration) {
      self.output = output
      self.termination = termination
      self.duration = duration
    }
  }

  public static let defaultMaxBytes = 10 * 1024
  public static let defaultMaxLines = 256

  public var maxBytes: Int
  public var maxLines: Int

  public init(maxBytes: Int = defaultMaxBytes, maxLines: Int = defaultMaxLines) {
    self.maxBytes = max(0, maxBytes)
    self.maxLines = max(2, maxLines)
  }

  // MARK: model

  /// The JSON text sent back to the model as the tool call's output.
  public func modelPayload(_ execution: Execution) -> String {
    let metadata: JSON = [
      "exit_code": .int(Int64(Self.exitCode(execution.termination))),
      "duration_seconds": .double(Self.roundedSeconds(execution.duration)),
    ]
    let payload: JSON = ["output": .string(modelOutputText(execution)), "metadata": metadata]
    return payload.serialized()
  }

  /// The `output` field: a timeout or signal line, then the output, truncated.
  public func modelOutputText(_ execution: Execution) -> String {
    let body = truncate(Self.decode(execution.output))
    guard let note = Self.terminationNote(execution.termination) else { return body }
    return body.isEmpty ? note : note + "\n" + body
  }

  /// `text` as is when it fits both budgets; otherwise `Total output lines: N`, a blank line,
  /// the first lines, `…N chars truncated…` and the last lines. The head and tail get at most
  /// half the lines each, and the bytes (marker included) stay within `maxBytes`. Cuts prefer
  /// line ends and never split a character (not even a letter from its accent). "chars" in the
  /// marker are Unicode scalars, as Rust's `char`s are.
  public func truncate(_ text: String) -> String {
    let bytes = Array(text.utf8)
    let totalLines = Self.lineCount(bytes)
    if bytes.count <= maxBytes && totalLines <= maxLines { return text }

    // Line limits first: the first maxLines/2 lines and the last maxLines - maxLines/2.
    let headLineLimit = maxLines / 2
    var headEnd = Self.endOfLines(bytes, count: headLineLimit)
    var tailStart = Self.startOfLastLines(bytes, count: maxLines - headLineLimit)

    // Then bytes, reserving room for the largest marker this text can need.
    let reserve = Self.marker(removed: text.unicodeScalars.count).utf8.count + 1
    let keep = max(0, maxBytes - reserve)
    let headBudget = keep / 2
    let tailBudget = keep - headBudget
    if headEnd > headBudget {
      headEnd = Self.characterBoundary(
        in: text, atOrBefore: Self.headCut(bytes, budget: headBudget))
    }
    if bytes.count - tailStart > tailBudget {
      tailStart = Self.characterBoundary(
        in: text, atOrAfter: Self.tailCut(bytes, budget: tailBudget))
    }
    if tailStart < headEnd { tailStart = headEnd }

    let removed = Self.scalarCount(bytes[headEnd..<tailStart])
    var out = "Total output lines: \(totalLines)\n\n"
    out += String(decoding: bytes[..<headEnd], as: UTF8.self)
    out += Self.marker(removed: removed)
    // On its own line when the tail starts a line, so the tail's first line reads whole.
    if tailStart < bytes.count && (tailStart == 0 || bytes[tailStart - 1] == UInt8(ascii: "\n")) {
      out += "\n"
    }
    out += String(decoding: bytes[tailStart...], as: UTF8.self)
    return out
  }

  // MARK: pieces

  /// The exit code reported to the model: the code itself, 124 after a timeout (what
  /// `timeout(1)` returns), 128 + N after signal N (what shells report).
  public static func exitCode(_ termination: CommandTermination) -> Int32 {
    switch termination {
    case .exited(let code): return code
    case .signaled(let signal): return 128 + signal
    case .timedOut: return 124
    }
  }

  /// The line put before the output when the command did not exit on its own.
  static func terminationNote(_ termination: CommandTermination) -> String? {
    switch termination {
    case .exited: return nil
    case .signaled(let signal): return "command was killed by \(signalDescription(signal))"
    case .timedOut(let limit):
      return "command timed out after \(humanDuration(limit)) and was killed"
    }
  }

  /// Bytes as text; invalid UTF-8 becomes U+FFFD, so odd output never stops the turn.
  static func decode(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
  }

  static func marker(removed: Int) -> String { "…\(removed) chars truncated…" }

  /// Lines as Rust's `str::lines` counts them: a final line without `\n` counts, the empty
  /// "line" after a final `\n` does not.
  static func lineCount(_ bytes: [UInt8]) -> Int {
    let newlines = bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    return newlines + (bytes.last.map { $0 == UInt8(ascii: "\n") ? 0 : 1 } ?? 0)
  }

  /// The offset just past the `count`-th line (or the end).
  static func endOfLines(_ bytes: [UInt8], count: Int) -> Int {
    var seen = 0
    for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
      seen += 1
      if seen == count { return offset + 1 }
    }
    return bytes.count
  }

  /// The offset where the last `count` lines start (or 0).
  static func startOfLastLines(_ bytes: [UInt8], count: Int) -> Int {
    guard count > 0 else { return bytes.count }
    var seen = 0
    // A final newline ends the last line; it does not start another.
    var offset = bytes.last == UInt8(ascii: "\n") ? bytes.count - 1 : bytes.count
    while offset > 0 {
      offset -= 1
      if bytes[offset] == UInt8(ascii: "\n") {
        seen += 1
        if seen == count { return offset + 1 }
      }
    }
    return 0
  }

  /// Where to end a head of at most `budget` bytes: after the last newline inside the budget,
  /// unless that would give up more than half of it (one long line), else at the last
  /// character boundary.
  static func headCut(_ bytes: [UInt8], budget: Int) -> Int {
    let limit = min(budget, bytes.count)
    if let newline = bytes[..<limit].lastIndex(of: UInt8(ascii: "\n")), newline + 1 >= limit / 2 {
      return newline + 1
    }
    var cut = limit
    while cut > 0 && cut < bytes.count && isContinuation(bytes[cut]) { cut -= 1 }
    return cut
  }

  /// Where to start a tail of at most `budget` bytes: after the first newline inside it,
  /// unless that would give up more than half of it, else at the first character boundary.
  static func tailCut(_ bytes: [UInt8], budget: Int) -> Int {
    let start = max(0, bytes.count - budget)
    if let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")),
      newline + 1 < bytes.count, newline + 1 - start <= budget / 2
    {
      return newline + 1
    }
    var cut = start
    while cut < bytes.count && isContinuation(bytes[cut]) { cut += 1 }
    return cut
  }

  static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

  /// The nearest UTF-8 offset at or before `offset` that starts a Character, so a cut keeps
  /// accents on their letters and emoji sequences and flags whole, not only bytes of a scalar.
  static func characterBoundary(in text: String, atOrBefore offset: Int) -> Int {
    var candidate = offset
    while candidate > 0 && candidate < text.utf8.count {
      let index = text.utf8.index(text.utf8.startIndex, offsetBy: candidate)
      if index.samePosition(in: text) != nil { break }
      candidate -= 1
    }
    return candidate
  }

  /// The nearest UTF-8 offset at or after `offset` that starts a Character (or the end).
  static func characterBoundary(in text: String, atOrAfter offset: Int) -> Int {
    var candidate = offset
    while candidate > 0 && candidate < text.utf8.count {
      let index = text.utf8.index(text.utf8.startIndex, offsetBy: candidate)
      if index.samePosition(in: text) != nil { break }
      candidate += 1
    }
    return candidate
  }

  static func scalarCount(_ bytes: ArraySlice<UInt8>) -> Int {
    bytes.reduce(0) { $0 + (isContinuation($1) ? 0 : 1) }
  }

  static func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
  }

  /// codex-rs rounds to one decimal.
  static func roundedSeconds(_ duration: Duration) -> Double {
    (seconds(duration) * 10).rounded() / 10
  }

  /// `250ms`, `1.5s`, `10s`, `2m 5s`.
  static func humanDuration(_ duration: Duration) -> String {
    let total = seconds(duration)
    if total < 1 { return "\(Int((total * 1000).rounded()))ms" }
    if total < 60 {
      let tenths = Int((total * 10).rounded())
      return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
    }
    // A limit the model chose can be long; a Duration's seconds can exceed what Int holds
    // once rounded, so convert only what fits.
    let whole = Int(exactly: total.rounded()) ?? Int.max
    return whole % 60 == 0 ? "\(whole / 60)m" : "\(whole / 60)m \(whole % 60)s"
  }

  /// Linux signal numbers; the number alone for others.
  public static func signalDescription(_ signal: Int32) -> String {
    let names: [Int32: String] = [
      1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT",
      7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2",
      13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM", 24: "SIGXCPU", 25: "SIGXFSZ",
    ]
    guard let name = names[signal] else { return "signal \(signal)" }
    return "signal \(signal) (\(name))"
  }
}
