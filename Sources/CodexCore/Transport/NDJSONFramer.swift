/// Splits a byte stream into newline-delimited JSON lines, incrementally (Ollama's native
/// stream). Returns complete, non-empty lines without their line end; `\r\n` is tolerated.
/// The lines stay bytes: the wire parses them with `JSON.parse(_: [UInt8])`.
public struct NDJSONFramer {
  private var partialLine: [UInt8] = []

  public init() {}

  /// Consumes the next chunk and returns the lines it completed.
  public mutating func feed(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    let done: Void? = bytes.withContiguousStorageIfAvailable { buf in
      scan(buf) { lines.append(Array($0)) }
    }
    if done == nil {
      Array(bytes).withUnsafeBufferPointer { buf in scan(buf) { lines.append(Array($0)) } }
    }
    return lines
  }

  /// Consumes the next chunk and hands each completed line to `body` as a view into the chunk
  /// (or the framer's buffer), valid only during the call: no allocation per line.
  public mutating func feed(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    try scan(bytes, body)
  }

  /// Ends the stream: a last line without its `\n` is delivered.
  public mutating func finish() -> [[UInt8]] {
    var lines: [[UInt8]] = []
    finish { lines.append(Array($0)) }
    return lines
  }

  /// `finish()`, handing the last line to `body` as bytes.
  public mutating func finish(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
    let rest = partialLine
    partialLine = []
    try rest.withUnsafeBufferPointer { try Self.emit($0, body) }
  }

  private mutating func scan(
    _ buf: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    var lineStart = 0
    while true {
      let newline = ByteScan.firstIndex(of: 0x0A, or: 0x0A, in: buf, from: lineStart)
      guard newline < buf.count else { break }
      let piece = UnsafeBufferPointer(rebasing: buf[lineStart..<newline])
      if partialLine.isEmpty {
        try Self.emit(piece, body)
      } else {
        var line = partialLine
        partialLine = []
        line.append(contentsOf: piece)
        try line.withUnsafeBufferPointer { try Self.emit($0, body) }
        line.removeAll(keepingCapacity: true)
        partialLine = line
      }
      lineStart = newline + 1
    }
    if lineStart < buf.count {
      partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: buf[lineStart...]))
    }
  }

  private static func emit(
    _ line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void
  ) rethrows {
    var end = line.count
    if end > 0 && line[end - 1] == 0x0D { end -= 1 }
    // A line of only blanks carries no object; skipping it keeps the wire from a parse error.
    var start = 0
    while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
    guard start < end else { return }
    try body(UnsafeBufferPointer(rebasing: line[0..<end]))
  }
}
