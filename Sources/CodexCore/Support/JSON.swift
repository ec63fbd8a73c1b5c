/// A JSON value with object keys kept in order, so encoded requests are deterministic (golden
/// tests, readable DEBUG logs) and decoding stays allocation-light. We parse and print JSON
/// ourselves: JSONSerialization is not in FoundationEssentials, and Codable is too rigid for
/// vendor streams whose fields come and go.
public indirect enum JSON: Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSON])
  case object(JSONObject)

  public subscript(key: String) -> JSON? {
    if case .object(let o) = self { return o[key] }
    return nil
  }

  public subscript(index: Int) -> JSON? {
    if case .array(let a) = self, a.indices.contains(index) { return a[index] }
    return nil
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// Integers also from doubles that hold a whole number (`3.0`), as some servers send them.
  public var intValue: Int? {
    switch self {
    case .int(let i): return Int(exactly: i)
    case .double(let d): return Int(exactly: d)
    default: return nil
    }
  }

  public var doubleValue: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .double(let d): return d
    default: return nil
    }
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  public var arrayValue: [JSON]? {
    if case .array(let a) = self { return a }
    return nil
  }

  public var objectValue: JSONObject? {
    if case .object(let o) = self { return o }
    return nil
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// A short name of the kind of value, for error messages ("expected an object, got a string").
  public var kindName: String {
    switch self {
    case .null: return "null"
    case .bool: return "a boolean"
    case .int, .double: return "a number"
    case .string: return "a string"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}

/// An ordered JSON object. Lookups are linear: objects on the wire have a handful of keys, and
/// order matters more than asymptotics here.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
  public private(set) var entries: [(key: String, value: JSON)]

  public init() { entries = [] }
  public init(_ entries: [(String, JSON)]) {
    self.entries = entries.map { (key: $0.0, value: $0.1) }
  }
  public init(dictionaryLiteral elements: (String, JSON)...) { self.init(elements) }

  public subscript(key: String) -> JSON? {
    get {
      // The last duplicate wins, as in most parsers.
      for i in entries.indices.reversed() where entries[i].key == key { return entries[i].value }
      return nil
    }
    set {
      if let i = entries.firstIndex(where: { $0.key == key }) {
        if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
      } else if let newValue {
        entries.append((key: key, value: newValue))
      }
    }
  }

  public var keys: [String] { entries.map(\.key) }
  public var isEmpty: Bool { entries.isEmpty }

  public static func == (a: JSONObject, b: JSONObject) -> Bool {
    guard a.entries.count == b.entries.count else { return false }
    for (x, y) in zip(a.entries, b.entries) where x.key != y.key || x.value != y.value {
      return false
    }
    return true
  }
}

extension JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral,
  ExpressibleByNilLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(arrayLiteral elements: JSON...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSON)...) {
    self = .object(JSONObject(elements))
  }
  public init(nilLiteral: ()) { self = .null }
}

// MARK: - Errors

public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  /// Byte offset into the input where parsing stopped.
  public let offset: Int
  public var description: String { "\(message) at byte \(offset)" }
}

// MARK: - Parsing

extension JSON {
  public static func parse(_ text: String) throws -> JSON {
    var text = text
    return try text.withUTF8 { (buf) throws -> JSON in try parse(buf) }
  }

  public static func parse(_ bytes: [UInt8]) throws -> JSON {
    try bytes.withUnsafeBufferPointer { (buf) throws -> JSON in try parse(buf) }
  }

  public static func parse(_ bytes: ArraySlice<UInt8>) throws -> JSON {
    try bytes.withUnsafeBufferPointer { (buf) throws -> JSON in try parse(buf) }
  }

  public static func parse(_ buf: UnsafeBufferPointer<UInt8>) throws -> JSON {
    var p = JSONParser(buf)
    p.skipSpace()
    let v = try p.value(depth: 0)
    p.skipSpace()
    if p.i != buf.count { throw p.error("unexpected data after the JSON value") }
    return v
  }
}

/// Internal so the wires' fast paths (DeltaScanner) tokenize exactly as `JSON.parse` does.
struct JSONParser {
  let b: UnsafeBufferPointer<UInt8>
  var i = 0
  /// Deep nesting is a stack overflow waiting to happen; no real payload nests this far.
  static let maxDepth = 512

  init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

  func error(_ m: String) -> JSONError { JSONError(message: m, offset: i) }

  mutating func skipSpace() {
    while i < b.count {
      switch b[i] {
      case 0x20, 0x09, 0x0A, 0x0D: i += 1
      default: return
      }
    }
  }

  mutating func value(depth: Int) throws -> JSON {
    guard depth < Self.maxDepth else { throw error("JSON nested too deeply") }
    guard i < b.count else { throw error("unexpected end of JSON") }
    switch b[i] {
    case UInt8(ascii: "{"): return try object(depth: depth)
    case UInt8(ascii: "["): return try array(depth: depth)
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw error("unexpected character '\(Character(Unicode.Scalar(b[i])))' in JSON")
    }
  }

  mutating func literal(_ word: StaticString) throws {
    let n = word.utf8CodeUnitCount
    guard i + n <= b.count else { throw error("unexpected end of JSON") }
    let w = word.utf8Start
    for k in 0..<n where b[i + k] != w[k] { throw error("invalid literal in JSON") }
    i += n
  }

  mutating func object(depth: Int) throws -> JSON {
    i += 1
    var o = JSONObject()
    skipSpace()
    if i < b.count, b[i] == UInt8(ascii: "}") {
      i += 1
      return .object(o)
    }
    var entries: [(String, JSON)] = []
    while true {
      skipSpace()
      guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw error("expected a string key") }
      let k = try string()
      skipSpace()
      guard i < b.count, b[i] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
      i += 1
      skipSpace()
      let v = try value(depth: depth + 1)
      entries.append((k, v))
      skipSpace()
      guard i < b.count else { throw error("unexpected end of JSON") }
      if b[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      if b[i] == UInt8(ascii: "}") {
        i += 1
        break
      }
      throw error("expected ',' or '}' in object")
    }
    o = JSONObject(entries)
    return .object(o)
  }

  mutating func array(depth: Int) throws -> JSON {
    i += 1
    var a: [JSON] = []
    skipSpace()
    if i < b.count, b[i] == UInt8(ascii: "]") {
      i += 1
      return .array(a)
    }
    while true {
      skipSpace()
      a.append(try value(depth: depth + 1))
      skipSpace()
      guard i < b.count else { throw error("unexpected end of JSON") }
      if b[i] == UInt8(ascii: ",") {
        i += 1
        continue
      }
      if b[i] == UInt8(ascii: "]") {
        i += 1
        return .array(a)
      }
      throw error("expected ',' or ']' in array")
    }
  }

  mutating func number() throws -> JSON {
    let start = i
    var isFloat = false
    if b[i] == UInt8(ascii: "-") { i += 1 }
    guard i < b.count, isDigit(b[i]) else { throw error("invalid number") }
    if b[i] == UInt8(ascii: "0") {
      i += 1
    } else {
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
    if i < b.count, b[i] == UInt8(ascii: ".") {
      isFloat = true
      i += 1
      guard i < b.count, isDigit(b[i]) else { throw error("invalid number") }
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
      isFloat = true
      i += 1
      if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
      guard i < b.count, isDigit(b[i]) else { throw error("invalid number") }
      while i < b.count, isDigit(b[i]) { i += 1 }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
    if !isFloat, let n = Int64(text) { return .int(n) }
    guard let d = Double(text) else { throw error("invalid number") }
    return .double(d)
  }

  func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

  mutating func string() throws -> String {
    i += 1
    let start = i
    // Fast path: no escapes, so the bytes are the string (validated as UTF-8 by String).
    i = plainRunEnd(from: i)
    if i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "\"") {
        let s = String(decoding: UnsafeBufferPointer(rebasing: b[start..<i]), as: UTF8.self)
        i += 1
        return s
      }
      if c < 0x20 { throw error("control character in string") }
    }
    var out = [UInt8](UnsafeBufferPointer(rebasing: b[start..<i]))
    while i < b.count {
      let c = b[i]
      if c == UInt8(ascii: "\"") {
        i += 1
        return String(decoding: out, as: UTF8.self)
      }
      if c < 0x20 { throw error("control character in string") }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      i += 1
      guard i < b.count else { break }
      let e = b[i]
      i += 1
      switch e {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
          // A high surrogate must be followed by \uDC00-\uDFFF; a lone one becomes U+FFFD.
          if i + 1 < b.count, b[i] == UInt8(ascii: "\\"), b[i + 1] == UInt8(ascii: "u") {
            let save = i
            i += 2
            let low = try hex4()
            if (0xDC00..<0xE000).contains(low) {
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else {
              i = save
              scalar = 0xFFFD
            }
          } else {
            scalar = 0xFFFD
          }
        } else if (0xDC00..<0xE000).contains(scalar) {
          scalar = 0xFFFD
        }
        let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(u)).utf8))
      default:
        throw error("invalid escape in string")
      }
    }
    throw error("unterminated string")
  }

  /// The first index at or after `start` holding a quote, a backslash or a control character
  /// (the bytes a string scan must look at), or `b.count`. Tests eight bytes at a time: string
  /// values are most of a stream's bytes.
  @inline(__always)
  func plainRunEnd(from start: Int) -> Int {
    var k = start
    let count = b.count
    if let base = b.baseAddress {
      let raw = UnsafeRawPointer(base)
      let ones: UInt64 = 0x0101_0101_0101_0101
      let highs: UInt64 = 0x8080_8080_8080_8080
      let quotes = ones &* 0x22
      let backslashes = ones &* 0x5C
      let controls = ones &* 0x20
      while k + 8 <= count {
        let w = raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)
        let xq = w ^ quotes
        let xb = w ^ backslashes
        // Non-zero when some byte is a quote, a backslash or below 0x20 (or, rarely, a false
        // alarm after such a byte); the byte loop below then finds the exact one.
        let hit = ((xq &- ones) & ~xq) | ((xb &- ones) & ~xb) | ((w &- controls) & ~w)
        if hit & highs != 0 { break }
        k += 8
      }
    }
    while k < count {
      let c = b[k]
      if c == 0x22 || c == 0x5C || c < 0x20 { break }
      k += 1
    }
    return k
  }

  mutating func hex4() throws -> UInt32 {
    guard i + 4 <= b.count else { throw error("invalid \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = b[i]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw error("invalid \\u escape")
      }
      v = v << 4 | d
      i += 1
    }
    return v
  }
}

// MARK: - Serialising

extension JSON {
  /// Compact JSON text, keys in insertion order.
  public func serialized() -> String {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out)
    return String(decoding: out, as: UTF8.self)
  }

  public func serializedBytes() -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(256)
    write(to: &out)
    return out
  }

  public func write(to out: inout [UInt8]) {
    switch self {
    case .null: out.append(contentsOf: "null".utf8)
    case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
    case .int(let v): out.append(contentsOf: String(v).utf8)
    case .double(let v):
      if v.isFinite {
        // Whole doubles print without ".0" noise only when exact, so 2.0 stays 2.0 for servers
        // that care about float vs int (none we know of do; keep the Swift spelling).
        out.append(contentsOf: "\(v)".utf8)
      } else {
        out.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity.
      }
    case .string(let s): JSON.writeString(s, to: &out)
    case .array(let a):
      out.append(UInt8(ascii: "["))
      for (n, v) in a.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        v.write(to: &out)
      }
      out.append(UInt8(ascii: "]"))
    case .object(let o):
      out.append(UInt8(ascii: "{"))
      for (n, e) in o.entries.enumerated() {
        if n > 0 { out.append(UInt8(ascii: ",")) }
        JSON.writeString(e.key, to: &out)
        out.append(UInt8(ascii: ":"))
        e.value.write(to: &out)
      }
      out.append(UInt8(ascii: "}"))
    }
  }

  static let hexDigits = Array("0123456789abcdef".utf8)

  public static func writeString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var s = s
    s.withUTF8 { bytes in
      // Runs of bytes that need no escape go out in one copy: history is mostly such runs.
      var runStart = 0
      for k in bytes.indices {
        let c = bytes[k]
        guard c == 0x22 || c == 0x5C || c < 0x20 else { continue }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<k]))
        runStart = k + 1
        switch c {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        default:
          out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
          out.append(hexDigits[Int(c >> 4)])
          out.append(hexDigits[Int(c & 0xF)])
        }
      }
      out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }
    out.append(UInt8(ascii: "\""))
  }

  /// A JSON string literal for `s`, quotes included.
  public static func quoted(_ s: String) -> String {
    var out: [UInt8] = []
    writeString(s, to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}
