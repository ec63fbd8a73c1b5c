import CodexCore

/// The `codex` program: parse, load config, run, and map every failure to one line on stderr
/// and an exit code (0 ok, 1 error, 2 usage, 130 interrupted).
public enum CLI {
  public static let version = CodexVersion.current

  public static func main(_ argv: [String]) async -> Int32 {
    let environment = Platform.processEnvironment()
    let err = Style.forFD(TerminalIO.stderrFD, environment: environment)

    let args: CommandLineArguments
    do {
      args = try CommandLineParser.parse(Array(argv.dropFirst()))
    } catch let e as UsageError {
      TerminalIO.write(
        TerminalIO.stderrFD,
        err.red("error: ") + TerminalText.escaped(e.message) + "\n" + HelpText.usage(for: e.command)
          + "\n")
      return 2
    } catch {
      TerminalIO.write(
        TerminalIO.stderrFD, err.red("error: ") + TerminalText.escaped("\(error)") + "\n")
      return 1
    }
    if args.has(.help) {
      TerminalIO.write(TerminalIO.stdoutFD, HelpText.help(for: args.command) + "\n")
      return 0
    }
    if args.has(.version) {
      TerminalIO.write(TerminalIO.stdoutFD, "codex \(version)\n")
      return 0
    }
    let context = CommandContext(
      args: args, environment: environment, style: err,
      loader: ConfigLoader(
        environment: environment, currentDirectory: Platform.currentDirectory() ?? "/"))
    return await dispatch(context)
  }

  /// One case per `CommandID`: the compiler keeps this in step with `CommandTable`.
  static func dispatch(_ context: CommandContext) async -> Int32 {
    let args = context.args
    switch args.command {
    case .help:
      TerminalIO.write(TerminalIO.stdoutFD, HelpText.help(for: .run) + "\n")
      return 0
    case .version:
      TerminalIO.write(TerminalIO.stdoutFD, "codex \(version)\n")
      return 0
    case .configEdit:
      return ConfigCommand.edit(context.loader, context.style)
    case .configShow:
      return ConfigCommand.show(context.loader, args.overrides, context.style)
    case .configPath:
      return ConfigCommand.path(context.loader)
    case .completion:
      guard let shell = args.positionals.first.flatMap(CompletionScript.Shell.init(rawValue:))
      else { return context.fail("unknown shell") }
      TerminalIO.write(TerminalIO.stdoutFD, CompletionScript.script(for: shell))
      return 0
    case .complete:
      return await CompleteCommand.run(context)
    case .serve:
      return await ServeCommand.run(context)
    case .models:
      CurlTransport.preload()
      return await ModelsCommand.run(context)
    case .doctor:
      return await DoctorCommand.run(context)
    case .pull:
      CurlTransport.preload()
      return await PullCommand.run(context)
    case .mcp, .mcpList, .mcpGet, .mcpAdd, .mcpRemove:
      return MCPCommand.run(context)
    case .run, .exec, .resume:
      // These talk to a model server: libcurl loads (~6 ms) while the config, instructions
      // and session are prepared. Not earlier: while the loader holds its lock, the async
      // runtime cannot start its threads, and the overlap is lost.
      CurlTransport.preload()
      guard let config = context.loadConfig() else { return 1 }
      let run = RunCommand(args: args, config: config, environment: context.environment)
      guard args.command == .resume else { return await run.execute() }
      switch ResumeCommand.find(
        args.resumeTarget, codexHome: config.codexHome, style: context.style)
      {
      case .success(let saved): return await run.execute(resumed: saved)
      case .failure(let e): return context.fail(e.description)
      }
    }
  }
}

/// What every command handler gets: the parsed arguments, the environment, stderr's style and
/// the config loader.
struct CommandContext: Sendable {
  let args: CommandLineArguments
  let environment: [String: String]
  let style: Style
  let loader: ConfigLoader

  /// Prints `error: message` on stderr; returns the exit code to use.
  func fail(_ message: String, code: Int32 = 1) -> Int32 {
    // One line, shown not obeyed: messages quote servers and files.
    TerminalIO.write(
      TerminalIO.stderrFD, style.red("error: ") + TerminalText.escaped(message) + "\n")
    return code
  }

  func warn(_ message: String) {
    TerminalIO.write(
      TerminalIO.stderrFD, style.yellow("warning: ") + TerminalText.escaped(message) + "\n")
  }

  /// The configuration with the flags applied and its warnings printed; nil (error printed)
  /// when it is invalid.
  func loadConfig() -> Config? {
    do {
      let config = try loader.load(args.overrides)
      for w in config.warnings { warn(w) }
      return config
    } catch {
      _ = fail("\(error)")
      return nil
    }
  }
}
