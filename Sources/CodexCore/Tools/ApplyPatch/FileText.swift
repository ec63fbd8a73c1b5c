/// A UTF-8 text file as lines that remember their own line end, so an edit rewrites only the
/// lines it changes: CRLF lines stay CRLF, a missing final newline stays missing, a byte-order
/// mark stays in front.
struct FileText: Equatable {
  enum Ending: Equatable {
    case lf
    case crlf
  }

  struct Line: Equatable {
    var text: String
    /// Nil only for a last line without a newline.
    var ending: Ending?
  }

  var lines: [Line]
  /// The ending new lines get: the file's first line end (as rustfmt and codex-rs pick it),
  /// LF for a file without any.
  var preferredEnding: Ending
  var hasByteOrderMark: Bool

  /// An empty file counts as ending with a newline: lines added to it get one.
  var endsWithNewline: Bool { lines.last.map { $0.ending != nil } ?? true }

  var texts: [String] { lines.map(\.text) }

  private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

  /// Nil when the bytes are not UTF-8.
  init?(bytes: [UInt8]) {
    guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
    var body = bytes[...]
    hasByteOrderMark = bytes.starts(with: Self.byteOrderMark)
    if hasByteOrderMark { body = body.dropFirst(Self.byteOrderMark.count) }
    lines = []
    var preferred: Ending?
    var start = body.startIndex
    while let newline = body[start...].firstIndex(of: 0x0A) {
      var end = newline
      var ending = Ending.lf
      if end > start && body[end - 1] == 0x0D {
        end -= 1
        ending = .crlf
      }
      lines.append(Line(text: String(decoding: body[start..<end], as: UTF8.self), ending: ending))
      if preferred == nil { preferred = ending }
      start = newline + 1
    }
    if start < body.endIndex {
      lines.append(Line(text: String(decoding: body[start...], as: UTF8.self), ending: nil))
    }
    preferredEnding = preferred ?? .lf
  }

  init(lines: [Line], preferredEnding: Ending = .lf, hasByteOrderMark: Bool = false) {
    self.lines = lines
    self.preferredEnding = preferredEnding
    self.hasByteOrderMark = hasByteOrderMark
  }

  /// The text of a new file: LF line ends, a final newline unless told otherwise.
  init(newFileLines texts: [String], endsWithNewline: Bool) {
    self.init(lines: texts.map { Line(text: $0, ending: .lf) })
    if !endsWithNewline, !lines.isEmpty { lines[lines.count - 1].ending = nil }
  }

  var bytes: [UInt8] {
    var result = hasByteOrderMark ? Self.byteOrderMark : []
    for line in lines {
      result.append(contentsOf: line.text.utf8)
      switch line.ending {
      case .lf: result.append(0x0A)
      case .crlf: result.append(contentsOf: [0x0D, 0x0A])
      case nil: break
      }
    }
    return result
  }
}
