/// A unified diff of two texts, hunks only (`@@ -1,4 +1,4 @@` …; the caller names the file),
/// with `\ No newline at end of file` where a side lacks its final newline. Lines are compared
/// by text; line ends are not shown.
struct UnifiedDiff: Equatable {
  let text: String
  let additions: Int
  let deletions: Int

  /// One side of the diff: its lines, and whether the last one ends with a newline.
  struct Side {
    let lines: [String]
    let endsWithNewline: Bool

    static let empty = Side(lines: [], endsWithNewline: true)

    init(lines: [String], endsWithNewline: Bool) {
      self.lines = lines
      self.endsWithNewline = endsWithNewline
    }

    init(_ file: FileText) {
      self.init(lines: file.texts, endsWithNewline: file.endsWithNewline)
    }
  }

  private enum Edit: Equatable {
    case same(old: Int, new: Int)
    case delete(old: Int)
    case insert(new: Int)
  }

  /// A line's identity for comparison: a last line without a newline differs from the same
  /// text with one, as in `diff`.
  private struct Key: Hashable {
    let text: String
    let lacksNewline: Bool
  }

  init(old: Side, new: Side, context: Int = 3) {
    let oldKeys = Self.keys(old)
    let newKeys = Self.keys(new)
    let edits = Self.edits(oldKeys, newKeys)
    additions = edits.filter { if case .insert = $0 { true } else { false } }.count
    deletions = edits.filter { if case .delete = $0 { true } else { false } }.count
    text = Self.render(edits, old: oldKeys, new: newKeys, context: max(0, context))
  }

  private static func keys(_ side: Side) -> [Key] {
    side.lines.enumerated().map { index, text in
      Key(text: text, lacksNewline: index == side.lines.count - 1 && !side.endsWithNewline)
    }
  }

  /// Myers' O(ND) shortest edit script, after stripping the common prefix and suffix. Past
  /// `maxCost` differences it gives up on minimality and replaces the middle wholesale.
  private static func edits(_ a: [Key], _ b: [Key], maxCost: Int = 2_000) -> [Edit] {
    var prefix = 0
    while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix && suffix < b.count - prefix
      && a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
    {
      suffix += 1
    }
    var result = (0..<prefix).map { Edit.same(old: $0, new: $0) }
    let oldMiddle = prefix..<(a.count - suffix)
    let newMiddle = prefix..<(b.count - suffix)
    result += middleEdits(a, oldMiddle, b, newMiddle, maxCost: maxCost)
    result += (0..<suffix).map {
      Edit.same(old: a.count - suffix + $0, new: b.count - suffix + $0)
    }
    return result
  }

  private static func middleEdits(
    _ a: [Key], _ oldRange: Range<Int>, _ b: [Key], _ newRange: Range<Int>, maxCost: Int
  ) -> [Edit] {
    let n = oldRange.count
    let m = newRange.count
    let wholesale = oldRange.map { Edit.delete(old: $0) } + newRange.map { Edit.insert(new: $0) }
    if n == 0 || m == 0 { return wholesale }
    let offset = n + m
    var frontier = [Int](repeating: 0, count: 2 * offset + 2)
    var trace: [[Int]] = []
    var found = false
    search: for cost in 0...min(offset, maxCost) {
      // Only diagonals -cost...cost matter at this step: saving just those keeps the trace
      // at O(cost²) rather than O(cost·(n+m)).
      trace.append(Array(frontier[(offset - cost)...(offset + cost)]))
      for diagonal in stride(from: -cost, through: cost, by: 2) {
        var x: Int
        if diagonal == -cost
          || (diagonal != cost && frontier[offset + diagonal - 1] < frontier[offset + diagonal + 1])
        {
          x = frontier[offset + diagonal + 1]
        } else {
          x = frontier[offset + diagonal - 1] + 1
        }
        var y = x - diagonal
        while x < n && y < m && a[oldRange.lowerBound + x] == b[newRange.lowerBound + y] {
          x += 1
          y += 1
        }
        frontier[offset + diagonal] = x
        if x >= n && y >= m {
          found = true
          break search
        }
      }
    }
    guard found else { return wholesale }
    // Walk back through the saved frontiers to recover the path.
    var edits: [Edit] = []
    var x = n
    var y = m
    for cost in stride(from: trace.count - 1, through: 0, by: -1) {
      let saved = trace[cost]
      func previous(_ diagonal: Int) -> Int { saved[diagonal + cost] }
      let diagonal = x - y
      let previousDiagonal: Int
      if diagonal == -cost
        || (diagonal != cost && previous(diagonal - 1) < previous(diagonal + 1))
      {
        previousDiagonal = diagonal + 1
      } else {
        previousDiagonal = diagonal - 1
      }
      let previousX = cost == 0 ? 0 : previous(previousDiagonal)
      let previousY = previousX - previousDiagonal
      while x > previousX && y > previousY {
        x -= 1
        y -= 1
        edits.append(.same(old: oldRange.lowerBound + x, new: newRange.lowerBound + y))
      }
      if cost > 0 {
        if x == previousX {
          y -= 1
          edits.append(.insert(new: newRange.lowerBound + y))
        } else {
          x -= 1
          edits.append(.delete(old: oldRange.lowerBound + x))
        }
      }
    }
    return edits.reversed()
  }

  private static func render(_ edits: [Edit], old: [Key], new: [Key], context: Int) -> String {
    let changed = edits.indices.filter {
      if case .same = edits[$0] { false } else { true }
    }
    guard let firstChange = changed.first else { return "" }
    // Group changes whose gap of unchanged lines is small enough to share context.
    var groups: [ClosedRange<Int>] = []
    var groupStart = firstChange
    var groupEnd = firstChange
    for index in changed.dropFirst() {
      if index - groupEnd - 1 > 2 * context {
        groups.append(groupStart...groupEnd)
        groupStart = index
      }
      groupEnd = index
    }
    groups.append(groupStart...groupEnd)

    var output = ""
    for group in groups {
      let lower = max(0, group.lowerBound - context)
      let upper = min(edits.count - 1, group.upperBound + context)
      let slice = edits[lower...upper]
      var oldStart: Int?
      var newStart: Int?
      var oldCount = 0
      var newCount = 0
      var body = ""
      for edit in slice {
        switch edit {
        case .same(let o, let n):
          oldStart = oldStart ?? o
          newStart = newStart ?? n
          oldCount += 1
          newCount += 1
          body += line(" ", old[o])
        case .delete(let o):
          oldStart = oldStart ?? o
          oldCount += 1
          body += line("-", old[o])
        case .insert(let n):
          newStart = newStart ?? n
          newCount += 1
          body += line("+", new[n])
        }
      }
      let oldFirst = oldStart ?? linesBefore(lower, in: edits, old: true)
      let newFirst = newStart ?? linesBefore(lower, in: edits, old: false)
      output +=
        "@@ -\(range(oldFirst, oldCount)) +\(range(newFirst, newCount)) @@\n" + body
    }
    return output
  }

  private static func line(_ marker: String, _ key: Key) -> String {
    marker + key.text + "\n" + (key.lacksNewline ? "\\ No newline at end of file\n" : "")
  }

  /// How many lines of one side come before edit `index`: where a hunk with no line on that
  /// side sits.
  private static func linesBefore(_ index: Int, in edits: [Edit], old: Bool) -> Int {
    edits[..<index].filter { edit in
      switch edit {
      case .same: true
      case .delete: old
      case .insert: !old
      }
    }.count
  }

  /// `start,count` in unified-diff form: 1-based, `,1` left out, and for an empty side the
  /// line before it.
  private static func range(_ start: Int, _ count: Int) -> String {
    switch count {
    case 0: return "\(start),0"
    case 1: return "\(start + 1)"
    default: return "\(start + 1),\(count)"
    }
  }
}
