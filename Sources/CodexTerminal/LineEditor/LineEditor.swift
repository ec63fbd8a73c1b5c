/// What the terminal driver must do after a key.
public enum EditorAction: Sendable, Equatable {
  /// The buffer or cursor changed: draw the prompt again.
  case redraw
  /// Enter: the finished input (the buffer is empty again).
  case submit(String)
  /// Ctrl-D on an empty line.
  case endOfInput
  /// Ctrl-C: the line was abandoned (the buffer is empty again).
  case interrupt
  /// Ctrl-L.
  case clearScreen
  /// Ctrl-Z.
  case suspend
  /// Nothing to do for that key (backspace at the start, no older history).
  case bell
}

/// The prompt's editing state as a pure state machine: bytes in, edit state and actions out.
/// The terminal driver (`TerminalLineReader`) only reads bytes, feeds them here and draws.
///
/// Keys: printable UTF-8, left/right, home/end, Ctrl-A/E/B/F/K/U/W, backspace, delete, Ctrl-L,
/// up/down through history (or between lines of a multi-line input), Ctrl-P/N, Alt-B/F/D and
/// Alt-Backspace by words. Multi-line: a trailing `\` before Enter continues on a new line,
/// Alt-Enter inserts a newline, and bracketed paste inserts text, newlines included, without
/// submitting. Ctrl-D on an empty line ends input; Ctrl-C abandons the line.
public struct LineEditor: Sendable {
  /// The input, one grapheme per element; `"\n"` separates the lines of a multi-line input.
  public private(set) var buffer: [Character] = []
  /// Insertion point, an index into `buffer`.
  public private(set) var cursor = 0
  /// Earlier inputs, oldest first.
  public private(set) var history: [String]
  /// Which history entry is shown; nil while editing a new line.
  var historyIndex: Int?
  /// The new line being written before the user went up into history.
  var draft: [Character] = []
  var decoder = KeyDecoder()

  public init(history: [String] = []) {
    self.history = history
  }

  public var text: String { String(buffer) }

  /// Feeds one input byte; most bytes give one action, partial sequences none.
  public mutating func feed(_ byte: UInt8) -> EditorAction? {
    guard let key = decoder.feed(byte) else { return nil }
    return apply(key)
  }

  /// Feeds several bytes (tests; the driver feeds one at a time to stop at a submit).
  public mutating func feed(_ bytes: some Sequence<UInt8>) -> [EditorAction] {
    bytes.compactMap { feed($0) }
  }

  /// Adds an input to the history (blank ones and repeats of the last are skipped).
  public mutating func remember(_ entry: String) {
    guard !entry.allSatisfy(\.isWhitespace), history.last != entry else { return }
    history.append(entry)
  }

  public mutating func apply(_ key: Key) -> EditorAction {
    switch key {
    case .character(let scalar):
      insert(scalar)
    case .tab:
      insert("\t")
    case .paste(let text):
      for scalar in text.unicodeScalars { insert(scalar) }
    case .altEnter:
      insert("\n")
    case .enter:
      // A trailing backslash continues the input on a new line (as in a shell).
      if buffer.last == "\\", cursor == buffer.count {
        buffer[buffer.count - 1] = "\n"
        return .redraw
      }
      let line = text
      remember(line)
      clear()
      return .submit(line)
    case .backspace:
      guard cursor > 0 else { return .bell }
      cursor -= 1
      buffer.remove(at: cursor)
    case .delete:
      guard cursor < buffer.count else { return .bell }
      buffer.remove(at: cursor)
    case .left:
      guard cursor > 0 else { return .bell }
      cursor -= 1
    case .right:
      guard cursor < buffer.count else { return .bell }
      cursor += 1
    case .home:
      cursor = lineStart(cursor)
    case .end:
      cursor = lineEnd(cursor)
    case .wordLeft:
      cursor = previousWordStart(cursor)
    case .wordRight:
      cursor = nextWordEnd(cursor)
    case .deleteWordBackward:
      let start = previousWordStart(cursor)
      guard start < cursor else { return .bell }
      buffer.removeSubrange(start..<cursor)
      cursor = start
    case .deleteWordForward:
      let end = nextWordEnd(cursor)
      guard end > cursor else { return .bell }
      buffer.removeSubrange(cursor..<end)
    case .up:
      return moveVertically(-1) ? .redraw : historyPrevious()
    case .down:
      return moveVertically(1) ? .redraw : historyNext()
    case .control(let byte):
      return control(byte)
    }
    return .redraw
  }

  mutating func control(_ byte: UInt8) -> EditorAction {
    switch byte {
    case 0x01: return apply(.home)  // Ctrl-A
    case 0x02: return apply(.left)  // Ctrl-B
    case 0x03:  // Ctrl-C
      clear()
      return .interrupt
    case 0x04:  // Ctrl-D
      return buffer.isEmpty ? .endOfInput : apply(.delete)
    case 0x05: return apply(.end)  // Ctrl-E
    case 0x06: return apply(.right)  // Ctrl-F
    case 0x0B:  // Ctrl-K: to the end of this line, or join the next one when already there
      let end = lineEnd(cursor)
      if end > cursor {
        buffer.removeSubrange(cursor..<end)
      } else if cursor < buffer.count {
        buffer.remove(at: cursor)
      } else {
        return .bell
      }
    case 0x0C: return .clearScreen  // Ctrl-L
    case 0x0E: return apply(.down)  // Ctrl-N
    case 0x10: return apply(.up)  // Ctrl-P
    case 0x15:  // Ctrl-U: to the start of this line
      let start = lineStart(cursor)
      guard start < cursor else { return .bell }
      buffer.removeSubrange(start..<cursor)
      cursor = start
    case 0x17:  // Ctrl-W: the whitespace-separated word before the cursor
      var start = cursor
      while start > 0, buffer[start - 1].isWhitespace, buffer[start - 1] != "\n" { start -= 1 }
      while start > 0, !buffer[start - 1].isWhitespace { start -= 1 }
      guard start < cursor else { return .bell }
      buffer.removeSubrange(start..<cursor)
      cursor = start
    case 0x1A: return .suspend  // Ctrl-Z
    default: return .bell
    }
    return .redraw
  }

  /// Inserts at the cursor. A combining mark joins the character before it, as the terminal
  /// will draw it.
  mutating func insert(_ scalar: Unicode.Scalar) {
    if cursor > 0, buffer[cursor - 1] != "\n" {
      var joined = String(buffer[cursor - 1])
      joined.unicodeScalars.append(scalar)
      if joined.count == 1, let c = joined.first {
        buffer[cursor - 1] = c
        return
      }
    }
    buffer.insert(Character(scalar), at: cursor)
    cursor += 1
  }

  mutating func clear() {
    buffer = []
    cursor = 0
    historyIndex = nil
    draft = []
  }

  // MARK: - History

  mutating func historyPrevious() -> EditorAction {
    let target: Int
    if let i = historyIndex {
      guard i > 0 else { return .bell }
      target = i - 1
    } else {
      guard !history.isEmpty else { return .bell }
      draft = buffer
      target = history.count - 1
    }
    show(target)
    return .redraw
  }

  mutating func historyNext() -> EditorAction {
    guard let i = historyIndex else { return .bell }
    if i + 1 < history.count {
      show(i + 1)
    } else {
      historyIndex = nil
      buffer = draft
      cursor = buffer.count
    }
    return .redraw
  }

  mutating func show(_ index: Int) {
    historyIndex = index
    buffer = Array(history[index])
    cursor = buffer.count
  }

  // MARK: - Positions

  func lineStart(_ i: Int) -> Int {
    var p = i
    while p > 0, buffer[p - 1] != "\n" { p -= 1 }
    return p
  }

  func lineEnd(_ i: Int) -> Int {
    var p = i
    while p < buffer.count, buffer[p] != "\n" { p += 1 }
    return p
  }

  /// Up or down one line of a multi-line input, keeping the column where the line allows.
  /// False at the first (last) line, where up (down) goes through history instead.
  mutating func moveVertically(_ direction: Int) -> Bool {
    let start = lineStart(cursor)
    let column = cursor - start
    if direction < 0 {
      guard start > 0 else { return false }
      let previousStart = lineStart(start - 1)
      cursor = min(previousStart + column, start - 1)
    } else {
      let end = lineEnd(cursor)
      guard end < buffer.count else { return false }
      let nextStart = end + 1
      cursor = min(nextStart + column, lineEnd(nextStart))
    }
    return true
  }

  static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }

  func previousWordStart(_ i: Int) -> Int {
    var p = i
    while p > 0, !Self.isWordCharacter(buffer[p - 1]) { p -= 1 }
    while p > 0, Self.isWordCharacter(buffer[p - 1]) { p -= 1 }
    return p
  }

  func nextWordEnd(_ i: Int) -> Int {
    var p = i
    while p < buffer.count, !Self.isWordCharacter(buffer[p]) { p += 1 }
    while p < buffer.count, Self.isWordCharacter(buffer[p]) { p += 1 }
    return p
  }
}
