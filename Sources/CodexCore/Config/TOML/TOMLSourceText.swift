/// The bytes of a TOML document, and the mapping from byte offsets to the 1-based line:column
/// that node positions and error messages use. Columns count Unicode scalars, not bytes, so a
/// caret under `config.toml:3:9` lines up in an editor even after non-ASCII text.
struct TOMLSourceText {
  let bytes: UnsafeBufferPointer<UInt8>
  /// Byte offset where each line starts; line N starts at `lineStarts[N - 1]`.
  private var lineStarts: [Int] = [0]
  /// The last position computed. Positions are asked for mostly in increasing order, so counting
  /// on from here keeps a long one-line document (a huge inline array) linear, not quadratic.
  private var cachedOffset = 0
  private var cachedLine = 1
  private var cachedColumn = 1
  /// A leading byte order mark is invisible in editors, so it does not count as a column.
  let hasByteOrderMark: Bool

  init(bytes: UnsafeBufferPointer<UInt8>) {
    self.bytes = bytes
    hasByteOrderMark = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    for offset in bytes.indices where bytes[offset] == TOMLByte.lineFeed {
      lineStarts.append(offset + 1)
    }
  }

  mutating func position(of offset: Int) -> SourcePosition {
    let offset = min(max(offset, 0), bytes.count)
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
    }
    let line = low + 1
    var from = lineStarts[low]
    var column = 1
    if cachedLine == line && cachedOffset <= offset {
      from = cachedOffset
      column = cachedColumn
    }
    for index in from..<offset where !TOMLByte.isContinuation(bytes[index]) {
      column += 1
    }
    cachedOffset = offset
    cachedLine = line
    cachedColumn = column
    if line == 1 && hasByteOrderMark && offset >= 3 { column -= 1 }
    return SourcePosition(line: line, column: column)
  }

  /// The offset of the first byte that is not part of well-formed UTF-8 (overlong forms,
  /// surrogates and code points past U+10FFFF included), or nil if the whole text is valid.
  func firstInvalidUTF8Offset() -> Int? {
    var index = 0
    let count = bytes.count
    while index < count {
      let lead = bytes[index]
      if lead < 0x80 {
        index += 1
        continue
      }
      let length: Int
      var secondRange: ClosedRange<UInt8> = 0x80...0xBF
      switch lead {
      case 0xC2...0xDF: length = 2
      case 0xE0:
        length = 3
        secondRange = 0xA0...0xBF
      case 0xE1...0xEC, 0xEE...0xEF: length = 3
      case 0xED:
        length = 3
        secondRange = 0x80...0x9F
      case 0xF0:
        length = 4
        secondRange = 0x90...0xBF
      case 0xF1...0xF3: length = 4
      case 0xF4:
        length = 4
        secondRange = 0x80...0x8F
      default: return index
      }
      guard index + 1 < count, secondRange.contains(bytes[index + 1]) else { return index }
      var next = index + 2
      while next < index + length {
        guard next < count, TOMLByte.isContinuation(bytes[next]) else { return index }
        next += 1
      }
      index += length
    }
    return nil
  }

  /// Describes the character at `offset` for messages: `'x'`, `end of line`, `U+0007`.
  func describeCharacter(at offset: Int) -> String {
    guard offset < bytes.count else { return "end of file" }
    let byte = bytes[offset]
    if byte == TOMLByte.lineFeed
      || (byte == TOMLByte.carriageReturn && offset + 1 < bytes.count
        && bytes[offset + 1] == TOMLByte.lineFeed)
    {
      return "end of line"
    }
    if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    if byte < 0x80 { return TOMLByte.codePointName(UInt32(byte)) }
    guard let scalar = scalar(at: offset) else {
      return "byte 0x\(TOMLByte.hex(UInt32(byte), digits: 2))"
    }
    if scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
      || scalar.properties.generalCategory == .format
    {
      return TOMLByte.codePointName(scalar.value)
    }
    return "'\(Character(scalar))' (\(TOMLByte.codePointName(scalar.value)))"
  }

  /// Decodes the scalar starting at `offset`, if the bytes there are well-formed UTF-8.
  func scalar(at offset: Int) -> Unicode.Scalar? {
    var iterator = bytes[offset...].makeIterator()
    var decoder = UTF8()
    if case .scalarValue(let scalar) = decoder.decode(&iterator) { return scalar }
    return nil
  }

  /// The text of `range`; only called on ranges of validated UTF-8.
  func text(_ range: Range<Int>) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
  }
}

/// Byte values and classes the TOML grammar is written in.
enum TOMLByte {
  static let tab: UInt8 = 0x09
  static let lineFeed: UInt8 = 0x0A
  static let carriageReturn: UInt8 = 0x0D
  static let space: UInt8 = 0x20
  static let quote: UInt8 = 0x22
  static let hash: UInt8 = 0x23
  static let apostrophe: UInt8 = 0x27
  static let plus: UInt8 = 0x2B
  static let comma: UInt8 = 0x2C
  static let minus: UInt8 = 0x2D
  static let dot: UInt8 = 0x2E
  static let zero: UInt8 = 0x30
  static let colon: UInt8 = 0x3A
  static let equals: UInt8 = 0x3D
  static let leftBracket: UInt8 = 0x5B
  static let backslash: UInt8 = 0x5C
  static let rightBracket: UInt8 = 0x5D
  static let underscore: UInt8 = 0x5F
  static let leftBrace: UInt8 = 0x7B
  static let rightBrace: UInt8 = 0x7D
  static let delete: UInt8 = 0x7F

  static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
  static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
  }
  static func isBareKey(_ byte: UInt8) -> Bool {
    isLetter(byte) || isDigit(byte) || byte == minus || byte == underscore
  }
  /// Characters TOML forbids raw in strings and comments: C0 controls other than tab, and DEL.
  static func isForbiddenControl(_ byte: UInt8) -> Bool {
    (byte < 0x20 && byte != tab) || byte == delete
  }

  static func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
  }

  static func codePointName(_ value: UInt32) -> String { "U+" + hex(value, digits: 4) }
}
