/// One server-sent event, as the WHATWG event-stream rules assemble it.
public struct SSEEvent: Equatable, Sendable {
  /// The `event:` field; `nil` when the event had none (the spec's default "message").
  public var event: String?
  /// The `data:` lines joined with `\n`.
  public var data: String
  /// The last `id:` seen on the stream (it persists across events, as the spec says).
  public var id: String?

  public init(event: String? = nil, data: String, id: String? = nil) {
    self.event = event
    self.data = data
    self.id = id
  }
}

/// Splits a byte stream into server-sent events, incrementally.
///
/// Follows the WHATWG rules: lines end at `\r\n`, `\n` or a lone `\r`; a blank line ends an event;
/// one space after the colon is stripped; `data:` lines are joined with `\n`; `:` lines are
/// comments (keep-alives); an event without data lines is dropped. Old llama.cpp builds sent
/// stream errors as a bare `error: {...}` line, which comes out at once as an event named "error".
///
/// Works on bytes and decodes only complete lines, so a UTF-8 sequence split across two chunks
/// comes out intact.
public struct SSEFramer {
  /// The start of a line whose end has not arrived yet.
  private var partialLine: [UInt8] = []
  /// The previous chunk ended with `\r`: a `\n` opening the next one belongs to that line end.
  private var lastChunkEndedWithCR = false
  private var sawFirstLine = false
  /// The `event:` field's bytes; kept as bytes so an event costs no `String` until asked for.
  private var eventType: [UInt8] = []
  private var dataBuffer: [UInt8] = []
  private var dataLineCount = 0
  private var lastEventID: String?

  public init() {}

  /// Consumes the next chunk and returns the events it completed.
  public mutating func feed(_ bytes: some Collection<UInt8>) -> [SSEEvent] {
    var events: [SSEEvent] = []
    let done: Void? = bytes.withContiguousStorageIfAvailable { buf in
      scan(buf) { events.append($0.event) }
    }
    if done == nil {
      Array(bytes).withUnsafeBufferPointer { buf in scan(buf) { events.append($0.event) } }
    }
    return events
  }

  /// Consumes the next chunk and hands each completed event to `body` as bytes, without
  /// allocating: the hot path of a long stream.
  public mutating func feed(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (SSERawEvent) throws -> Void
  ) rethrows {
    try scan(bytes, body)
  }

  /// Ends the stream: a last line without its line end, and a last event without its blank line
  /// (servers that simply close), are delivered.
  public mutating func finish() -> [SSEEvent] {
    var events: [SSEEvent] = []
    finish { events.append($0.event) }
    return events
  }

  /// `finish()`, handing the events to `body` as bytes.
  public mutating func finish(_ body: (SSERawEvent) throws -> Void) rethrows {
    if !partialLine.isEmpty {
      let line = partialLine
      partialLine = []
      try line.withUnsafeBufferPointer { try handleLine($0, body) }
    }
    try dispatch(body)
    lastChunkEndedWithCR = false
  }

  private mutating func scan(
    _ buf: UnsafeBufferPointer<UInt8>, _ body: (SSERawEvent) throws -> Void
  ) rethrows {
    let count = buf.count
    var index = 0
    if lastChunkEndedWithCR {
      lastChunkEndedWithCR = false
      if count > 0 && buf[0] == ASCII.lf { index = 1 }
    }
    var lineStart = index
    while index < count {
      index = ByteScan.firstIndex(of: ASCII.lf, or: ASCII.cr, in: buf, from: index)
      guard index < count else { break }
      let byte = buf[index]
      let piece = UnsafeBufferPointer(rebasing: buf[lineStart..<index])
      if partialLine.isEmpty {
        try handleLine(piece, body)
      } else {
        var line = partialLine
        partialLine = []
        line.append(contentsOf: piece)
        try line.withUnsafeBufferPointer { try handleLine($0, body) }
        line.removeAll(keepingCapacity: true)
        partialLine = line
      }
      if byte == ASCII.cr {
        if index + 1 < count {
          if buf[index + 1] == ASCII.lf { index += 1 }
        } else {
          lastChunkEndedWithCR = true
        }
      }
      index += 1
      lineStart = index
    }
    if lineStart < count {
      partialLine.append(contentsOf: UnsafeBufferPointer(rebasing: buf[lineStart..<count]))
    }
  }

  private mutating func handleLine(
    _ rawLine: UnsafeBufferPointer<UInt8>, _ body: (SSERawEvent) throws -> Void
  ) rethrows {
    var line = rawLine
    if !sawFirstLine {
      sawFirstLine = true
      // The spec strips a byte-order mark at the very start of the stream.
      if line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF {
        line = UnsafeBufferPointer(rebasing: line[3...])
      }
    }
    if line.isEmpty {
      try dispatch(body)
      return
    }
    if line[0] == ASCII.colon { return }

    let colon = line.firstIndex(of: ASCII.colon) ?? line.count
    let name = UnsafeBufferPointer(rebasing: line[0..<colon])
    var valueStart = colon + 1
    if valueStart < line.count && line[valueStart] == ASCII.space { valueStart += 1 }
    let value = UnsafeBufferPointer(rebasing: line[min(valueStart, line.count)...])

    switch Field(name) {
    case .data:
      dataBuffer.append(contentsOf: value)
      dataBuffer.append(ASCII.lf)
      dataLineCount += 1
    case .event:
      eventType.removeAll(keepingCapacity: true)
      eventType.append(contentsOf: value)
    case .id:
      if !value.contains(0) { lastEventID = String(decoding: value, as: UTF8.self) }
    case .error:
      try Field.errorName.withUnsafeBufferPointer { errorName in
        try body(SSERawEvent(name: errorName, data: value, id: lastEventID))
      }
    case .other:
      break
    }
    // `retry:` and unknown fields are ignored, as the spec says.
  }

  private mutating func dispatch(_ body: (SSERawEvent) throws -> Void) rethrows {
    defer {
      eventType.removeAll(keepingCapacity: true)
      dataBuffer.removeAll(keepingCapacity: true)
      dataLineCount = 0
    }
    guard dataLineCount > 0 else { return }
    let id = lastEventID
    try dataBuffer.withUnsafeBufferPointer { data in
      try eventType.withUnsafeBufferPointer { name in
        // The data lines were each followed by `\n`; the last one is not part of the data.
        try body(
          SSERawEvent(
            name: name.isEmpty ? nil : name, data: UnsafeBufferPointer(rebasing: data.dropLast()),
            id: id))
      }
    }
  }
}

/// An event as the framer holds it: views into its buffers, valid only during the callback
/// that receives it.
public struct SSERawEvent {
  /// The `event:` field; `nil` when the event had none or an empty one.
  public let name: UnsafeBufferPointer<UInt8>?
  /// The `data:` lines joined with `\n`.
  public let data: UnsafeBufferPointer<UInt8>
  public let id: String?

  /// The same event as an owned `SSEEvent`.
  public var event: SSEEvent {
    SSEEvent(
      event: name.map { String(decoding: $0, as: UTF8.self) },
      data: String(decoding: data, as: UTF8.self), id: id)
  }
}

private enum ASCII {
  static let lf: UInt8 = 0x0A
  static let cr: UInt8 = 0x0D
  static let colon: UInt8 = 0x3A
  static let space: UInt8 = 0x20
}

/// The field names the framer acts on, recognised without allocating.
private enum Field {
  case data
  case event
  case id
  case error
  case other

  static let errorName: [UInt8] = Array("error".utf8)

  init(_ name: UnsafeBufferPointer<UInt8>) {
    switch name.count {
    case 2 where name[0] == 0x69 && name[1] == 0x64:
      self = .id
    case 4 where name[0] == 0x64 && name[1] == 0x61 && name[2] == 0x74 && name[3] == 0x61:
      self = .data
    case 5 where name.elementsEqual("event".utf8):
      self = .event
    case 5 where name.elementsEqual("error".utf8):
      self = .error
    default:
      self = .other
    }
  }
}
