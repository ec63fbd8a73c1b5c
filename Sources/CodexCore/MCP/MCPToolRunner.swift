import Synchronization

/// The session's tools with the MCP servers' tools added: calls to an MCP tool go to its server
/// (after the approval rules in `assessMCPToolCall`), everything else to `base`. Each MCP tool is
/// offered as a function named `server__tool` with the server's input schema, cleaned for the
/// wire in use. Whatever happens comes back to the model as text.
public final class MCPToolRunner: ToolRunner {
  let base: any ToolRunner
  public let manager: MCPServerManager
  /// The approval policy in force now (the shell tool's, which `/approvals` changes).
  let policy: @Sendable () -> ApprovalPolicy
  let approvedForSession = Mutex<Set<String>>([])
  let formatter = ToolOutputFormatter()

  public init(
    base: any ToolRunner, manager: MCPServerManager,
    policy: @escaping @Sendable () -> ApprovalPolicy
  ) {
    self.base = base
    self.manager = manager
    self.policy = policy
  }

  public var specs: [ToolSpec] {
    base.specs + manager.tools.map { Self.spec($0, schema: $0.tool.inputSchema) }
  }

  public func specs(for wire: WireAPI) -> [ToolSpec] {
    base.specs(for: wire)
      + manager.tools.map {
        Self.spec($0, schema: JSONSchemaCleaner.clean($0.tool.inputSchema, for: wire))
      }
  }

  static func spec(_ t: MCPServerManager.ExposedTool, schema: JSON) -> ToolSpec {
    var description =
      t.tool.description.isEmpty ? (t.tool.title ?? t.tool.name) : t.tool.description
    description += " (tool '\(t.tool.name)' of the MCP server '\(t.server)')"
    return ToolSpec(name: t.name, description: description, parameters: schema)
  }

  public func prepare(emit: @escaping @Sendable (AgentEvent) -> Void) async {
    await manager.waitForStartup()
    for notice in manager.takeNotices() { emit(.warning(notice)) }
    await base.prepare(emit: emit)
  }

  public func run(_ call: ToolCall, context: ToolContext) async throws -> String {
    guard let tool = manager.tool(named: call.name) else {
      return try await base.run(call, context: context)
    }
    let text = call.arguments.trimmingWhitespace().isEmpty ? "{}" : call.arguments
    let parsed = try? JSON.parse(text)
    let begin = MCPToolCallBegin(
      id: call.id, server: tool.server, tool: tool.tool.name,
      arguments: parsed ?? .string(call.arguments))
    guard let arguments = parsed?.objectValue else {
      let why = "the arguments are not a JSON object: \(Wires.preview(call.arguments))"
      context.emit(.warning("the model sent a malformed call to \(call.name): \(why)"))
      return notRun(begin, context, "error: \(why)")
    }

    let approved = approvedForSession.withLock { $0.contains(tool.name) }
    switch assessMCPToolCall(
      policy: policy(), readOnlyHint: tool.tool.readOnlyHint, setting: tool.approval,
      approvedForSession: approved)
    {
    case .run:
      break
    case .reject(let reason):
      return notRun(begin, context, "The tool was not called: \(reason).")
    case .ask(let reason):
      let answer = await context.approvals.decide(
        ApprovalRequest(
          callID: call.id, command: [], workdir: "", reason: reason, unsandboxed: true,
          mcpTool: begin))
      switch answer {
      case .yes:
        break
      case .yesAlways:
        if tool.approval != .ask { approvedForSession.withLock { _ = $0.insert(tool.name) } }
      case .no:
        return notRun(
          begin, context,
          "The user declined this call to \(call.name). Do not call it again with the same "
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
    do {
      let result = try await manager.call(tool, arguments: arguments) { p in
        emit(
          .mcpToolCallProgress(
            MCPToolCallProgress(
              id: call.id, server: tool.server, tool: tool.tool.name, progress: p.progress,
              total: p.total, message: p.message)))
      }
      let output = MCPToolOutput.modelText(result, formatter: formatter)
      context.emit(
        .mcpToolCallEnd(
          MCPToolCallEnd(
            id: call.id, server: tool.server, tool: tool.tool.name, arguments: begin.arguments,
            result: result, error: nil, duration: clock.now - start, output: output)))
      return output
    } catch let error as MCPError {
      let why = "MCP server '\(tool.server)' failed: \(error)"
      context.emit(
        .mcpToolCallEnd(
          MCPToolCallEnd(
            id: call.id, server: tool.server, tool: tool.tool.name, arguments: begin.arguments,
            result: nil, error: why, duration: clock.now - start, output: "error: \(why)")))
      return "error: the tool call failed: \(why)"
    } catch {
      context.emit(
        .mcpToolCallEnd(
          MCPToolCallEnd(
            id: call.id, server: tool.server, tool: tool.tool.name, arguments: begin.arguments,
            result: nil, error: "interrupted", duration: clock.now - start, output: "")))
      throw error
    }
  }

  /// Reports a call that was not made and returns what the model is told.
  func notRun(_ begin: MCPToolCallBegin, _ context: ToolContext, _ message: String) -> String {
    context.emit(.mcpToolCallBegin(begin))
    context.emit(
      .mcpToolCallEnd(
        MCPToolCallEnd(
          id: begin.id, server: begin.server, tool: begin.tool, arguments: begin.arguments,
          result: nil, error: message, duration: .zero, output: message)))
    return message
  }
}
