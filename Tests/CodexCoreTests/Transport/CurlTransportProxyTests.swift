import CodexTestSupport
import Glibc
import Testing

@testable import CodexCore

/// libcurl reads the proxy variables from the environment at transfer time, like the curl tool.
///
/// These tests change the process environment, so they run one at a time, and they always list
/// 127.0.0.1 and localhost in no_proxy while a proxy is set: loopback tests of other suites
/// running in parallel keep going direct.
@Suite(.serialized) struct CurlTransportProxyTests {
  /// Sets variables for the duration of `body`, then restores the previous values.
  func withEnvironment<T>(
    _ variables: [(String, String)], _ body: () async throws -> T
  ) async rethrows -> T {
    let saved = variables.map { name, _ in (name, getenv(name).map { String(cString: $0) }) }
    for (name, value) in variables { setenv(name, value, 1) }
    defer {
      for (name, value) in saved.reversed() {
        if let value { setenv(name, value, 1) } else { unsetenv(name) }
      }
    }
    return try await body()
  }

  static let loopbackBypass = [
    ("no_proxy", "127.0.0.1,localhost"), ("NO_PROXY", "127.0.0.1,localhost"),
  ]

  @Test func httpProxyFromTheEnvironmentReceivesTheAbsoluteFormRequest() async throws {
    let proxy = try FakeHTTPServer { request in .json(200, #"{"via":"proxy"}"#) }
    defer { proxy.stop() }
    let transport = CurlTransport()
    // ".invalid" never resolves: without the proxy this request could not succeed.
    let url = "http://models.invalid/v1/models?x=1"
    let body = try await withEnvironment(Self.loopbackBypass + [("http_proxy", proxy.baseURL)]) {
      let response = try await transport.send(HTTPRequest(method: "GET", url: url))
      #expect(response.head.status == 200)
      return try await collect(response.body)
    }
    #expect(body == Array(#"{"via":"proxy"}"#.utf8))
    let recorded = try #require(proxy.requests.first)
    #expect(recorded.path == url)
    #expect(recorded.header("host") == "models.invalid")
  }

  @Test func noProxyKeepsLoopbackDirectDespiteProxyVariables() async throws {
    let proxy = try FakeHTTPServer { _ in .json(200, #"{"via":"proxy"}"#) }
    defer { proxy.stop() }
    let server = try FakeHTTPServer { _ in .json(200, #"{"via":"direct"}"#) }
    defer { server.stop() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let bogus = "http://127.0.0.1:\(refusing.port)"
    let transport = CurlTransport()
    let variables =
      Self.loopbackBypass + [
        ("http_proxy", proxy.baseURL), ("HTTPS_PROXY", bogus), ("https_proxy", bogus),
        ("ALL_PROXY", bogus),
      ]
    let body = try await withEnvironment(variables) {
      let response = try await transport.send(
        HTTPRequest(method: "GET", url: server.baseURL + "/x"))
      return try await collect(response.body)
    }
    #expect(body == Array(#"{"via":"direct"}"#.utf8))
    #expect(server.requests.map(\.path) == ["/x"])
    #expect(proxy.requests.isEmpty)
  }
}
