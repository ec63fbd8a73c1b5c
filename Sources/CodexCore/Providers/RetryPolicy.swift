#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// When and how long to wait before trying a request again (protocols.md §1 "Retry"), as the
/// OpenAI and Anthropic SDKs do it.
public enum RetryPolicy {
  /// Longest server-requested wait we honour; asking for more means "don't retry".
  public static let maxServerDelay: Duration = .seconds(120)

  /// Whether a response status is worth retrying. `x-should-retry` overrides.
  public static func isRetryable(status: Int, head: HTTPResponseHead) -> Bool {
    if let v = head.header("x-should-retry")?.lowercased() {
      if v == "true" { return true }
      if v == "false" { return false }
    }
    return status == 408 || status == 409 || status == 429 || status >= 500
  }

  /// The wait the server asked for: `retry-after-ms`, then `retry-after` as seconds (floats
  /// allowed) or an HTTP date. `nil` when absent or unparsable. The values are the server's, so
  /// any number may come (`inf`, `1e20`, a date in the year 99999): waits past a day are a day,
  /// which is past `maxServerDelay` and so not honoured.
  public static func serverDelay(_ head: HTTPResponseHead, now: Date = Date()) -> Duration? {
    if let ms = head.header("retry-after-ms").flatMap({ Double($0.trimmingWhitespace()) }),
      let delay = delay(milliseconds: ms)
    {
      return delay
    }
    guard let ra = head.header("retry-after")?.trimmingWhitespace() else { return nil }
    if let s = Double(ra) { return delay(milliseconds: s * 1000) }
    if let date = HTTPDate.parse(ra) {
      return delay(milliseconds: max(0, date.timeIntervalSince(now)) * 1000)
    }
    return nil
  }

  /// The longest wait a `Duration` is made from; more is clamped to it.
  static let longestDelayMilliseconds = 86_400_000.0

  /// A wait in milliseconds from outside as a `Duration`, range-checked before conversion: nil
  /// for NaN or a negative number, at most a day (infinity included).
  static func delay(milliseconds ms: Double) -> Duration? {
    guard ms >= 0 else { return nil }  // false for NaN too
    return .milliseconds(Int64(min(ms, longestDelayMilliseconds).rounded(.up)))
  }

  /// Exponential backoff: 0.5 s doubling, capped at 8 s, minus up to 25 % jitter.
  public static func backoff(attempt: Int, jitter: Double = Double.random(in: 0..<0.25)) -> Duration
  {
    let base = min(8.0, 0.5 * pow2(attempt))
    let factor = (0...1).contains(jitter) ? 1 - jitter : 1
    return delay(milliseconds: base * factor * 1000) ?? .seconds(8)
  }

  static func pow2(_ n: Int) -> Double {
    var v = 1.0
    for _ in 0..<max(0, min(n, 30)) { v *= 2 }
    return v
  }
}

/// RFC 7231 IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the only form servers send today.
enum HTTPDate {
  static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// Fields out of range (a day of 99999999999, a year past 9999) make the date invalid, so
  /// the arithmetic below cannot overflow.
  static func parse(_ s: String) -> Date? {
    let parts = s.split(separator: " ")
    guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), (1...31).contains(day),
      let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3]),
      (0...9999).contains(year)
    else { return nil }
    let fields = parts[4].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
    guard fields.count == 3, let hour = fields[0], let minute = fields[1], let second = fields[2],
      (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
    else { return nil }
    // Days since 1970-01-01 by the civil-from-days inverse (Howard Hinnant's algorithm).
    let y = month < 2 ? year - 1 : year
    let m = month + 1
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    let days = era * 146097 + doe - 719468
    let secs = days * 86400 + hour * 3600 + minute * 60 + second
    return Date(timeIntervalSince1970: TimeInterval(secs))
  }
}
