/// Draws the prompt and its input: a pure function from the edit state to the bytes that
/// repaint it, given the terminal width and where the previous paint left the cursor.
///
/// Each paint goes back to the prompt's first row, clears to the end of the screen, writes the
/// prompt and the text (a continuation prompt after each newline), then puts the cursor where
/// the editor's cursor is. Rows are counted the way terminals wrap: a character that does not
/// fit in what is left of the row starts the next one.
public struct PromptLayout: Sendable, Equatable {
  /// The prompt as written (it may carry colour codes) and how many columns it takes.
  public var prompt: String
  public var promptWidth: Int
  /// Starts each line after the first of a multi-line input.
  public var continuation: String
  public var continuationWidth: Int

  public init(prompt: String, promptWidth: Int, continuation: String, continuationWidth: Int) {
    self.prompt = prompt
    self.promptWidth = promptWidth
    self.continuation = continuation
    self.continuationWidth = continuationWidth
  }

  /// Where a position lands on screen, rows counted from the prompt's first row.
  public struct Position: Sendable, Equatable {
    public var row: Int
    public var column: Int
  }

  /// The result of one paint.
  public struct Paint: Sendable, Equatable {
    public var output: String
    /// The cursor's row after the paint, relative to the prompt's first row: the next paint
    /// starts by going up this many rows.
    public var cursorRow: Int
  }

  /// The screen position of every insertion point `0...buffer.count`, and of the end.
  func positions(_ buffer: [Character], columns: Int) -> (cursor: [Position], end: Position) {
    let width = max(columns, 1)
    var row = 0
    var column = promptWidth
    var result: [Position] = []
    result.reserveCapacity(buffer.count + 1)
    func place(_ w: Int) {
      if column + w > width {
        row += 1
        column = 0
      }
      column += w
    }
    for c in buffer {
      result.append(Self.visible(row: row, column: column, width: width))
      if c == "\n" {
        row += 1
        column = continuationWidth
      } else if c == "\t" {
        for _ in 0..<CharacterWidth.tabWidth { place(1) }
      } else {
        place(CharacterWidth.of(c))
      }
    }
    let end = Position(row: row, column: column)
    result.append(Self.visible(row: row, column: column, width: width))
    return (result, end)
  }

  /// A cursor cannot sit past the last column: there it is at the start of the next row.
  static func visible(row: Int, column: Int, width: Int) -> Position {
    column >= width ? Position(row: row + 1, column: 0) : Position(row: row, column: column)
  }

  public func paint(
    buffer: [Character], cursor: Int, columns: Int, previousCursorRow: Int
  ) -> Paint {
    var out = ""
    if previousCursorRow > 0 { out += "\u{1B}[\(previousCursorRow)A" }
    out += "\r\u{1B}[J" + prompt
    for c in buffer {
      switch c {
      case "\n": out += "\r\n" + continuation
      case "\t": out += String(repeating: " ", count: CharacterWidth.tabWidth)
      default: out.append(c)
      }
    }
    let (cursorPositions, end) = positions(buffer, columns: columns)
    var atRow = end.row
    if end.column >= max(columns, 1) {
      // The terminal holds the cursor in the last column until the next character; move it
      // to the next row now so the arithmetic below starts from a known place.
      out += "\r\n"
      atRow += 1
    }
    let target = cursorPositions[min(max(cursor, 0), buffer.count)]
    if atRow > target.row { out += "\u{1B}[\(atRow - target.row)A" }
    out += "\r"
    if target.column > 0 { out += "\u{1B}[\(target.column)C" }
    return Paint(output: out, cursorRow: target.row)
  }

  /// After Enter or Ctrl-C: leaves the cursor below the input, on a fresh line, so whatever
  /// prints next does not overwrite it.
  public func finish(buffer: [Character], columns: Int, cursorRow: Int) -> String {
    let end = positions(buffer, columns: columns).end
    var out = ""
    let endRow = end.column >= max(columns, 1) ? end.row + 1 : end.row
    if endRow > cursorRow { out += "\u{1B}[\(endRow - cursorRow)B" }
    out += end.column >= max(columns, 1) ? "\r" : "\r\n"
    return out
  }
}
