import Testing

@testable import CodexCore

@Suite struct ByteScanTests {
  /// The eight-bytes-at-a-time search must agree with a plain loop at every position, for
  /// targets in every byte lane and with neighbours that differ by one bit (0x0B, 0x8A, ...).
  @Test func agreesWithANaiveSearchEverywhere() {
    var generator = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0x0A, 0x0D, 0x0B, 0x0C, 0x8A, 0x8D, 0x00, 0xFF, 0x61, 0x20]
    for length in 0..<40 {
      for _ in 0..<50 {
        let bytes = (0..<length).map { _ in
          Bool.random(using: &generator) ? 0x61 : alphabet.randomElement(using: &generator) ?? 0
        }
        bytes.withUnsafeBufferPointer { buffer in
          for start in 0...length {
            let naive = bytes[start...].firstIndex(where: { $0 == 0x0A || $0 == 0x0D }) ?? length
            #expect(ByteScan.firstIndex(of: 0x0A, or: 0x0D, in: buffer, from: start) == naive)
          }
        }
      }
    }
  }
}
