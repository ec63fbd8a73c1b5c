import CodexCore
import Synchronization

/// What the user entered at the prompt.
public enum LineInput: Sendable, Equatable {
  case line(String)
  /// Ctrl-D on an empty line, or the terminal went away.
  case endOfInput
}

/// The line editor on a real terminal: raw mode while the user types, the prompt repainted
/// after each batch of keys, quiet mode (no echo) again when the line is done. Reads block, so
/// they happen on a thread of their own, never on one of the Swift concurrency pool.
///
/// Without a capable terminal (`TERM=dumb`, or the prompt's output is not a terminal) it reads
/// plain lines in the terminal's own line mode: no escape codes are written, and a trailing
/// `\` still continues the input.
public final class TerminalLineReader: Sendable {
  struct Stored: Sendable {
    var editor: LineEditor
    /// Bytes read after a submitted line (typed or pasted ahead): the next line's start.
    var pending: [UInt8] = []
  }

  let stored: Mutex<Stored>
  let inputFD: Int32
  let outputFD: Int32
  let layout: PromptLayout
  let usesEditor: Bool

  public init(
    history: [String], inputFD: Int32, outputFD: Int32, layout: PromptLayout, usesEditor: Bool
  ) {
    stored = Mutex(Stored(editor: LineEditor(history: history)))
    self.inputFD = inputFD
    self.outputFD = outputFD
    self.layout = layout
    self.usesEditor = usesEditor
  }

  /// Adds a line that did not come through the editor (the first prompt from the command line).
  public func remember(_ line: String) {
    stored.withLock { $0.editor.remember(line) }
  }

  /// Shows `line` after the prompt as if it had been typed (the first prompt from the command
  /// line), so the transcript reads the same.
  public func echo(_ line: String) {
    let shown = line.replacing("\n", with: "\n" + layout.continuation)
    write(layout.prompt + shown + "\n")
  }

  public func read() async -> LineInput {
    let start = stored.withLock { $0 }
    let (end, input) = await withCheckedContinuation {
      (done: CheckedContinuation<(Stored, LineInput), Never>) in
      let work: @Sendable () -> Void = { [self] in
        var s = start
        let input = usesEditor ? editLine(&s) : plainLine(&s)
        done.resume(returning: (s, input))
      }
      if Platform.startThread(work) != 0 { work() }
    }
    stored.withLock { $0 = end }
    return input
  }

  func write(_ text: String) {
    if !text.isEmpty { TerminalIO.write(outputFD, text) }
  }

  func editLine(_ s: inout Stored) -> LineInput {
    TerminalRawMode.enterRaw()
    TerminalRawMode.setBracketedPaste(true)
    defer {
      TerminalRawMode.setBracketedPaste(false)
      TerminalRawMode.enterQuiet()
    }
    var cursorRow = 0
    func paint(_ buffer: [Character], cursor: Int) {
      let p = layout.paint(
        buffer: buffer, cursor: cursor, columns: TerminalIO.columns(fd: outputFD),
        previousCursorRow: cursorRow)
      write(p.output)
      cursorRow = p.cursorRow
    }
    /// Repaints `buffer` with the cursor at its end and moves below it.
    func leave(_ buffer: [Character], marker: String = "") {
      paint(buffer, cursor: buffer.count)
      write(marker)
      write(
        layout.finish(
          buffer: buffer + Array(marker), columns: TerminalIO.columns(fd: outputFD),
          cursorRow: cursorRow))
      cursorRow = 0
    }

    paint(s.editor.buffer, cursor: s.editor.cursor)
    while true {
      if s.pending.isEmpty {
        guard let bytes = TerminalIO.readAvailable(fd: inputFD) else {
          leave(s.editor.buffer)
          return .endOfInput
        }
        s.pending = bytes
      }
      var dirty = false
      var consumed = 0
      defer { s.pending.removeFirst(consumed) }
      for byte in s.pending {
        consumed += 1
        let before = s.editor.buffer
        guard let action = s.editor.feed(byte) else { continue }
        switch action {
        case .redraw:
          dirty = true
        case .bell:
          break
        case .submit(let line):
          leave(before)
          return .line(line)
        case .endOfInput:
          leave(before)
          return .endOfInput
        case .interrupt:
          leave(before, marker: "^C")
          dirty = true
        case .clearScreen:
          write("\u{1B}[H\u{1B}[2J")
          cursorRow = 0
          dirty = true
        case .suspend:
          leave(before)
          TerminalRawMode.suspend()
          dirty = true
        }
      }
      if dirty { paint(s.editor.buffer, cursor: s.editor.cursor) }
    }
  }

  func plainLine(_ s: inout Stored) -> LineInput {
    // The terminal's own line mode, with its echo and its Ctrl-D.
    TerminalRawMode.restore()
    defer { TerminalRawMode.enterQuiet() }
    write(layout.prompt)
    var lines: [String] = []
    while true {
      guard let line = TerminalIO.readLine(fd: inputFD) else {
        if lines.isEmpty { return .endOfInput }
        break
      }
      if line.hasSuffix("\\") {
        lines.append(String(line.dropLast()))
        write(layout.continuation)
        continue
      }
      lines.append(line)
      break
    }
    let text = lines.joined(separator: "\n")
    s.editor.remember(text)
    return .line(text)
  }
}
