import Testing

@testable import CodexCore

/// codex-rs's seek_sequence tests, plus every position being reported and edge ranges.
@Suite struct LineMatcherTests {
  @Test func passesOfDecreasingStrictness() {
    #expect(
      LineMatcher(lines: ["foo", "bar", "baz"]).matches(of: ["bar", "baz"], startingIn: 0..<4) == [
        1
      ])
    #expect(
      LineMatcher(lines: ["foo   ", "bar\t\t"]).matches(of: ["foo", "bar"], startingIn: 0..<3) == [
        0
      ])
    #expect(
      LineMatcher(lines: ["    foo   ", "   bar\t"]).matches(of: ["foo", "bar"], startingIn: 0..<3)
        == [0])
    #expect(
      LineMatcher(lines: ["a \u{2013} \u{201C}b\u{201D}\u{00A0}c"]).matches(
        of: ["a - \"b\" c"], startingIn: 0..<2)
        == [0])
  }

  @Test func theStrictestMatchingPassWins() {
    // An exact match is not ambiguous because a looser pass would match elsewhere too.
    #expect(LineMatcher(lines: ["x ", "x"]).matches(of: ["x"], startingIn: 0..<3) == [1])
  }

  @Test func everyPositionIsReported() {
    #expect(
      LineMatcher(lines: ["a", "a", "a"]).matches(of: ["a", "a"], startingIn: 0..<4) == [0, 1])
    #expect(
      LineMatcher(lines: ["a", "b", "a", "b"]).matches(of: ["a", "b"], startingIn: 1..<5) == [2])
  }

  @Test(arguments: [0..<0, 3..<3, 5..<9, 2..<3, -4..<1])
  func edgeRangesNeverTrap(range: Range<Int>) {
    let matcher = LineMatcher(lines: ["a", "b", "c"])
    let found = matcher.matches(of: ["b", "c"], startingIn: range)
    #expect(found == (range.contains(1) ? [1] : []))
    #expect(matcher.matches(of: ["too", "many", "lines", "here"], startingIn: range).isEmpty)
    #expect(matcher.matches(of: [], startingIn: range).isEmpty)
    #expect(LineMatcher(lines: []).matches(of: ["a"], startingIn: range).isEmpty)
  }

  @Test func headers() {
    let matcher = LineMatcher(lines: [
      "class A:", "  def run(self, x):", "class B:", "  def run(self, x):",
    ])
    #expect(matcher.firstLine(matching: "class B:", from: 0) == 2)
    #expect(matcher.firstLine(matching: "def run", from: 2) == 3)
    #expect(matcher.firstLine(matching: "self, x", from: 0) == 1)
    #expect(matcher.firstLine(matching: "class C:", from: 0) == nil)
    #expect(matcher.firstLine(matching: "class A:", from: 9) == nil)
  }
}
