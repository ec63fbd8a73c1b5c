import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// Chat-completions SSE for `text`, split into a few deltas.
func chatSSE(_ parts: [String], reasoning: [String] = [], usage: Bool = true) -> [String] {
  var events: [String] = []
  for r in reasoning {
    events.append(
      #"{"choices":[{"index":0,"delta":{"reasoning_content":\#(JSON.quoted(r))},"finish_reason":null}]}"#
    )
  }
  for p in parts {
    events.append(
      #"{"choices":[{"index":0,"delta":{"content":\#(JSON.quoted(p))},"finish_reason":null}]}"#)
  }
  events.append(#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
  if usage {
    events.append(
      #"{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}"#)
  }
  events.append("[DONE]")
  return events
}

@Suite(.serialized) struct OneShotTests {
  @Test func chatWireStreamsTheAnswerToStdout() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/chat/completions"
        ? .sse(chatSSE(["Hello", ", ", "wörld ✓"])) : .json(404, "{}")
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m1", "say hi",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "Hello, wörld ✓\n")
    let body = try #require(server.modelRequests.first?.bodyJSON)
    #expect(body["model"] == "m1")
    #expect(body["stream"] == true)
    #expect(body["messages"]?[1]?["content"] == "say hi")
    #expect(server.modelRequests.first?.header("authorization") == nil)
  }

  @Test func ollamaNativeWithApiSuffixInURL() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      guard req.path == "/api/chat" else { return .json(404, "{}") }
      return .stream(
        status: 200, headers: [("Content-Type", "application/x-ndjson")],
        steps: [
          .send(#"{"message":{"role":"assistant","content":"Hi "},"done":false}"# + "\n"),
          .send(#"{"message":{"role":"assistant","content":"there"},"done":false}"# + "\n"),
          .send(
            #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":2}"#
              + "\n"),
        ])
    }
    defer { server.stop() }
    for url in [server.baseURL + "/api", server.baseURL] {
      let r = try await s.run([
        "--provider", "ollama", "--provider-url", url, "--model", "llama3", "hello",
      ])
      #expect(r.exitCode == 0, "\(r.stderr)")
      #expect(r.stdout == "Hi there\n")
    }
    // Besides the chat, only the context lookup (once per run) is asked.
    #expect(
      server.modelRequests.allSatisfy { ["/api/chat", "/api/show", "/api/ps"].contains($0.path) })
    #expect(server.modelRequests.filter { $0.path == "/api/chat" }.count == 2)
  }

  @Test func tgiNativeGenerateStream() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "home/.codex/config.toml",
      """
      [model_providers.huggingface]
      wire_api = "tgi"
      chat_template = "mistral"
      """)
    let server = try FakeHTTPServer { req in
      guard req.path == "/generate_stream" else { return .json(404, "{}") }
      return .sse([
        #"{"index":1,"token":{"id":1,"text":"def","logprob":0,"special":false},"generated_text":null,"details":null}"#,
        #"{"index":2,"token":{"id":2,"text":" fib","logprob":0,"special":false},"generated_text":null,"details":null}"#,
        #"{"index":3,"token":{"id":3,"text":"</s>","logprob":0,"special":true},"generated_text":"def fib","details":null}"#,
      ])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "huggingface", "--provider-url", server.baseURL, "--model",
      "mistral-7b-instruct",
      "-s", "danger-full-access", "-a", "never", "write fib",
    ])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "def fib\n")
    let inputs = try #require(server.modelRequests.first?.bodyJSON?["inputs"]?.stringValue)
    #expect(inputs.hasPrefix("<s>[INST] "))
    #expect(inputs.contains("write fib [/INST]"))
  }

  @Test func responsesWireForOpenAIWithKey() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("home/.codex/config.toml", "[model_providers.openai]\nbase_url = \"BASE\"\n")
    let server = try FakeHTTPServer { req in
      guard req.path == "/v1/responses" else { return .json(404, "{}") }
      return .stream(
        status: 200, headers: [("Content-Type", "text/event-stream")],
        steps: [
          .send(
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"4\"}\n\n"
          ),
          .send(
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n"
          ),
        ])
    }
    defer { server.stop() }
    let config = try #require(s.read("home/.codex/config.toml")).replacing(
      "BASE", with: server.baseURL + "/v1")
    try s.write("home/.codex/config.toml", config)
    let r = try await s.run(
      ["-m", "gpt-5", "2+2?"], environment: ["OPENAI_API_KEY": "sk-test-123456"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "4\n")
    #expect(server.modelRequests.first?.header("authorization") == "Bearer sk-test-123456")
  }

  @Test func missingKeyFailsBeforeAnyRequest() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let r = try await s.run(["--provider", "openrouter", "-m", "x", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("set the environment variable OPENROUTER_API_KEY"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func unreachableLocalServerNamesURLAndWhatToStart() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let r = try await s.run([
      "--provider", "ollama", "--provider-url", "http://127.0.0.1:\(port)", "-m", "llama3", "hi",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("http://127.0.0.1:\(port)/api/chat"))
    #expect(r.stderr.contains("ollama serve"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func unreachableServerWithNoModelConfiguredSaysUnreachable() async throws {
    // With no model set, codex first asks the server which models it has: when nothing
    // listens, that is the error to report, not "no model chosen".
    let s = try Scratch()
    defer { s.cleanUp() }
    let refusing = try RefusingPort()
    defer { withExtendedLifetime(refusing) {} }
    let port = refusing.port
    let r = try await s.run(["--provider-url", "http://127.0.0.1:\(port)/v1", "hi"])
    #expect(r.exitCode == 1)
    #expect(
      r.stderr.contains(
        "cannot reach the OpenAI-compatible server at http://127.0.0.1:\(port)/v1/models"),
      "\(r.stderr)")
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func unauthorizedNamesTheKey() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .json(
        401, #"{"error":{"message":"Invalid API Key","type":"authentication_error","code":401}}"#)
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "llamacpp", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("401"))
    #expect(r.stderr.contains("Invalid API Key"))
    #expect(r.stderr.contains("LLAMA_API_KEY"))
  }

  @Test func modelNotFoundListsServedModels() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      if req.path == "/v1/models" {
        return .json(
          200,
          #"{"object":"list","data":[{"id":"qwen2.5-7b","object":"model"},{"id":"llama-3.1-8b","object":"model"}]}"#
        )
      }
      return .json(
        404,
        #"{"error":{"message":"The model `nope` does not exist.","type":"NotFoundError","code":404}}"#
      )
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "nope", "hi",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("no model 'nope'"))
    #expect(r.stderr.contains("available: qwen2.5-7b, llama-3.1-8b"))
  }

  @Test func wrongPathSaysWhichEndpointAndWire() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .json(404, "404 page not found") }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL, "-m", "m", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("POST \(server.baseURL)/chat/completions"))
    #expect(r.stderr.contains("'chat' wire"))
  }

  @Test func rateLimitRetriedAfterRetryAfterThenSucceeds() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let calls = Counter()
    let server = try FakeHTTPServer { req in
      guard req.method == "POST" else { return .json(404, "{}") }
      return calls.next() == 0
        ? .json(429, #"{"error":{"message":"slow down"}}"#, headers: [("Retry-After", "0.2")])
        : .sse(chatSSE(["ok"]))
    }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL + "/v1", "-m", "m", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "ok\n")
    #expect(server.modelRequests.count == 2)
  }

  @Test func serverErrorsExhaustRetries() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write("home/.codex/config.toml", "[model_providers.vllm]\nrequest_max_retries = 1\n")
    let server = try FakeHTTPServer { _ in
      .json(500, #"{"error":{"message":"CUDA out of memory"}}"#)
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("HTTP 500 (CUDA out of memory) after 2 attempts"))
    #expect(server.modelRequests.count == 2)
  }

  @Test func errorInsideA200Stream() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .sse([
        #"{"choices":[{"delta":{"content":"partial"}}]}"#,
        #"{"error":{"message":"context length exceeded","code":400}}"#, "[DONE]",
      ])
    }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL + "/v1", "-m", "m", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stdout == "partial\n")
    #expect(r.stderr.contains("mid-stream: context length exceeded"))
  }

  @Test func malformedStreamDataIsOneClearLine() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in
      .sse([#"{"choices":[{"delta":{"content":"a"}}]}"#, "{not json"])
    }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL + "/v1", "-m", "m", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("sent malformed stream data"))
    #expect(r.stderr.contains("{not json"))
    #expect(r.stderr.split(separator: "\n").count == 1)
  }

  @Test func droppedConnectionBeforeAnyTextIsRetried() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let calls = Counter()
    let server = try FakeHTTPServer { req in
      guard req.method == "POST" else { return .json(404, "{}") }
      return calls.next() == 0 ? .sse([], then: [.close]) : .sse(chatSSE(["second try"]))
    }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL + "/v1", "-m", "m", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(r.stdout == "second try\n")
    #expect(server.modelRequests.count == 2)
  }

  @Test func silentServerHitsIdleTimeout() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    try s.write(
      "home/.codex/config.toml",
      "[model_providers.vllm]\nstream_idle_timeout_ms = 300\nstream_max_retries = 0\n")
    let server = try FakeHTTPServer { _ in
      .stream(
        status: 200, headers: [("Content-Type", "text/event-stream")],
        steps: [.send(": ping\n\n"), .hang])
    }
    defer { server.stop() }
    let r = try await s.run([
      "--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi",
    ])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("sent nothing for"))
    #expect(r.stderr.contains("stream_idle_timeout_ms"))
  }

  @Test func stdinIsThePromptOrIsAppendedToIt() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["ok"])) }
    defer { server.stop() }
    _ = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m"], stdin: "from stdin\n")
    _ = try await s.run(
      ["--provider-url", server.baseURL + "/v1", "-m", "m", "explain this"], stdin: "let x = 1\n")
    let prompts = server.modelRequests.map { $0.bodyJSON?["messages"]?[1]?["content"]?.stringValue }
    #expect(prompts == ["from stdin\n", "explain this\n\nlet x = 1\n"])
  }

  @Test func reasoningGoesToStderrWhenPiped() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["42"], reasoning: ["Let me ", "think."])) }
    defer { server.stop() }
    let r = try await s.run(["--provider-url", server.baseURL + "/v1", "-m", "m", "q"])
    #expect(r.stdout == "42\n")
    #expect(r.stderr.contains("Let me think."))
  }

  @Test func debugShowsTheWireWithTheKeyRedacted() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { _ in .sse(chatSSE(["ok"])) }
    defer { server.stop() }
    let r = try await s.run(
      ["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "-m", "m", "hi"],
      environment: ["DEBUG": "1", "VLLM_API_KEY": "supersecretvalue"])
    #expect(r.exitCode == 0)
    #expect(r.stderr.contains("> POST \(server.baseURL)/v1/chat/completions"))
    #expect(r.stderr.contains("Authorization: Bearer <redacted 16 chars>"))
    #expect(!r.stderr.contains("supersecretvalue"))
    #expect(r.stderr.contains("< HTTP 200"))
    #expect(r.stderr.contains("ms] < data: [DONE]"))
    #expect(server.modelRequests.first?.header("authorization") == "Bearer supersecretvalue")
  }

  @Test func unknownFlagIsAUsageError() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let r = try await s.run(["--modle", "x", "hi"])
    #expect(r.exitCode == 2)
    #expect(r.stderr.contains("unknown option '--modle'; did you mean '--model'?"))
    #expect(r.stderr.contains("usage: codex"))
  }

  @Test func helpAndVersion() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let v = try await s.run(["--version"])
    #expect(v.exitCode == 0)
    #expect(v.stdout.hasPrefix("codex "))
    let h = try await s.run(["-h"])
    #expect(h.exitCode == 0)
    #expect(h.stdout.contains("--provider-url"))
  }

  @Test func modelAskedFromTheServerWhenNoneConfigured() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let server = try FakeHTTPServer { req in
      req.path == "/v1/models"
        ? .json(200, #"{"data":[{"id":"only-model"}]}"#) : .sse(chatSSE(["ok"]))
    }
    defer { server.stop() }
    let r = try await s.run(["--provider", "vllm", "--provider-url", server.baseURL + "/v1", "hi"])
    #expect(r.exitCode == 0, "\(r.stderr)")
    #expect(server.modelRequests.last?.bodyJSON?["model"] == "only-model")
  }
}

/// A thread-safe call counter for scripted servers.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var n = 0
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    n += 1
    return n - 1
  }
}
