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
  /// An MCP tool call started (after any approval).
  case mcpToolCallBegin(MCPToolCallBegin)
  /// The server reported progress on a running call (`notifications/progress`).
  case mcpToolCallProgress(MCPToolCallProgress)
  case mcpToolCallEnd(MCPToolCallEnd)
  case usage(TokenUsage)
  case warning(String)
  /// The provider in use failed before answering and the request went to the next entry of
  /// the fallback chain (`ModelRouter`).
  case modelFallback(ModelFallback)
  /// The stream broke after part of the answer arrived and is being sent again: a front end
  /// drops what it showed of this answer (the retried one starts from the beginning).
  case streamRestarted(attempt: Int, reason: String)
  /// The conversation was compacted to fit the context window.
  case contextCompacted(ContextCompaction)
  /// The model updated its plan (`update_plan`).
  case planUpdated(PlanUpdate)
  /// Files a patch changed, or failed to change.
  case fileChange(FileChangeEvent)
  case turnComplete(TurnSummary)
}

/// What a compaction did, in tokens (estimated).
public struct ContextCompaction: Sendable, Equatable {
  public var tokensBefore: Int
  public var tokensAfter: Int
  /// Whether the model wrote a summary (else only old tool outputs were trimmed or old turns
  /// dropped).
  public var summarized: Bool
  /// Why: over the limit, asked by the user, or the server said the context was exceeded.
  public var trigger: Trigger

  public enum Trigger: String, Sendable, Equatable {
    case auto, manual, overflow
  }

  public init(tokensBefore: Int, tokensAfter: Int, summarized: Bool, trigger: Trigger) {
    self.tokensBefore = tokensBefore
    self.tokensAfter = tokensAfter
    self.summarized = summarized
    self.trigger = trigger
  }
}

/// The model's plan: steps with their status, and why it changed.
public struct PlanUpdate: Sendable, Equatable {
  public enum Status: String, Sendable, Equatable, CaseIterable {
    case pending
    case inProgress = "in_progress"
    case completed
  }
  public struct Step: Sendable, Equatable {
    public var text: String
    public var status: Status
    public init(text: String, status: Status) {
      self.text = text
      self.status = status
    }
  }
  public var steps: [Step]
  public var explanation: String?

  public init(steps: [Step], explanation: String? = nil) {
    self.steps = steps
    self.explanation = explanation
  }
}

/// A patch applied (or not): which files, and whether it worked.
public struct FileChangeEvent: Sendable, Equatable {
  public var callID: String
  public var changes: [FileChange]
  /// Nil when it applied; otherwise why not (nothing was written).
  public var failure: String?

  public init(callID: String, changes: [FileChange], failure: String? = nil) {
    self.callID = callID
    self.changes = changes
    self.failure = failure
  }
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

/// Something waiting for the user's yes or no: a command, a patch, a call to a tool that runs
/// outside the sandbox. The engine decides which answers make sense (`choices`); a front end
/// offers exactly those.
public struct ApprovalRequest: Sendable, Equatable {
  public enum Subject: Sendable, Equatable {
    /// A shell command, as the argv it will run, and where.
    case command(argv: [String], workdir: String)
    /// Files a patch would write.
    case patch(PatchApproval)
    /// A call to an MCP server's tool (it runs outside the sandbox).
    case mcpTool(MCPToolCallBegin)
  }

  public var callID: String
  public var subject: Subject
  /// Why we ask: "not a known-safe command", "rm -rf deletes ...", the model's justification.
  public var reason: String
  /// Asking to run without the sandbox (escalation or a retry after a sandbox denial).
  public var unsandboxed: Bool
  /// The answers that mean something here, in the order to offer them.
  public var choices: [ApprovalAnswer]

  public init(
    callID: String, subject: Subject, reason: String, unsandboxed: Bool,
    choices: [ApprovalAnswer]
  ) {
    self.callID = callID
    self.subject = subject
    self.reason = reason
    self.unsandboxed = unsandboxed
    self.choices = choices
  }
}

/// A patch shown for approval: what it changes and the diff.
public struct PatchApproval: Sendable, Equatable {
  public var changes: [FileChange]
  /// Unified diff of every file, for display.
  public var diff: String
  /// Where the patch applies.
  public var workdir: String

  public init(changes: [FileChange], diff: String, workdir: String) {
    self.changes = changes
    self.diff = diff
    self.workdir = workdir
  }
}

/// One file a patch adds, updates (possibly moving it) or deletes.
public struct FileChange: Sendable, Equatable {
  public enum Kind: String, Sendable, Equatable {
    case add, update, delete
  }
  /// Absolute path.
  public var path: String
  public var kind: Kind
  /// For an update that also renames: the new absolute path.
  public var movePath: String?
  public var added: Int
  public var removed: Int

  public init(path: String, kind: Kind, movePath: String? = nil, added: Int = 0, removed: Int = 0) {
    self.path = path
    self.kind = kind
    self.movePath = movePath
    self.added = added
    self.removed = removed
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

/// An MCP tool call: which server and tool, with what arguments.
public struct MCPToolCallBegin: Sendable, Equatable {
  public var id: String
  public var server: String
  public var tool: String
  /// The arguments as the model sent them (an object).
  public var arguments: JSON

  public init(id: String, server: String, tool: String, arguments: JSON) {
    self.id = id
    self.server = server
    self.tool = tool
    self.arguments = arguments
  }
}

public struct MCPToolCallProgress: Sendable, Equatable {
  public var id: String
  public var server: String
  public var tool: String
  public var progress: Double
  public var total: Double?
  public var message: String?

  public init(
    id: String, server: String, tool: String, progress: Double, total: Double?, message: String?
  ) {
    self.id = id
    self.server = server
    self.tool = tool
    self.progress = progress
    self.total = total
    self.message = message
  }
}

public struct MCPToolCallEnd: Sendable, Equatable {
  public var id: String
  public var server: String
  public var tool: String
  public var arguments: JSON
  /// The server's answer: content items, structured content, whether it reports an error.
  public var result: MCPClient.CallResult?
  /// Why there is no result (refused, declined, the server failed or timed out).
  public var error: String?
  public var duration: Duration
  /// What the model was told (possibly truncated).
  public var output: String

  public init(
    id: String, server: String, tool: String, arguments: JSON, result: MCPClient.CallResult?,
    error: String?, duration: Duration, output: String
  ) {
    self.id = id
    self.server = server
    self.tool = tool
    self.arguments = arguments
    self.result = result
    self.error = error
    self.duration = duration
    self.output = output
  }

  /// False when the call did not run or the tool reported an error.
  public var succeeded: Bool { error == nil && !(result?.isError ?? true) }
}
