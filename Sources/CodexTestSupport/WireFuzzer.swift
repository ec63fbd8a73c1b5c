import CodexCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Deterministic randomness for fuzzers: SplitMix64, so a seed reproduces a run.
public struct FuzzRandom: RandomNumberGenerator {
  var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Makes hostile responses for one wire: mutations of the real fixtures in `Fixtures/wires`
/// (named `<wire>-*.sse` / `.ndjson`, so a new wire's fixtures are picked up by name), random
/// bytes, truncations, huge and negative numbers, deep nesting, invalid UTF-8, and JSON made of
/// the keys the wire's own fixtures use. Every choice comes from the seeded generator, so a
/// seed reproduces the run.
public struct WireFuzzer: Sendable {
  public let api: WireAPI
  public let framing: Framing
  /// This wire's recorded streams (may be empty for a wire without fixtures yet).
  let corpus: [[UInt8]]
  /// Every wire's recorded streams, for splicing one into another.
  let allFixtures: [[UInt8]]
  /// Parsed JSON payloads of this wire's fixtures, and the object keys they use.
  let payloads: [JSON]
  let keys: [String]

  /// The recorded streams: `Tests/CodexCoreTests/Fixtures/wires`, found from this file.
  public static let fixtureDirectory: String = {
    // This file is Sources/CodexTestSupport/WireFuzzer.swift in the package.
    let packageRoot = "\(#filePath)".split(separator: "/").dropLast(3).map { "/" + $0 }.joined()
    return packageRoot + "/Tests/CodexCoreTests/Fixtures/wires"
  }()

  public init(api: WireAPI, fixtureDirectory: String = WireFuzzer.fixtureDirectory) throws {
    self.api = api
    framing = Wires.wire(for: api).framing
    let names = try FileManager.default.contentsOfDirectory(atPath: fixtureDirectory).sorted()
    var all: [[UInt8]] = []
    var mine: [[UInt8]] = []
    for name in names {
      guard let data = FileManager.default.contents(atPath: fixtureDirectory + "/" + name) else {
        continue
      }
      let bytes = [UInt8](data)
      all.append(bytes)
      if name.hasPrefix(api.rawValue + "-") { mine.append(bytes) }
    }
    allFixtures = all
    corpus = mine
    var payloads: [JSON] = []
    for bytes in mine {
      for line in bytes.split(separator: 0x0A) {
        var text = Substring(String(decoding: line, as: UTF8.self))
        if text.hasPrefix("data:") { text = text.dropFirst(5) }
        if let json = try? JSON.parse(String(text)) { payloads.append(json) }
      }
    }
    self.payloads = payloads
    var keys: Set<String> = []
    for p in payloads { Self.collectKeys(p, into: &keys) }
    self.keys = keys.sorted()
  }

  static func collectKeys(_ json: JSON, into keys: inout Set<String>) {
    if let o = json.objectValue {
      for e in o.entries {
        keys.insert(e.key)
        collectKeys(e.value, into: &keys)
      }
    } else if let a = json.arrayValue {
      for v in a { collectKeys(v, into: &keys) }
    }
  }

  static let hostileNumbers = [
    "9223372036854775807", "-9223372036854775808", "9223372036854775808", "18446744073709551616",
    "1e308", "-1e308", "1e400", "-1e400", "1e-400", "-0", "0.5", "4294967296", "-1",
    "99999999999999999999999999999999",
  ]

  static let hostileStrings = [
    "", "\u{1B}[2J\u{1B}[H", "\r\n\r\n", "\u{202E}gnp.exe", "\u{0}", "[DONE]", "data: x",
    String(repeating: "A", count: 5000), "😀\u{FE0F}", "\u{FEFF}",
  ]

  // MARK: a case

  /// One hostile body, cut into the chunks a server might send.
  public func body(using rng: inout FuzzRandom) -> [[UInt8]] {
    chunks(of: bytes(using: &rng), using: &rng)
  }

  func bytes(using rng: inout FuzzRandom) -> [UInt8] {
    switch Int.random(in: 0..<8, using: &rng) {
    case 0: return randomBytes(using: &rng)
    case 1: return truncated(fixture(using: &rng), using: &rng)
    case 2: return mutatedBytes(fixture(using: &rng), using: &rng)
    case 3: return withHostileNumbers(fixture(using: &rng), using: &rng)
    case 4: return reorderedFrames(fixture(using: &rng), using: &rng)
    case 5:
      return frames(
        (0..<Int.random(in: 1...6, using: &rng)).map { _ in mutatedPayload(using: &rng) })
    case 6: return frames([deeplyNested(using: &rng)])
    default:
      return frames(
        (0..<Int.random(in: 1...8, using: &rng)).map { _ in randomJSON(depth: 0, using: &rng) })
    }
  }

  func fixture(using rng: inout FuzzRandom) -> [UInt8] {
    // Mostly this wire's own streams; sometimes another wire's, which it must refuse cleanly.
    if !corpus.isEmpty, Int.random(in: 0..<5, using: &rng) > 0 {
      return corpus.randomElement(using: &rng) ?? []
    }
    return allFixtures.randomElement(using: &rng) ?? []
  }

  func randomBytes(using rng: inout FuzzRandom) -> [UInt8] {
    (0..<Int.random(in: 0...512, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
  }

  func truncated(_ bytes: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
    Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
  }

  /// Bytes that matter to the framers and the JSON reader, and bytes that are never UTF-8.
  static let interestingBytes: [UInt8] =
    Array("{}[]:,\"\\\n\r \t0-9e.".utf8) + [
      0x00, 0x1B, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xE0, 0xED, 0xF4, 0xF5, 0xFE, 0xFF,
    ]

  func mutatedBytes(_ input: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
    var b = input
    for _ in 0..<Int.random(in: 1...8, using: &rng) {
      let i = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
      switch Int.random(in: 0..<6, using: &rng) {
      case 0: b.insert(Self.interestingBytes.randomElement(using: &rng) ?? 0, at: i)
      case 1: if !b.isEmpty { b.remove(at: i) }
      case 2: if !b.isEmpty { b[i] = UInt8.random(in: 0...255, using: &rng) }
      case 3:
        let end = min(b.count, i + Int.random(in: 1...64, using: &rng))
        b.insert(contentsOf: b[i..<end], at: Int.random(in: 0...b.count, using: &rng))
      case 4:
        let end = min(b.count, i + Int.random(in: 1...64, using: &rng))
        b.removeSubrange(i..<end)
      default:
        let other = allFixtures.randomElement(using: &rng) ?? []
        let start = other.isEmpty ? 0 : Int.random(in: 0..<other.count, using: &rng)
        let end = min(other.count, start + Int.random(in: 1...200, using: &rng))
        b.insert(contentsOf: other[start..<end], at: i)
      }
    }
    return b
  }

  /// Every run of digits is, with some chance, replaced by a number no counter can hold.
  func withHostileNumbers(_ input: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    while i < input.count {
      let isDigit = (0x30...0x39).contains(input[i])
      guard isDigit else {
        out.append(input[i])
        i += 1
        continue
      }
      var end = i
      while end < input.count, (0x30...0x39).contains(input[end]) || input[end] == 0x2E { end += 1 }
      if Bool.random(using: &rng) {
        out += Array((Self.hostileNumbers.randomElement(using: &rng) ?? "0").utf8)
      } else {
        out += input[i..<end]
      }
      i = end
    }
    return out
  }

  func reorderedFrames(_ input: [UInt8], using rng: inout FuzzRandom) -> [UInt8] {
    let separator: [UInt8] = framing == .sse ? [0x0A, 0x0A] : [0x0A]
    var parts = input.split(separator: 0x0A, omittingEmptySubsequences: true).map(Array.init)
    switch Int.random(in: 0..<3, using: &rng) {
    case 0: parts.shuffle(using: &rng)
    case 1: if !parts.isEmpty { parts.remove(at: Int.random(in: 0..<parts.count, using: &rng)) }
    default:
      if let p = parts.randomElement(using: &rng) {
        parts.insert(contentsOf: Array(repeating: p, count: 3), at: 0)
      }
    }
    return parts.flatMap { $0 + separator }
  }

  /// A payload of this wire with one value swapped for something hostile of any type.
  func mutatedPayload(using rng: inout FuzzRandom) -> JSON {
    guard let payload = payloads.randomElement(using: &rng) else {
      return randomJSON(depth: 0, using: &rng)
    }
    return mutate(payload, using: &rng)
  }

  func mutate(_ json: JSON, using rng: inout FuzzRandom) -> JSON {
    if Int.random(in: 0..<4, using: &rng) == 0 { return hostileValue(using: &rng) }
    switch json {
    case .object(var o):
      guard !o.entries.isEmpty else { return json }
      let key = o.entries[Int.random(in: 0..<o.entries.count, using: &rng)].key
      o[key] = mutate(o[key] ?? .null, using: &rng)
      return .object(o)
    case .array(var a):
      guard !a.isEmpty else { return json }
      let i = Int.random(in: 0..<a.count, using: &rng)
      a[i] = mutate(a[i], using: &rng)
      return .array(a)
    default:
      return hostileValue(using: &rng)
    }
  }

  func hostileValue(depth: Int = 0, using rng: inout FuzzRandom) -> JSON {
    switch Int.random(in: 0..<7, using: &rng) {
    case 0: return (try? JSON.parse(Self.hostileNumbers.randomElement(using: &rng) ?? "0")) ?? .null
    case 1: return .string(Self.hostileStrings.randomElement(using: &rng) ?? "")
    case 2: return .null
    case 3: return .bool(Bool.random(using: &rng))
    case 4: return .array((0..<Int.random(in: 0...3, using: &rng)).map { _ in .int(-1) })
    case 5: return .object(JSONObject())
    default: return depth < 5 ? randomJSON(depth: depth + 1, using: &rng) : .null
    }
  }

  /// JSON made of this wire's keys and hostile values.
  func randomJSON(depth: Int, using rng: inout FuzzRandom) -> JSON {
    guard depth < 5 else { return .int(0) }
    switch Int.random(in: 0..<4, using: &rng) {
    case 0, 1:
      var o = JSONObject()
      for _ in 0..<Int.random(in: 0...5, using: &rng) {
        let key = keys.randomElement(using: &rng) ?? "type"
        o[key] = randomJSON(depth: depth + 1, using: &rng)
      }
      return .object(o)
    case 2:
      return .array(
        (0..<Int.random(in: 0...3, using: &rng)).map { _ in
          randomJSON(depth: depth + 1, using: &rng)
        })
    default:
      return hostileValue(depth: depth + 1, using: &rng)
    }
  }

  /// Arrays or objects nested past what the JSON reader accepts, or just under it.
  func deeplyNested(using rng: inout FuzzRandom) -> JSON {
    let depth = [10, 100, 511, 512, 513, 5000].randomElement(using: &rng) ?? 100
    let key = keys.randomElement(using: &rng) ?? "a"
    var text = ""
    var closers = ""
    for _ in 0..<depth {
      if Bool.random(using: &rng) {
        text += "{\"\(key)\":"
        closers = "}" + closers
      } else {
        text += "["
        closers = "]" + closers
      }
    }
    text += "1" + closers
    return .string(text)  // marker: framed as raw text below
  }

  /// Payloads framed as this wire frames them; a `.string` holding JSON text from
  /// `deeplyNested` goes out as that text, unquoted.
  func frames(_ payloads: [JSON]) -> [UInt8] {
    var out: [UInt8] = []
    for p in payloads {
      let text: String
      if case .string(let s) = p, s.hasPrefix("{") || s.hasPrefix("[") {
        text = s
      } else {
        text = p.serialized()
      }
      switch framing {
      case .sse: out += Array("data: \(text)\n\n".utf8)
      case .ndjson: out += Array("\(text)\n".utf8)
      }
    }
    return out
  }

  func chunks(of bytes: [UInt8], using rng: inout FuzzRandom) -> [[UInt8]] {
    switch Int.random(in: 0..<4, using: &rng) {
    case 0: return [bytes]
    case 1 where bytes.count < 300: return bytes.map { [$0] }
    default:
      var out: [[UInt8]] = []
      var rest = bytes[...]
      while !rest.isEmpty {
        let n = Int.random(in: 1...max(1, min(rest.count, 300)), using: &rng)
        out.append(Array(rest.prefix(n)))
        rest = rest.dropFirst(n)
      }
      return out
    }
  }

  // MARK: response heads

  static let statuses = [200, 200, 200, 200, 200, 400, 401, 403, 404, 405, 408, 409, 429, 500, 503]
  static let contentTypes = [
    "text/event-stream", "text/event-stream; charset=utf-8", "application/x-ndjson",
    "application/json", "APPLICATION/JSON; charset=utf-8", "text/plain", "", "application/jsonx",
  ]
  static let headerValues = [
    "inf", "-inf", "nan", "1e20", "1e400", "-1", "0", "0.001", "120.5",
    "Sun, 06 Nov 99999999999999999 08:49:37 GMT", "Sun, 99 Nov 1994 08:49:37 GMT",
    "Fri, 31 Dec 9999 23:59:59 GMT", "true", "false", "TRUE", "", "\u{1B}[2J",
    "9223372036854775807",
  ]

  /// A status and headers a hostile server might send with the body.
  public func head(using rng: inout FuzzRandom) -> HTTPResponseHead {
    let status =
      Int.random(in: 0..<10, using: &rng) == 0
      ? Int.random(in: 0...999, using: &rng) : Self.statuses.randomElement(using: &rng) ?? 200
    var headers: [(name: String, value: String)] = []
    if Int.random(in: 0..<8, using: &rng) > 0 {
      let natural = framing == .sse ? "text/event-stream" : "application/x-ndjson"
      let type =
        Bool.random(using: &rng) ? natural : Self.contentTypes.randomElement(using: &rng) ?? ""
      headers.append((name: "content-type", value: type))
    }
    for name in ["retry-after-ms", "retry-after", "x-should-retry"]
    where Int.random(in: 0..<3, using: &rng) == 0 {
      headers.append((name: name, value: Self.headerValues.randomElement(using: &rng) ?? ""))
    }
    return HTTPResponseHead(status: status, headers: headers)
  }
}
