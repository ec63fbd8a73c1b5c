import CodexCore

/// `DEBUG=1`: what goes over the wire, on stderr, dimmed. One definition for every command that
/// talks to a server (a session, `models`, `doctor`, `pull`, `serve`). Everything it prints
/// came from a server or a client, so it is shown with control characters escaped, never
/// obeyed by the terminal.
enum DebugLog {
  static func isOn(_ environment: [String: String]) -> Bool {
    guard let d = environment["DEBUG"] else { return false }
    return !d.isEmpty && d != "0" && d.lowercased() != "false"
  }

  /// Where DEBUG lines go; nil when DEBUG is off.
  static func sink(_ environment: [String: String], style: Style) -> (
    @Sendable (String) -> Void
  )? {
    guard isOn(environment) else { return nil }
    return { text in
      TerminalIO.write(
        TerminalIO.stderrFD, style.dim(TerminalText.escaped(text, keepingNewlines: true)) + "\n")
    }
  }

  /// libcurl, wrapped in the request log when DEBUG is on.
  static func transport(_ environment: [String: String], style: Style) -> any HTTPTransport {
    let curl = CurlTransport()
    guard let sink = sink(environment, style: style) else { return curl }
    return LoggingTransport(wrapping: curl, sink: sink)
  }
}
