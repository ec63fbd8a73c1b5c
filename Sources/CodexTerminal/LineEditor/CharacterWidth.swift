/// How many terminal columns a character takes: 2 for East Asian wide and emoji, 0 for
/// controls, else 1. A simple table, not the full wcwidth: enough to keep the cursor where the
/// terminal draws it for the text people type.
public enum CharacterWidth {
  /// A tab is drawn as this many spaces in the prompt.
  public static let tabWidth = 4

  public static func of(_ c: Character) -> Int {
    if c == "\t" { return tabWidth }
    guard let first = c.unicodeScalars.first else { return 0 }
    let v = first.value
    if v < 0x20 || (0x7F..<0xA0).contains(v) { return 0 }
    if c.unicodeScalars.count > 1, c.unicodeScalars.contains(where: { $0.value == 0xFE0F }) {
      return 2  // emoji presentation selector
    }
    if first.properties.isEmojiPresentation { return 2 }
    for range in wideRanges where range.contains(v) { return 2 }
    return 1
  }

  public static func of(_ s: some Sequence<Character>) -> Int {
    s.reduce(0) { $0 + of($1) }
  }

  static let wideRanges: [ClosedRange<UInt32>] = [
    0x1100...0x115F,  // Hangul Jamo initials
    0x2E80...0x303E,  // CJK radicals, punctuation
    0x3041...0x33FF,  // kana, CJK symbols
    0x3400...0x4DBF,  // CJK extension A
    0x4E00...0x9FFF,  // CJK unified ideographs
    0xA000...0xA4CF,  // Yi
    0xAC00...0xD7A3,  // Hangul syllables
    0xF900...0xFAFF,  // CJK compatibility ideographs
    0xFE30...0xFE4F,  // CJK compatibility forms
    0xFF00...0xFF60,  // fullwidth forms
    0xFFE0...0xFFE6,
    0x1F300...0x1F64F,  // pictographs, emoticons
    0x1F900...0x1F9FF,
    0x20000...0x3FFFD,  // CJK extensions B and later
  ]
}
