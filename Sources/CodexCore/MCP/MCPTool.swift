import Synchronization

/// One tool of an MCP server as the toolbox holds it: offered as `server__tool` with the
/// server's input schema (cleaned for the wire in use), run on its server after the approval
/// rules in `assessMCPToolCall`. The toolbox has checked the arguments against the schema
/// before `run`; whatever happens then comes back to the model as text.
public struct MCPTool: Tool {
  public let exposed: MCPServerManager.ExposedTool
  let manager: MCPServerManager
  let policy: @Sendable () -> ApprovalPolicy
  /// Tools the user answered "yes, always" for, shared by every MCP tool of the session.
  let approvedForSession: MCPSessionApprovals
  let formatter = ToolOutputFormatter()

  public var spec: ToolSpec { spec(schema: exposed.tool.inputSchema) }

  public func spec(for wire: WireAPI) -> ToolSpec {
    spec(schema: JSONSchemaCleaner.clean(exposed.tool.inputSchema, for: wire))
  }

  func spec(schema: JSON) -> ToolSpec {
    let t = exposed.tool
    var description = t.description.isEmpty ? (t.title ?? t.name) : t.description
    description += " (tool '\(t.name)' of the MCP server '\(exposed.server)')"
    return ToolSpec(name: exposed.name, description: description, parameters: schema)
  }

  public func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
    let tool = exposed.tool
    let begin = MCPToolCallBegin(
      id: call.id, server: exposed.server, tool: tool.name, arguments: call.arguments)
    switch assessMCPToolCall(
      policy: policy(), readOnlyHint: tool.readOnlyHint, setting: exposed.approval,
      approvedForSession: approvedForSession.contains(exposed.name))
    {
    case .run:
      break
    case .reject(let reason):
      return notRun(begin, context, "The tool was not called: \(reason).")
    case .ask(let reason):
      // "Always" means nothing for a tool configured to ask every time.
      let choices: [ApprovalAnswer] =
        exposed.approval == .ask ? [.yes, .no, .abort] : [.yes, .yesAlways, .no, .abort]
      let answer = await context.ask(
        ApprovalRequest(
          callID: call.id, subject: .mcpTool(begin), reason: reason, unsandboxed: true,
          choices: choices))
      switch answer {
      case .yes:
        break
      case .yesAlways:
        approvedForSession.insert(exposed.name)
      case .no:
        return notRun(
          begin, context,
          "The user declined this call to \(exposed.name). Do not call it again with the same "
            + "arguments; try another way or ask the user.")
      case .abort:
        _ = notRun(begin, context, "The user aborted the turn.")
        throw TurnAborted("aborted at the approval prompt")
      }
    }

    context.emit(.mcpToolCallBegin(begin))
    let clock = ContinuousClock()
    let start = clock.now
    let emit = context.emit
    let server = exposed.server
    func end(_ result: MCPClient.CallResult?, error: String?, output: String) {
      context.emit(
        .mcpToolCallEnd(
          MCPToolCallEnd(
            id: call.id, server: server, tool: tool.name, arguments: call.arguments,
            result: result, error: error, duration: clock.now - start, output: output)))
    }
    do {
      let result = try await manager.call(
        exposed, arguments: call.arguments.objectValue ?? JSONObject()
      ) { p in
        emit(
          .mcpToolCallProgress(
            MCPToolCallProgress(
              id: call.id, server: server, tool: tool.name, progress: p.progress, total: p.total,
              message: p.message)))
      }
      let output = MCPToolOutput.modelText(result, formatter: formatter)
      end(result, error: nil, output: output)
      return ToolOutput(output, isError: result.isError)
    } catch let error as MCPError {
      let why = "MCP server '\(server)' failed: \(error)"
      end(nil, error: why, output: "error: \(why)")
      return .error("error: the tool call failed: \(why)")
    } catch {
      end(nil, error: "interrupted", output: "")
      throw error
    }
  }

  /// Reports a call that was not made and returns what the model is told.
  func notRun(_ begin: MCPToolCallBegin, _ context: ToolContext, _ message: String) -> ToolOutput {
    context.emit(.mcpToolCallBegin(begin))
    context.emit(
      .mcpToolCallEnd(
        MCPToolCallEnd(
          id: begin.id, server: begin.server, tool: begin.tool, arguments: begin.arguments,
          result: nil, error: message, duration: .zero, output: message)))
    return .error(message)
  }
}

/// The MCP tools approved for the rest of the session ("yes, always").
public final class MCPSessionApprovals: Sendable {
  private let names = Mutex<Set<String>>([])
  public init() {}
  func contains(_ name: String) -> Bool { names.withLock { $0.contains(name) } }
  func insert(_ name: String) { names.withLock { _ = $0.insert(name) } }
}
