import CodexCore
import Synchronization

/// `--json`: one JSON object per line, following codex-rs's `exec --json` events
/// (`thread.started`, `turn.started`, `item.started|completed`, `turn.completed`,
/// `turn.failed`, `error`). Items: `agent_message`, `reasoning`, `command_execution`, `mcp_tool_call`.
public final class JSONEventPrinter: Sendable {
  struct State {
    var nextItem = 0
    var reasoning = ""
    var commandItems: [String: String] = [:]
  }
  let state = Mutex(State())
  let sessionID: String
  let write: @Sendable (String) -> Void

  public init(
    sessionID: String,
    write: @escaping @Sendable (String) -> Void = { TerminalIO.write(TerminalIO.stdoutFD, $0) }
  ) {
    self.sessionID = sessionID
    self.write = write
  }

  func emit(_ json: JSON) { write(json.serialized() + "\n") }

  public func threadStarted() {
    emit(["type": "thread.started", "thread_id": .string(sessionID)])
  }

  public func failed(_ message: String) {
    emit(["type": "turn.failed", "error": ["message": .string(message)]])
  }

  public func handle(_ event: AgentEvent) {
    state.withLock { s in
      func newItem() -> String {
        defer { s.nextItem += 1 }
        return "item_\(s.nextItem)"
      }
      func flushReasoning() {
        guard !s.reasoning.isEmpty else { return }
        emit([
          "type": "item.completed",
          "item": ["id": .string(newItem()), "type": "reasoning", "text": .string(s.reasoning)],
        ])
        s.reasoning = ""
      }
      switch event {
      case .turnStarted:
        emit(["type": "turn.started"])
      case .reasoningDelta(let r):
        s.reasoning += r
      case .textDelta:
        break
      case .messageComplete(let text):
        flushReasoning()
        guard !text.isEmpty else { return }
        emit([
          "type": "item.completed",
          "item": ["id": .string(newItem()), "type": "agent_message", "text": .string(text)],
        ])
      case .commandBegin(let b):
        flushReasoning()
        let id = newItem()
        s.commandItems[b.id] = id
        emit([
          "type": "item.started",
          "item": [
            "id": .string(id), "type": "command_execution", "command": .string(b.displayText),
            "aggregated_output": "", "exit_code": nil, "status": "in_progress",
          ],
        ])
      case .commandEnd(let e):
        let id = s.commandItems[e.id] ?? newItem()
        let failed: Bool
        switch e.status {
        case .completed: failed = e.exitCode != 0
        default: failed = true
        }
        emit([
          "type": "item.completed",
          "item": [
            "id": .string(id), "type": "command_execution",
            "command": .string(CommandText.display(e.command)),
            "aggregated_output": .string(e.output),
            "exit_code": e.exitCode.map { .int(Int64($0)) } ?? .null,
            "status": failed ? "failed" : "completed",
          ],
        ])
      case .mcpToolCallBegin(let b):
        flushReasoning()
        let id = newItem()
        s.commandItems[b.id] = id
        emit(["type": "item.started", "item": Self.mcpItem(id: id, b.server, b.tool, b.arguments)])
      case .mcpToolCallEnd(let e):
        let id = s.commandItems[e.id] ?? newItem()
        emit(
          [
            "type": "item.completed",
            "item": Self.mcpItem(id: id, e.server, e.tool, e.arguments, end: e),
          ])
      case .warning(let w):
        emit(["type": "error", "message": .string(w)])
      case .turnComplete(let t):
        flushReasoning()
        emit([
          "type": "turn.completed",
          "usage": [
            "input_tokens": .int(Int64(t.usage.inputTokens)),
            "cached_input_tokens": .int(Int64(t.usage.cachedInputTokens)),
            "output_tokens": .int(Int64(t.usage.outputTokens)),
          ],
        ])
      case .usage, .commandOutput, .mcpToolCallProgress:
        break
      }
    }
  }

  /// codex-rs's `mcp_tool_call` item: server, tool, arguments, result (content and
  /// structured_content) or error, status.
  static func mcpItem(
    id: String, _ server: String, _ tool: String, _ arguments: JSON, end: MCPToolCallEnd? = nil
  ) -> JSON {
    var result: JSON = .null
    var error: JSON = .null
    var status = "in_progress"
    if let end {
      if let r = end.result {
        result = ["content": .array(r.content), "structured_content": r.structuredContent ?? .null]
      }
      if let e = end.error { error = ["message": .string(e)] }
      status = end.succeeded ? "completed" : "failed"
    }
    return [
      "id": .string(id), "type": "mcp_tool_call", "server": .string(server),
      "tool": .string(tool), "arguments": arguments, "result": result, "error": error,
      "status": .string(status),
    ]
  }
}
