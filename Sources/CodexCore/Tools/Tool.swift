/// One tool the model may call: shell, apply_patch, update_plan, an MCP server's tool. A tool
/// declares its arguments as a JSON Schema (`spec.parameters`); the `Toolbox` checks a call
/// against it before the tool runs, so a tool only ever sees arguments of the declared shape.
public protocol Tool: Sendable {
  var spec: ToolSpec { get }
  /// The spec as `wire` accepts it (an MCP server's schema cleaned of keywords that wire
  /// rejects). The default is `spec`.
  func spec(for wire: WireAPI) -> ToolSpec
  /// Repairs common small-model mistakes before validation (a script sent as a string where
  /// an argv array is declared). The default leaves the arguments unchanged.
  func normalize(_ arguments: JSON) -> JSON
  /// Runs one validated call. Refusals and failures are results for the model, not errors;
  /// throw only to stop the turn (`TurnAborted`, cancellation).
  func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput
}

extension Tool {
  public func normalize(_ arguments: JSON) -> JSON { arguments }
  public func spec(for wire: WireAPI) -> ToolSpec { spec }
}

/// A call whose arguments parsed and matched the tool's schema.
public struct ToolInvocation: Sendable {
  public var id: String
  public var name: String
  /// A JSON object.
  public var arguments: JSON

  public init(id: String, name: String, arguments: JSON) {
    self.id = id
    self.name = name
    self.arguments = arguments
  }
}

/// What a tool call gives back to the model.
public struct ToolOutput: Sendable, Equatable {
  public var text: String
  /// The call failed (a command's non-zero exit, a refused call, bad arguments): wires that can
  /// say so (Anthropic `is_error`, Gemini's `error` response) do.
  public var isError: Bool

  public init(_ text: String, isError: Bool = false) {
    self.text = text
    self.isError = isError
  }

  public static func error(_ text: String) -> ToolOutput { ToolOutput(text, isError: true) }
}

/// What a tool needs from the session while it runs.
public struct ToolContext: Sendable {
  public var emit: @Sendable (AgentEvent) -> Void
  public var approvals: any ApprovalHandler

  public init(emit: @escaping @Sendable (AgentEvent) -> Void, approvals: any ApprovalHandler) {
    self.emit = emit
    self.approvals = approvals
  }

  /// Asks the front end, and holds it to the answers offered: an answer the request did not
  /// offer (a front end that sends "always" for a dangerous command) counts as the nearest one
  /// offered — "always" as "yes" — and otherwise as "no".
  public func ask(_ request: ApprovalRequest) async -> ApprovalAnswer {
    let answer = await approvals.decide(request)
    if request.choices.contains(answer) { return answer }
    if answer == .yesAlways, request.choices.contains(.yes) { return .yes }
    return request.choices.contains(.no) ? .no : .abort
  }
}

/// The user stopped the turn at an approval prompt ("abort").
public struct TurnAborted: Error, Equatable, CustomStringConvertible {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}
