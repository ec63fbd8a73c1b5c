/// What the engine tells a front end. The one-shot printer, the interactive session and the
/// `--json` printer all consume these and nothing else.
public enum AgentEvent: Sendable, Equatable {
  case turnStarted
  case textDelta(String)
  case reasoningDelta(String)
  /// The model's text for this request is complete (before any tools run).
  case messageComplete(String)
  case commandBegin(CommandBegin)
  case commandOutput(id: String, chunk: [UInt8])
  case commandEnd(CommandEnd)
  case usage(TokenUsage)
  case warning(String)
  case turnComplete(TurnSummary)
}

public struct CommandBegin: Sendable, Equatable {
  public var id: String
  public var command: [String]
  public var workdir: String
  public var sandboxed: Bool

  public init(id: String, command: [String], workdir: String, sandboxed: Bool) {
    self.id = id
    self.command = command
    self.workdir = workdir
    self.sandboxed = sandboxed
  }

  /// The command as a user would type it: the script of `bash -lc SCRIPT`, else the words.
  public var displayText: String { CommandText.display(command) }
}

public struct CommandEnd: Sendable, Equatable {
  public var id: String
  public var command: [String]
  public var duration: Duration
  /// Combined stdout and stderr, as sent to the model (possibly truncated).
  public var output: String
  /// How it ended, or why it did not run: rejected, sandbox unavailable.
  public var status: Status

  public enum Status: Sendable, Equatable {
    case finished(CommandTermination)
    case rejected(String)
    case failedToStart(String)
  }

  public init(id: String, command: [String], duration: Duration, output: String, status: Status) {
    self.id = id
    self.command = command
    self.duration = duration
    self.output = output
    self.status = status
  }

  /// The exit status when the command exited by itself.
  public var exitCode: Int32? {
    if case .finished(.exited(let code)) = status { return code }
    return nil
  }
}

/// How a command that ran came to an end: the one shape the runner's result is read into, for
/// the model's text and for every front end.
public enum CommandTermination: Sendable, Equatable {
  case exited(code: Int32)
  case signaled(signal: Int32)
  /// Killed by us when `limit` passed.
  case timedOut(limit: Duration)
}

public struct TurnSummary: Sendable, Equatable {
  /// The model's final answer (its text in the last request of the turn).
  public var lastMessage: String
  public var usage: TokenUsage
  public var finishReason: FinishReason

  public init(lastMessage: String, usage: TokenUsage, finishReason: FinishReason) {
    self.lastMessage = lastMessage
    self.usage = usage
    self.finishReason = finishReason
  }
}

/// A command waiting for the user's yes or no.
public struct ApprovalRequest: Sendable, Equatable {
  public var callID: String
  public var command: [String]
  public var workdir: String
  /// Why we ask: "not a known-safe command", "rm -rf deletes ...", the model's justification.
  public var reason: String
  /// Asking to run without the sandbox (escalation or a retry after a sandbox denial).
  public var unsandboxed: Bool

  public init(callID: String, command: [String], workdir: String, reason: String, unsandboxed: Bool)
  {
    self.callID = callID
    self.command = command
    self.workdir = workdir
    self.reason = reason
    self.unsandboxed = unsandboxed
  }
}

/// The front end's side of approvals. With no terminal to ask, the answer is `.no`.
public protocol ApprovalHandler: Sendable {
  func decide(_ request: ApprovalRequest) async -> ApprovalAnswer
}

/// Answers every request the same way (non-interactive runs, tests).
public struct FixedApproval: ApprovalHandler {
  public let answer: ApprovalAnswer
  public init(_ answer: ApprovalAnswer) { self.answer = answer }
  public func decide(_ request: ApprovalRequest) async -> ApprovalAnswer { answer }
}

public enum CommandText {
  /// `["bash","-lc","ls -la"]` shows as `ls -la`; other argv are joined, quoting where needed.
  public static func display(_ argv: [String]) -> String {
    if argv.count == 3, ["bash", "sh", "zsh", "/bin/bash", "/bin/sh"].contains(argv[0]),
      ["-c", "-lc", "-cl"].contains(argv[1])
    {
      return argv[2]
    }
    return argv.map(quote).joined(separator: " ")
  }

  static func quote(_ s: String) -> String {
    let safe = s.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
    if safe, !s.isEmpty { return s }
    return "'" + s.replacing("'", with: "'\\''") + "'"
  }
}
