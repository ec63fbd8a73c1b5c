import Testing

@testable import CodexCore

@Suite struct UnifiedDiffTests {
  private func diff(_ old: String, _ new: String, context: Int = 3) -> UnifiedDiff {
    UnifiedDiff(old: side(old), new: side(new), context: context)
  }

  private func side(_ text: String) -> UnifiedDiff.Side {
    FileText(bytes: Array(text.utf8)).map(UnifiedDiff.Side.init) ?? .empty
  }

  // The expectations of codex-rs's unified-diff tests (context radius 1).
  @Test(arguments: [
    (
      "foo\nbar\nbaz\nqux\n", "foo\nBAR\nbaz\nQUX\n",
      "@@ -1,4 +1,4 @@\n foo\n-bar\n+BAR\n baz\n-qux\n+QUX\n"
    ),
    ("foo\nbar\nbaz\n", "FOO\nbar\nbaz\n", "@@ -1,2 +1,2 @@\n-foo\n+FOO\n bar\n"),
    ("foo\nbar\nbaz\n", "foo\nbar\nBAZ\n", "@@ -2,2 +2,2 @@\n bar\n-baz\n+BAZ\n"),
    ("foo\nbar\nbaz\n", "foo\nbar\nbaz\nquux\n", "@@ -3 +3,2 @@\n baz\n+quux\n"),
    (
      "a\nb\nc\nd\ne\nf\n", "a\nB\nc\nd\nE\nf\ng\n",
      "@@ -1,6 +1,7 @@\n a\n-b\n+B\n c\n d\n-e\n+E\n f\n+g\n"
    ),
    (
      "session directory content\n", "updated session directory content\n",
      "@@ -1 +1 @@\n-session directory content\n+updated session directory content\n"
    ),
  ])
  func matchesCodexRs(old: String, new: String, expected: String) {
    #expect(diff(old, new, context: 1).text == expected)
  }

  @Test func addsDeletesAndCounts() {
    let added = diff("", "a\nb\n")
    #expect(added.text == "@@ -0,0 +1,2 @@\n+a\n+b\n")
    #expect((added.additions, added.deletions) == (2, 0))
    let deleted = diff("a\nb\n", "")
    #expect(deleted.text == "@@ -1,2 +0,0 @@\n-a\n-b\n")
    #expect((deleted.additions, deleted.deletions) == (0, 2))
    #expect(diff("same\n", "same\n").text == "")
  }

  @Test func missingFinalNewlines() {
    #expect(diff("a", "a\n").text == "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n")
    #expect(
      diff("a\nb", "a\nc").text
        == "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )
    #expect(diff("x", "").text == "@@ -1 +0,0 @@\n-x\n\\ No newline at end of file\n")
  }

  @Test func distantChangesGetSeparateHunks() {
    let old = (1...20).map { "l\($0)" }.joined(separator: "\n") + "\n"
    let new = old.replacingFirst("l2\n", with: "L2\n").replacingFirst("l18\n", with: "L18\n")
    #expect(
      diff(old, new).text
        == "@@ -1,5 +1,5 @@\n l1\n-l2\n+L2\n l3\n l4\n l5\n@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+L18\n l19\n l20\n"
    )
  }

  @Test func zeroContextInsertionUsesTheLineBefore() {
    #expect(diff("a\nb\nc\n", "a\nb\nc\nd\ne\n", context: 0).text == "@@ -3,0 +4,2 @@\n+d\n+e\n")
    #expect(diff("a\nb\nc\n", "a\nc\n", context: 0).text == "@@ -2 +1,0 @@\n-b\n")
  }

  /// Reading the old and new texts back out of a whole-file diff must give the inputs, for
  /// random edits (a deterministic generator, so failures reproduce).
  @Test func randomEditsRoundTrip() {
    var generator = SplitMix(seed: 0x5EED)
    for _ in 0..<300 {
      let alphabet = ["a", "b", "c", "d", ""]
      let old = (0..<Int(generator.next() % 25)).map { _ in alphabet[Int(generator.next() % 5)] }
      var new = old
      for _ in 0..<Int(generator.next() % 8) {
        let roll = generator.next() % 3
        if roll == 0 || new.isEmpty {
          new.insert(
            alphabet[Int(generator.next() % 5)], at: Int(generator.next() % UInt64(new.count + 1)))
        } else if roll == 1 {
          new.remove(at: Int(generator.next() % UInt64(new.count)))
        } else {
          new[Int(generator.next() % UInt64(new.count))] = "x"
        }
      }
      let result = UnifiedDiff(
        old: .init(lines: old, endsWithNewline: true),
        new: .init(lines: new, endsWithNewline: true),
        context: 1_000)
      var rebuiltOld: [String] = []
      var rebuiltNew: [String] = []
      for line in result.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
      where !line.hasPrefix("@@") {
        let text = String(line.dropFirst())
        if !line.hasPrefix("+") { rebuiltOld.append(text) }
        if !line.hasPrefix("-") { rebuiltNew.append(text) }
      }
      if old == new {
        #expect(result.text.isEmpty)
      } else {
        #expect(rebuiltOld == old, "\(old) -> \(new)")
        #expect(rebuiltNew == new, "\(old) -> \(new)")
        #expect(result.additions - result.deletions == new.count - old.count)
      }
    }
  }

  @Test func hugeRewritesFallBackToWholesaleReplacement() {
    let old = (0..<6_000).map { "old \($0)" }
    let new = (0..<6_000).map { "new \($0)" }
    let result = UnifiedDiff(
      old: .init(lines: old, endsWithNewline: true), new: .init(lines: new, endsWithNewline: true))
    #expect((result.additions, result.deletions) == (6_000, 6_000))
  }
}

private struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension String {
  fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
    guard let range = firstRange(of: target) else { return self }
    return replacingCharacters(in: range, with: replacement)
  }
}
