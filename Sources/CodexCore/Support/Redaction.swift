/// Hides secrets in everything codex shows: error messages, `DEBUG=1` lines, `codex config show`,
/// `/status`. One place decides what a secret looks like, so every display agrees:
/// - a header is secret when its name suggests a credential (`secretWords`), or when the caller
///   knows its value came from the environment (`env_http_headers`);
/// - a URL's `user:password@` and the values of query or fragment parameters whose names
///   suggest a credential (Gemini's `?key=`, Azure's `sig=`) are secret.
public enum Redaction {
  /// Words that mark a header or parameter name as carrying a credential, matched against the
  /// name's letters only (lower-cased), so `X-Api_Key`, `x-custom-auth` and `PassWord` all match.
  static let secretWords = [
    "auth", "key", "token", "secret", "pass", "credential", "session", "cookie",
  ]
  /// Query parameters also use `sig` (signed URLs: Azure SAS, S3 `X-Amz-Signature`).
  static let secretParameterWords = secretWords + ["sig"]
  /// Authorization schemes kept in front of a redacted value, so a log still shows which kind
  /// of credential went out. Anything else (a value with a space in it) is hidden whole.
  static let authSchemes: Set<String> = ["bearer", "basic", "digest", "token", "negotiate"]

  public static let placeholder = "<redacted>"

  /// Whether a header with this name carries a credential. Rate-limit headers
  /// (`x-ratelimit-remaining-tokens`) only count, and are what `DEBUG=1` is read for.
  public static func isSecretHeader(_ name: String) -> Bool {
    matches(name, secretWords) && !name.lowercased().contains("ratelimit")
  }

  /// A header's value as it may be shown. `knownSecret` redacts whatever the name is (values
  /// taken from the environment through `env_http_headers`).
  public static func header(_ name: String, _ value: String, knownSecret: Bool = false) -> String {
    guard knownSecret || isSecretHeader(name) else { return value }
    return redact(value)
  }

  /// `Bearer <redacted 9 chars>`: the scheme word stays, the credential goes.
  public static func redact(_ value: String) -> String {
    let parts = value.split(separator: " ", maxSplits: 1)
    if parts.count == 2, authSchemes.contains(parts[0].lowercased()) {
      return "\(parts[0]) <redacted \(parts[1].count) chars>"
    }
    return "<redacted \(value.count) chars>"
  }

  /// A URL with its `user:password@` and its secret parameter values replaced.
  public static func url(_ url: String) -> String {
    var rest = Substring(url)
    var out = ""
    if let schemeEnd = rest.firstRange(of: "://") {
      out += rest[..<schemeEnd.upperBound]
      rest = rest[schemeEnd.upperBound...]
      let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
      let authority = rest[..<authorityEnd]
      if let at = authority.lastIndex(of: "@") {
        out += placeholder + "@" + authority[authority.index(after: at)...]
      } else {
        out += authority
      }
      rest = rest[authorityEnd...]
    }
    // Path, then `?query`, then `#fragment`; both may hold `name=value` pairs (OAuth puts
    // `access_token=` in the fragment).
    let queryStart = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? rest.endIndex
    out += rest[..<queryStart]
    rest = rest[queryStart...]
    while let separator = rest.first {
      rest = rest.dropFirst()
      let end = rest.firstIndex(where: { $0 == "#" }) ?? rest.endIndex
      out.append(separator)
      out += parameters(rest[..<end])
      rest = rest[end...]
    }
    return out
  }

  /// `text` with every URL in it passed through `url(_:)`: for messages that quote URLs among
  /// other words (transport errors, server messages).
  public static func text(_ text: String) -> String {
    guard text.contains("://") else { return text }
    var out = ""
    var rest = Substring(text)
    while let marker = rest.firstRange(of: "://") {
      // The scheme is the run of scheme characters just before `://`.
      var start = marker.lowerBound
      while start > rest.startIndex {
        let previous = rest.index(before: start)
        guard isSchemeCharacter(rest[previous]) else { break }
        start = previous
      }
      let end = rest[marker.upperBound...].firstIndex(where: endsURL) ?? rest.endIndex
      out += rest[..<start]
      out += url(String(rest[start..<end]))
      rest = rest[end...]
    }
    return out + rest
  }

  /// A query parameter's value as it may be shown.
  public static func parameter(_ name: String, _ value: String) -> String {
    matches(name, secretParameterWords) ? placeholder : value
  }

  static func parameters(_ query: Substring) -> String {
    query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
      guard let eq = pair.firstIndex(of: "=") else { return String(pair) }
      let name = pair[..<eq]
      guard matches(percentDecoded(name), secretParameterWords) else { return String(pair) }
      return name + "=" + placeholder
    }.joined(separator: "&")
  }

  static func matches(_ name: some StringProtocol, _ words: [String]) -> Bool {
    let letters = String(name.lowercased().filter { $0.isLetter })
    return words.contains { letters.contains($0) }
  }

  /// `%4B%65y` is `Key`: a name is judged by what the server reads.
  static func percentDecoded(_ s: Substring) -> String {
    var bytes: [UInt8] = []
    var utf8 = s.utf8[...]
    while let b = utf8.first {
      utf8 = utf8.dropFirst()
      if b == UInt8(ascii: "%"), utf8.count >= 2,
        let hi = hexValue(utf8[utf8.startIndex]),
        let lo = hexValue(utf8[utf8.index(after: utf8.startIndex)])
      {
        bytes.append(hi << 4 | lo)
        utf8 = utf8.dropFirst(2)
      } else {
        bytes.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  static func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
  }

  static func isSchemeCharacter(_ c: Character) -> Bool {
    c.isASCII && (c.isLetter || c.isNumber || c == "+" || c == "-" || c == ".")
  }

  /// Where a URL quoted in prose ends: white space, quotes, angle brackets, or a closing
  /// parenthesis (messages put URLs in parentheses; API URLs do not contain one).
  static func endsURL(_ c: Character) -> Bool {
    c.isWhitespace || "\"'`<>()".contains(c)
  }
}
