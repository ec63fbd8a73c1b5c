import Foundation
import Testing

@testable import CodexCore

/// Mangled patches, as a confused model might send them: the engine must never trap, and a
/// patch it refuses must leave the tree as it was.
@Suite struct ApplyPatchFuzzTests {
  static let files = [
    "src/main.swift": "import Foundation\n\nfunc main() {\n  print(\"hi\")\n  return\n}\n",
    "notes.md": "# Title\r\n\r\n- one\r\n- two\r\n",
    "tail.txt": "no newline",
  ]

  static let seedPatch = wrapPatch(
    """
    *** Add File: new/file.txt
    +hello
    +
    +world
    *** Update File: src/main.swift
    @@ func main() {
    -  print("hi")
    +  print("hello")
       return
    *** Update File: notes.md
    *** Move to: docs/notes.md
    @@
     - one
    -- two
    +- three
    *** End of File
    *** Update File: tail.txt
    @@
    -no newline
    +still none
    *** Delete File: src/main.swift
    """)

  private static let noise: [String] = [
    "", " ", "\t", "+", "-", "@@", "@@ ", "***", "*** End of File", "*** End Patch", "\\",
    "\r", "\u{0}", "\u{2014}", "\u{201C}", "é", "<<'EOF'", "EOF", "../", "/", "*** Move to: x",
  ]

  @Test func mangledPatchesNeverTrapNorWriteWhenRefused() throws {
    var random = SplitMixRandom(seed: 0xC0DE_C0DE)
    let lines = Self.seedPatch.split(separator: "\n", omittingEmptySubsequences: false).map(
      String.init)
    var applied = 0
    var refused = 0
    for _ in 0..<150 {
      var mangled = lines
      for _ in 0..<(1 + Int(random.next() % 3)) {
        let index = Int(random.next() % UInt64(mangled.count))
        switch random.next() % 6 {
        case 0: mangled.remove(at: index)
        case 1: mangled.insert(mangled[index], at: index)
        case 2: mangled[index] = Self.noise[Int(random.next() % UInt64(Self.noise.count))]
        case 3: mangled[index] = String(mangled[index].dropFirst())
        case 4: mangled[index] += Self.noise[Int(random.next() % UInt64(Self.noise.count))]
        default:
          mangled.insert(Self.noise[Int(random.next() % UInt64(Self.noise.count))], at: index)
        }
        if mangled.isEmpty { mangled = [""] }
      }
      let workspace = try PatchWorkspace(Self.files)
      let before = try workspace.snapshot()
      do {
        try workspace.apply(mangled.joined(separator: "\n"))
        applied += 1
      } catch let error as ApplyPatchError {
        refused += 1
        #expect(try workspace.snapshot() == before, "\(error)")
        #expect(!error.description.isEmpty)
      }
    }
    // Both outcomes were exercised.
    #expect(applied > 10)
    #expect(refused > 10)
  }
}

struct SplitMixRandom {
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
