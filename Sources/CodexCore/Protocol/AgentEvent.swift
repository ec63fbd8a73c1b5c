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
  public var exitCode: Int32?
  public var duration: Duration
  /// Combined stdout and stderr, as sent to the model (possibly truncated).
  public var output: String
  /// Why the command did not run or was stopped: rejected, timed out, sandbox unavailable.
  public var status: Status

  public enum Status: Sendable, Equatable {
    case completed
    case timedOut
    case signalled(Int32)
    case rejected(String)
    case failedToStart(String)
  }

  public init(
    id: String, command: [String], exitCode: Int32?, duration: Duration, output: String,
    status: Status
  ) {
    self.id = id
    self.command = command
    self.exitCode = exitCode
    self.duration = duration
    self.output = output
    self.status = status
  }
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
  /// Set when the call is to an MCP tool rather than a command (`command` is then empty).
  public var mcpTool: MCPToolCallBegin?

  public init(
    callID: String, command: [String], workdir: String, reason: String, unsandboxed: Bool,
    mcpTool: MCPToolCallBegin? = nil
  ) {
    self.callID = callID
    self.command = command
    self.workdir = workdir
    self.reason = reason
    self.unsandboxed = unsandboxed
    self.mcpTool = mcpTool
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
