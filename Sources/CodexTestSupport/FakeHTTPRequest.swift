import CodexCore

/// One request as the fake server received it.
public struct RecordedRequest: Sendable {
  public var method: String
  /// The request target as sent: `/v1/chat?x=1`, or the absolute form
  /// `http://host/path` when the client talks to us as its proxy.
  public var path: String
  public var version: String
  /// Header names lower-cased, in arrival order.
  public var headers: [(name: String, value: String)]
  /// The body, de-chunked if the client sent it chunked.
  public var body: [UInt8]
  /// 0 for the first request this server received, 1 for the next, ... (handy for scripting
  /// "500, then 200" without a counter of your own).
  public var index: Int
  /// Which TCP connection carried it (numbered from 0): equal ids mean keep-alive worked.
  public var connectionID: Int

  public init(
    method: String, path: String, version: String = "HTTP/1.1",
    headers: [(name: String, value: String)] = [], body: [UInt8] = [], index: Int = 0,
    connectionID: Int = 0
  ) {
    self.method = method
    self.path = path
    self.version = version
    self.headers = headers
    self.body = body
    self.index = index
    self.connectionID = connectionID
  }

  public func header(_ name: String) -> String? {
    let wanted = name.lowercased()
    return headers.first(where: { $0.name == wanted })?.value
  }

  public var bodyText: String { String(decoding: body, as: UTF8.self) }

  /// The body parsed as JSON, or nil when it is not JSON.
  public var bodyJSON: JSON? { try? JSON.parse(body) }
}

/// Incremental HTTP/1.1 request parsing over the bytes a connection has received so far.
enum FakeHTTPRequestParser {
  struct Head {
    var method: String
    var target: String
    var version: String
    var headers: [(name: String, value: String)]
    var bodyStart: Int

    func header(_ name: String) -> String? {
      headers.first(where: { $0.name == name })?.value
    }

    var isChunked: Bool {
      header("transfer-encoding")?.lowercased().contains("chunked") ?? false
    }

    var wantsClose: Bool {
      let connection = header("connection")?.lowercased() ?? ""
      return connection.contains("close") || (version == "HTTP/1.0" && connection != "keep-alive")
    }
  }

  struct Malformed: Error {
    let reason: String
  }

  /// The head, once `buffer` holds all of it.
  static func parseHead(_ buffer: [UInt8]) throws -> Head? {
    // Methods are upper-case tokens; anything else (a TLS ClientHello starts with 0x16) is not
    // HTTP and gets its 400 at once instead of waiting for a blank line that never comes.
    if let first = buffer.first, !(0x41...0x5A).contains(first) {
      throw Malformed(reason: "not an HTTP request")
    }
    guard let end = headEnd(buffer) else {
      if buffer.count > 1 << 20 { throw Malformed(reason: "request head too long") }
      return nil
    }
    // Split bytes, not a String: Swift treats "\r\n" as one Character.
    var lines = buffer[0..<end.headLength].split(separator: 0x0A, omittingEmptySubsequences: false)
      .map { line in String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self) }
    while lines.last?.isEmpty == true { lines.removeLast() }
    guard let requestLine = lines.first else { throw Malformed(reason: "empty request") }
    let parts = requestLine.split(separator: " ", omittingEmptySubsequences: true)
    guard parts.count == 3 else { throw Malformed(reason: "bad request line '\(requestLine)'") }
    var headers: [(name: String, value: String)] = []
    for line in lines.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else {
        throw Malformed(reason: "bad header line '\(line)'")
      }
      let name = line[..<colon].lowercased()
      let value = line[line.index(after: colon)...].trimmingSpaces()
      headers.append((name: name, value: value))
    }
    return Head(
      method: String(parts[0]), target: String(parts[1]), version: String(parts[2]),
      headers: headers, bodyStart: end.bodyStart)
  }

  /// The body and where the next request starts, once `buffer` holds all of it.
  static func parseBody(_ buffer: [UInt8], head: Head) throws -> (body: [UInt8], next: Int)? {
    if head.isChunked { return try decodeChunked(buffer, from: head.bodyStart) }
    let length = Int(head.header("content-length") ?? "0") ?? -1
    guard length >= 0 else { throw Malformed(reason: "bad Content-Length") }
    guard buffer.count - head.bodyStart >= length else { return nil }
    return (Array(buffer[head.bodyStart..<(head.bodyStart + length)]), head.bodyStart + length)
  }

  private static func headEnd(_ buffer: [UInt8]) -> (headLength: Int, bodyStart: Int)? {
    var index = 0
    while let newline = buffer[index...].firstIndex(of: 0x0A) {
      // A blank line: "\n" right after the previous "\n", or "\r\n" after it.
      if newline >= 1 && buffer[newline - 1] == 0x0A {
        return (newline, newline + 1)
      }
      if newline >= 2 && buffer[newline - 1] == 0x0D && buffer[newline - 2] == 0x0A {
        return (newline - 1, newline + 1)
      }
      index = newline + 1
    }
    return nil
  }

  private static func decodeChunked(_ buffer: [UInt8], from start: Int) throws -> (
    body: [UInt8], next: Int
  )? {
    var body: [UInt8] = []
    var index = start
    while true {
      guard let lineEnd = buffer[index...].firstIndex(of: 0x0A) else { return nil }
      var sizeText = String(decoding: buffer[index..<lineEnd], as: UTF8.self)
      if let semicolon = sizeText.firstIndex(of: ";") { sizeText = String(sizeText[..<semicolon]) }
      guard let size = Int(sizeText.trimmingSpaces(), radix: 16), size >= 0 else {
        throw Malformed(reason: "bad chunk size '\(sizeText)'")
      }
      index = lineEnd + 1
      if size == 0 {
        // Skip trailers up to the blank line.
        while true {
          guard let end = buffer[index...].firstIndex(of: 0x0A) else { return nil }
          let isBlank = end == index || (end == index + 1 && buffer[index] == 0x0D)
          index = end + 1
          if isBlank { return (body, index) }
        }
      }
      guard buffer.count >= index + size + 1 else { return nil }
      body.append(contentsOf: buffer[index..<(index + size)])
      index += size
      guard let crlfEnd = buffer[index...].firstIndex(of: 0x0A) else { return nil }
      index = crlfEnd + 1
    }
  }
}

extension StringProtocol {
  fileprivate func trimmingSpaces() -> String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
    guard let first = firstIndex(where: { !isBlank($0) }),
      let last = lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(self[first...last])
  }
}
