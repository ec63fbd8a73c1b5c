/// Colours and emphasis, only where they help: on a terminal, unless `NO_COLOR` is set or
/// `TERM=dumb`. Piped output is plain text with no escape codes.
public struct Style: Sendable {
  public let enabled: Bool

  public init(enabled: Bool) { self.enabled = enabled }

  public static func forFD(_ fd: Int32, environment: [String: String]) -> Style {
    let noColor = environment["NO_COLOR"].map { !$0.isEmpty } ?? false
    let dumb = environment["TERM"] == "dumb"
    return Style(enabled: TerminalIO.isTTY(fd) && !noColor && !dumb)
  }

  func wrap(_ s: String, _ code: String) -> String {
    enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
  }

  public func dim(_ s: String) -> String { wrap(s, "2") }
  public func bold(_ s: String) -> String { wrap(s, "1") }
  public func italic(_ s: String) -> String { wrap(s, "3") }
  public func red(_ s: String) -> String { wrap(s, "31") }
  public func green(_ s: String) -> String { wrap(s, "32") }
  public func yellow(_ s: String) -> String { wrap(s, "33") }
  public func cyan(_ s: String) -> String { wrap(s, "36") }
  public func magenta(_ s: String) -> String { wrap(s, "35") }
}
