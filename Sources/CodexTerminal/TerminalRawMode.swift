// The interactive session's platform file: terminal modes (termios), bracketed paste, job
// control, and putting the terminal back however the process ends.
import CodexCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The terminal's modes during an interactive session. The user's own settings are captured
/// once and put back on every way out: a normal return, `Platform.exit`, a fatal signal
/// (SIGTERM, SIGHUP, SIGQUIT, and the crash signals, chained to whatever handled them before),
/// and around Ctrl-Z.
///
/// - raw: the line editor reads every key itself (no echo, no line buffering, no signals from
///   Ctrl-C / Ctrl-Z, which arrive as bytes).
/// - quiet: while a turn runs. Ctrl-C → SIGINT as usual, but no echo, so keys typed ahead do
///   not scribble over the streaming answer; they reach the next prompt as typed.
/// - original: the user's settings, for approval prompts and on exit.
public enum TerminalRawMode {
  /// Captures the terminal's current settings; false when `inputFD` is not a terminal (then
  /// every other call does nothing). `lineEditor`: keys typed during a turn are kept as bytes
  /// for the line editor; without it (plain line input) the quiet mode stays line-buffered so
  /// a Ctrl-D typed ahead is still the terminal's end of file.
  @discardableResult
  public static func capture(inputFD: Int32, outputFD: Int32, lineEditor: Bool = true) -> Bool {
    guard isatty(inputFD) == 1, tcgetattr(inputFD, savedSettings) == 0 else { return false }
    quietIsLineBuffered.store(!lineEditor, ordering: .releasing)
    inputDescriptor.store(inputFD, ordering: .releasing)
    outputDescriptor.store(outputFD, ordering: .releasing)
    captured.store(true, ordering: .releasing)
    installExitHandlersOnce()
    return true
  }

  public static var isCaptured: Bool { captured.load(ordering: .acquiring) }

  public static func enterRaw() {
    guard isCaptured else { return }
    var raw = savedSettings.pointee
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_cflag |= tcflag_t(CS8)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    // Output processing stays on: whatever else prints a "\n" still gets its carriage return.
    setControlCharacter(&raw, VMIN, 1)
    setControlCharacter(&raw, VTIME, 0)
    apply(raw)
  }

  public static func enterQuiet() {
    guard isCaptured else { return }
    var quiet = savedSettings.pointee
    quiet.c_lflag &= ~tcflag_t(ECHO | ECHONL)
    quiet.c_lflag |= tcflag_t(ISIG)
    if !quietIsLineBuffered.load(ordering: .acquiring) {
      // For the editor, keys typed ahead wait as the bytes they are (a line mode would turn
      // Ctrl-D into an end-of-file mark that the raw editor reads back as a NUL).
      quiet.c_lflag &= ~tcflag_t(ICANON)
      setControlCharacter(&quiet, VMIN, 1)
      setControlCharacter(&quiet, VTIME, 0)
    }
    apply(quiet)
  }

  public static func restore() {
    guard isCaptured else { return }
    setBracketedPaste(false)
    tcsetattr(inputDescriptor.load(ordering: .acquiring), TCSANOW, savedSettings)
    modified.store(false, ordering: .releasing)
  }

  /// Bracketed paste (`ESC[?2004h`): the terminal wraps pasted text in `ESC[200~ … ESC[201~`,
  /// so a pasted newline inserts a line instead of submitting.
  public static func setBracketedPaste(_ on: Bool) {
    guard isCaptured, bracketedPaste.exchange(on, ordering: .acquiringAndReleasing) != on else {
      return
    }
    TerminalIO.write(
      outputDescriptor.load(ordering: .acquiring), on ? "\u{1B}[?2004h" : "\u{1B}[?2004l")
  }

  /// Ctrl-Z at the prompt: hand the terminal back as the user had it, stop like any job, and
  /// come back in raw mode when continued (`fg`).
  public static func suspend() {
    guard isCaptured else { return }
    let paste = bracketedPaste.load(ordering: .acquiring)
    restore()
    kill(0, SIGTSTP)
    enterRaw()
    if paste { setBracketedPaste(true) }
  }

  static func apply(_ settings: termios) {
    var s = settings
    tcsetattr(inputDescriptor.load(ordering: .acquiring), TCSANOW, &s)
    modified.store(true, ordering: .releasing)
  }

  static func setControlCharacter(_ t: inout termios, _ index: Int32, _ value: cc_t) {
    withUnsafeMutableBytes(of: &t.c_cc) { $0[Int(index)] = value }
  }

  static func installExitHandlersOnce() {
    guard !handlersInstalled.exchange(true, ordering: .acquiringAndReleasing) else { return }
    Platform.atExit { restoreTerminalForExit() }
    for sig in terminationSignals + faultSignals {
      var action = sigaction()
      action.__sigaction_handler = unsafeBitCast(
        terminalSignalHandler as @convention(c) (Int32) -> Void,
        to: sigaction.__Unnamed_union___sigaction_handler.self)
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0
      let previous = previousActions + Int(sig)
      guard sigaction(sig, &action, previous) == 0 else { continue }
      // A signal the user chose to ignore (nohup) stays ignored.
      if unsafeBitCast(previous.pointee.__sigaction_handler, to: Int.self) == 1 {
        sigaction(sig, previous, nil)
      }
    }
  }
}

// Global storage the exit paths reach without allocating or locking. Every global here is
// touched by `capture` before any handler is installed, so none is first initialised inside a
// signal handler.
private nonisolated(unsafe) let savedSettings = UnsafeMutablePointer<termios>.allocate(capacity: 1)
private nonisolated(unsafe) let previousActions = UnsafeMutablePointer<sigaction>.allocate(
  capacity: 65)
private let inputDescriptor = Atomic<Int32>(-1)
private let outputDescriptor = Atomic<Int32>(-1)
private let captured = Atomic<Bool>(false)
private let quietIsLineBuffered = Atomic<Bool>(false)
private let modified = Atomic<Bool>(false)
private let bracketedPaste = Atomic<Bool>(false)
private let handlersInstalled = Atomic<Bool>(false)
private let terminationSignals: [Int32] = [SIGTERM, SIGHUP, SIGQUIT]
/// Crashes. After the terminal is put back the signal is raised again for the handler that was
/// there before (Swift's backtracer, or the default action): it is delivered as the handler
/// returns, in the context of the fault, so the crash report is unchanged.
private let faultSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]
private let pasteOff: StaticString = "\u{1B}[?2004l"

/// Async-signal-safe: atomics, `write` and `tcsetattr` only.
private func restoreTerminalForExit() {
  if bracketedPaste.exchange(false, ordering: .acquiringAndReleasing) {
    _ = write(
      outputDescriptor.load(ordering: .acquiring), pasteOff.utf8Start, pasteOff.utf8CodeUnitCount)
  }
  if modified.exchange(false, ordering: .acquiringAndReleasing) {
    tcsetattr(inputDescriptor.load(ordering: .acquiring), TCSANOW, savedSettings)
  }
}

private func terminalSignalHandler(_ sig: Int32) {
  restoreTerminalForExit()
  sigaction(sig, previousActions + Int(sig), nil)
  raise(sig)
}
