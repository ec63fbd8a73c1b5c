/// `update_plan`, as codex-rs offers it: the model keeps a short checklist of steps with their
/// status, which the terminal shows as a checklist and `--json` as a `todo_list` item. Only the
/// display changes; the plan is in the conversation already.
public struct UpdatePlanTool: Tool {
  public static let name = "update_plan"

  public init() {}

  public var spec: ToolSpec {
    ToolSpec(
      name: Self.name,
      description:
        "Updates the task plan. Give the whole plan each time: a list of short steps, each "
        + "pending, in_progress or completed (at most one in_progress). Use it for tasks with "
        + "several steps; skip it for simple ones.",
      parameters: [
        "type": "object",
        "properties": [
          "explanation": ["type": "string", "description": "Why the plan changed (optional)."],
          "plan": [
            "type": "array", "description": "The steps, in order.",
            "items": [
              "type": "object",
              "properties": [
                "step": ["type": "string"],
                "status": [
                  "type": "string",
                  "enum": .array(PlanUpdate.Status.allCases.map { .string($0.rawValue) }),
                ],
              ],
              "required": ["step", "status"],
              "additionalProperties": false,
            ],
          ],
        ],
        "required": ["plan"],
        "additionalProperties": false,
      ])
  }

  public func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
    let steps = (call.arguments["plan"]?.arrayValue ?? []).compactMap { item -> PlanUpdate.Step? in
      guard let text = item["step"]?.stringValue,
        let status = item["status"]?.stringValue.flatMap(PlanUpdate.Status.init(rawValue:))
      else { return nil }
      return PlanUpdate.Step(text: text, status: status)
    }
    let inProgress = steps.filter { $0.status == .inProgress }.count
    context.emit(
      .planUpdated(
        PlanUpdate(steps: steps, explanation: call.arguments["explanation"]?.stringValue)))
    if inProgress > 1 {
      return ToolOutput(
        "Plan updated. Note: \(inProgress) steps are in_progress; keep at most one.")
    }
    return ToolOutput("Plan updated")
  }
}
