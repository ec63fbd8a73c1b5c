/// Cuts a body into the frames its wire uses.
struct StreamFramer {
  var sse: SSEFramer?
  var ndjson: NDJSONFramer?

  init(_ framing: Framing) {
    switch framing {
    case .sse: sse = SSEFramer()
    case .ndjson: ndjson = NDJSONFramer()
    }
  }

  mutating func feed(_ bytes: [UInt8]) -> [WireFrame] {
    var frames: [WireFrame] = []
    bytes.withUnsafeBufferPointer { feed($0) { frames.append($0.frame) } }
    return frames
  }

  mutating func finish() -> [WireFrame] {
    var frames: [WireFrame] = []
    finish { frames.append($0.frame) }
    return frames
  }

  /// Hands each frame the chunk completes to `body` as bytes, valid only during the call.
  mutating func feed(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (RawWireFrame) throws -> Void
  ) rethrows {
    if sse != nil {
      try sse?.feed(bytes) {
        try body(RawWireFrame(eventName: $0.name, data: $0.data, framing: .sse))
      }
    } else {
      try ndjson?.feed(bytes) { try body(RawWireFrame(eventName: nil, data: $0, framing: .ndjson)) }
    }
  }

  mutating func finish(_ body: (RawWireFrame) throws -> Void) rethrows {
    if sse != nil {
      try sse?.finish { try body(RawWireFrame(eventName: $0.name, data: $0.data, framing: .sse)) }
    } else {
      try ndjson?.finish { try body(RawWireFrame(eventName: nil, data: $0, framing: .ndjson)) }
    }
  }
}

/// A response body to `ChatEvent`s, one network chunk at a time: the framer cuts frames out of
/// the chunk without copying, and each frame goes to the wire's fast path first and to its
/// general decoder only when the fast path declines. Every event a chunk completes comes out
/// together, so the consumer pays its per-event costs (a hop, a write) once per chunk.
struct StreamDecoder {
  var framer: StreamFramer
  var decoder: any WireDecoder
  /// Off in tests that compare the two paths.
  var fastPath: Bool

  init(wire: any Wire, fastPath: Bool = true) {
    framer = StreamFramer(wire.framing)
    decoder = wire.makeDecoder()
    self.fastPath = fastPath
  }

  mutating func feed(_ chunk: [UInt8], into events: inout [ChatEvent]) throws {
    let fast = fastPath
    try chunk.withUnsafeBufferPointer { buf in
      try Self.frames(fast: fast, decoder: &decoder, into: &events) { try framer.feed(buf, $0) }
    }
  }

  /// The body ended: the frames still buffered, then what the end completes.
  mutating func finish(into events: inout [ChatEvent]) throws {
    try Self.frames(fast: fastPath, decoder: &decoder, into: &events) { try framer.finish($0) }
    events += try decoder.finish()
  }

  /// Decodes the frames `produce` hands out. Static, with the decoder passed apart from the
  /// framer, so the two are borrowed separately while the framer calls back.
  private static func frames(
    fast: Bool, decoder: inout any WireDecoder, into events: inout [ChatEvent],
    _ produce: ((RawWireFrame) throws -> Void) throws -> Void
  ) throws {
    try produce { frame in
      if fast, decoder.decodeFast(frame, into: &events) { return }
      events += try decoder.decode(frame.frame)
    }
  }
}
