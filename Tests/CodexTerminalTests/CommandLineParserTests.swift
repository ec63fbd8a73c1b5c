import CodexCore
import Testing

@testable import CodexTerminal

@Suite struct CommandLineParserTests {
  @Test func promptAndFlagsInAnyOrder() throws {
    let a = try CommandLineParser.parse([
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
    let a = try CommandLineParser.parse([
      "-mllama3", "-c", "model_options.temperature=0", "-cmodel=x", "-p", "fast", "-C", "/tmp",
      "-s", "read-only", "-a", "never", "hi",
    ])
    #expect(a.overrides.model == "llama3")
    #expect(a.overrides.settings == ["model_options.temperature=0", "model=x"])
    #expect(a.overrides.profile == "fast")
    #expect(a.overrides.cwd == "/tmp")
    #expect(a.overrides.sandboxMode == "read-only")
    #expect(a.overrides.approvalPolicy == "never")
  }

  @Test func legacyApprovalNamesOnTheCommandLine() throws {
    let a = try CommandLineParser.parse(["-a", "full-auto", "x"])
    #expect(a.overrides.approvalPolicy == "on-request")
    #expect(a.overrides.sandboxMode == "workspace-write")
    // An explicit -s wins over the preset's sandbox, in either order.
    let b = try CommandLineParser.parse(["-s", "read-only", "-a", "full-auto", "x"])
    #expect(b.overrides.sandboxMode == "read-only")
  }

  @Test func doubleDashEndsOptions() throws {
    let a = try CommandLineParser.parse(["--", "--not-a-flag", "text"])
    #expect(a.prompt == "--not-a-flag text")
    // `--` also stops subcommand words from being read as commands.
    #expect(try CommandLineParser.parse(["--", "config"]).command == .run)
  }

  @Test func subcommands() throws {
    #expect(try CommandLineParser.parse(["config"]).command == .configEdit)
    #expect(try CommandLineParser.parse(["config", "show"]).command == .configShow)
    #expect(try CommandLineParser.parse(["config", "path"]).command == .configPath)
    #expect(try CommandLineParser.parse(["resume", "--last"]).resumeTarget == .last)
    #expect(try CommandLineParser.parse(["resume", "abc"]).resumeTarget == .id("abc"))
    #expect(try CommandLineParser.parse(["resume"]).resumeTarget == .pick)
    let r = try CommandLineParser.parse(["resume", "abc", "more", "to", "say"])
    #expect(r.resumeTarget == .id("abc") && r.prompt == "more to say")
    let l = try CommandLineParser.parse(["resume", "--last", "go", "on"])
    #expect(l.resumeTarget == .last && l.prompt == "go on")
    let e = try CommandLineParser.parse(["exec", "--json", "do it"])
    #expect(e.exec && e.json && e.prompt == "do it")
    #expect(try CommandLineParser.parse(["e", "x"]).command == .exec)
    #expect(try CommandLineParser.parse(["--help"]).has(.help))
    #expect(try CommandLineParser.parse(["--version"]).has(.version))
    #expect(try CommandLineParser.parse(["completion", "fish"]).positionals == ["fish"])
  }

  @Test func helpForACommand() throws {
    let a = try CommandLineParser.parse(["help", "config", "show"])
    #expect(a.command == .configShow && a.has(.help))
    let b = try CommandLineParser.parse(["config", "show", "--help"])
    #expect(b.command == .configShow && b.has(.help))
    #expect(HelpText.help(for: .configShow).contains("--profile"))
    #expect(!HelpText.help(for: .configPath).contains("--profile"))
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
    (["config", "edit2"], "unknown codex config command 'edit2' (expected show, path)"),
    (["config", "path", "--model", "x"], "option '--model' does not apply to 'codex config path'"),
    (["completion"], "'codex completion' needs SHELL"),
    (["completion", "tcsh"], "SHELL must be one of bash, zsh, fish (got 'tcsh')"),
    (["--last", "x"], "option '--last' does not apply to 'codex'"),
  ])
  func usageErrors(_ args: [String], _ message: String) {
    #expect {
      try CommandLineParser.parse(args)
    } throws: { error in
      (error as? UsageError)?.message == message
    }
  }
}

/// The tables themselves: every id has a row, spellings are unique, and an option's arity does
/// not depend on the command (the parser reads options before it knows the command).
@Suite struct CommandTableTests {
  @Test func everyOptionIDHasExactlyOneRow() {
    for id in OptionID.allCases {
      #expect(CommandTable.options.filter { $0.id == id }.count == 1, "\(id)")
    }
  }

  @Test func everyCommandIDHasExactlyOneRow() {
    for id in CommandID.allCases {
      #expect(CommandTable.commands.filter { $0.id == id }.count == 1, "\(id)")
    }
  }

  @Test func spellingsAreUnique() {
    let names = CommandTable.options.flatMap(\.names)
    #expect(Set(names).count == names.count)
    let words = CommandTable.commands.flatMap { [$0.words] + $0.aliases }
    #expect(Set(words.map { $0.joined(separator: " ") }).count == words.count)
  }

  @Test func everySubcommandHasItsParent() {
    for spec in CommandTable.commands where spec.words.count > 1 {
      let parent = Array(spec.words.dropLast())
      #expect(CommandTable.commands.contains { $0.words == parent }, "\(spec.words)")
    }
  }
}
