import Testing

@testable import CodexCore

/// Deterministic, so a failure reproduces: SplitMix64 from a fixed seed.
struct SeededGenerator: RandomNumberGenerator {
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

/// Random edits of valid documents: every result must be a tree whose positions lie inside the
/// text, or a ConfigSyntaxError whose position does. A crash or a hang fails the run.
@Suite(.timeLimit(.minutes(5))) struct ConfigReaderFuzzTests {
  static let yamlSeeds = [
    YAMLReaderTests.olderCLIExample,
    ConfigReaderEquivalenceTests.richYAML,
    ConfigReaderEquivalenceTests.richFlowYAML,
    """
    ---
    # comment
    a: |
      literal
        more
    b: >-
      folded
      text
    c:
    - - x
      - 'it''s'
    - k: "esc \\t \\u00e9"
      l: [1, {m: n}]
    d: 0x1F
    e: .inf
    ...
    """,
  ]

  static let jsonSeeds = [
    ConfigReaderEquivalenceTests.olderCLIJSON,
    ConfigReaderEquivalenceTests.richJSON,
    #"{"a": [1, -2.5e3, true, false, null, {"b": "\u00e9\ud83d\ude00\n"}], "c": {}, "d": []}"#,
  ]

  /// Characters that matter to the grammars, plus some that do not.
  static let alphabet: [Unicode.Scalar] =
    Array(
      "{}[]:,\"'\\-#&*!|>?%@` \n\t\r.0123456789eEx+~abnulltrue".unicodeScalars) + [
      "\u{0}", "\u{1}", "é", "😀", "\u{FEFF}", "\u{85}",
    ]

  static func mutate(_ text: String, using rng: inout SeededGenerator) -> String {
    var s = Array(text.unicodeScalars)
    for _ in 0..<Int.random(in: 1...3, using: &rng) {
      let i = s.isEmpty ? 0 : Int.random(in: 0..<s.count, using: &rng)
      switch Int.random(in: 0..<7, using: &rng) {
      case 0: s.insert(alphabet.randomElement(using: &rng) ?? " ", at: i)
      case 1: if !s.isEmpty { s.remove(at: i) }
      case 2: if !s.isEmpty { s[i] = alphabet.randomElement(using: &rng) ?? " " }
      case 3:
        let end = min(s.count, i + Int.random(in: 1...12, using: &rng))
        s.removeSubrange(i..<end)
      case 4:
        let end = min(s.count, i + Int.random(in: 1...20, using: &rng))
        let at = Int.random(in: 0...s.count, using: &rng)
        s.insert(contentsOf: Array(s[i..<end]), at: at)
      case 5: s = Array(s[0..<i])
      default:
        // Shift indentation of a line, the edit most likely to confuse a block parser.
        let lineStart = s[..<i].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        if Bool.random(using: &rng) {
          s.insert(contentsOf: Array("  ".unicodeScalars), at: lineStart)
        } else if lineStart < s.count, s[lineStart] == " " {
          s.remove(at: lineStart)
        }
      }
    }
    var view = String.UnicodeScalarView()
    view.append(contentsOf: s)
    return String(view)
  }

  static func errorPositionIsPlausible(_ error: ConfigSyntaxError, in text: String) -> Bool {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    let p = error.position
    guard p.line >= 1, p.column >= 1, p.line <= lines.count + 1 else { return false }
    guard p.line <= lines.count else { return p.column == 1 }
    return p.column <= lines[p.line - 1].unicodeScalars.count + 1
  }

  @Test func yamlMutationsParseOrFailCleanly() {
    var rng = SeededGenerator(seed: 0x59A4_1E55)
    var parsed = 0
    var failed = 0
    for iteration in 0..<3000 {
      let seed = Self.yamlSeeds[iteration % Self.yamlSeeds.count]
      let text = Self.mutate(seed, using: &rng)
      do {
        let table = try YAMLReader.parse(text)
        expectPositionsInside(text, table)
        parsed += 1
      } catch {
        #expect(
          Self.errorPositionIsPlausible(error, in: text), "\(error) for \(text.debugDescription)")
        failed += 1
      }
    }
    // Both outcomes must be common, or the mutations are not exercising the reader.
    #expect(parsed > 300)
    #expect(failed > 300)
  }

  /// The core JSON parser is an independent oracle: whatever this reader accepts, it accepts
  /// with the same meaning, and whatever it accepts that this reader rejects is one of the
  /// deliberate config rules.
  @Test func jsonMutationsAgreeWithTheCoreParser() {
    var rng = SeededGenerator(seed: 0x7A50_C0DE)
    var parsed = 0
    var failed = 0
    let deliberateRules = [
      "duplicate key", "null is not allowed", "surrogate", "top level", "does not fit",
      "out of range", "empty file",
    ]
    for iteration in 0..<3000 {
      let seed = Self.jsonSeeds[iteration % Self.jsonSeeds.count]
      let text = Self.mutate(seed, using: &rng)
      let core = try? JSON.parse(text)
      do {
        let table = try JSONConfigReader.parse(text)
        expectPositionsInside(text, table)
        if !text.hasPrefix("\u{FEFF}") {
          #expect(
            core.map(Self.droppingNullMembers) == plainJSON(table), "\(text.debugDescription)")
        }
        parsed += 1
      } catch {
        #expect(
          Self.errorPositionIsPlausible(error, in: text), "\(error) for \(text.debugDescription)")
        if core != nil {
          #expect(
            deliberateRules.contains { error.message.contains($0) },
            "core JSON accepts \(text.debugDescription) but: \(error)")
        }
        failed += 1
      }
    }
    #expect(parsed > 300)
    #expect(failed > 300)
  }

  static func droppingNullMembers(_ value: JSON) -> JSON {
    switch value {
    case .object(let o):
      return .object(
        JSONObject(
          o.entries.filter { !$0.value.isNull }.map { ($0.key, droppingNullMembers($0.value)) }))
    case .array(let items): return .array(items.map(droppingNullMembers))
    default: return value
    }
  }

  @Test func invalidBytesFailCleanly() {
    var rng = SeededGenerator(seed: 0xB17E5)
    let seeds = (Self.yamlSeeds + Self.jsonSeeds).map { Array($0.utf8) }
    for iteration in 0..<1000 {
      var bytes = seeds[iteration % seeds.count]
      for _ in 0..<Int.random(in: 1...3, using: &rng) {
        bytes.insert(
          UInt8.random(in: 0x80...0xFF, using: &rng),
          at: Int.random(in: 0...bytes.count, using: &rng))
      }
      let text = String(decoding: bytes, as: UTF8.self)
      // Explicit calls: a reference to these typed-throws overloads crashes Swift 6.3.1's SILGen.
      do {
        _ = try YAMLReader.parse(bytes)
      } catch {
        #expect(Self.errorPositionIsPlausible(error, in: text), "\(error)")
      }
      do {
        _ = try JSONConfigReader.parse(bytes)
      } catch {
        #expect(Self.errorPositionIsPlausible(error, in: text), "\(error)")
      }
    }
  }
}
