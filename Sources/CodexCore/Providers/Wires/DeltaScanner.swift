/// The wires' fast path: almost every frame of a long answer is one small JSON object carrying
/// one text delta. Building a `JSON` tree for each (an array per object, a string per value)
/// costs far more than the text is worth, so the decoders first try this scanner, which walks
/// the object's bytes once and keeps only the fields a delta needs.
///
/// It uses `JSONParser`'s own tokenizer (strings, escapes, numbers, literals), so what it reads
/// is exactly what `JSON.parse` would read. Anything it is not sure about — a shape it does not
/// expect, a duplicate key, an escaped key, malformed JSON — makes it give up, and the decoder
/// takes the general path, which then produces the events (or the error) as before. Decoders
/// change no state unless the scan succeeded.
struct DeltaScanner {
  /// Thrown inside a scan for "not the common shape": the caller falls back.
  struct GiveUp: Error {}

  /// Whether the parser, done with the value, is at the end of the text (whitespace allowed):
  /// the frame was exactly one value, as `JSON.parse` requires.
  static func atEnd(_ p: inout JSONParser) -> Bool {
    p.skipSpace()
    return p.atEnd
  }

  /// Marks a field seen; a second one gives up (`JSON` keeps the last duplicate, the scan
  /// would keep the first).
  @inline(__always)
  static func once(_ seen: inout UInt8, _ bit: UInt8) throws {
    guard seen & bit == 0 else { throw GiveUp() }
    seen |= bit
  }

  /// Whether `key` is exactly `name` (ASCII).
  @inline(__always)
  static func `is`(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
    let n = name.utf8CodeUnitCount
    guard key.count == n, let base = key.baseAddress else { return n == 0 && key.isEmpty }
    let s = name.utf8Start
    for k in 0..<n where base[k] != s[k] { return false }
    return true
  }
}

extension JSONParser {
  /// Deeper than any delta; the general path decides what to make of deeper nesting.
  static let scanMaxDepth = 64

  var atEnd: Bool { i >= b.count }

  /// Enters the object at the cursor. Then `nextMember` until it returns nil:
  ///
  ///     try p.enterObject(depth: d)
  ///     var more = false
  ///     while let key = try p.nextMember(&more) { /* consume the value */ }
  ///
  /// Loops rather than closures, so the fields a fast path collects stay plain local variables.
  mutating func enterObject(depth: Int) throws {
    guard depth < Self.scanMaxDepth, i < b.count, b[i] == UInt8(ascii: "{") else {
      throw DeltaScanner.GiveUp()
    }
    i += 1
  }

  /// The next member's key (raw bytes; keys with escapes give up), with the cursor on its value;
  /// nil after the closing brace. `more` starts false and is kept by the caller between calls.
  mutating func nextMember(_ more: inout Bool) throws -> UnsafeBufferPointer<UInt8>? {
    skipSpace()
    guard i < b.count else { throw DeltaScanner.GiveUp() }
    if b[i] == UInt8(ascii: "}") {
      i += 1
      return nil
    }
    if more {
      guard b[i] == UInt8(ascii: ",") else { throw DeltaScanner.GiveUp() }
      i += 1
      skipSpace()
    }
    more = true
    let key = try rawKey()
    skipSpace()
    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw DeltaScanner.GiveUp() }
    i += 1
    skipSpace()
    return key
  }

  /// Enters the array at the cursor. Then `nextElement` until it returns false.
  mutating func enterArray(depth: Int) throws {
    guard depth < Self.scanMaxDepth, i < b.count, b[i] == UInt8(ascii: "[") else {
      throw DeltaScanner.GiveUp()
    }
    i += 1
  }

  /// Whether another element follows, with the cursor on it; false after the closing bracket.
  mutating func nextElement(_ more: inout Bool) throws -> Bool {
    skipSpace()
    guard i < b.count else { throw DeltaScanner.GiveUp() }
    if b[i] == UInt8(ascii: "]") {
      i += 1
      return false
    }
    if more {
      guard b[i] == UInt8(ascii: ",") else { throw DeltaScanner.GiveUp() }
      i += 1
      skipSpace()
    }
    more = true
    return true
  }

  /// A key's (or short string's) bytes between its quotes; one with an escape gives up (no
  /// real server escapes keys or event types).
  mutating func rawKey() throws -> UnsafeBufferPointer<UInt8> {
    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw DeltaScanner.GiveUp() }
    let start = i + 1
    let end = plainRunEnd(from: start)
    guard end < b.count, b[end] == UInt8(ascii: "\"") else { throw DeltaScanner.GiveUp() }
    i = end + 1
    return UnsafeBufferPointer(rebasing: b[start..<end])
  }

  /// A string value, or nil for `null`; anything else gives up.
  mutating func stringOrNull() throws -> String? {
    guard i < b.count else { throw DeltaScanner.GiveUp() }
    if b[i] == UInt8(ascii: "\"") { return try string() }
    if b[i] == UInt8(ascii: "n") {
      try literal("null")
      return nil
    }
    throw DeltaScanner.GiveUp()
  }

  /// A boolean value; anything else gives up.
  mutating func bool() throws -> Bool {
    guard i < b.count else { throw DeltaScanner.GiveUp() }
    if b[i] == UInt8(ascii: "t") {
      try literal("true")
      return true
    }
    if b[i] == UInt8(ascii: "f") {
      try literal("false")
      return false
    }
    throw DeltaScanner.GiveUp()
  }

  /// Consumes `null`, or gives up.
  mutating func null() throws {
    guard i < b.count, b[i] == UInt8(ascii: "n") else { throw DeltaScanner.GiveUp() }
    try literal("null")
  }

  /// Steps over any value, checking it as `JSON.parse` would (so malformed JSON still gives up
  /// and reaches the general path's error) without building anything.
  mutating func skipValue(depth: Int) throws {
    guard i < b.count else { throw DeltaScanner.GiveUp() }
    switch b[i] {
    case UInt8(ascii: "{"):
      try enterObject(depth: depth + 1)
      var more = false
      while try nextMember(&more) != nil { try skipValue(depth: depth + 1) }
    case UInt8(ascii: "["):
      try enterArray(depth: depth + 1)
      var more = false
      while try nextElement(&more) { try skipValue(depth: depth + 1) }
    case UInt8(ascii: "\""): try skipString()
    case UInt8(ascii: "t"): try literal("true")
    case UInt8(ascii: "f"): try literal("false")
    case UInt8(ascii: "n"): try literal("null")
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try skipNumber()
    default: throw DeltaScanner.GiveUp()
    }
  }

  /// The grammar `number()` accepts, without converting (any such text converts there).
  mutating func skipNumber() throws {
    if b[i] == UInt8(ascii: "-") { i += 1 }
    guard i < b.count, isDigit(b[i]) else { throw DeltaScanner.GiveUp() }
    if b[i] == UInt8(ascii: "0") {
      i += 1
    } else {
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
    if i < b.count, b[i] == UInt8(ascii: ".") {
      i += 1
      guard i < b.count, isDigit(b[i]) else { throw DeltaScanner.GiveUp() }
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
      i += 1
      if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
      guard i < b.count, isDigit(b[i]) else { throw DeltaScanner.GiveUp() }
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
  }

  /// A string `string()` accepts (no control characters, valid escapes), without decoding it.
  mutating func skipString() throws {
    i += 1
    while true {
      i = plainRunEnd(from: i)
      guard i < b.count, b[i] == UInt8(ascii: "\\") else { break }
      i += 1
      guard i < b.count else { break }
      let e = b[i]
      i += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
        UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
        continue
      case UInt8(ascii: "u"):
        _ = try hex4()
      default:
        throw DeltaScanner.GiveUp()
      }
    }
    // A quote ends the string; a control character or the end of the text is malformed.
    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw DeltaScanner.GiveUp() }
    i += 1
  }
}
