/// A request the parser refuses: the status to answer with and a one-line reason. The
/// connection is closed after the answer (the framing of what follows cannot be trusted).
struct HTTPParseError: Error, Equatable {
  var status: Int
  var message: String

  static func bad(_ message: String) -> HTTPParseError {
    HTTPParseError(status: 400, message: message)
  }
}

/// Incremental HTTP/1.1 request parsing over the bytes a connection receives, strict where
/// leniency lets one request be read two ways (request smuggling): one `Content-Length` or
/// `Transfer-Encoding: chunked`, never both; no folded or malformed header lines; chunk sizes
/// checked for overflow; every size bounded by `HTTPServerLimits`.
struct HTTPRequestParser {
  enum Event {
    /// The head is complete and the body (if any) is still to come: the moment to answer
    /// `Expect: 100-continue`.
    case head(Head)
    /// A whole request.
    case request(Head, body: [UInt8])
  }

  struct Head {
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var framing: Framing

    func header(_ name: String) -> String? {
      headers.first(where: { $0.name == name })?.value
    }
  }

  enum Framing: Equatable {
    case none
    case length(Int)
    case chunked
  }

  private enum State {
    /// Looking for the end of the head; `scanned` bytes of it have no blank line.
    case head(scanned: Int)
    case fixed(Head, remaining: Int)
    case chunkSize(Head)
    case chunkData(Head, remaining: Int)
    case chunkDataEnd(Head)
    case trailers(Head, bytes: Int)
  }

  let limits: HTTPServerLimits
  private var buffer: [UInt8] = []
  /// Bytes of `buffer` already consumed.
  private var start = 0
  private var state = State.head(scanned: 0)
  private var body: [UInt8] = []

  init(limits: HTTPServerLimits) {
    self.limits = limits
  }

  /// Bytes received but not yet consumed by a complete request.
  var bufferedCount: Int { buffer.count - start }

  /// Whether the head is complete and its body is arriving.
  var isReadingBody: Bool {
    if case .head = state { return false }
    return true
  }

  mutating func append(_ bytes: UnsafeRawBufferPointer) {
    if start > 0, start == buffer.count {
      buffer.removeAll(keepingCapacity: buffer.capacity <= 256 * 1024)
      start = 0
    } else if start >= 64 * 1024, start * 2 >= buffer.count {
      buffer.removeFirst(start)
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// The next thing the buffered bytes complete, or nil when more bytes are needed.
  mutating func next() throws(HTTPParseError) -> Event? {
    while true {
      switch state {
      case .head(let scanned):
        guard let head = try parseHead(scanned: scanned) else { return nil }
        switch head.framing {
        case .none:
          state = .head(scanned: 0)
          return .request(head, body: [])
        case .length(let n):
          if n > limits.maxBodyBytes { throw Self.tooLarge(limits) }
          body = []
          body.reserveCapacity(min(n, 1 << 20))
          state = .fixed(head, remaining: n)
        case .chunked:
          body = []
          state = .chunkSize(head)
        }
        return .head(head)

      case .fixed(let head, let remaining):
        let take = min(remaining, bufferedCount)
        body.append(contentsOf: buffer[start..<(start + take)])
        start += take
        if remaining - take > 0 {
          state = .fixed(head, remaining: remaining - take)
          return nil
        }
        return finishBody(head)

      case .chunkSize(let head):
        guard let line = try takeLine(limit: 1024, what: "chunk size line") else { return nil }
        let size = try Self.chunkSize(line)
        if size == 0 {
          state = .trailers(head, bytes: 0)
        } else {
          guard size <= limits.maxBodyBytes - body.count else { throw Self.tooLarge(limits) }
          state = .chunkData(head, remaining: size)
        }

      case .chunkData(let head, let remaining):
        let take = min(remaining, bufferedCount)
        body.append(contentsOf: buffer[start..<(start + take)])
        start += take
        if remaining - take > 0 {
          state = .chunkData(head, remaining: remaining - take)
          return nil
        }
        state = .chunkDataEnd(head)

      case .chunkDataEnd(let head):
        // The CRLF (or LF) right after the data; anything else means the size lied.
        guard bufferedCount >= 1 else { return nil }
        if buffer[start] == 0x0A {
          start += 1
        } else if buffer[start] == 0x0D {
          guard bufferedCount >= 2 else { return nil }
          guard buffer[start + 1] == 0x0A else { throw .bad("chunk data longer than its size") }
          start += 2
        } else {
          throw .bad("chunk data longer than its size")
        }
        state = .chunkSize(head)

      case .trailers(let head, let bytes):
        let before = bufferedCount
        guard let line = try takeLine(limit: limits.maxHeaderBytes, what: "trailer") else {
          return nil
        }
        let total = bytes + (before - bufferedCount)
        if total > limits.maxHeaderBytes {
          throw HTTPParseError(status: 431, message: "the chunked body's trailers are too long")
        }
        if line.isEmpty { return finishBody(head) }
        state = .trailers(head, bytes: total)
      }
    }
  }

  private mutating func finishBody(_ head: Head) -> Event {
    state = .head(scanned: 0)
    let complete = body
    body = []
    return .request(head, body: complete)
  }

  static func tooLarge(_ limits: HTTPServerLimits) -> HTTPParseError {
    HTTPParseError(
      status: 413, message: "the request body is larger than \(limits.maxBodyBytes) bytes")
  }

  // MARK: Lines

  /// One line (without its CRLF or LF) from the buffer, or nil when its end has not come.
  private mutating func takeLine(limit: Int, what: String) throws(HTTPParseError) -> ArraySlice<
    UInt8
  >? {
    let end = buffer[start...].firstIndex(of: 0x0A)
    guard let end else {
      if bufferedCount > limit + 1 { throw .bad("\(what) too long or missing its line end") }
      return nil
    }
    var line = buffer[start..<end]
    if line.last == 0x0D { line = line.dropLast() }
    guard line.count <= limit else { throw .bad("\(what) too long") }
    start = end + 1
    return line
  }

  static func chunkSize(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
    // `size[;extension]`; the extensions carry nothing we use.
    let digits = line.prefix { $0 != UInt8(ascii: ";") }
    guard !digits.isEmpty, digits.count <= 15 else {
      throw .bad("bad chunk size '\(printable(line))'")
    }
    var size = 0
    for c in digits {
      let d: Int
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = Int(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = Int(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = Int(c - UInt8(ascii: "A") + 10)
      default: throw .bad("bad chunk size '\(printable(line))'")
      }
      size = size << 4 | d
    }
    return size
  }

  // MARK: Head

  private mutating func parseHead(scanned: Int) throws(HTTPParseError) -> Head? {
    // Blank lines before a request are tolerated (RFC 9112 §2.2).
    while start < buffer.count, buffer[start] == 0x0A || buffer[start] == 0x0D {
      if buffer[start] == 0x0D, start + 1 < buffer.count, buffer[start + 1] != 0x0A {
        throw .bad("a bare CR before the request line")
      }
      if buffer[start] == 0x0D, start + 1 >= buffer.count { return nil }
      start += buffer[start] == 0x0D ? 2 : 1
    }
    if let first = buffer[start...].first, !Self.isTokenByte(first) {
      // A TLS handshake (0x16) or other binary: not HTTP; say so now rather than waiting for
      // a blank line that never comes.
      throw .bad(
        "this is not an HTTP/1.1 request (is the client using https:// for an http:// server?)")
    }
    // Find the blank line, resuming where the last scan stopped.
    var i = start + scanned
    var headEnd: Int?
    while i < buffer.count {
      if buffer[i] == 0x0A {
        if i >= start + 1, buffer[i - 1] == 0x0A {
          headEnd = i
          break
        }
        if i >= start + 2, buffer[i - 1] == 0x0D, buffer[i - 2] == 0x0A {
          headEnd = i
          break
        }
      }
      i += 1
    }
    guard let headEnd else {
      if bufferedCount > limits.maxHeaderBytes { throw Self.headTooLarge(limits) }
      // Keep the last two bytes in the next scan: the end may straddle the read.
      state = .head(scanned: max(0, bufferedCount - 2))
      return nil
    }
    guard headEnd + 1 - start <= limits.maxHeaderBytes else { throw Self.headTooLarge(limits) }
    let lines = Self.splitLines(buffer[start..<headEnd])
    start = headEnd + 1
    return try Self.head(from: lines, limits: limits)
  }

  static func headTooLarge(_ limits: HTTPServerLimits) -> HTTPParseError {
    HTTPParseError(
      status: 431, message: "the request head is larger than \(limits.maxHeaderBytes) bytes")
  }

  /// The head's lines, each without its CRLF or LF (the final empty line dropped).
  static func splitLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    var lines: [ArraySlice<UInt8>] = []
    var lineStart = bytes.startIndex
    for i in bytes.indices where bytes[i] == 0x0A {
      var line = bytes[lineStart..<i]
      if line.last == 0x0D { line = line.dropLast() }
      lines.append(line)
      lineStart = i + 1
    }
    while lines.last?.isEmpty == true { lines.removeLast() }
    return lines
  }

  static func head(from lines: [ArraySlice<UInt8>], limits: HTTPServerLimits) throws(HTTPParseError)
    -> Head
  {
    guard let requestLine = lines.first else { throw .bad("empty request") }
    let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
    guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
      throw .bad("malformed request line '\(printable(requestLine))'")
    }
    guard parts[0].allSatisfy(isTokenByte) else {
      throw .bad("malformed method in '\(printable(requestLine))'")
    }
    guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
      throw .bad("the request target has characters that must be percent-encoded")
    }
    let target = String(decoding: parts[1], as: UTF8.self)
    guard target.hasPrefix("/") || target == "*" else {
      throw .bad("the request target must be a path (got '\(printable(parts[1]))')")
    }
    let version = String(decoding: parts[2], as: UTF8.self)
    switch version {
    case "HTTP/1.1", "HTTP/1.0": break
    default:
      if version.hasPrefix("HTTP/"), version.count == 8 {
        throw HTTPParseError(status: 505, message: "\(version) is not supported; use HTTP/1.1")
      }
      throw .bad("malformed HTTP version '\(printable(parts[2]))'")
    }
    guard lines.count - 1 <= limits.maxHeaderCount else {
      throw HTTPParseError(
        status: 431, message: "more than \(limits.maxHeaderCount) header fields")
    }
    var headers: [(name: String, value: String)] = []
    headers.reserveCapacity(lines.count - 1)
    for line in lines.dropFirst() {
      headers.append(try header(line))
    }
    return Head(
      method: String(decoding: parts[0], as: UTF8.self), target: target, version: version,
      headers: headers, framing: try framing(headers))
  }

  static func header(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (
    name: String, value: String
  ) {
    if let first = line.first, first == 0x20 || first == 0x09 {
      throw .bad("folded header lines are not allowed")
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
      throw .bad("malformed header line '\(printable(line))'")
    }
    let name = line[..<colon]
    guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
      throw .bad("malformed header name '\(printable(name))'")
    }
    var value = line[(colon + 1)...]
    while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
    while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
    for c in value where (c < 0x20 && c != 0x09) || c == 0x7F {
      throw .bad("a control character in the value of header '\(printable(name))'")
    }
    return (
      String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self)
    )
  }

  static func framing(_ headers: [(name: String, value: String)]) throws(HTTPParseError) -> Framing
  {
    let encodings = headers.filter { $0.name == "transfer-encoding" }
    let lengths = headers.filter { $0.name == "content-length" }
    if !encodings.isEmpty {
      guard lengths.isEmpty else {
        throw .bad("both Content-Length and Transfer-Encoding are set")
      }
      let codings = encodings.flatMap { $0.value.split(separator: ",") }.map {
        String($0).trimmingWhitespace().lowercased()
      }
      guard codings == ["chunked"] else {
        throw HTTPParseError(
          status: 501,
          message: "Transfer-Encoding '\(codings.joined(separator: ", "))' is not supported; "
            + "send the body chunked or with Content-Length")
      }
      return .chunked
    }
    guard !lengths.isEmpty else { return .none }
    var length: Int?
    for item in lengths.flatMap({ $0.value.split(separator: ",", omittingEmptySubsequences: false) }
    ) {
      let text = String(item).trimmingWhitespace()
      guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
        let n = Int(text)
      else { throw .bad("bad Content-Length '\(text)'") }
      if let length, length != n { throw .bad("conflicting Content-Length values") }
      length = n
    }
    guard let length else { return .none }
    return length == 0 ? .none : .length(length)
  }

  /// RFC 9110 `tchar`.
  static func isTokenByte(_ c: UInt8) -> Bool {
    switch c {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"):
      return true
    default:
      return "!#$%&'*+-.^_`|~".utf8.contains(c)
    }
  }

  /// Bytes for an error message: printable ASCII kept, the rest escaped, at most 60 shown.
  static func printable(_ bytes: ArraySlice<UInt8>) -> String {
    var out = ""
    for c in bytes.prefix(60) {
      if c >= 0x20 && c < 0x7F {
        out.unicodeScalars.append(Unicode.Scalar(c))
      } else {
        out += "\\x" + String(c, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return bytes.count > 60 ? out + "…" : out
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
