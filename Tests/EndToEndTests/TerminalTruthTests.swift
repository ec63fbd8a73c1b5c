import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// The terminal shows what is true: a model that hides a command behind carriage returns and
/// cursor movements gets it shown as escapes at the approval prompt, through the built binary
/// in a real pseudo-terminal.
@Suite(.serialized) struct TerminalTruthTests {
  static let disguised = "touch X # \r\u{1B}[2K\u{1B}[1A  ls -la"
  static let shownCommand = #"touch X # \r\e[2K\e[1A  ls -la"#

  /// First request: a shell call asking to run `command` outside the sandbox, with `why`;
  /// after that (the call's result came back): a short answer.
  static func handler(command: String, workdir: String, why: String)
    -> @Sendable (RecordedRequest) -> FakeResponse
  {
    let args = JSON.object([
      "command": ["bash", "-lc", .string(command)], "workdir": .string(workdir),
      "sandbox_permissions": "require_escalated", "justification": .string(why),
    ]).serialized()
    return { req in
      let body = req.bodyJSON
      let answered = (body?["messages"]?.arrayValue ?? []).contains { $0["role"] == "tool" }
      if answered { return .sse(chatSSE(["declined, fine"])) }
      return .sse([
        #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"shell","arguments":\#(JSON.quoted(args))}}]}}]}"#,
        #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#, "[DONE]",
      ])
    }
  }

  @Test func theApprovalPromptShowsEscapesInTheCommandItsFolderAndTheReason() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let folder = s.work + "/dir\u{1B}[2Kx"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let server = try FakeHTTPServer(
      handler: Self.handler(
        command: Self.disguised, workdir: folder,
        why: "harmless\u{1B}[1A\u{1B}[2K\u{202E}txt.exe"))
    defer { server.stop() }
    let pty = try PseudoTerminal(
      executable: try requireCodexBinary(),
      arguments: [
        "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "-a",
        "on-request",
      ],
      environment: [
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome,
        "TERM": "xterm-256color",
      ],
      workingDirectory: s.work)
    try pty.expect("›")
    pty.send("list the files\r")
    try pty.expect("Allow this command?")
    try pty.expect(Self.shownCommand)
    try pty.expect(#"/dir\e[2Kx"#)
    try pty.expect(#"harmless\e[1A\e[2K\u{202e}txt.exe"#)
    try pty.expect("[q] abort turn:")
    let raw = pty.rawText
    #expect(!raw.contains("X # \r"), "the carriage return reached the terminal")
    #expect(!raw.contains("\u{1B}[2K\u{1B}[1A  ls"), "the cursor movements reached the terminal")
    #expect(!raw.contains("\u{202E}"), "the bidi override reached the terminal")
    pty.send("n\r")
    try pty.expect("declined, fine")
    try pty.expect("›")
    pty.send("\u{04}")
    #expect(try pty.waitForExit() == 0)
    #expect(!FileManager.default.fileExists(atPath: folder + "/X"))
  }
}
