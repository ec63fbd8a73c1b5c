import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// `POST /api/pull` against a fake Ollama (protocols.md §3, §13).
@Suite(.timeLimit(.minutes(10))) struct OllamaPullTests {
  let transport = CurlTransport()

  func ollama(_ base: String) -> ProviderInfo {
    ProviderInfo(id: "ollama", name: "Ollama", baseURL: base, wire: .ollama, isLocal: true)
  }

  func pull(_ server: FakeHTTPServer, _ model: String = "qwen3:8b") async throws -> [PullProgress] {
    let seen = Mutex<[PullProgress]>([])
    try await OllamaPull(
      provider: ollama(server.baseURL + "/api"), transport: transport, environment: [:]
    )
    .pull(model) { p in seen.withLock { $0.append(p) } }
    return seen.withLock { $0 }
  }

  @Test func progressSumsLayersUntilSuccess() async throws {
    let server = try FakeHTTPServer { req in
      guard req.path == "/api/pull" else { return .json(404, "{}") }
      return .ndjson([
        #"{"status":"pulling manifest"}"#,
        #"{"status":"pulling aaaaaaaaaaaa","digest":"sha256:aaaa","total":1000}"#,
        #"{"status":"pulling aaaaaaaaaaaa","digest":"sha256:aaaa","total":1000,"completed":400}"#,
        #"{"status":"pulling bbbbbbbbbbbb","digest":"sha256:bbbb","total":3000,"completed":1000}"#,
        #"{"status":"pulling aaaaaaaaaaaa","digest":"sha256:aaaa","total":1000,"completed":1000}"#,
        #"{"status":"verifying sha256 digest"}"#, #"{"status":"writing manifest"}"#,
        #"{"status":"success"}"#,
      ])
    }
    defer { server.stop() }
    let seen = try await pull(server)
    #expect(seen.first?.status == "pulling manifest")
    #expect(seen.first?.fraction == nil)
    #expect(seen[2] == PullProgress(status: "pulling aaaaaaaaaaaa", completed: 400, total: 1000))
    #expect(seen[3].completed == 1400 && seen[3].total == 4000)
    #expect(seen[4].completed == 2000)
    #expect(seen.last?.status == "success")
    let body = try #require(server.requests.first?.bodyJSON)
    #expect(body["model"] == "qwen3:8b")
    #expect(body["stream"] == true)
  }

  @Test func errorLineInsideTheStreamIsAnError() async throws {
    let server = try FakeHTTPServer { _ in
      .ndjson([
        #"{"status":"pulling manifest"}"#,
        #"{"error":"pull model manifest: file does not exist"}"#,
      ])
    }
    defer { server.stop() }
    await #expect {
      _ = try await pull(server, "nosuchmodel")
    } throws: { error in
      let text = "\(error)"
      return text.contains("could not pull nosuchmodel") && text.contains("file does not exist")
        && text.contains("ollama.com/library")
    }
  }

  @Test(arguments: [400, 500])
  func errorStatusIsAnError(_ status: Int) async throws {
    let server = try FakeHTTPServer { _ in .json(status, #"{"error":"invalid model name"}"#) }
    defer { server.stop() }
    await #expect {
      _ = try await pull(server, "Bad Name")
    } throws: { "\($0)".contains("invalid model name") }
  }

  @Test func streamEndingEarlyIsAnError() async throws {
    let server = try FakeHTTPServer { _ in .ndjson([#"{"status":"pulling manifest"}"#]) }
    defer { server.stop() }
    await #expect {
      _ = try await pull(server)
    } throws: { "\($0)".contains("before Ollama said success") }
  }

  @Test func onlyOllamaPulls() async throws {
    let vllm = ProviderInfo(
      id: "vllm", name: "vLLM", baseURL: "http://127.0.0.1:1/v1", wire: .chat, flavor: .vllm)
    await #expect(throws: PullError.notOllama(provider: "vLLM")) {
      try await OllamaPull(provider: vllm, transport: transport, environment: [:]).pull("x") { _ in
      }
    }
  }

  @Test func downIsUnreachableWithTheStartHint() async throws {
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    var p = ollama("http://127.0.0.1:\(port)")
    p.startHint = "ollama serve"
    await #expect {
      try await OllamaPull(provider: p, transport: transport, environment: [:]).pull("x") { _ in }
    } throws: { "\($0)".contains("ollama serve") }
  }

  @Test func cancellingStopsTheDownload() async throws {
    let server = try FakeHTTPServer { _ in
      .ndjson([#"{"status":"pulling aaaa","digest":"d","total":10,"completed":1}"#], then: [.hang])
    }
    defer { server.stop() }
    let started = Mutex(false)
    let task = Task {
      try await OllamaPull(provider: ollama(server.baseURL), transport: transport, environment: [:])
        .pull("m") { _ in started.withLock { $0 = true } }
    }
    let deadline = ContinuousClock.now + .seconds(300)
    while !started.withLock({ $0 }), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(5))
    }
    task.cancel()
    await #expect(throws: (any Error).self) { try await task.value }
    #expect(
      await server.wait(timeout: .seconds(300)) { $0.openConnectionCount == 0 },
      "the download's connection was closed")
  }

  /// Hostile progress numbers are ignored, not trusted.
  @Test func trackerIgnoresBadNumbers() throws {
    var t = PullTracker()
    let p = try t.read(
      Array(#"{"status":"pulling x","digest":"d","total":-5,"completed":1e300}"#.utf8), model: "m")
    #expect(p == PullProgress(status: "pulling x", completed: 0, total: 0))
    #expect(try t.read(Array("not json".utf8), model: "m") == nil)
  }
}
