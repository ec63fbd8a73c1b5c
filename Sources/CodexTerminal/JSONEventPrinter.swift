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
    /// The turn's to-do list item, once the model has made a plan.
    var plan: (id: String, items: JSON)?
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
        case .finished(.exited(let code)): failed = code != 0
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
      case .modelFallback(let f):
        emit([
          "type": "model.fallback", "message": .string(f.description),
          "from": ["provider": .string(f.fromProvider), "model": .string(f.fromModel)],
          "to": ["provider": .string(f.toProvider), "model": .string(f.toModel)],
          "error": .string(f.error),
        ])
      case .streamRestarted:
        // Only the final, complete answer is reported.
        s.reasoning = ""
      case .contextCompacted(let c):
        emit([
          "type": "item.completed",
          "item": [
            "id": .string(newItem()), "type": "context_compaction",
            "tokens_before": .int(Int64(c.tokensBefore)),
            "tokens_after": .int(Int64(c.tokensAfter)),
            "summarized": .bool(c.summarized), "trigger": .string(c.trigger.rawValue),
          ],
        ])
      case .planUpdated(let plan):
        let items = JSON.array(
          plan.steps.map {
            ["text": .string($0.text), "completed": .bool($0.status == .completed)]
          })
        let started = s.plan == nil
        let id = s.plan?.id ?? newItem()
        s.plan = (id, items)
        emit([
          "type": .string(started ? "item.started" : "item.updated"),
          "item": ["id": .string(id), "type": "todo_list", "items": items],
        ])
      case .fileChange(let change):
        emit([
          "type": "item.completed",
          "item": [
            "id": .string(newItem()), "type": "file_change",
            "changes": .array(
              change.changes.map { ["path": .string($0.path), "kind": .string($0.kind.rawValue)] }),
            "status": change.failure == nil ? "completed" : "failed",
          ],
        ])
      case .turnComplete(let t):
        flushReasoning()
        if let plan = s.plan {
          emit([
            "type": "item.completed",
            "item": ["id": .string(plan.id), "type": "todo_list", "items": plan.items],
          ])
          s.plan = nil
        }
        emit([
          "type": "turn.completed",
          "usage": [
            "input_tokens": .int(Int64(t.usage.inputTokens)),
            "cached_input_tokens": .int(Int64(t.usage.cachedInputTokens)),
            "output_tokens": .int(Int64(t.usage.outputTokens)),
            "cost_usd": t.usage.cost.map { .double($0) } ?? .null,
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
