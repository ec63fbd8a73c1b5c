import Synchronization

/// The tools offered to the model, and the one gate every call passes: the tool must exist, its
/// arguments must be a JSON object that fits the tool's schema. A call that does not pass never
/// runs; the model is told exactly what was wrong and what the schema expects.
///
/// Tools can join and leave during a session (an MCP server that starts late or dies); each
/// request offers the tools present when it is built.
public final class Toolbox: Sendable {
  private let tools: Mutex<[any Tool]>
  /// Run before each model request (MCP servers: wait for startup, report what changed).
  public typealias RequestHook =
    @Sendable (_ emit: @escaping @Sendable (AgentEvent) -> Void)
    async -> Void
  private let requestHooks = Mutex<[RequestHook]>([])

  public init(_ tools: [any Tool] = []) {
    self.tools = Mutex(tools)
  }

  public var specs: [ToolSpec] { tools.withLock { $0.map(\.spec) } }

  /// The specs as `wire` accepts them.
  public func specs(for wire: WireAPI) -> [ToolSpec] {
    tools.withLock { $0.map { $0.spec(for: wire) } }
  }

  public func beforeEachRequest(_ hook: @escaping RequestHook) {
    requestHooks.withLock { $0.append(hook) }
  }

  /// Runs the hooks, in the order they were added, before a request is built.
  public func prepareForRequest(emit: @escaping @Sendable (AgentEvent) -> Void) async {
    for hook in requestHooks.withLock({ $0 }) { await hook(emit) }
  }
  public var names: [String] { tools.withLock { $0.map(\.spec.name) } }

  /// Adds tools; one with the name of a present tool replaces it.
  public func add(_ new: [any Tool]) {
    tools.withLock { list in
      for tool in new {
        list.removeAll { $0.spec.name == tool.spec.name }
        list.append(tool)
      }
    }
  }

  public func remove(where shouldRemove: (any Tool) -> Bool) {
    tools.withLock { $0.removeAll(where: shouldRemove) }
  }

  public func tool(named name: String) -> (any Tool)? {
    tools.withLock { $0.first { $0.spec.name == name } }
  }

  /// A call that passed the gate.
  public struct Prepared: Sendable {
    public var tool: any Tool
    public var invocation: ToolInvocation
  }

  /// Why a call was not run.
  public enum Rejection: Error, Sendable, Equatable {
    case unknownTool(name: String, available: [String])
    case badArguments(tool: String, problem: ToolArguments.Problem, schema: JSON)

    /// The arguments text could not be read at all (as opposed to breaking the schema).
    public var argumentsUnreadable: Bool {
      if case .badArguments(_, .notJSON, _) = self { return true }
      return false
    }

    /// What the model is told. `cutOff`: the answer hit the output token limit, the likely
    /// reason the arguments are incomplete.
    public func message(cutOff: Bool) -> String {
      switch self {
      case .unknownTool(let name, let available):
        let list = available.map { "'\($0)'" }.joined(separator: ", ")
        return "The call was not run: there is no tool named '\(name)'. "
          + (available.isEmpty
            ? "No tools are available." : "The tools are \(list); call one of them.")
      case .badArguments(let tool, let problem, let schema):
        var text: String
        switch problem {
        case .notJSON(let preview, let detail):
          if cutOff {
            text =
              "The call to '\(tool)' was not run: your answer was cut off at the output token "
              + "limit in the middle of its arguments (\(preview)). Send a shorter call: split a "
              + "long command or patch into several smaller ones."
          } else {
            text =
              "The call to '\(tool)' was not run: its arguments are not valid JSON (\(detail)): "
              + "\(preview)."
          }
        case .schema(let lines):
          text =
            "The call to '\(tool)' was not run: " + lines.joined(separator: "; ") + "."
        }
        return text + " The arguments must be one JSON object matching this schema: "
          + schema.serialized()
      }
    }
  }

  /// Looks the tool up and checks the arguments; nothing runs here.
  public func prepare(_ call: ToolCall) -> Result<Prepared, Rejection> {
    guard let tool = tool(named: call.name) else {
      return .failure(.unknownTool(name: call.name, available: names))
    }
    let schema = tool.spec.parameters
    let arguments: JSON
    switch ToolArguments.parse(call.arguments) {
    case .success(let json): arguments = tool.normalize(json)
    case .failure(let problem):
      return .failure(.badArguments(tool: call.name, problem: problem, schema: schema))
    }
    let violations = ToolArguments.violations(of: arguments, against: schema)
    guard violations.isEmpty else {
      return .failure(.badArguments(tool: call.name, problem: .schema(violations), schema: schema))
    }
    return .success(
      Prepared(
        tool: tool, invocation: ToolInvocation(id: call.id, name: call.name, arguments: arguments)))
  }

  public func run(_ prepared: Prepared, context: ToolContext) async throws -> ToolOutput {
    try await prepared.tool.run(prepared.invocation, context: context)
  }
}
