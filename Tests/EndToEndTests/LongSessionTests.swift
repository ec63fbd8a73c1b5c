import CodexCore
import CodexTestSupport
import Foundation
import Synchronization
import Testing

/// A long tool-using session on a small window, through the built binary: a fake llama.cpp that
/// refuses prompts past 4,096 tokens (with llama.cpp's own error) and reports its window on
/// `/props`, a scripted model that makes 40 shell calls with sizeable output, and codex, which
/// must finish the task by compacting.
@Suite struct LongSessionTests {
  @Test func fortyToolCallsOnA4096TokenWindowFinish() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let calls = Mutex(0)
    let model = ScriptedChatModel(contextLimit: 4096) { turn in
      if turn.isSummaryRequest {
        return .text(
          "Goal: run the 40 numbered steps. Done: \(calls.withLock { $0 }) steps. Remaining: the rest."
        )
      }
      let n = calls.withLock { c -> Int in
        c += 1
        return c
      }
      if n > 40 { return .text("All 40 steps are done.") }
      let args = JSON.object([
        "command": [
          "bash", "-lc", .string("seq 1 150 | paste -sd ' '; echo step \(n) > step\(n).txt"),
        ]
      ]).serialized()
      return .calls([("shell", args)])
    }
    let server = try FakeHTTPServer { req in
      if req.path.hasSuffix("/props") {
        return .json(200, #"{"default_generation_settings":{"n_ctx":4096}}"#)
      }
      return model.handle(req)
    }
    defer { server.stop() }
    let r = try await s.run(
      [
        "--provider", "llamacpp", "--provider-url", server.baseURL + "/v1", "-m", "m",
        "--full-auto", "run all 40 steps",
      ],
      timeout: .seconds(300))
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout.contains("All 40 steps are done"))
    for n in 1...40 { #expect(s.read("work/step\(n).txt") == "step \(n)\n", "step \(n)") }
    #expect(r.stderr.contains("context compacted"), "\(r.stderr)")
    // Compaction before sending kept the refusals to the odd estimate miss.
    #expect(model.overflowCount <= 3, "\(model.promptSizes)")
  }
}
