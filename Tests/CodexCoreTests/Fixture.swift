import Foundation

@testable import CodexCore

/// Test fixtures live next to the tests; found through this file's path, not a bundle.
enum Fixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  static func bytes(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: directory.appendingPathComponent(name)))
  }
}

/// Feeds `bytes` through the wire's framer and decoder in the given chunks.
func decodeStream(_ wire: any Wire, _ chunks: [[UInt8]]) throws -> [ChatEvent] {
  var framer = StreamFramer(wire.framing)
  var decoder = wire.makeDecoder()
  var events: [ChatEvent] = []
  for c in chunks {
    for f in framer.feed(c) { events += try decoder.decode(f) }
  }
  for f in framer.finish() { events += try decoder.decode(f) }
  events += try decoder.finish()
  return events
}

/// The same stream whole, one byte at a time, and split in two at every byte boundary must
/// decode to the same events.
func decodeEveryWay(_ wire: any Wire, _ bytes: [UInt8]) throws -> [ChatEvent] {
  let whole = try decodeStream(wire, [bytes])
  let byByte = try decodeStream(wire, bytes.map { [$0] })
  guard whole == byByte else { throw SplitMismatch(at: -1) }
  for cut in 1..<bytes.count {
    let split = try decodeStream(wire, [Array(bytes[..<cut]), Array(bytes[cut...])])
    guard split == whole else { throw SplitMismatch(at: cut) }
  }
  return whole
}

struct SplitMismatch: Error, CustomStringConvertible {
  var at: Int
  var description: String { at < 0 ? "byte-by-byte decode differs" : "split at byte \(at) differs" }
}

/// Text and reasoning deltas joined, so tests can compare content regardless of chunking.
func joinedText(_ events: [ChatEvent]) -> (text: String, reasoning: String) {
  var t = ""
  var r = ""
  for e in events {
    if case .textDelta(let s) = e { t += s }
    if case .reasoningDelta(let s) = e { r += s }
  }
  return (t, r)
}
