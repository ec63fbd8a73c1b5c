import CodexCore
import Testing

@testable import CodexTerminal

@Suite struct ArgumentParserTests {
  @Test func promptAndFlagsInAnyOrder() throws {
    let a = try ArgumentParser.parse([
      "--provider", "ollama", "write", "-m", "llama3", "a", "function",
      "--provider-url=http://h:1/api",
    ])
    #expect(a.command == .run)
    #expect(a.prompt == "write a function")
    #expect(a.overrides.provider == "ollama")
    #expect(a.overrides.model == "llama3")
    #expect(a.overrides.providerURL == "http://h:1/api")
  }

  @Test func shortForms() throws {
    let a = try ArgumentParser.parse([
      "-mllama3", "-c", "model_options.temperature=0", "-cmodel=x", "-p", "fast", "-C", "/tmp",
      "-s",
      "read-only", "-a", "never", "hi",
    ])
    #expect(a.overrides.model == "llama3")
    #expect(a.overrides.settings == ["model_options.temperature=0", "model=x"])
    #expect(a.overrides.profile == "fast")
    #expect(a.overrides.cwd == "/tmp")
    #expect(a.overrides.sandboxMode == "read-only")
    #expect(a.overrides.approvalPolicy == "never")
  }

  @Test func legacyApprovalNamesOnTheCommandLine() throws {
    let a = try ArgumentParser.parse(["-a", "full-auto", "x"])
    #expect(a.overrides.approvalPolicy == "on-request")
    #expect(a.overrides.sandboxMode == "workspace-write")
  }

  @Test func doubleDashEndsOptions() throws {
    let a = try ArgumentParser.parse(["--", "--not-a-flag", "text"])
    #expect(a.prompt == "--not-a-flag text")
  }

  @Test func subcommands() throws {
    #expect(try ArgumentParser.parse(["config"]).command == .config(.edit))
    #expect(try ArgumentParser.parse(["config", "show"]).command == .config(.show))
    #expect(try ArgumentParser.parse(["config", "path"]).command == .config(.path))
    #expect(try ArgumentParser.parse(["resume", "--last"]).command == .resume(.last))
    #expect(try ArgumentParser.parse(["resume", "abc"]).command == .resume(.id("abc")))
    #expect(try ArgumentParser.parse(["resume"]).command == .resume(.pick))
    let e = try ArgumentParser.parse(["exec", "--json", "do it"])
    #expect(e.exec && e.json && e.prompt == "do it")
    #expect(try ArgumentParser.parse(["--help"]).command == .help)
    #expect(try ArgumentParser.parse(["--version"]).command == .version)
  }

  @Test(arguments: [
    (["--modle", "x"], "unknown option '--modle'; did you mean '--model'?"),
    (["-m"], "option '-m' needs a value"),
    (["--json=yes"], "option '--json' takes no value"),
    (
      ["-s", "open"],
      "--sandbox must be one of read-only, workspace-write, danger-full-access (got 'open')"
    ),
    (
      ["-a", "sometimes"],
      "--ask-for-approval must be one of untrusted, on-failure, on-request, never (got 'sometimes')"
    ),
    (["-c", "novalue"], "-c expects key=value (got 'novalue')"),
    (["config", "edit2"], "unknown config action 'edit2' (expected show or path)"),
  ])
  func usageErrors(_ args: [String], _ message: String) {
    #expect(throws: UsageError(message)) { try ArgumentParser.parse(args) }
  }
}
