import CodexCore

/// The `codex` program: parse, load config, run, and map every failure to one line on stderr
/// and an exit code (0 ok, 1 error, 2 usage, 130 interrupted).
public enum CLI {
  public static let version = "0.1.0"

  public static func main(_ argv: [String]) async -> Int32 {
    let environment = Platform.processEnvironment()
    let err = Style.forFD(TerminalIO.stderrFD, environment: environment)
    func fail(_ message: String) -> Int32 {
      // One line, shown not obeyed: messages quote servers and files.
      TerminalIO.write(
        TerminalIO.stderrFD, err.red("error: ") + TerminalText.escaped(message) + "\n")
      return 1
    }

    let args: CommandLineArguments
    do {
      args = try ArgumentParser.parse(Array(argv.dropFirst()))
    } catch let e as UsageError {
      TerminalIO.write(
        TerminalIO.stderrFD, err.red("error: ") + e.message + "\n" + ArgumentParser.usage + "\n")
      return 2
    } catch {
      return fail("\(error)")
    }

    switch args.command {
    case .help:
      TerminalIO.write(TerminalIO.stdoutFD, ArgumentParser.help + "\n")
      return 0
    case .version:
      TerminalIO.write(TerminalIO.stdoutFD, "codex \(version)\n")
      return 0
    default: break
    }

    let loader = ConfigLoader(
      environment: environment, currentDirectory: Platform.currentDirectory() ?? "/")
    if case .config(let action) = args.command {
      return ConfigCommand.run(action, loader: loader, overrides: args.overrides, style: err)
    }
    // Every command left talks to a model server: libcurl loads (~6 ms) while the config,
    // instructions and session are prepared. Not earlier: while the loader holds its lock,
    // the async runtime cannot start its threads, and the overlap is lost.
    CurlTransport.preload()

    let config: Config
    do {
      config = try loader.load(args.overrides)
    } catch {
      return fail("\(error)")
    }
    for w in config.warnings {
      TerminalIO.write(TerminalIO.stderrFD, err.yellow("warning: ") + w + "\n")
    }

    let run = RunCommand(args: args, config: config, environment: environment)
    if case .resume(let target) = args.command {
      switch ResumeCommand.find(target, codexHome: config.codexHome, style: err) {
      case .success(let saved): return await run.execute(resumed: saved)
      case .failure(let e): return fail(e.description)
      }
    }
    return await run.execute()
  }
}
