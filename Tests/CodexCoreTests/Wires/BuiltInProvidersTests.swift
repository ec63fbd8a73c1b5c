import Foundation
import Testing

@testable import CodexCore

/// The preset table is data: these keep it well-formed and in step with the docs.
@Suite struct BuiltInProvidersTests {
  static let all = BuiltInProviders.all
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func file(_ name: String) throws -> String {
    try String(contentsOf: root.appendingPathComponent(name), encoding: .utf8)
  }

  @Test func idsAreUniqueAndLookUp() {
    let ids = Self.all.map(\.id)
    #expect(Set(ids).count == ids.count)
    for p in Self.all { #expect(BuiltInProviders.provider(id: p.id) == p) }
  }

  @Test(arguments: all.map(\.id))
  func eachPresetIsWellFormed(_ id: String) throws {
    let p = try #require(BuiltInProviders.provider(id: id))
    #expect(!p.name.isEmpty)
    try ConfigInterpreter.checkURL(p.baseURL, location: "preset \(id)")
    #expect(!p.baseURL.hasSuffix("/"))
    if p.isLocal {
      #expect(p.baseURL.hasPrefix("http://localhost:"))
      #expect(!p.requiresKey)
    } else {
      // Hosted: TLS, a key named and required, and no key ever in the URL.
      #expect(p.baseURL.hasPrefix("https://"))
      #expect(p.requiresKey)
      let env = try #require(p.envKey)
      #expect(!p.alternateEnvKeys.contains(env))
      #expect(p.queryParams.isEmpty)
    }
  }

  @Test func geminiIsNativeAndItsOpenAIEndpointStaysReachable() throws {
    let native = try #require(BuiltInProviders.provider(id: "gemini"))
    #expect(native.wire == .gemini)
    #expect(native.alternateEnvKeys == ["GOOGLE_API_KEY"])
    let compat = try #require(BuiltInProviders.provider(id: "gemini-openai"))
    #expect(compat.wire == .chat)
    #expect(compat.url(path: "chat/completions").hasSuffix("/v1beta/openai/chat/completions"))
    #expect(BuiltInProviders.provider(id: "anthropic")?.wire == .anthropic)
  }

  @Test func alternateKeysAreTriedInOrderAfterTheMainOne() throws {
    let p = try #require(BuiltInProviders.provider(id: "gemini"))
    #expect(p.apiKeySource(environment: [:]) == nil)
    #expect(p.apiKeySource(environment: ["GOOGLE_API_KEY": "g"])?.variable == "GOOGLE_API_KEY")
    #expect(p.apiKey(environment: ["GOOGLE_API_KEY": "g", "GEMINI_API_KEY": "m"]) == "m")
    // Empty counts as unset.
    #expect(p.apiKey(environment: ["GOOGLE_API_KEY": "g", "GEMINI_API_KEY": ""]) == "g")
    #expect(p.envKeyDescription == "GEMINI_API_KEY or GOOGLE_API_KEY")
  }

  @Test func namingEnvKeyInConfigDropsTheBuiltInAlternates() throws {
    let own = try TempHome([
      "config.toml": "model_provider = \"gemini\"\n[model_providers.gemini]\nenv_key = \"MY_KEY\"\n"
    ]).load()
    #expect(own.provider.envKey == "MY_KEY")
    #expect(own.provider.alternateEnvKeys.isEmpty)
    #expect(own.provider.apiKey(environment: ["GOOGLE_API_KEY": "g"]) == nil)
    let plain = try TempHome(["config.toml": "model_provider = \"gemini\"\n"]).load()
    #expect(plain.provider.alternateEnvKeys == ["GOOGLE_API_KEY"])
    #expect(plain.provider.wire == .gemini)
    // The OpenAI-compatible endpoint by configuration alone.
    let chat = try TempHome([
      "config.toml":
        "model_provider = \"gemini\"\n[model_providers.gemini]\nwire_api = \"chat\"\nbase_url = \"https://generativelanguage.googleapis.com/v1beta/openai\"\n"
    ]).load()
    #expect(chat.provider.wire == .chat)
    #expect(chat.provider.requiresKey)
  }

  @Test func configShowNamesTheAlternateKeyToo() throws {
    let c = try TempHome(["config.toml": "model_provider = \"gemini\"\n"]).load()
    let report = ConfigReport.render(c, environment: ["GOOGLE_API_KEY": "g"])
    #expect(report.contains("$GEMINI_API_KEY is not set in the environment"))
    #expect(
      report.contains("# also accepted when $GEMINI_API_KEY is not set: $GOOGLE_API_KEY (set)"))
    #expect(!report.contains("\"g\""))
  }

  /// The ids in the first table of docs/providers.md.
  @Test func everyPresetIsInTheProvidersDocAndNothingElse() throws {
    let doc = try Self.file("docs/providers.md")
    let table = doc.components(separatedBy: "\n\n").first { $0.hasPrefix("| id |") } ?? ""
    let ids = table.split(separator: "\n").dropFirst(2).compactMap { row in
      row.split(separator: "`").dropFirst().first.map(String.init)
    }
    #expect(ids.sorted() == Self.all.map(\.id).sorted())
  }

  @Test func everyWireIsInTheProvidersDoc() throws {
    let doc = try Self.file("docs/providers.md")
    for w in WireAPI.allCases { #expect(doc.contains("| `\(w.rawValue)` | `POST "), "\(w)") }
  }

  /// The list in config.example.toml's comment on `model_provider`.
  @Test func everyPresetIsInTheExampleConfig() throws {
    let text = try Self.file("config.example.toml")
    let start = try #require(text.range(of: "a built-in: "))
    let end = try #require(text[start.upperBound...].firstIndex(of: ")"))
    let listed = text[start.upperBound..<end]
      .replacingOccurrences(of: "#", with: " ")
      .split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    #expect(listed.sorted() == Self.all.map(\.id).sorted())
    for w in WireAPI.allCases { #expect(text.contains(w.rawValue), "\(w)") }
  }
}
