/// `notify = ["program", "arg", ...]`: after each completed turn, run the program with one more
/// argument, a JSON description of the event, as codex-rs does:
/// `{"type":"agent-turn-complete","thread-id":…,"turn-id":…,"input-messages":[…],"last-assistant-message":…}`.
public struct Notifier: Sendable {
  let command: [String]
  let cwd: String
  let environment: [String: String]

  public init(command: [String], cwd: String, environment: [String: String]) {
    self.command = command
    self.cwd = cwd
    self.environment = environment
  }

  public static func payload(
    threadID: String, turnID: String, inputs: [String], lastMessage: String
  ) -> String {
    JSON.object([
      "type": "agent-turn-complete", "thread-id": .string(threadID), "turn-id": .string(turnID),
      "input-messages": .array(inputs.map { .string($0) }),
      "last-assistant-message": .string(lastMessage),
    ]).serialized()
  }

  /// Runs the program (at most 10 s). A failure is returned as a message, never thrown: a
  /// broken notifier must not fail the turn.
  public func notify(threadID: String, turnID: String, inputs: [String], lastMessage: String) async
    -> String?
  {
    guard let program = command.first, !program.isEmpty else { return nil }
    let spec = ProcessSpec(
      executable: program,
      arguments: Array(command.dropFirst())
        + [
          Self.payload(threadID: threadID, turnID: turnID, inputs: inputs, lastMessage: lastMessage)
        ],
      workingDirectory: cwd, environment: environment, timeout: .seconds(10))
    do {
      let r = try await ProcessRunner.run(spec)
      if r.exitCode != 0 {
        return "notify program \(program) failed (exit \(r.exitCode.map(String.init) ?? "?"))"
      }
      return nil
    } catch {
      return "notify program \(program) could not run: \(error)"
    }
  }
}
