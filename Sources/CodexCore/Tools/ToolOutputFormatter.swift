/// What a command produced, before formatting.
public struct ToolOutput: Sendable, Equatable {
  public var output: String
  public var exitCode: Int32?
  public var duration: Duration
  public var status: CommandEnd.Status

  public init(output: String, exitCode: Int32?, duration: Duration, status: CommandEnd.Status) {
    self.output = output
    self.exitCode = exitCode
    self.duration = duration
    self.status = status
  }
}

/// Formats a command's result for the model the way codex-rs does (exit code, wall time, then
/// the output), keeping the head and tail of long output with a `…N chars truncated…` marker
/// in the middle, so a huge log cannot flood the context.
public enum ToolOutputFormatter {
  public static let maxBytes = 10 * 1024
  public static let maxLines = 256

  public struct Formatted: Sendable, Equatable {
    public var modelText: String
    /// The (truncated) output alone, for the terminal.
    public var displayOutput: String
  }

  public static func format(_ o: ToolOutput, maxBytes: Int = maxBytes, maxLines: Int = maxLines)
    -> Formatted
  {
    let body = truncate(o.output, maxBytes: maxBytes, maxLines: maxLines)
    let seconds =
      Double(o.duration.components.seconds) + Double(o.duration.components.attoseconds) / 1e18
    let wall = "Wall time: \(formatSeconds(seconds)) seconds"
    var text: String
    switch o.status {
    case .completed:
      text = "Exit code: \(o.exitCode.map(String.init) ?? "unknown")\n\(wall)\nOutput:\n\(body)"
    case .timedOut:
      text =
        "The command timed out after \(formatSeconds(seconds)) seconds and was killed (with every process it started).\n\(wall)\nOutput so far:\n\(body)"
    case .signalled(let sig):
      text = "The command was killed by signal \(sig).\n\(wall)\nOutput:\n\(body)"
    case .rejected(let why):
      text = "The command was not run: \(why)."
    case .failedToStart(let why):
      text = "The command could not be started: \(why)."
    }
    return Formatted(modelText: text, displayOutput: body)
  }

  static func formatSeconds(_ s: Double) -> String {
    let tenths = Int((s * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
  }

  /// Head and tail within both budgets; never splits a character.
  public static func truncate(_ text: String, maxBytes: Int, maxLines: Int) -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    var t = text
    var droppedLines = 0
    if lines.count > maxLines {
      let head = lines.prefix(maxLines / 2)
      let tail = lines.suffix(maxLines - maxLines / 2)
      droppedLines = lines.count - head.count - tail.count
      t =
        head.joined(separator: "\n") + "\n…\(droppedLines) lines truncated…\n"
        + tail.joined(separator: "\n")
    }
    guard t.utf8.count > maxBytes else { return t }
    let half = maxBytes / 2
    let chars = Array(t)
    var headEnd = 0
    var bytes = 0
    while headEnd < chars.count {
      let n = chars[headEnd].utf8.count
      if bytes + n > half { break }
      bytes += n
      headEnd += 1
    }
    var tailStart = chars.count
    bytes = 0
    while tailStart > headEnd {
      let n = chars[tailStart - 1].utf8.count
      if bytes + n > half { break }
      bytes += n
      tailStart -= 1
    }
    let dropped = chars[headEnd..<tailStart].reduce(0) { $0 + $1.utf8.count }
    return String(chars[..<headEnd]) + "\n…\(dropped) chars truncated…\n"
      + String(chars[tailStart...])
  }
}
