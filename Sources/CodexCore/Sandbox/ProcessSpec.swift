/// What to run: one process, its arguments, directory, exact environment and time limit.
public struct ProcessSpec: Sendable, Equatable {
  /// An absolute path, a path relative to `workingDirectory`, or a bare name looked up in the
  /// `PATH` of `environment` (default `/usr/local/bin:/usr/bin:/bin`).
  public var executable: String
  /// argv[1...]; argv[0] is `executable` as given.
  public var arguments: [String]
  public var workingDirectory: String
  /// The complete environment of the child; nothing is inherited implicitly.
  public var environment: [String: String]
  /// nil: no limit. On expiry the whole process group gets SIGTERM, then SIGKILL 2 s later.
  public var timeout: Duration?
  /// Bytes retained per stream (half from the start, half from the end); the interleaved
  /// `output` keeps twice as much. Whatever falls in between is counted, not kept, so a
  /// runaway command cannot exhaust memory.
  public var outputLimit: Int

  public static let defaultOutputLimit = 1 << 20

  public init(
    executable: String, arguments: [String] = [], workingDirectory: String,
    environment: [String: String], timeout: Duration?,
    outputLimit: Int = ProcessSpec.defaultOutputLimit
  ) {
    self.executable = executable
    self.arguments = arguments
    self.workingDirectory = workingDirectory
    self.environment = environment
    self.timeout = timeout
    self.outputLimit = outputLimit
  }
}
