/// Byte searching for the stream framers, their hot loop: payloads are long and line ends rare.
enum ByteScan {
  /// The index of the first byte equal to `a` or `b` at or after `start`, or `buffer.count`.
  /// Tests eight bytes at a time (SWAR) and finishes byte by byte.
  @inline(__always)
  static func firstIndex(
    of a: UInt8, or b: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int
  ) -> Int {
    let count = buffer.count
    var index = start
    if let base = buffer.baseAddress {
      let raw = UnsafeRawPointer(base)
      let ones: UInt64 = 0x0101_0101_0101_0101
      let highs: UInt64 = 0x8080_8080_8080_8080
      let patternA = ones &* UInt64(a)
      let patternB = ones &* UInt64(b)
      while index + 8 <= count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let xa = word ^ patternA
        let xb = word ^ patternB
        // Non-zero exactly when some byte of `xa` or `xb` is zero, i.e. the word holds a or b.
        if ((xa &- ones) & ~xa | (xb &- ones) & ~xb) & highs != 0 { break }
        index += 8
      }
    }
    while index < count && buffer[index] != a && buffer[index] != b { index += 1 }
    return index
  }
}
