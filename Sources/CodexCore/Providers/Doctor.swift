/// `codex doctor`: the troubleshooting checklist as data. Each check says what it found and,
/// when something is wrong, the one thing to do about it. The terminal prints them; `--json`
/// serialises them.
public struct DoctorCheck: Sendable, Equatable {
  public enum Status: String, Sendable {
    case ok
    /// Works, but weaker or slower than it could be (a sandbox that cannot block the network).
    case warning
    case failed
    /// Not checked, because an earlier check failed or the server has nothing to ask.
    case skipped
  }

  public var name: String
  public var status: Status
  public var detail: String
  /// What to do, when the status is not ok: `ollama serve`, `ollama pull llama3`, …
  public var fix: String?

  public init(_ name: String, _ status: Status, _ detail: String, fix: String? = nil) {
    self.name = name
    self.status = status
    self.detail = detail
    self.fix = fix
  }

  public var json: JSON {
    [
      "name": .string(name), "status": .string(status.rawValue), "detail": .string(detail),
      "fix": fix.map { .string($0) } ?? .null,
    ]
  }
}

/// A titled group of checks: the config, one provider, the machine.
public struct DoctorSection: Sendable, Equatable {
  public var title: String
  public var checks: [DoctorCheck]
  /// Whether a failure here makes `codex doctor` exit non-zero. Machine checks only warn.
  public var decidesExitStatus: Bool

  public init(title: String, checks: [DoctorCheck], decidesExitStatus: Bool = true) {
    self.title = title
    self.checks = checks
    self.decidesExitStatus = decidesExitStatus
  }

  public var failed: Bool { checks.contains { $0.status == .failed } }

  public var json: JSON {
    ["title": .string(title), "checks": .array(checks.map(\.json))]
  }
}

public enum ConfigDoctor {
  /// The config file parses and is valid; each warning (unknown key, with file:line) is a line.
  public static func checks(loaded: Result<Config, any Error>, files: [String]) -> [DoctorCheck] {
    let read =
      files.isEmpty ? "no config file (built-in defaults)" : files.joined(separator: ", ")
    switch loaded {
    case .failure(let error):
      return [DoctorCheck("config", .failed, "\(error)", fix: "edit the file at the place named")]
    case .success(let config):
      var out = [DoctorCheck("config", .ok, "\(read) loaded")]
      for w in config.warnings {
        out.append(DoctorCheck("config", .warning, w, fix: "fix or remove the key"))
      }
      return out
    }
  }
}
