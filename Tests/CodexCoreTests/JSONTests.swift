import Testing

@testable import CodexCore

@Suite struct JSONTests {
  @Test func roundTripKeepsKeyOrder() throws {
    let text = #"{"b":1,"a":[true,false,null],"c":{"x":"y\n\"z\""},"d":-1.5e3}"#
    let v = try JSON.parse(text)
    #expect(v.serialized() == #"{"b":1,"a":[true,false,null],"c":{"x":"y\n\"z\""},"d":-1500.0}"#)
    #expect(v["c"]?["x"]?.stringValue == "y\n\"z\"")
  }

  @Test func unicodeEscapesAndSurrogates() throws {
    #expect(try JSON.parse(#""\u00e9\ud83d\ude00""#) == .string("é😀"))
    #expect(try JSON.parse(#""\ud83d""#) == .string("\u{FFFD}"))
  }

  @Test(arguments: ["", "{", "[1,]", "{\"a\"}", "tru", "01", "1.", "\"abc", "[1] 2", "\"\u{01}\""])
  func rejectsMalformed(_ text: String) {
    #expect(throws: JSONError.self) { try JSON.parse(text) }
  }

  @Test func deepNestingIsAnErrorNotACrash() {
    let deep = String(repeating: "[", count: 100_000)
    #expect(throws: JSONError.self) { try JSON.parse(deep) }
  }

  @Test func controlCharactersAreEscaped() {
    #expect(JSON.string("a\u{01}b\tc").serialized() == #""a\u0001b\tc""#)
  }
}
