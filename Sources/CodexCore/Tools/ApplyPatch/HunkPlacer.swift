/// Places the hunks of one `*** Update File` section in a file and produces the new text.
///
/// Placement follows codex-rs: hunks are searched in order, each after the previous one; `@@`
/// headers move the search to the first line matching them; a hunk without old lines (only `+`)
/// goes at the end of the file, or right after its `@@` header line when it has one; an
/// `*** End of File` hunk must match the last lines. On top of that:
/// - a hunk matching in more than one place with no `@@` header is refused as ambiguous (codex-rs
///   takes the first match, which can silently edit the wrong place);
/// - a hunk found only before the previous one is accepted when it matches exactly once in the
///   whole file and does not overlap another hunk (small models write hunks out of order);
/// - context lines keep the file's own text (their whitespace, look-alike punctuation and line
///   ends), since they were matched loosely and are not meant to change.
struct HunkPlacer {
  /// The path as written in the patch, for messages.
  let path: String
  let file: FileText
  private let matcher: LineMatcher

  init(path: String, file: FileText) {
    self.path = path
    self.file = file
    self.matcher = LineMatcher(lines: file.texts)
  }

  private struct Placement {
    let start: Int
    let length: Int
    let lines: [PatchLine]
    let hunk: Int
  }

  func apply(_ chunks: [PatchChunk], endsWithNewline: Bool?) throws(ApplyPatchError) -> FileText {
    var placements: [Placement] = []
    var cursor = 0
    for (number, chunk) in chunks.enumerated() {
      let placement = try place(chunk, number: number + 1, cursor: cursor)
      if let other = placements.first(where: { overlaps($0, placement) }) {
        throw .hunk(
          path: path, line: chunk.line,
          message:
            "patch not applied: \(describe(chunk, number + 1)) changes "
            + "\(lineRange(placement.start, placement.length)) of \(path), which hunk "
            + "\(other.hunk) already changes. No file was changed. Merge the two hunks into one.")
      }
      placements.append(placement)
      cursor = max(cursor, placement.start + placement.length)
    }
    return rebuilt(with: placements, endsWithNewline: endsWithNewline)
  }

  private func overlaps(_ a: Placement, _ b: Placement) -> Bool {
    guard a.length > 0 && b.length > 0 else { return false }
    return a.start < b.start + b.length && b.start < a.start + a.length
  }

  private func place(_ chunk: PatchChunk, number: Int, cursor: Int) throws(ApplyPatchError)
    -> Placement
  {
    var searchStart = cursor
    var headerLine: Int?
    for header in chunk.headers {
      let from = headerLine.map { $0 + 1 } ?? searchStart
      // Like the hunk's lines, a first header found only before the previous hunk is accepted
      // (out-of-order hunks); overlaps are caught below.
      let fallback =
        headerLine == nil && from > 0 ? matcher.firstLine(matching: header, from: 0) : nil
      guard let line = matcher.firstLine(matching: header, from: from) ?? fallback else {
        throw headerNotFound(header, chunk, number, after: from)
      }
      headerLine = line
    }
    // The header line itself may open the context (models often repeat it there).
    if let headerLine { searchStart = headerLine }
    var lines = chunk.lines
    if chunk.oldLines.isEmpty {
      return Placement(
        start: insertionPoint(chunk, after: headerLine), length: 0, lines: lines, hunk: number)
    }
    var starts = find(lines, chunk, from: searchStart)
    if starts.isEmpty, let trimmed = withoutBlankEdges(lines) {
      // A blank line at the edge of a hunk is often just the gap before the next `@@` or
      // section (codex-rs retries without it too).
      lines = trimmed
      starts = find(lines, chunk, from: searchStart)
    }
    if starts.isEmpty && searchStart > 0 {
      let anywhere = find(lines, chunk, from: 0)
      if anywhere.count == 1 { starts = anywhere }
    }
    let old = oldTexts(lines)
    guard let start = starts.first else { throw notFound(chunk, number, old: lines) }
    if starts.count > 1 && headerLine == nil {
      throw ambiguous(chunk, number, starts: starts, length: old.count)
    }
    return Placement(start: start, length: old.count, lines: lines, hunk: number)
  }

  /// Candidate starts: the end of the file for an end-of-file hunk (falling back to anywhere
  /// after `from` when the end does not match, as codex-rs's doc describes), else after `from`.
  private func find(_ lines: [PatchLine], _ chunk: PatchChunk, from: Int) -> [Int] {
    let old = oldTexts(lines)
    let count = matcher.lineCount
    if chunk.isEndOfFile && old.count <= count {
      let end = count - old.count
      let atEnd = matcher.matches(of: old, startingIn: end..<(end + 1))
      if !atEnd.isEmpty { return atEnd }
    }
    return matcher.matches(of: old, startingIn: from..<(count + 1))
  }

  private func oldTexts(_ lines: [PatchLine]) -> [String] {
    lines.filter { $0.kind != .added }.map(\.text)
  }

  /// `lines` without the empty old lines at its edges (context ones at the start; context or
  /// removed ones at the end, as codex-rs drops them); nil when there are none, or nothing
  /// else would be left to match.
  private func withoutBlankEdges(_ lines: [PatchLine]) -> [PatchLine]? {
    var result = lines
    while let index = result.lastIndex(where: { $0.kind != .added }), result[index].text.isEmpty {
      result.remove(at: index)
    }
    while let index = result.firstIndex(where: { $0.kind != .added }),
      result[index].kind == .context, result[index].text.isEmpty
    {
      result.remove(at: index)
    }
    guard result != lines, result.contains(where: { $0.kind != .added }) else { return nil }
    return result
  }

  /// Where a hunk with only `+` lines goes: at the very end with `*** End of File`; else right
  /// after its header line; else at the end of the file, before a final blank line (codex-rs).
  private func insertionPoint(_ chunk: PatchChunk, after headerLine: Int?) -> Int {
    let count = file.lines.count
    if chunk.isEndOfFile { return count }
    if let headerLine { return headerLine + 1 }
    if let last = file.lines.last, last.text.isEmpty { return count - 1 }
    return count
  }

  private func rebuilt(with placements: [Placement], endsWithNewline: Bool?) -> FileText {
    let ordered = placements.enumerated().sorted {
      ($0.element.start, $0.offset) < ($1.element.start, $1.offset)
    }.map(\.element)
    var lines: [FileText.Line] = []
    var position = 0
    for placement in ordered {
      lines.append(contentsOf: file.lines[position..<placement.start])
      var original = placement.start
      for line in placement.lines {
        switch line.kind {
        case .context:
          lines.append(file.lines[original])
          original += 1
        case .removed:
          original += 1
        case .added:
          lines.append(FileText.Line(text: line.text, ending: file.preferredEnding))
        }
      }
      position = placement.start + placement.length
    }
    lines.append(contentsOf: file.lines[position...])
    for index in lines.indices.dropLast() where lines[index].ending == nil {
      lines[index].ending = file.preferredEnding
    }
    if !lines.isEmpty {
      let last = lines.count - 1
      if endsWithNewline ?? file.endsWithNewline {
        if lines[last].ending == nil { lines[last].ending = file.preferredEnding }
      } else {
        lines[last].ending = nil
      }
    }
    return FileText(
      lines: lines, preferredEnding: file.preferredEnding,
      hasByteOrderMark: file.hasByteOrderMark)
  }
}

// The messages: written for the model, saying which hunk, what the file has, and what to do.
extension HunkPlacer {
  private static let unchanged = "No file was changed."

  private func describe(_ chunk: PatchChunk, _ number: Int) -> String {
    "hunk \(number) of \(path) (patch line \(chunk.line))"
  }

  private func lineRange(_ start: Int, _ length: Int) -> String {
    length <= 1 ? "line \(start + 1)" : "lines \(start + 1)-\(start + length)"
  }

  private func notFound(_ chunk: PatchChunk, _ number: Int, old lines: [PatchLine])
    -> ApplyPatchError
  {
    let old = lines.filter { $0.kind != .added }
    let shown = old.prefix(12).map {
      ($0.kind == .removed ? "-" : " ") + excerpt($0.text, limit: 160)
    }
    var message =
      "patch not applied: \(describe(chunk, number)) does not match the file: "
      + (chunk.isEndOfFile ? "these lines are not at its end:\n" : "these lines are not in it:\n")
      + shown.joined(separator: "\n")
    if old.count > shown.count { message += "\n(… \(old.count - shown.count) more)" }
    if let near = matcher.nearest(to: old.map(\.text)) {
      message += "\nThe closest lines of \(path) are \(lineRange(near.start, near.length)):\n"
      message += quote(near.start, near.length)
    }
    message +=
      "\n\(Self.unchanged) Re-read the file, then copy the context (' ') and removed ('-') lines "
      + "exactly as they are in it."
    return .hunk(path: path, line: chunk.line, message: message)
  }

  private func ambiguous(_ chunk: PatchChunk, _ number: Int, starts: [Int], length: Int)
    -> ApplyPatchError
  {
    let places = starts.prefix(5).map { String($0 + 1) }.joined(separator: ", ")
    let more = starts.count > 5 ? ", …" : ""
    return .hunk(
      path: path, line: chunk.line,
      message:
        "patch not applied: \(describe(chunk, number)) is ambiguous: its context and removed "
        + "lines match \(starts.count) places in the file (starting at lines \(places)\(more)). "
        + "\(Self.unchanged) Add more unchanged context lines around the change, or an "
        + "'@@ <line>' header copied from a line above it (such as the function's signature), "
        + "so that it matches one place.")
  }

  private func headerNotFound(_ header: String, _ chunk: PatchChunk, _ number: Int, after: Int)
    -> ApplyPatchError
  {
    var message =
      "patch not applied: \(describe(chunk, number)): its header '@@ \(excerpt(header))' "
      + "matches no line of the file"
      + (after > 0 ? " after line \(after)" : "") + "."
    if let near = matcher.nearest(to: [header]) {
      message += " The closest line is \(near.start + 1): \(excerpt(file.lines[near.start].text))"
    }
    message +=
      "\n\(Self.unchanged) Copy the header from a line of the file above the change, or leave "
      + "it out ('@@' alone)."
    return .hunk(path: path, line: chunk.line, message: message)
  }

  private func quote(_ start: Int, _ length: Int) -> String {
    let end = min(file.lines.count, start + max(length, 1))
    let width = String(end).count
    return file.lines[start..<end].enumerated().map { offset, line in
      let number = String(start + offset + 1)
      return String(repeating: " ", count: width - number.count) + number + " | "
        + excerpt(line.text, limit: 160)
    }.joined(separator: "\n")
  }
}
