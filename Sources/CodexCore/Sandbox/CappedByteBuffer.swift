/// Keeps the first `headLimit` and the last `tailLimit` bytes of a stream and counts the rest, so
/// memory stays bounded however much a command prints. The head shows how a command started, the
/// tail how it ended (where errors usually are).
struct CappedByteBuffer: Sendable {
  let headLimit: Int
  let tailLimit: Int
  private(set) var head: [UInt8] = []
  /// Grows to at most twice `tailLimit` before the surplus is cut, keeping appends amortized O(1).
  private var tail: [UInt8] = []
  private(set) var droppedBytes = 0

  /// `limit` bytes in total, split evenly between head and tail.
  init(limit: Int) {
    let total = max(0, limit)
    headLimit = total - total / 2
    tailLimit = total / 2
  }

  mutating func append(_ bytes: UnsafeRawBufferPointer) {
    var rest = bytes[...]
    let headRoom = headLimit - head.count
    if headRoom > 0 {
      let taken = rest.prefix(headRoom)
      head.append(contentsOf: taken)
      rest = rest.dropFirst(taken.count)
    }
    guard !rest.isEmpty else { return }
    guard tailLimit > 0 else {
      droppedBytes += rest.count
      return
    }
    if rest.count >= tailLimit {
      // Everything already in the tail, and the front of this chunk, falls out of the window.
      droppedBytes += tail.count + rest.count - tailLimit
      tail = Array(rest.suffix(tailLimit))
      return
    }
    tail.append(contentsOf: rest)
    if tail.count >= 2 * tailLimit { trimTail() }
  }

  private mutating func trimTail() {
    let surplus = tail.count - tailLimit
    guard surplus > 0 else { return }
    droppedBytes += surplus
    tail.removeFirst(surplus)
  }

  /// The kept bytes (head then tail) and where the gap is, if there is one.
  mutating func finish() -> (bytes: [UInt8], truncation: OutputTruncation?) {
    trimTail()
    let truncation =
      droppedBytes > 0 ? OutputTruncation(offset: head.count, droppedBytes: droppedBytes) : nil
    return (head + tail, truncation)
  }
}
