import Testing

@testable import CodexCore

/// TGI serves its Messages API (the chat wire) under `/v1`, while its documented URL is the
/// server root: `--provider huggingface --provider-url http://host:8080` must post to
/// `/v1/chat/completions`, and the native `tgi` wire keeps the root.
@Suite struct TGIChatURLTests {
  static func chatURL(_ base: String, flavor: ServerFlavor = .tgi) throws -> String {
    let p = ProviderInfo(id: "huggingface", name: "TGI", baseURL: base, wire: .chat, flavor: flavor)
    return try OpenAIChatWire().encode(
      ChatRequest(model: "m", messages: [.user("hi")]), provider: p, headers: []
    ).url
  }

  @Test(arguments: [
    ("http://localhost:8080", "http://localhost:8080/v1/chat/completions"),
    ("http://localhost:8080/", "http://localhost:8080/v1/chat/completions"),
    ("http://localhost:8080/v1", "http://localhost:8080/v1/chat/completions"),
    ("http://localhost:8080/v1/", "http://localhost:8080/v1/chat/completions"),
    ("https://proxy.example/tgi", "https://proxy.example/tgi/chat/completions"),
  ])
  func aRootURLMeansV1ForTheChatWire(_ base: String, _ expected: String) throws {
    #expect(try Self.chatURL(base) == expected)
  }

  @Test func otherServersKeepTheirURLAsGiven() throws {
    #expect(
      try Self.chatURL("http://localhost:8080", flavor: .generic)
        == "http://localhost:8080/chat/completions")
  }

  @Test func theModelListFollowsTheSameRule() {
    let p = ProviderInfo(
      id: "huggingface", name: "TGI", baseURL: "http://h:8080", wire: .chat, flavor: .tgi)
    #expect(OpenAIChatWire().modelsURL(provider: p) == "http://h:8080/v1/models")
  }

  @Test func theNativeWireKeepsTheRoot() throws {
    let p = ProviderInfo(
      id: "huggingface", name: "TGI", baseURL: "http://h:8080", wire: .tgi, flavor: .tgi)
    let http = try TGIWire().encode(
      ChatRequest(model: "m", messages: [.user("hi")]), provider: p, headers: [])
    #expect(http.url == "http://h:8080/generate_stream")
  }
}
