import Testing

@testable import CodexCore

@Suite("CappedByteBuffer")
struct CappedByteBufferTests {
  static let cases: [(limit: Int, chunks: [Int], keptHead: Int, keptTail: Int)] = [
    (10, [3, 3], 6, 0),
    (10, [10], 5, 5),
    (10, [4, 4, 4, 4, 4], 5, 5),
    (10, [100], 5, 5),
    (10, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 5, 5),
    (1, [3], 1, 0),
    (0, [5], 0, 0),
    (7, [2, 9, 1], 4, 3),
  ]

  @Test("keeps the head and the tail, counts the middle", arguments: cases)
  func capping(_ example: (limit: Int, chunks: [Int], keptHead: Int, keptTail: Int)) {
    var buffer = CappedByteBuffer(limit: example.limit)
    var all: [UInt8] = []
    var next: UInt8 = 0
    for size in example.chunks {
      let chunk = (0..<size).map { _ in
        next &+= 1
        return next
      }
      all += chunk
      chunk.withUnsafeBytes { buffer.append($0) }
    }
    let (bytes, truncation) = buffer.finish()
    let expected = Array(all.prefix(example.keptHead)) + Array(all.suffix(example.keptTail))
    if all.count <= example.limit {
      #expect(bytes == all)
      #expect(truncation == nil)
    } else {
      #expect(bytes == expected)
      #expect(
        truncation
          == OutputTruncation(offset: example.keptHead, droppedBytes: all.count - bytes.count))
    }
  }
}
