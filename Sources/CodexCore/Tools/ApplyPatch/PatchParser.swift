/// Parses the codex-rs `apply_patch` format (see `Patch`), strict about structure and lenient
/// about the slips models make:
/// - missing `*** Begin Patch` / `*** End Patch` lines; markers padded with spaces or in another
///   letter case;
/// - a heredoc wrapper left around the patch (`<<'EOF'` … `EOF`, also `apply_patch <<EOF`), or
///   a Markdown code fence;
/// - CRLF line ends;
/// - `@@` lines with or without a header, git-style `@@ -3,4 +3,5 @@ func f()` headers (the
///   text after the second `@@` is the header), a first hunk without any `@@`, several `@@`
///   lines in a row (each narrows the search);
/// - a hunk line that lost its leading space (taken as context), blank lines between hunks and
///   between file sections, blank lines inside an added file;
/// - `\ No newline at end of file` after a hunk line (unified-diff style);
/// - a path wrapped in quotes or backticks.
///
/// Whitespace and Unicode look-alikes inside context and removed lines are matched loosely
/// later, by `PatchPlanner`. Errors name the 1-based line of the text as sent (wrappers
/// included) and what was expected there.
public enum PatchParser {
  public static func parse(_ text: String) throws(ApplyPatchError) -> Patch {
    var parser = Parser(lines: unwrapped(numberedLines(text)))
    let operations = try parser.parseOperations()
    guard !operations.isEmpty else { throw .emptyPatch }
    return Patch(operations: operations)
  }

  static let beginMarker = "*** begin patch"
  static let endMarker = "*** end patch"
  static let endOfFileMarker = "*** end of file"
  static let addMarker = "*** add file:"
  static let deleteMarker = "*** delete file:"
  static let updateMarker = "*** update file:"
  static let moveMarker = "*** move to:"

  struct NumberedLine {
    let number: Int
    let text: String
    var trimmed: String { text.trimmingWhitespace() }
    var isBlank: Bool { text.allSatisfy(\.isWhitespace) }
  }

  /// Splits on LF and CRLF (a CRLF is one `Character`), numbering from 1.
  static func numberedLines(_ text: String) -> [NumberedLine] {
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
      .enumerated().map { NumberedLine(number: $0.offset + 1, text: String($0.element)) }
  }

  /// Strips blank edges, then wrappers a model may have left around the patch: a heredoc
  /// (`<<'EOF'` … `EOF`) and a Markdown code fence, in any nesting.
  static func unwrapped(_ all: [NumberedLine]) -> ArraySlice<NumberedLine> {
    var lines = withoutBlankEdges(all[...])
    for _ in 0..<3 {
      guard let first = lines.first else { break }
      let opener = first.trimmed
      let closer: String
      if let delimiter = heredocDelimiter(opener) {
        closer = delimiter
      } else if opener.hasPrefix("```") {
        closer = "```"
      } else {
        break
      }
      lines = lines.dropFirst()
      if let last = lines.last, last.trimmed == closer { lines = lines.dropLast() }
      lines = withoutBlankEdges(lines)
    }
    return lines
  }

  private static func withoutBlankEdges(_ lines: ArraySlice<NumberedLine>) -> ArraySlice<
    NumberedLine
  > {
    var lines = lines
    while let first = lines.first, first.isBlank { lines = lines.dropFirst() }
    while let last = lines.last, last.isBlank { lines = lines.dropLast() }
    return lines
  }

  /// The delimiter of a heredoc opener line: `<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF`, with an
  /// optional `apply_patch`/`applypatch` before it. Nil for anything else.
  static func heredocDelimiter(_ line: String) -> String? {
    var rest = Substring(line)
    for command in ["apply_patch", "applypatch"] where rest.hasPrefix(command) {
      rest = rest.dropFirst(command.count)
      break
    }
    rest = rest.drop(while: { $0 == " " || $0 == "\t" })
    guard rest.hasPrefix("<<") else { return nil }
    rest = rest.dropFirst(2)
    if rest.first == "-" { rest = rest.dropFirst() }
    rest = rest.drop(while: { $0 == " " || $0 == "\t" })
    var word = rest
    if let quote = rest.first, quote == "'" || quote == "\"" {
      guard rest.count >= 3, rest.last == quote else { return nil }
      word = rest.dropFirst().dropLast()
    }
    guard !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
      return nil
    }
    return String(word)
  }

  /// `rest` of `line` after `marker` (compared ignoring letter case), trimmed; nil without it.
  static func value(of line: String, after marker: String) -> String? {
    guard line.count >= marker.count, line.prefix(marker.count).lowercased() == marker else {
      return nil
    }
    return String(line.dropFirst(marker.count)).trimmingWhitespace()
  }

  static func isMarker(_ line: String, _ marker: String) -> Bool {
    line.lowercased() == marker
  }
}

extension PatchParser {
  fileprivate struct Parser {
    let lines: ArraySlice<NumberedLine>
    var index: Int
    /// The last line of the body: only there may an end marker carry a leading space that
    /// would otherwise make it a context line.
    let lastIndex: Int
    let sawBeginMarker: Bool

    init(lines: ArraySlice<NumberedLine>) {
      var body = lines
      sawBeginMarker = body.first.map { isMarker($0.trimmed, beginMarker) } ?? false
      if sawBeginMarker { body = body.dropFirst() }
      self.lines = body
      self.index = body.startIndex
      self.lastIndex = body.endIndex - 1
    }

    mutating func parseOperations() throws(ApplyPatchError) -> [PatchOperation] {
      var operations: [PatchOperation] = []
      while index < lines.endIndex {
        let line = lines[index]
        let trimmed = line.trimmed
        if trimmed.isEmpty {
          index += 1
        } else if isEndMarker(at: index) {
          try expectNothingAfterEnd()
          break
        } else if let path = value(of: trimmed, after: addMarker) {
          operations.append(try parseAdd(path: path, header: line))
        } else if let path = value(of: trimmed, after: deleteMarker) {
          operations.append(try parseDelete(path: path, header: line))
        } else if let path = value(of: trimmed, after: updateMarker) {
          operations.append(try parseUpdate(path: path, header: line))
        } else if !sawBeginMarker && index == lines.startIndex {
          throw .syntax(
            line: line.number,
            message:
              "expected '*** Begin Patch' or a file header ('*** Add File: <path>', "
              + "'*** Update File: <path>', '*** Delete File: <path>'), got '\(excerpt(line.text))'"
          )
        } else {
          throw .syntax(
            line: line.number,
            message:
              "expected a file header ('*** Add File: <path>', '*** Update File: <path>', "
              + "'*** Delete File: <path>') or '*** End Patch', got '\(excerpt(line.text))'")
        }
      }
      return operations
    }

    private func isEndMarker(at position: Int) -> Bool {
      let line = lines[position]
      guard isMarker(line.trimmed, endMarker) else { return false }
      return position == lastIndex || !line.text.hasPrefix(" ")
    }

    private func expectNothingAfterEnd() throws(ApplyPatchError) {
      if let extra = lines[(index + 1)...].first(where: { !$0.isBlank }) {
        throw .syntax(
          line: extra.number,
          message:
            "unexpected text after '*** End Patch' (the patch ends there): "
            + "'\(excerpt(extra.text))'")
      }
    }

    private func checkedPath(_ raw: String, header: NumberedLine) throws(ApplyPatchError) -> String
    {
      var path = Substring(raw)
      if path.count >= 2, let quote = path.first, "`'\"".contains(quote), path.last == quote {
        path = path.dropFirst().dropLast()
      }
      guard !path.isEmpty else {
        throw .syntax(line: header.number, message: "'\(excerpt(header.trimmed))' needs a path")
      }
      if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
        throw .invalidPath(
          path: String(path).debugDescription, line: header.number,
          reason: "contains a control character")
      }
      return String(path)
    }

    private mutating func parseAdd(path raw: String, header: NumberedLine) throws(ApplyPatchError)
      -> PatchOperation
    {
      let path = try checkedPath(raw, header: header)
      var content: [String] = []
      var noNewlineLine: Int?
      index += 1
      while index < lines.endIndex {
        let line = lines[index]
        if line.text.hasPrefix("+") {
          if let noNewlineLine { throw misplacedNoNewline(at: noNewlineLine) }
          content.append(String(line.text.dropFirst()))
          index += 1
        } else if line.text.hasPrefix("\\") && !content.isEmpty && noNewlineLine == nil {
          noNewlineLine = line.number
          index += 1
        } else if line.isBlank {
          // Blank lines are file content when more `+` lines follow, else the gap before
          // the next section.
          var next = index
          while next < lines.endIndex && lines[next].isBlank { next += 1 }
          guard next < lines.endIndex, lines[next].text.hasPrefix("+"), noNewlineLine == nil
          else {
            break
          }
          content.append(contentsOf: repeatElement("", count: next - index))
          index = next
        } else if line.trimmed.hasPrefix("***") {
          break
        } else {
          throw .syntax(
            line: line.number,
            message:
              "every line of an added file starts with '+' (the file's text follows it); "
              + "got '\(excerpt(line.text))'")
        }
      }
      return PatchOperation(
        path: path, kind: .add(lines: content, endsWithNewline: noNewlineLine == nil),
        line: header.number)
    }

    private func misplacedNoNewline(at line: Int) -> ApplyPatchError {
      .syntax(
        line: line,
        message:
          "'\\ No newline at end of file' must follow the last line of the file, "
          + "but more lines come after it")
    }

    private mutating func parseDelete(path raw: String, header: NumberedLine)
      throws(ApplyPatchError) -> PatchOperation
    {
      let path = try checkedPath(raw, header: header)
      index += 1
      if index < lines.endIndex, !lines[index].isBlank, !lines[index].trimmed.hasPrefix("***") {
        throw .syntax(
          line: lines[index].number,
          message:
            "'*** Delete File' takes no lines after it; got '\(excerpt(lines[index].text))'")
      }
      return PatchOperation(path: path, kind: .delete, line: header.number)
    }

    private mutating func parseUpdate(path raw: String, header: NumberedLine)
      throws(ApplyPatchError) -> PatchOperation
    {
      let path = try checkedPath(raw, header: header)
      index += 1
      var moveTo: String?
      if index < lines.endIndex, let target = value(of: lines[index].trimmed, after: moveMarker) {
        moveTo = try checkedPath(target, header: lines[index])
        index += 1
      }
      var hunks = HunkCollector()
      while index < lines.endIndex, !isEndMarker(at: index) {
        let line = lines[index]
        let text = line.text
        let trimmed = line.trimmed
        let indented = text.hasPrefix(" ")
        if !indented && trimmed.hasPrefix("***") {
          guard isMarker(trimmed, endOfFileMarker) else {
            if value(of: trimmed, after: moveMarker) != nil {
              throw .syntax(
                line: line.number,
                message: "'*** Move to:' must come right after its '*** Update File:' line")
            }
            break  // the next file section
          }
          try hunks.markEndOfFile(line)
        } else if !indented && trimmed.hasPrefix("@@") {
          try hunks.startHunk(header: Self.hunkHeader(trimmed), line: line)
        } else if text.isEmpty {
          // Blank lines before the first hunk separate; inside a hunk they are empty context.
          if hunks.isInHunk { try hunks.append(PatchLine(.context, ""), line: line) }
        } else if text.hasPrefix("\\") {
          try hunks.markNoNewline(line)
        } else if let kind = Self.lineKind(text.first) {
          try hunks.append(PatchLine(kind, String(text.dropFirst())), line: line)
        } else if hunks.isInHunk {
          // A context line whose leading space was lost.
          try hunks.append(PatchLine(.context, text), line: line)
        } else {
          throw .syntax(
            line: line.number,
            message:
              "expected a hunk: an '@@' line, or lines starting with ' ' (context), "
              + "'-' (removed) or '+' (added); got '\(excerpt(text))'")
        }
        index += 1
      }
      let chunks = try hunks.finish()
      if chunks.isEmpty && moveTo == nil {
        throw .syntax(
          line: header.number,
          message:
            "'*** Update File: \(path)' has no hunks; add '@@' followed by ' ' (context), "
            + "'-' (removed) and '+' (added) lines")
      }
      return PatchOperation(
        path: path,
        kind: .update(moveTo: moveTo, chunks: chunks, endsWithNewline: hunks.endsWithNewline),
        line: header.number)
    }

    private static func lineKind(_ first: Character?) -> PatchLine.Kind? {
      switch first {
      case " ": return .context
      case "-": return .removed
      case "+": return .added
      default: return nil
      }
    }

    /// The header of an `@@` line: the text after `@@`, or for a git-style `@@ -1,2 +1,3 @@ f`
    /// the text after the second `@@`. Nil when there is none.
    static func hunkHeader(_ line: String) -> String? {
      var rest = Substring(line.dropFirst(2)).drop(while: \.isWhitespace)
      if rest.hasPrefix("-") {
        let numbers = rest.prefix(while: { "-+, 0123456789".contains($0) })
        if rest[numbers.endIndex...].hasPrefix("@@") {
          rest = rest[numbers.endIndex...].dropFirst(2).drop(while: \.isWhitespace)
        }
      }
      let header = String(rest).trimmingWhitespace()
      return header.isEmpty ? nil : header
    }
  }

  /// Gathers the hunks of one `*** Update File` section.
  fileprivate struct HunkCollector {
    private(set) var chunks: [PatchChunk] = []
    private var current: PatchChunk?
    private var oldLacksNewline = false
    private var newLacksNewline = false
    private var noNewlineLine: Int?

    var isInHunk: Bool { current != nil }

    /// What `\ No newline at end of file` said about the new file; nil when nothing.
    var endsWithNewline: Bool? {
      if newLacksNewline { return false }
      return oldLacksNewline ? true : nil
    }

    mutating func startHunk(header: String?, line: NumberedLine) throws(ApplyPatchError) {
      if var chunk = current, chunk.lines.isEmpty {
        // `@@ class A` then `@@ def f():`: one hunk, narrowed twice.
        if let header { chunk.headers.append(header) }
        current = chunk
        return
      }
      try close()
      current = PatchChunk(
        headers: header.map { [$0] } ?? [], lines: [], isEndOfFile: false, line: line.number)
    }

    mutating func append(_ patchLine: PatchLine, line: NumberedLine) throws(ApplyPatchError) {
      if let noNewlineLine {
        throw .syntax(
          line: noNewlineLine,
          message:
            "'\\ No newline at end of file' must follow the last line of the file, "
            + "but more hunk lines come after it")
      }
      if current == nil {
        current = PatchChunk(headers: [], lines: [], isEndOfFile: false, line: line.number)
      }
      current?.lines.append(patchLine)
    }

    mutating func markEndOfFile(_ line: NumberedLine) throws(ApplyPatchError) {
      guard var chunk = current, !chunk.lines.isEmpty else {
        throw .syntax(
          line: line.number, message: "'*** End of File' must come after the lines of a hunk")
      }
      chunk.isEndOfFile = true
      current = chunk
      try close()
    }

    mutating func markNoNewline(_ line: NumberedLine) throws(ApplyPatchError) {
      guard let last = current?.lines.last, noNewlineLine == nil else {
        throw .syntax(
          line: line.number,
          message:
            "'\(excerpt(line.text))' must directly follow a hunk line (' ', '-' or '+')")
      }
      switch last.kind {
      case .removed: oldLacksNewline = true
      case .added: newLacksNewline = true
      case .context:
        oldLacksNewline = true
        newLacksNewline = true
      }
      current?.isEndOfFile = true
      if newLacksNewline { noNewlineLine = line.number }
    }

    private mutating func close() throws(ApplyPatchError) {
      guard let chunk = current else { return }
      current = nil
      guard !chunk.lines.isEmpty else {
        throw .syntax(
          line: chunk.line,
          message:
            "'@@' must be followed by the lines of its hunk (' ' context, '-' removed, "
            + "'+' added)")
      }
      chunks.append(chunk)
    }

    mutating func finish() throws(ApplyPatchError) -> [PatchChunk] {
      try close()
      return chunks
    }
  }
}

/// A line shortened for an error message, its control characters (but tab) written as
/// `\u{1B}`: file text and patch text must not drive the terminal that shows the message.
func excerpt(_ text: String, limit: Int = 80) -> String {
  let short = text.count <= limit ? text : String(text.prefix(limit)) + "…"
  guard short.unicodeScalars.contains(where: isControl) else { return short }
  var escaped = ""
  for scalar in short.unicodeScalars {
    if isControl(scalar) {
      escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
    } else {
      escaped.unicodeScalars.append(scalar)
    }
  }
  return escaped
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
  (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
}
