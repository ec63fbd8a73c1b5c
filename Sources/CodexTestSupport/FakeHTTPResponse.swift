/// What the fake server answers: a status, headers, and a script of body steps played in order.
public struct FakeResponse: Sendable {
  /// How the body is delimited on the wire.
  public enum Framing: Sendable {
    /// `Content-Length` = the sum of all `.send` steps (a `.close` before the end makes the
    /// body short, which clients see as a dropped connection).
    case contentLength
    /// `Transfer-Encoding: chunked`, one chunk per `.send`, then the terminating chunk.
    case chunked
    /// No length: the body ends when the server closes the connection.
    case closeDelimited
    /// No status line or headers are generated: the steps write raw bytes (for malformed
    /// responses, 1xx heads, HTTP/1.0), then the connection closes.
    case raw
  }

  public var status: Int
  public var headers: [(name: String, value: String)]
  public var steps: [FakeStep]
  public var framing: Framing

  public init(
    status: Int = 200, headers: [(name: String, value: String)] = [], steps: [FakeStep] = [],
    framing: Framing = .chunked
  ) {
    self.status = status
    self.headers = headers
    self.steps = steps
    self.framing = framing
  }

  /// A JSON body with `Content-Length`.
  public static func json(
    _ status: Int = 200, _ body: String, headers: [(name: String, value: String)] = []
  ) -> FakeResponse {
    text(status, body, contentType: "application/json", headers: headers)
  }

  /// A plain body with `Content-Length`.
  public static func text(
    _ status: Int = 200, _ body: String, contentType: String = "text/plain",
    headers: [(name: String, value: String)] = []
  ) -> FakeResponse {
    FakeResponse(
      status: status, headers: withDefault(headers, "Content-Type", contentType),
      steps: body.isEmpty ? [] : [.send(body)], framing: .contentLength)
  }

  /// A chunked `text/event-stream`: each string is one `data:` payload, sent as its own chunk
  /// followed by the blank line; `then` steps (say `.hang` or `.close`) follow the events.
  public static func sse(
    _ events: [String], status: Int = 200, headers: [(name: String, value: String)] = [],
    then: [FakeStep] = []
  ) -> FakeResponse {
    FakeResponse(
      status: status, headers: withDefault(headers, "Content-Type", "text/event-stream"),
      steps: events.map { .send("data: \($0)\n\n") } + then, framing: .chunked)
  }

  /// A chunked `application/x-ndjson` stream (Ollama): one JSON line per chunk.
  public static func ndjson(
    _ lines: [String], status: Int = 200, headers: [(name: String, value: String)] = [],
    then: [FakeStep] = []
  ) -> FakeResponse {
    FakeResponse(
      status: status, headers: withDefault(headers, "Content-Type", "application/x-ndjson"),
      steps: lines.map { .send($0 + "\n") } + then, framing: .chunked)
  }

  /// A scripted body: chunked by default, one chunk per `.send`.
  public static func stream(
    status: Int = 200, headers: [(name: String, value: String)] = [], steps: [FakeStep],
    framing: Framing = .chunked
  ) -> FakeResponse {
    FakeResponse(status: status, headers: headers, steps: steps, framing: framing)
  }

  /// Raw bytes written exactly as given, with no generated head; the connection then closes.
  public static func raw(_ steps: [FakeStep]) -> FakeResponse {
    FakeResponse(status: 0, steps: steps, framing: .raw)
  }

  private static func withDefault(
    _ headers: [(name: String, value: String)], _ name: String, _ value: String
  ) -> [(name: String, value: String)] {
    headers.contains(where: { $0.name.lowercased() == name.lowercased() })
      ? headers : [(name: name, value: value)] + headers
  }
}

/// One step of a scripted response body.
public enum FakeStep: Sendable {
  /// Write these bytes (one chunk in chunked framing).
  case send([UInt8])
  /// Pause; the server's `stop()` cuts it short.
  case sleep(milliseconds: Int)
  /// Block until the test opens the gate (or the server stops): lets a test check that a
  /// client saw one chunk before the next is even sent, without relying on timing.
  case wait(FakeGate)
  /// Drop the connection now, without the terminating chunk or the rest of the body.
  case close
  /// Stay silent until the client goes away or the server stops.
  case hang

  public static func send(_ text: String) -> FakeStep { .send(Array(text.utf8)) }
}

/// The standard reason phrase for the status codes tests use.
func reasonPhrase(_ status: Int) -> String {
  switch status {
  case 100: return "Continue"
  case 200: return "OK"
  case 201: return "Created"
  case 204: return "No Content"
  case 301: return "Moved Permanently"
  case 302: return "Found"
  case 307: return "Temporary Redirect"
  case 308: return "Permanent Redirect"
  case 400: return "Bad Request"
  case 401: return "Unauthorized"
  case 403: return "Forbidden"
  case 404: return "Not Found"
  case 408: return "Request Timeout"
  case 413: return "Payload Too Large"
  case 429: return "Too Many Requests"
  case 500: return "Internal Server Error"
  case 502: return "Bad Gateway"
  case 503: return "Service Unavailable"
  case 504: return "Gateway Timeout"
  default: return "Status \(status)"
  }
}
