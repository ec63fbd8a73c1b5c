extension TOMLParser {
  // MARK: - Words

  /// At a letter: `true`, `false`, `inf` or `nan`; anything else is most likely a string someone
  /// forgot to quote (`model = gpt-4o`), so the error says so.
  mutating func parseBareWord() throws(ConfigSyntaxError) -> ConfigValue {
    let start = index
    while index < bytes.count
      && (TOMLByte.isBareKey(bytes[index]) || bytes[index] == TOMLByte.dot)
    {
      index += 1
    }
    let word = source.text(start..<index)
    switch word {
    case "true": return .bool(true)
    case "false": return .bool(false)
    case "inf": return .float(.infinity)
    case "nan": return .float(.nan)
    default: break
    }
    switch word.lowercased() {
    case "true", "false":
      throw error("invalid value '\(word)': booleans are lowercase 'true' or 'false'", at: start)
    case "inf", "nan":
      throw error("invalid value '\(word)': write it lowercase, '\(word.lowercased())'", at: start)
    default:
      throw error(
        "invalid value '\(word)': strings must be quoted, as in \"\(word)\"", at: start)
    }
  }

  // MARK: - Numbers

  /// At a digit or sign: an integer, a float, or a date/time (`1979-05-27`, `07:32:00`).
  mutating func parseNumberOrDateTime() throws(ConfigSyntaxError) -> ConfigValue {
    let start = index
    if isDigits(at: start, count: 4) && peek(4) == TOMLByte.minus {
      return try parseDateTime()
    }
    if isDigits(at: start, count: 2) && peek(2) == TOMLByte.colon {
      return .datetime(try parseTime(start: start))
    }
    while index < bytes.count {
      let byte = bytes[index]
      guard
        TOMLByte.isLetter(byte) || TOMLByte.isDigit(byte) || byte == TOMLByte.underscore
          || byte == TOMLByte.plus || byte == TOMLByte.minus || byte == TOMLByte.dot
      else { break }
      index += 1
    }
    return try number(in: start..<index)
  }

  private mutating func number(in range: Range<Int>) throws(ConfigSyntaxError) -> ConfigValue {
    let text = source.text(range)
    let start = range.lowerBound
    let end = range.upperBound
    var cursor = start
    var hasSign = false
    var isNegative = false
    if bytes[cursor] == TOMLByte.plus || bytes[cursor] == TOMLByte.minus {
      hasSign = true
      isNegative = bytes[cursor] == TOMLByte.minus
      cursor += 1
    }
    let unsigned = source.text(cursor..<end)
    if unsigned == "inf" { return .float(isNegative ? -.infinity : .infinity) }
    if unsigned == "nan" { return .float(isNegative ? -.nan : .nan) }

    if cursor + 1 < end && bytes[cursor] == TOMLByte.zero,
      let radix = Self.radix(forPrefix: bytes[cursor + 1])
    {
      if hasSign {
        throw error(
          "invalid number '\(text)': hexadecimal, octal and binary integers cannot have a sign",
          at: start)
      }
      let digitsStart = cursor + 2
      let digitsEnd = try scanDigits(from: digitsStart, to: end, radix: radix, text: text)
      guard digitsEnd > digitsStart else {
        throw error("invalid number '\(text)': expected digits after the prefix", at: start)
      }
      guard digitsEnd == end else {
        throw error(
          "invalid number '\(text)': \(describe(digitsEnd)) is not a base-\(radix) digit",
          at: digitsEnd)
      }
      return .integer(
        try integer(in: digitsStart..<end, radix: radix, negative: false, text: text, at: start))
    }

    let integerStart = cursor
    cursor = try scanDigits(from: cursor, to: end, radix: 10, text: text)
    guard cursor > integerStart else {
      throw error("invalid number '\(text)'", at: start)
    }
    if bytes[integerStart] == TOMLByte.zero && cursor - integerStart > 1 {
      throw error("invalid number '\(text)': leading zeros are not allowed", at: start)
    }
    var isFloat = false
    if cursor < end && bytes[cursor] == TOMLByte.dot {
      cursor += 1
      let fractionStart = cursor
      cursor = try scanDigits(from: cursor, to: end, radix: 10, text: text)
      guard cursor > fractionStart else {
        throw error(
          "invalid number '\(text)': expected digits after the decimal point", at: start)
      }
      isFloat = true
    }
    if cursor < end && (bytes[cursor] == 0x65 || bytes[cursor] == 0x45) {  // e, E
      cursor += 1
      if cursor < end && (bytes[cursor] == TOMLByte.plus || bytes[cursor] == TOMLByte.minus) {
        cursor += 1
      }
      let exponentStart = cursor
      cursor = try scanDigits(from: cursor, to: end, radix: 10, text: text)
      guard cursor > exponentStart else {
        throw error("invalid number '\(text)': expected digits in the exponent", at: start)
      }
      isFloat = true
    }
    guard cursor == end else {
      throw error("invalid number '\(text)'", at: start)
    }
    if isFloat {
      let digits = String(text.unicodeScalars.filter { $0 != "_" })
      guard let value = Double(digits) else {
        throw error("invalid number '\(text)'", at: start)
      }
      return .float(value)
    }
    return .integer(
      try integer(in: integerStart..<end, radix: 10, negative: isNegative, text: text, at: start))
  }

  private static func radix(forPrefix byte: UInt8) -> Int? {
    switch byte {
    case 0x78: return 16  // x
    case 0x6F: return 8  // o
    case 0x62: return 2  // b
    default: return nil
    }
  }

  /// Skips digits of `radix` with single underscores between them; returns where they end.
  private mutating func scanDigits(
    from start: Int, to end: Int, radix: Int, text: String
  ) throws(ConfigSyntaxError) -> Int {
    var cursor = start
    while cursor < end {
      let byte = bytes[cursor]
      if Self.digitValue(byte, radix: radix) != nil {
        cursor += 1
      } else if byte == TOMLByte.underscore {
        guard cursor > start, cursor + 1 < end,
          Self.digitValue(bytes[cursor + 1], radix: radix) != nil
        else {
          throw error(
            "invalid number '\(text)': an underscore must sit between two digits", at: cursor)
        }
        cursor += 1
      } else {
        break
      }
    }
    return cursor
  }

  private static func digitValue(_ byte: UInt8, radix: Int) -> UInt8? {
    guard let value = radix == 16 ? hexValue(byte) : (TOMLByte.isDigit(byte) ? byte - 0x30 : nil)
    else { return nil }
    return Int(value) < radix ? value : nil
  }

  /// The value of already-validated digits (underscores allowed), or an error past 64 bits.
  private mutating func integer(
    in range: Range<Int>, radix: Int, negative: Bool, text: String, at tokenStart: Int
  ) throws(ConfigSyntaxError) -> Int64 {
    let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
    var magnitude: UInt64 = 0
    for offset in range {
      guard let digit = Self.digitValue(bytes[offset], radix: radix) else { continue }
      let (shifted, overflowed) = magnitude.multipliedReportingOverflow(by: UInt64(radix))
      let (sum, carried) = shifted.addingReportingOverflow(UInt64(digit))
      guard !overflowed, !carried, sum <= limit else {
        throw error(
          "integer '\(text)' does not fit in 64 bits "
            + "(\(Int64.min) to \(Int64.max))",
          at: tokenStart)
      }
      magnitude = sum
    }
    if negative {
      return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    }
    return Int64(magnitude)
  }

  // MARK: - Dates and times

  /// `YYYY-MM-DD`, optionally followed by `T` (or a space) and a time, optionally with an offset.
  /// Kept as text with `T` and `Z` uppercased and a space separator written as `T`.
  private mutating func parseDateTime() throws(ConfigSyntaxError) -> ConfigValue {
    let start = index
    let year = try fixedDigits(4, start: start, expected: "a date as YYYY-MM-DD")
    try expectByte(TOMLByte.minus, start: start, expected: "a date as YYYY-MM-DD")
    let month = try fixedDigits(2, start: start, expected: "a date as YYYY-MM-DD")
    try expectByte(TOMLByte.minus, start: start, expected: "a date as YYYY-MM-DD")
    let day = try fixedDigits(2, start: start, expected: "a date as YYYY-MM-DD")
    guard (1...12).contains(month) else {
      throw invalidDateTime(start, "month \(month) is not between 01 and 12")
    }
    let daysInMonth = Self.daysIn(month: month, year: year)
    guard (1...daysInMonth).contains(day) else {
      throw invalidDateTime(start, "day \(day) is not between 01 and \(daysInMonth)")
    }
    var text = source.text(start..<index)
    let separator = peek(0)
    let hasTime: Bool
    if separator == 0x54 || separator == 0x74 {  // T, t
      hasTime = true
    } else if separator == TOMLByte.space {
      hasTime = isDigits(at: index + 1, count: 2) && peek(3) == TOMLByte.colon
    } else {
      hasTime = false
    }
    guard hasTime else { return .datetime(text) }
    index += 1
    text += "T" + (try parseTime(start: start))
    switch peek(0) {
    case 0x5A, 0x7A:  // Z, z
      index += 1
      text += "Z"
    case TOMLByte.plus, TOMLByte.minus:
      let offsetStart = index
      index += 1
      let hours = try fixedDigits(2, start: start, expected: "an offset as +HH:MM")
      try expectByte(TOMLByte.colon, start: start, expected: "an offset as +HH:MM")
      let minutes = try fixedDigits(2, start: start, expected: "an offset as +HH:MM")
      guard hours <= 23, minutes <= 59 else {
        throw invalidDateTime(start, "offset \(source.text(offsetStart..<index)) is out of range")
      }
      text += source.text(offsetStart..<index)
    default:
      break
    }
    return .datetime(text)
  }

  /// `HH:MM:SS` with optional fraction; `start` is where the whole value began, for messages.
  private mutating func parseTime(start: Int) throws(ConfigSyntaxError) -> String {
    let timeStart = index
    let expected = "a time as HH:MM:SS"
    let hour = try fixedDigits(2, start: start, expected: expected)
    try expectByte(TOMLByte.colon, start: start, expected: expected)
    let minute = try fixedDigits(2, start: start, expected: expected)
    try expectByte(TOMLByte.colon, start: start, expected: expected)
    let second = try fixedDigits(2, start: start, expected: expected)
    if peek(0) == TOMLByte.dot {
      index += 1
      guard let byte = peek(0), TOMLByte.isDigit(byte) else {
        throw invalidDateTime(start, "expected digits after the decimal point in the seconds")
      }
      while let byte = peek(0), TOMLByte.isDigit(byte) { index += 1 }
    }
    guard hour <= 23 else { throw invalidDateTime(start, "hour \(hour) is not between 00 and 23") }
    guard minute <= 59 else {
      throw invalidDateTime(start, "minute \(minute) is not between 00 and 59")
    }
    // 60 is a leap second, which RFC 3339 (and so TOML) allows.
    guard second <= 60 else {
      throw invalidDateTime(start, "second \(second) is not between 00 and 60")
    }
    return source.text(timeStart..<index)
  }

  private mutating func fixedDigits(
    _ count: Int, start: Int, expected: String
  ) throws(ConfigSyntaxError) -> Int {
    guard isDigits(at: index, count: count) else {
      throw invalidDateTime(start, "expected \(expected)")
    }
    var value = 0
    for offset in index..<index + count { value = value * 10 + Int(bytes[offset] - 0x30) }
    index += count
    return value
  }

  private mutating func expectByte(
    _ byte: UInt8, start: Int, expected: String
  ) throws(ConfigSyntaxError) {
    guard peek(0) == byte else { throw invalidDateTime(start, "expected \(expected)") }
    index += 1
  }

  private func isDigits(at offset: Int, count: Int) -> Bool {
    guard offset >= 0, offset + count <= bytes.count else { return false }
    for position in offset..<offset + count where !TOMLByte.isDigit(bytes[position]) {
      return false
    }
    return true
  }

  private mutating func invalidDateTime(_ start: Int, _ reason: String) -> ConfigSyntaxError {
    var end = start
    while end < bytes.count {
      let byte = bytes[end]
      // A space separates date and time only when a digit follows it.
      let isSeparator =
        byte == TOMLByte.space && end + 1 < bytes.count && TOMLByte.isDigit(bytes[end + 1])
      guard
        TOMLByte.isLetter(byte) || TOMLByte.isDigit(byte) || byte == TOMLByte.colon
          || byte == TOMLByte.minus || byte == TOMLByte.plus || byte == TOMLByte.dot
          || isSeparator
      else { break }
      end += 1
    }
    return error("invalid date-time '\(source.text(start..<end))': \(reason)", at: start)
  }

  private static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2:
      let isLeap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
      return isLeap ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
