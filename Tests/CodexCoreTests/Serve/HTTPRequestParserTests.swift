import Testing

@testable import CodexCore

/// The parser alone: any split of the bytes gives the same requests.
@Suite struct HTTPRequestParserTests {
  struct Parsed: Equatable {
    var method: String
    var target: String
    var body: String
  }

  static func parse(_ pieces: [[UInt8]], limits: HTTPServerLimits = HTTPServerLimits())
    throws(HTTPParseError) -> [Parsed]
  {
    var parser = HTTPRequestParser(limits: limits)
    var out: [Parsed] = []
    for piece in pieces {
      piece.withUnsafeBytes { parser.append($0) }
      while let event = try parser.next() {
        if case .request(let head, let body) = event {
          out.append(
            Parsed(
              method: head.method, target: head.target,
              body: String(decoding: body, as: UTF8.self)))
        }
      }
    }
    return out
  }

  static let stream = Array(
    ("\r\nGET /one HTTP/1.1\r\nHost: a\r\n\r\n"
      + "POST /two HTTP/1.1\r\nContent-Length: 6\r\n\r\nhé!!!"
      + "POST /three HTTP/1.1\nTransfer-Encoding: chunked\n\n3;x=y\nabc\n0\nT: 1\n\n"
      + "PUT /four HTTP/1.0\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n").utf8)

  static let expected = [
    Parsed(method: "GET", target: "/one", body: ""),
    Parsed(method: "POST", target: "/two", body: "hé!!!"),
    Parsed(method: "POST", target: "/three", body: "abc"),
    Parsed(method: "PUT", target: "/four", body: "z"),
  ]

  @Test func wholeAndByteByByteGiveTheSameRequests() throws {
    #expect(try Self.parse([Self.stream]) == Self.expected)
    #expect(try Self.parse(Self.stream.map { [$0] }) == Self.expected)
  }

  @Test func everySplitPointGivesTheSameRequests() throws {
    for cut in 1..<Self.stream.count {
      let pieces = [Array(Self.stream[..<cut]), Array(Self.stream[cut...])]
      #expect(try Self.parse(pieces) == Self.expected, "split at \(cut)")
    }
  }

  @Test func headersKeepOrderAndAreLowerCased() throws {
    var parser = HTTPRequestParser(limits: HTTPServerLimits())
    Array("GET / HTTP/1.1\r\nX-One:  a b \r\nx-TWO:\tc\r\nX-One: d\r\n\r\n".utf8).withUnsafeBytes {
      parser.append($0)
    }
    guard case .request(let head, _)? = try parser.next() else {
      Issue.record("no request")
      return
    }
    #expect(head.headers.map(\.name) == ["x-one", "x-two", "x-one"])
    #expect(head.headers.map(\.value) == ["a b", "c", "d"])
  }

  @Test func aHeadThatNeverEndsIsRefusedAtTheLimitNotBuffered() {
    let limits = HTTPServerLimits(maxHeaderBytes: 1024)
    var parser = HTTPRequestParser(limits: limits)
    let line = Array("X-Header: 0123456789\r\n".utf8)
    var thrown: HTTPParseError?
    Array("GET / HTTP/1.1\r\n".utf8).withUnsafeBytes { parser.append($0) }
    for _ in 0..<200 {
      line.withUnsafeBytes { parser.append($0) }
      do { _ = try parser.next() } catch {
        thrown = error
        break
      }
    }
    #expect(thrown?.status == 431)
    #expect(parser.bufferedCount < 1024 + line.count)
  }

  @Test func theBodyLimitAppliesBeforeTheBodyArrives() throws {
    let limits = HTTPServerLimits(maxBodyBytes: 10)
    #expect(
      throws: HTTPParseError(status: 413, message: "the request body is larger than 10 bytes")
    ) {
      _ = try Self.parse(
        [Array("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n".utf8)], limits: limits)
    }
    #expect(
      throws: HTTPParseError(status: 413, message: "the request body is larger than 10 bytes")
    ) {
      _ = try Self.parse(
        [Array("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n".utf8)],
        limits: limits)
    }
    #expect(
      try Self.parse(
        [Array("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789".utf8)], limits: limits
      )
      .first?.body == "0123456789")
  }
}
