import CodexTestSupport
import Foundation
import Synchronization
import Testing

@testable import CodexCore

/// A seeded fuzzer over every wire (`WireAPI.allCases`: a new wire is fuzzed with no change
/// here, and its fixtures are found by their `<wire>-` prefix). Hostile bodies go through the
/// production decoder (fast path on and off), and hostile heads and bodies through the real
/// `ModelClient` over an in-memory transport. No input may trap; every failure must be one
/// `ProviderError` whose description is one line.
///
/// Each run uses a new seed unless `CODEX_FUZZ_SEED` is set; the seed and the case number are
/// in every failure message, so `CODEX_FUZZ_SEED=<seed> swift test --filter WireFuzzTests`
/// replays the run (raise `CODEX_FUZZ_SECONDS` if the case came late). It runs for
/// `CODEX_FUZZ_SECONDS` (default 4) in all, split over the wires and the two tests, and yields
/// between cases so it never holds the cooperative pool from other tests.
@Suite struct WireFuzzTests {
  static let seed: UInt64 = {
    if let s = ProcessInfo.processInfo.environment["CODEX_FUZZ_SEED"], let n = UInt64(s) {
      return n
    }
    return UInt64.random(in: 0...UInt64.max)
  }()

  static let totalBudget: Duration = {
    let s = ProcessInfo.processInfo.environment["CODEX_FUZZ_SECONDS"].flatMap(Double.init) ?? 4
    return .milliseconds(Int64(min(max(s, 0.1), 3600) * 1000))
  }()

  /// Each test gets its share per wire; at least this many cases run however slow the machine.
  static var budgetPerWire: Duration { totalBudget / (2 * WireAPI.allCases.count) }
  static let minimumCases = 40

  /// Runs `body` on fresh cases until the budget is spent; `body` returns a failure or nil.
  /// With `CODEX_FUZZ_STATS` set, prints how many cases ran.
  static func fuzz(
    _ api: WireAPI, salt: UInt64, _ name: String = #function,
    _ body: (inout FuzzRandom, WireFuzzer) async -> String?
  ) async throws {
    var caseNumber = 0
    defer {
      if ProcessInfo.processInfo.environment["CODEX_FUZZ_STATS"] != nil {
        print("fuzz \(name) \(api.rawValue): seed \(seed), \(caseNumber) cases")
      }
    }
    let fuzzer = try WireFuzzer(api: api)
    let clock = ContinuousClock()
    let deadline = clock.now + budgetPerWire
    while caseNumber < minimumCases || clock.now < deadline {
      // Each case has its own generator, so a case does not depend on how far the last went.
      var rng = FuzzRandom(seed: seed ^ salt ^ (UInt64(caseNumber) &* 0x9E37_79B9_7F4A_7C15))
      if let failure = await body(&rng, fuzzer) {
        let message =
          "wire \(api.rawValue), seed \(seed), case \(caseNumber): \(failure) "
          + "(replay: CODEX_FUZZ_SEED=\(seed) swift test --filter WireFuzzTests)"
        Issue.record(Comment(rawValue: message))
        return
      }
      caseNumber += 1
      await Task.yield()
    }
  }

  static func show(_ chunks: [[UInt8]]) -> String {
    let text = String(decoding: chunks.flatMap { $0 }.prefix(400), as: UTF8.self)
    return String(reflecting: text)
  }

  enum Outcome: Equatable {
    case events([ChatEvent])
    case failed(WireError)
  }

  static func decode(_ api: WireAPI, _ chunks: [[UInt8]], fastPath: Bool) -> Result<
    Outcome, any Error
  > {
    var decoder = StreamDecoder(wire: Wires.wire(for: api), fastPath: fastPath)
    var events: [ChatEvent] = []
    do {
      for c in chunks { try decoder.feed(c, into: &events) }
      try decoder.finish(into: &events)
      return .success(.events(events))
    } catch let e as WireError {
      return .success(.failed(e))
    } catch {
      return .failure(error)
    }
  }

  @Test(arguments: WireAPI.allCases)
  func hostileBodiesDecodeToEventsOrAWireError(_ api: WireAPI) async throws {
    try await Self.fuzz(api, salt: 1) { rng, fuzzer in
      let chunks = fuzzer.body(using: &rng)
      let fast = Self.decode(api, chunks, fastPath: true)
      let slow = Self.decode(api, chunks, fastPath: false)
      guard case .success(let f) = fast, case .success(let s) = slow else {
        return "an error that is not a WireError for \(Self.show(chunks))"
      }
      if f != s {
        return
          "the fast path disagrees with the general one (\(f) vs \(s)) for \(Self.show(chunks))"
      }
      if case .failed(let e) = f {
        let text = ProviderError.malformedStream(provider: "P", detail: "\(e)").description
        if text.contains("\n") { return "a multi-line error \(String(reflecting: text))" }
      }
      return nil
    }
  }

  @Test(arguments: WireAPI.allCases)
  func theClientEndsEveryHostileResponseWithOneProviderErrorOrAnAnswer(_ api: WireAPI)
    async throws
  {
    try await Self.fuzz(api, salt: 2) { rng, fuzzer in
      let head = fuzzer.head(using: &rng)
      let chunks = fuzzer.body(using: &rng)
      let transport = ScriptedTransport { _ in
        FakeResponse(status: head.status, headers: head.headers, steps: chunks.map { .send($0) })
      }
      let client = ModelClient(
        provider: Self.provider(for: api), transport: transport,
        environment: Self.provider(for: api).envKey.map { [$0: "k"] } ?? [:])
      let request = ChatRequest(model: "m", messages: [.user("hi")])
      do {
        try await client.run(request) { _ in }
        return nil
      } catch let e as ProviderError {
        let text = e.description
        if text.contains("\n") || text.contains("\r") {
          return "a multi-line error \(String(reflecting: text)) for status \(head.status) "
            + "\(head.headers) and \(Self.show(chunks))"
        }
        return nil
      } catch {
        return "not a ProviderError: \(type(of: error)) \(error) for \(Self.show(chunks))"
      }
    }
  }

  /// The built-in provider of the wire when there is one (its auth and quirks), with retries
  /// off: a retry would only wait.
  static func provider(for api: WireAPI) -> ProviderInfo {
    var p =
      BuiltInProviders.all.first { $0.wire == api }
      ?? ProviderInfo(id: "fuzz", name: "Fuzz", baseURL: "http://127.0.0.1:9/v1", wire: api)
    p.baseURL = "http://127.0.0.1:9/v1"
    p.requestMaxRetries = 0
    p.streamMaxRetries = 0
    return p
  }
}
