/// How a process ended and what it printed.
public struct ProcessResult: Sendable, Equatable {
  /// The exit status when the process exited normally.
  public var exitCode: Int32?
  /// The terminating signal when it was killed.
  public var signal: Int32?
  /// True when the timeout expired and the process group was terminated.
  public var timedOut: Bool
  /// stdout and stderr interleaved in arrival order (possibly truncated in the middle).
  public var output: [UInt8]
  public var stdout: [UInt8]
  public var stderr: [UInt8]
  /// Where bytes were left out of `output` / `stdout` / `stderr`, if anywhere.
  public var outputTruncation: OutputTruncation?
  public var stdoutTruncation: OutputTruncation?
  public var stderrTruncation: OutputTruncation?
  public var duration: Duration

  public init(
    exitCode: Int32?, signal: Int32?, timedOut: Bool, output: [UInt8], stdout: [UInt8],
    stderr: [UInt8], outputTruncation: OutputTruncation? = nil,
    stdoutTruncation: OutputTruncation? = nil, stderrTruncation: OutputTruncation? = nil,
    duration: Duration
  ) {
    self.exitCode = exitCode
    self.signal = signal
    self.timedOut = timedOut
    self.output = output
    self.stdout = stdout
    self.stderr = stderr
    self.outputTruncation = outputTruncation
    self.stdoutTruncation = stdoutTruncation
    self.stderrTruncation = stderrTruncation
    self.duration = duration
  }

  /// `output` as text (invalid UTF-8 repaired).
  public var outputText: String { String(decoding: output, as: UTF8.self) }
  public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
  public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// `droppedBytes` bytes were left out of a captured stream at `offset` (the end of the kept head).
public struct OutputTruncation: Sendable, Equatable {
  public var offset: Int
  public var droppedBytes: Int

  public init(offset: Int, droppedBytes: Int) {
    self.offset = offset
    self.droppedBytes = droppedBytes
  }
}
