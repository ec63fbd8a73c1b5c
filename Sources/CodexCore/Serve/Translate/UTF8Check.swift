/// Where bytes stop being UTF-8, for a request body error that says where.
enum UTF8Check {
  /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or nil.
  static func firstInvalidByte(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { b -> Int? in
      var i = 0
      let n = b.count
      while i < n {
        let c = b[i]
        if c < 0x80 {
          i += 1
          continue
        }
        let length: Int
        var minNext: UInt8 = 0x80
        var maxNext: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: length = 2
        case 0xE0:
          length = 3
          minNext = 0xA0  // no overlong forms
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
          length = 3
          maxNext = 0x9F  // no surrogates
        case 0xF0:
          length = 4
          minNext = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
          length = 4
          maxNext = 0x8F  // nothing above U+10FFFF
        default: return i
        }
        guard i + length <= n else { return i }
        guard (minNext...maxNext).contains(b[i + 1]) else { return i }
        for k in 2..<max(2, length) where !(0x80...0xBF).contains(b[i + k]) { return i }
        i += length
      }
      return nil
    }
  }
}
