import Synchronization

/// MCP over a child process's stdin and stdout, one JSON message per line. The server's stderr
/// is appended to a log file (never the terminal); its exit ends the event stream with a line
/// that says how it ended and where the log is.
public final class StdioMCPTransport: MCPTransport {
  public let command: String
  public let arguments: [String]
  public let workingDirectory: String
  public let environment: [String: String]
  public let logPath: String?
  let shutdownGrace: Duration

  struct State {
    var process: PipedChildProcess?
    var continuation: AsyncStream<MCPTransportEvent>.Continuation?
    var exited = false
    var exitWaiters: [CheckedContinuation<Void, Never>] = []
  }
  let state = Mutex(State())

  public init(
    command: String, arguments: [String], workingDirectory: String,
    environment: [String: String], logPath: String?, shutdownGrace: Duration = .seconds(2)
  ) {
    self.command = command
    self.arguments = arguments
    self.workingDirectory = workingDirectory
    self.environment = environment
    self.logPath = logPath
    self.shutdownGrace = shutdownGrace
  }

  public func start() async throws -> AsyncStream<MCPTransportEvent> {
    let (stream, continuation) = AsyncStream<MCPTransportEvent>.makeStream()
    state.withLock { $0.continuation = continuation }
    let logHint = logPath.map { "; its stderr is in \($0)" } ?? ""
    let process: PipedChildProcess
    do {
      process = try PipedChildProcess(
        executable: command, arguments: arguments, workingDirectory: workingDirectory,
        environment: environment, stderrPath: logPath,
        onLine: { line in
          // Blank lines carry nothing; everything else must be one JSON-RPC message.
          if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
          do {
            continuation.yield(.message(try JSONRPCMessage.parse(line)))
          } catch {
            continuation.yield(.invalid("\(error) on stdout"))
          }
        },
        onExit: { [weak self] exit in
          continuation.yield(.closed("the server \(exit)\(logHint)"))
          continuation.finish()
          self?.markExited()
        })
    } catch {
      continuation.finish()
      throw MCPError.startFailed("\(error)")
    }
    state.withLock { s in
      if !s.exited { s.process = process }
    }
    return stream
  }

  func markExited() {
    let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
      s.exited = true
      s.process = nil
      defer { s.exitWaiters = [] }
      return s.exitWaiters
    }
    for w in waiters { w.resume() }
  }

  public func send(_ message: JSONRPCMessage) async throws {
    let process = state.withLock { $0.exited ? nil : $0.process }
    guard let process, process.write(message.serializedLine()) else {
      throw MCPError.disconnected("the server is not running")
    }
  }

  public func negotiated(protocolVersion: String) {}
  public func resetSession() {}
  public func openServerChannel() {}

  /// Closes stdin, then SIGTERM and SIGKILL to the server's process group, each after
  /// `shutdownGrace`; returns when it has exited.
  public func close() async {
    let process = state.withLock { $0.process }
    guard let process else { return }
    process.terminate(grace: shutdownGrace)
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let done = state.withLock { s -> Bool in
        if s.exited { return true }
        s.exitWaiters.append(c)
        return false
      }
      if done { c.resume() }
    }
  }
}
