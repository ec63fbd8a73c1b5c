import CodexCore
import Testing

@testable import CodexTerminal

@Suite struct SlashCommandTests {
  @Test(arguments: [
    ("/help", SlashCommand.help),
    ("/?", .help),
    ("/model", .model(nil)),
    ("/model qwen3:8b", .model("qwen3:8b")),
    ("  /model   other  ", .model("other")),
    ("/MODEL Other", .model("Other")),
    ("/provider", .provider(id: nil, model: nil)),
    ("/provider ollama", .provider(id: "ollama", model: nil)),
    ("/provider ollama llama3.2", .provider(id: "ollama", model: "llama3.2")),
    ("/approvals", .approvals(nil)),
    ("/approvals never", .approvals("never")),
    ("/status", .status),
    ("/new", .new),
    ("/quit", .quit),
    ("/exit", .quit),
    ("/q", .quit),
    ("/mdoel x", .unknown("/mdoel", suggestion: nil)),
    ("/stat", .unknown("/stat", suggestion: "/status")),
    ("/undo", .unknown("/undo", suggestion: nil)),
  ])
  func parses(_ input: String, _ expected: SlashCommand) {
    #expect(SlashCommand.parse(input.trimmingCharacters()) == expected)
  }

  @Test(arguments: ["hello", "/", "/etc/hosts what is in it?", "/usr/bin/env", " not /model"])
  func notACommand(_ input: String) {
    #expect(SlashCommand.parse(input.trimmingCharacters()) == nil)
  }

  @Test func everyCatalogueEntryParsesToAKnownCommand() {
    for entry in SlashCommand.catalogue {
      let parsed = SlashCommand.parse(entry.name)
      #expect(parsed != nil)
      if case .unknown = parsed { Issue.record("\(entry.name) is listed but not understood") }
    }
  }
}

@Suite struct GoodbyeTests {
  let usage = TokenUsage(inputTokens: 120, outputTokens: 30)

  @Test func usageAlwaysAndResumeOnlyForASavedSession() {
    let plain = Style(enabled: false)
    #expect(
      InteractiveSession.goodbye(usage: usage, sessionID: "abc", rolloutPath: nil, style: plain)
        == ["Token usage: total=150 input=120 output=30"])
    #expect(
      InteractiveSession.goodbye(
        usage: usage, sessionID: nil, rolloutPath: "/r.jsonl", style: plain
      )
      .count == 1)
    #expect(
      InteractiveSession.goodbye(
        usage: usage, sessionID: "abc", rolloutPath: "/r.jsonl", style: plain)
        == [
          "Token usage: total=150 input=120 output=30",
          "To continue this session, run codex resume abc",
        ])
  }
}
