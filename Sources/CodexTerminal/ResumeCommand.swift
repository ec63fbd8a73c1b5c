import CodexCore

/// `codex resume --last`, `codex resume ID`, `codex resume` (pick from a list): load a saved
/// session and continue it with its full history.
enum ResumeCommand {
  static func find(_ target: CommandLineArguments.ResumeTarget, codexHome: String, style: Style)
    -> Result<SavedSession, ResumeError>
  {
    let path: String
    switch target {
    case .last:
      guard let p = Rollout.list(codexHome: codexHome).first else {
        return .failure(ResumeError("no saved sessions in \(codexHome)/sessions"))
      }
      path = p
    case .id(let id):
      guard let p = Rollout.find(id: id, codexHome: codexHome) else {
        return .failure(ResumeError("no saved session with id \(id) in \(codexHome)/sessions"))
      }
      path = p
    case .pick:
      guard TerminalIO.isTTY(TerminalIO.stdinFD) else {
        return .failure(
          ResumeError(
            "no terminal to pick a session from: use `codex resume --last` or `codex resume ID`"))
      }
      let sessions = Rollout.list(codexHome: codexHome).prefix(20).compactMap(Rollout.load)
      guard !sessions.isEmpty else {
        return .failure(ResumeError("no saved sessions in \(codexHome)/sessions"))
      }
      var text = ""
      for (n, s) in sessions.enumerated() {
        let name = s.path.split(separator: "/").last.map(String.init) ?? s.path
        let when = name.dropFirst("rollout-".count).prefix(19)
        text += "\(style.bold("\(n + 1).")) \(style.dim(String(when))) \(s.preview)\n"
      }
      TerminalIO.write(TerminalIO.stderrFD, text + "Which session? [1-\(sessions.count)]: ")
      guard let line = TerminalIO.readLine(), let n = Int(line.trimmingCharacters()),
        (1...sessions.count).contains(n)
      else {
        return .failure(ResumeError("no session chosen"))
      }
      return .success(sessions[n - 1])
    }
    guard let session = Rollout.load(path: path) else {
      return .failure(ResumeError("\(path) is not a readable session file"))
    }
    return .success(session)
  }
}

struct ResumeError: Error, CustomStringConvertible {
  var description: String
  init(_ d: String) { description = d }
}
