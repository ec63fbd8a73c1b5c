#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A failure to report to the client: the HTTP status (the upstream's own where there was
/// one), a one-line message, and headers worth passing on (`Retry-After`).
struct ServeFailure: Error, Sendable, Equatable {
  var status: Int
  var message: String
  /// OpenAI's `code` (`insufficient_quota`, `model_not_found`, ...).
  var code: String?
  var headers: [(name: String, value: String)]

  init(
    status: Int, message: String, code: String? = nil,
    headers: [(name: String, value: String)] = []
  ) {
    self.status = status
    self.message = message
    self.code = code
    self.headers = headers
  }

  static func == (a: ServeFailure, b: ServeFailure) -> Bool {
    a.status == b.status && a.message == b.message && a.code == b.code
      && a.headers.map { "\($0.name): \($0.value)" } == b.headers.map { "\($0.name): \($0.value)" }
  }
}

/// A whole answer, for clients that did not ask for a stream.
struct CollectedAnswer: Sendable {
  var text = ""
  var reasoning = ""
  var toolCalls: [ToolCall] = []
  var usage: TokenUsage?
  var finish = FinishReason.stop

  mutating func add(_ events: [ChatEvent]) {
    for event in events {
      switch event {
      case .textDelta(let t): text += t
      case .reasoningDelta(let r): reasoning += r
      case .toolCall(let c): toolCalls.append(c)
      case .usage(let u): usage = usage.map { $0 + u } ?? u
      case .finished(let f): finish = f
      // What a wire keeps for its own next request: nothing a client of another API can use.
      case .wireState: break
      }
    }
  }
}

/// How one client API frames answers and errors. An instance serves one request: streaming
/// state (which blocks are open, the finish reason) lives in it.
protocol ResponseDialect: Sendable {
  /// Appends the stream bytes for one batch of events.
  mutating func stream(_ events: [ChatEvent], into out: inout [UInt8])
  /// Appends what closes a stream that ended well.
  mutating func streamEnd(into out: inout [UInt8])
  /// Appends an error event for a failure after the stream started (the status is already 200).
  mutating func streamError(_ failure: ServeFailure, into out: inout [UInt8])
  /// The JSON body of a whole answer.
  func complete(_ answer: CollectedAnswer) -> [UInt8]
  /// The JSON body of an error response.
  func errorBody(_ failure: ServeFailure) -> [UInt8]
}

extension ResponseDialect {
  var streamHeaders: [(name: String, value: String)] {
    [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
  }
}

/// Pieces shared by the dialects.
enum DialectText {
  static func append(_ text: String, to out: inout [UInt8]) {
    out.append(contentsOf: text.utf8)
  }

  /// A random id suffix: 24 lowercase alphanumerics.
  static func randomID() -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    var out = ""
    out.reserveCapacity(24)
    for _ in 0..<24 {
      out.unicodeScalars.append(Unicode.Scalar(alphabet.randomElement() ?? 0x61))
    }
    return out
  }

  /// Seconds since 1970, for `created`.
  static func unixTime() -> Int64 {
    Int64(Date().timeIntervalSince1970.rounded(.down))
  }
}
