import CodexTestSupport
import Synchronization
import Testing

@testable import CodexCore

/// A `ServeService` behind a real `HTTPServer` on loopback, configured from config.toml text,
/// talking to fake upstreams through the real `CurlTransport`.
final class ProxyFixture: Sendable {
  let scratch: Scratch
  let server: HTTPServer
  let config: Config
  let service: ServeService
  private let logBox = LogBox()

  final class LogBox: Sendable {
    let lines = Mutex<[String]>([])
  }

  init(
    _ toml: String, apiKey: String? = nil, environment: [String: String] = [:],
    limits: HTTPServerLimits = HTTPServerLimits()
  ) throws {
    scratch = try Scratch()
    try scratch.write("home/.codex/config.toml", toml)
    var env = environment
    env["CODEX_HOME"] = scratch.codexHome
    env["HOME"] = scratch.home
    config = try ConfigLoader(environment: env, currentDirectory: scratch.work).load(
      ConfigOverrides())
    let box = logBox
    service = ServeService(
      config: config, environment: env, transport: CurlTransport(), apiKey: apiKey,
      log: { line in box.lines.withLock { $0.append(line) } },
      // A hang guard: what a fake upstream says about a model must arrive on a busy machine.
      probeTimeout: .seconds(120))
    server = try HTTPServer(
      host: "127.0.0.1", port: 0, limits: limits, handler: service.handle)
    try server.start()
  }

  var port: Int { server.port }
  var log: [String] { logBox.lines.withLock { $0 } }

  func stop() async {
    await server.shutdown(grace: .zero)
    scratch.cleanUp()
  }

  /// POSTs `body` and reads the whole response.
  func post(
    _ path: String, _ body: String, headers: [(String, String)] = [],
    timeoutMs: Int32 = RawHTTPConnection.hangGuardMs
  ) async throws -> RawHTTPResponse {
    let port = self.port
    var head = "POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    for (n, v) in headers { head += "\(n): \(v)\r\n" }
    let bytes =
      Array(head.utf8) + Array("Content-Length: \(body.utf8.count)\r\n\r\n".utf8)
      + Array(body.utf8)
    return try await RawHTTPConnection.run {
      let c = try RawHTTPConnection(port: port)
      try c.send(bytes)
      return try c.readResponse(timeoutMs: timeoutMs)
    }
  }

  func get(_ path: String, headers: [(String, String)] = []) async throws -> RawHTTPResponse {
    var head = "GET \(path) HTTP/1.1\r\nHost: x\r\n"
    for (n, v) in headers { head += "\(n): \(v)\r\n" }
    return try await exchange(port, head + "\r\n")
  }

  /// The log lines that mention `path`, once there are `count` of them.
  func logLines(for path: String, count: Int = 1) async -> [String] {
    _ = await eventually { self.log.filter { $0.contains(" \(path) ") }.count >= count }
    return log.filter { $0.contains(" \(path) ") }
  }
}

/// The `data:` payloads of an SSE body (`[DONE]` included), with their `event:` names.
func sseEvents(_ body: String) -> [(event: String?, data: String)] {
  var out: [(String?, String)] = []
  for block in body.split(separator: "\n\n", omittingEmptySubsequences: true) {
    var name: String?
    var data: [String] = []
    for line in block.split(separator: "\n") {
      if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
      if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
    }
    if !data.isEmpty { out.append((name, data.joined(separator: "\n"))) }
  }
  return out
}

/// The JSON payloads of an SSE body, `[DONE]` left out.
func sseJSON(_ body: String) -> [JSON] {
  sseEvents(body).compactMap { $0.data == "[DONE]" ? nil : try? JSON.parse($0.data) }
}

/// A chat request body.
func chatBody(
  model: String = "m1", stream: Bool = true, includeUsage: Bool = true, extra: String = ""
) -> String {
  """
  {"model":"\(model)","stream":\(stream),"stream_options":{"include_usage":\(includeUsage)},
   "messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"hi"}]\(extra)}
  """
}
