/// Splits a byte stream into newline-delimited JSON lines, incrementally (Ollama's native
/// stream). Returns complete, non-empty lines without their line end; `\r\n` is tolerated.
/// The lines stay bytes: the wire parses them with `JSON.parse(_: [UInt8])`.
public struct NDJSONFramer {
  private var partialLine: [UInt8] = []

  public init() {}

  /// Consumes the next chunk and returns the lines it completed.
  public mutating func feed(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
    var lines: [[UInt8]] = []
    let done: Void? = bytes.withContiguousStorageIfAvailable { scan($0, into: &lines) }
    if done == nil {
      Array(bytes).withUnsafeBufferPointer { scan($0, into: &lines) }
    }
    return lines
  }

  /// Ends the stream: a last line without its `\n` is delivered.
  public mutating func finish() -> [[UInt8]] {
    var lines: [[UInt8]] = []
    let rest = partialLine
    partialLine = []
    rest.withUnsafeBufferPointer { emit($0, into: &lines) }
    return lines
  }

  private mutating func scan(_ buf: UnsafeBufferPointer<UInt8>, into lines: inout [[UInt8]]) {
    var lineStart = 0
    while true {
      let newline = ByteScan.firstIndex(of: 0x0A, or: 0x0A, in: buf, from: lineStart)
      guard newline < buf.count else { break }
      let piece = UnsafeBufferPointer(rebasing: buf[lineStart..<newline])
      if partialLine.isEmpty {
        emit(piece, into: &lines)
      } else {
        partialLine.append(contentsOf: piece)
        let line = partialLine
        partialLine = []
        line.withUnsafeBufferPointer { emit($0, into: &lines) }
      }
      lineStart = newline + 1
    }
    if lineStart < buf.count {
      partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: buf[lineStart...]))
    }
  }

  private func emit(_ line: UnsafeBufferPointer<UInt8>, into lines: inout [[UInt8]]) {
    var end = line.count
    if end > 0 && line[end - 1] == 0x0D { end -= 1 }
    // A line of only blanks carries no object; skipping it keeps the wire from a parse error.
    var start = 0
    while start < end && (line[start] == 0x20 || line[start] == 0x09) { start += 1 }
    guard start < end else { return }
    lines.append(Array(UnsafeBufferPointer(rebasing: line[0..<end])))
  }
}
