import Foundation
import Testing

@testable import CodexCore

/// Numbers from a server are range-checked before they become `Duration`s or sums: each of
/// these trapped (SIGILL, exit 132) before.
@Suite struct HostileNumbersTests {
  static func head(_ headers: [(String, String)]) -> HTTPResponseHead {
    HTTPResponseHead(status: 429, headers: headers.map { (name: $0.0, value: $0.1) })
  }

  static let day = Duration.milliseconds(86_400_000)

  @Test(arguments: [
    ("retry-after-ms", "inf"), ("retry-after-ms", "infinity"), ("retry-after-ms", "1e300"),
    ("retry-after-ms", "9223372036854775807"), ("retry-after-ms", "1e19"),
    ("retry-after", "1e20"), ("retry-after", "inf"), ("retry-after", "1.7976931348623157e308"),
    ("retry-after", "0x1p1000"),
  ])
  func hugeWaitsAreClampedToADayAndSoNotHonoured(_ name: String, _ value: String) throws {
    let delay = try #require(RetryPolicy.serverDelay(Self.head([(name, value)])))
    #expect(delay == Self.day)
    #expect(delay > RetryPolicy.maxServerDelay, "too long to wait for: the error stands")
  }

  @Test(arguments: [
    ("retry-after-ms", "nan"), ("retry-after-ms", "-1"), ("retry-after-ms", "-inf"),
    ("retry-after", "nan"), ("retry-after", "-5"), ("retry-after", "soon"),
    ("retry-after", ""),
  ])
  func meaninglessWaitsAreIgnored(_ name: String, _ value: String) {
    #expect(RetryPolicy.serverDelay(Self.head([(name, value)])) == nil)
  }

  @Test func ordinaryWaitsStillWork() {
    #expect(RetryPolicy.serverDelay(Self.head([("retry-after-ms", "250")])) == .milliseconds(250))
    #expect(RetryPolicy.serverDelay(Self.head([("retry-after", "1.5")])) == .milliseconds(1500))
    // retry-after-ms wins; a bad one falls back to retry-after.
    #expect(
      RetryPolicy.serverDelay(Self.head([("retry-after-ms", "nan"), ("retry-after", "2")]))
        == .seconds(2))
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
    #expect(
      RetryPolicy.serverDelay(
        Self.head([("retry-after", "Sun, 06 Nov 1994 08:49:40 GMT")]), now: now) == .seconds(3))
    #expect(
      RetryPolicy.serverDelay(
        Self.head([("retry-after", "Sun, 06 Nov 1994 08:49:30 GMT")]), now: now) == .zero)
  }

  @Test(arguments: [
    "Sun, 99999999999999999 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 99999999999999999 08:49:37 GMT",
    "Sun, 06 Nov 1994 99999999999999999:49:37 GMT", "Sun, 06 Nov 1994 08:99999999999999999:37 GMT",
    "Sun, 06 Nov 1994 08:49:99999999999999999 GMT",
    "Sun, -9223372036854775808 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov -9223372036854775808 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
    "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08::49:37 GMT", "Sun, 06 Nov 1994 8:49 GMT",
  ])
  func overflowingDateFieldsAreNotADate(_ value: String) {
    #expect(HTTPDate.parse(value) == nil)
    #expect(RetryPolicy.serverDelay(Self.head([("retry-after", value)])) == nil)
  }

  @Test func aDateFarInTheFutureIsADay() {
    #expect(
      RetryPolicy.serverDelay(Self.head([("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT")]))
        == Self.day)
  }

  @Test func backoffStaysInRangeWhateverTheAttemptOrJitter() {
    #expect(RetryPolicy.backoff(attempt: 0, jitter: 0) == .milliseconds(500))
    #expect(RetryPolicy.backoff(attempt: Int.max, jitter: 0) == .seconds(8))
    #expect(RetryPolicy.backoff(attempt: Int.min, jitter: 0) == .milliseconds(500))
    for jitter in [Double.nan, .infinity, -.infinity, -1, 2] {
      #expect(RetryPolicy.backoff(attempt: 3, jitter: jitter) == .seconds(4))
    }
  }

  @Test func tokenCountsSaturateInsteadOfTrapping() {
    let huge = TokenUsage(
      inputTokens: .max, outputTokens: .max, cachedInputTokens: .max, reasoningTokens: .max)
    let sum = huge + huge
    #expect(sum == huge)
    #expect(huge.totalTokens == .max)
    let negative = TokenUsage(inputTokens: .min, outputTokens: -5, cachedInputTokens: -1)
    #expect(negative == TokenUsage(inputTokens: 0, outputTokens: 0))
    #expect((negative + huge).inputTokens == .max)
  }

  @Test(arguments: [
    #"{"choices":[],"usage":{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807}}"#,
    #"{"choices":[],"usage":{"prompt_tokens":-9223372036854775808,"completion_tokens":1e400}}"#,
    #"{"choices":[],"usage":{"prompt_tokens":1e308,"completion_tokens":-1}}"#,
  ])
  func hugeUsageFromAServerIsSummedSafely(_ chunk: String) throws {
    let events = try decodeStream(
      OpenAIChatWire(), [Array("data: \(chunk)\n\ndata: \(chunk)\n\ndata: [DONE]\n\n".utf8)])
    var total = TokenUsage(inputTokens: 0, outputTokens: 0)
    for case .usage(let u) in events { total = total + u }
    #expect(total.totalTokens >= 0)
  }
}
