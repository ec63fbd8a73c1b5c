import CodexCore
import Testing

/// The official toml-test suite for TOML 1.0 (vendored, see `Fixtures/toml-test/LICENSE`):
/// every valid document must parse to the expected tagged JSON, every invalid one must be
/// rejected with a `ConfigSyntaxError`.
@Suite struct TOMLConformanceTests {
  @Test func suiteIsVendoredCompletely() {
    // The 1.0.0 list names 205 valid documents (each with its JSON) and 473 invalid ones.
    #expect(TOMLTestSuite.validCases.count == 205)
    #expect(TOMLTestSuite.invalidCases.count == 473)
  }

  @Test(arguments: TOMLTestSuite.validCases)
  func validDocumentMatchesExpectedJSON(_ path: String) throws {
    let table = try TOML.parse(bytes: TOMLTestSuite.bytes(path))
    let expected = try JSON.parse(TOMLTestSuite.bytes(String(path.dropLast(5)) + ".json"))
    let actual = TOMLTestSuite.tagged(table)
    let matches = TOMLTestSuite.equivalent(actual, expected)
    #expect(
      matches,
      "\(path)\nactual:   \(actual.serialized())\nexpected: \(expected.serialized())")
  }

  @Test(arguments: TOMLTestSuite.invalidCases)
  func invalidDocumentIsRejected(_ path: String) throws {
    let bytes = try TOMLTestSuite.bytes(path)
    #expect(throws: ConfigSyntaxError.self, "\(path) was accepted") {
      try TOML.parse(bytes: bytes)
    }
  }
}
