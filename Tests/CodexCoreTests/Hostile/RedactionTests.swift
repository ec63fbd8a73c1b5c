import Synchronization
import Testing

@testable import CodexCore

/// Secrets never shown: every attempt to get a credential past the redactor is kept here.
@Suite struct RedactionTests {
  @Test(arguments: [
    // user:password@ goes whole: the user part can be a token too.
    ("https://alice:hunter2@llm.example.com/v1", "https://<redacted>@llm.example.com/v1"),
    ("https://TOKEN@llm.example.com", "https://<redacted>@llm.example.com"),
    // An @ inside the password: everything up to the last @ of the authority is userinfo.
    ("http://u:p@ss@host:8080/x?y=1", "http://<redacted>@host:8080/x?y=1"),
    // An @ after the authority is not userinfo.
    ("http://host/path@x", "http://host/path@x"),
    // Query values whose names suggest a credential, in any spelling.
    (
      "https://g.example/v1?key=AIzaSECRET&alt=sse",
      "https://g.example/v1?key=<redacted>&alt=sse"
    ),
    (
      "https://h/x?API_KEY=1&Api-Key=2&apikey=3",
      "https://h/x?API_KEY=<redacted>&Api-Key=<redacted>&apikey=<redacted>"
    ),
    ("https://h/x?%6B%65%79=secret", "https://h/x?%6B%65%79=<redacted>"),
    (
      "https://h/x?access_token=t&password=p&sig=s",
      "https://h/x?access_token=<redacted>&password=<redacted>&sig=<redacted>"
    ),
    (
      "https://h/x?auth=a&session=s&credential=c",
      "https://h/x?auth=<redacted>&session=<redacted>&credential=<redacted>"
    ),
    // OAuth puts tokens in the fragment.
    ("https://h/cb#access_token=abc&state=1", "https://h/cb#access_token=<redacted>&state=1"),
    // A query after the path the client appended (a base_url with its own query).
    (
      "https://h/v1?key=A&v=1/chat/completions&key=B",
      "https://h/v1?key=<redacted>&v=1/chat/completions&key=<redacted>"
    ),
    // Nothing secret: untouched.
    ("http://127.0.0.1:11434/api/chat", "http://127.0.0.1:11434/api/chat"),
    ("https://h/x?api-version=2024-01-01&model=m", "https://h/x?api-version=2024-01-01&model=m"),
  ])
  func urls(_ input: String, _ expected: String) {
    #expect(Redaction.url(input) == expected)
  }

  @Test func urlsInsideProseAreRedactedWhereverTheyAre() {
    let text =
      "cannot reach X at https://a:b@h/v1?key=K (detail); also (http://c:d@e/) and 'ftp+x://f:g@i'"
    #expect(
      Redaction.text(text)
        == "cannot reach X at https://<redacted>@h/v1?key=<redacted> (detail); also "
        + "(http://<redacted>@e/) and 'ftp+x://<redacted>@i'")
    #expect(Redaction.text("no url here: key=value") == "no url here: key=value")
  }

  @Test(arguments: [
    "Authorization", "X-Auth", "X-Custom-Auth", "x-api-key", "X-Goog-Api-Key", "Api_Key",
    "Cookie", "Set-Cookie", "X-Session-Id", "Proxy-Authorization", "X-Password", "X-Pass",
    "X-Credential", "OpenAI-Secret", "X-Access-Token", "PRIVATE-TOKEN",
  ])
  func secretHeaderNames(_ name: String) {
    #expect(Redaction.isSecretHeader(name))
    #expect(!Redaction.header(name, "s3cr3t-value").contains("s3cr3t"))
  }

  @Test(arguments: [
    "Content-Type", "Accept", "User-Agent", "X-Title", "HTTP-Referer",
    "x-ratelimit-remaining-tokens", "anthropic-ratelimit-tokens-limit",
  ])
  func ordinaryHeadersStayReadable(_ name: String) {
    #expect(Redaction.header(name, "plain") == "plain")
    #expect(Redaction.header(name, "from-env", knownSecret: true) == "<redacted 8 chars>")
  }

  @Test func onlyAKnownSchemeWordSurvivesRedaction() {
    #expect(Redaction.redact("Bearer sk-123") == "Bearer <redacted 6 chars>")
    #expect(Redaction.redact("basic dXNlcjpwYXNz") == "basic <redacted 12 chars>")
    // A value with a space that is not a scheme: its first word could be the secret.
    #expect(Redaction.redact("hunter2 extra") == "<redacted 13 chars>")
  }

  @Test func providerAndTransportErrorsNeverQuoteCredentials() {
    let url = "https://alice:hunter2@h.example/v1?key=QSECRET/chat/completions"
    let errors: [any CustomStringConvertible] = [
      ProviderError.unreachable(provider: "P", url: url, detail: "refused", startHint: nil),
      ProviderError.endpointNotFound(provider: "P", url: url, status: 404, wire: .chat),
      ProviderError.idleTimeout(provider: "P", url: url, seconds: 5),
      ProviderError.connectionLost(provider: "P", url: url, detail: "reset"),
      ProviderError.tls(provider: "P", url: url, detail: "bad cert"),
      ProviderError.badRequest(provider: "P", status: 400, message: "see \(url)"),
      TransportError.cannotConnect(url: url, detail: "refused"),
      TransportError.connectTimeout(url: url, seconds: 1),
      TransportError.idleTimeout(url: url, seconds: 1),
      TransportError.tls(url: url, detail: "x"),
      TransportError.connectionLost(url: url, detail: "x"),
      TransportError.invalidURL(url),
      TransportError.other(url: url, detail: "x"),
    ]
    for e in errors {
      let text = e.description
      #expect(!text.contains("hunter2") && !text.contains("alice") && !text.contains("QSECRET"))
      #expect(text.contains("h.example"), "the host still says where: \(text)")
    }
  }

  @Test func configShowRedactsURLCredentialsQueryKeysAndAuthHeaders() throws {
    let toml = """
      model = "m"
      model_provider = "corp"
      [model_providers.corp]
      name = "Corp"
      base_url = "https://alice:hunter2@llm.example.com/v1?key=QUERYSECRET&api-version=1"
      http_headers = { "X-Auth" = "HDRSECRET1", "X-Custom-Auth" = "HDRSECRET2", "X-Title" = "ok" }
      env_http_headers = { "X-Tenant" = "TENANT_ENV" }
      query_params = { key = "QPSECRET", "api-version" = "2" }
      """
    let home = try TempHome(["config.toml": toml])
    let config = try home.load(env: ["TENANT_ENV": "ENVSECRET"])
    let shown = ConfigReport.render(config, environment: ["TENANT_ENV": "ENVSECRET"])
    for secret in [
      "hunter2", "alice", "QUERYSECRET", "HDRSECRET1", "HDRSECRET2", "QPSECRET", "ENVSECRET",
    ] {
      #expect(!shown.contains(secret), "\(secret) shown in:\n\(shown)")
    }
    #expect(shown.contains("https://<redacted>@llm.example.com/v1?key=<redacted>&api-version=1"))
    #expect(shown.contains(#"X-Title = "ok""#))
    #expect(shown.contains(#"X-Tenant = "TENANT_ENV""#), "the variable's name, not its value")
    #expect(shown.contains(#"api-version = "2""#))
  }

  @Test func debugLinesHideEnvHeadersAuthHeadersURLCredentialsAndErrors() async throws {
    struct Refusing: HTTPTransport {
      func send(_ request: HTTPRequest) async throws -> HTTPStreamingResponse {
        throw TransportError.cannotConnect(url: request.url, detail: "Could not resolve host")
      }
    }
    let lines = Mutex<[String]>([])
    let transport = LoggingTransport(wrapping: Refusing()) { text in
      lines.withLock { $0.append(text) }
    }
    let provider = ProviderInfo(
      id: "corp", name: "Corp", baseURL: "https://alice:hunter2@llm.example.com/v1?key=QSECRET",
      wire: .chat, envKey: "CORP_KEY", httpHeaders: [("X-Custom-Auth", "HDRSECRET")],
      envHTTPHeaders: [("X-Tenant", "TENANT_ENV")], requestMaxRetries: 0)
    let client = ModelClient(
      provider: provider, transport: transport,
      environment: ["CORP_KEY": "sk-KEYSECRET", "TENANT_ENV": "ENVSECRET"])
    await #expect(throws: ProviderError.self) {
      try await client.run(ChatRequest(model: "m", messages: [.user("hi")])) { _ in }
    }
    let all = lines.withLock { $0.joined(separator: "\n") }
    for secret in ["hunter2", "alice", "QSECRET", "HDRSECRET", "sk-KEYSECRET", "ENVSECRET"] {
      #expect(!all.contains(secret), "\(secret) shown in:\n\(all)")
    }
    #expect(all.contains("> X-Tenant: <redacted 9 chars>"))
    #expect(all.contains("> Authorization: Bearer <redacted 12 chars>"))
    #expect(
      all.contains("! cannot connect to https://<redacted>@llm.example.com/v1?key=<redacted>"))
  }
}
