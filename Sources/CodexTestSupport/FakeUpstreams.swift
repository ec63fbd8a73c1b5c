import CodexCore

/// A scripted model answer, to be sent in any wire's format.
public struct FakeAnswer: Sendable {
  public var reasoning: [String]
  public var text: [String]
  /// (id, name, JSON arguments)
  public var toolCalls: [(id: String, name: String, arguments: String)]
  public var inputTokens: Int
  public var outputTokens: Int

  public init(
    reasoning: [String] = [], text: [String] = [],
    toolCalls: [(id: String, name: String, arguments: String)] = [], inputTokens: Int = 11,
    outputTokens: Int = 7
  ) {
    self.reasoning = reasoning
    self.text = text
    self.toolCalls = toolCalls
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
  }
}

/// How one wire's server answers, for fake upstreams: a new wire is one more row in `all`.
public struct FakeUpstreamWire: Sendable {
  /// The `wire_api` value.
  public let name: String
  /// Appended to the fake server's root for `base_url`.
  public let basePath: String
  /// What the path of the wire's streaming request contains and no other request of it does
  /// (`/v1/chat/completions`; Gemini's path names the model, so `:streamGenerateContent`).
  public let streamPath: String
  /// Whether the wire carries native tool calls (TGI's native one does not).
  public let supportsTools: Bool
  /// Whether the wire reports reasoning separately.
  public let supportsReasoning: Bool
  /// The streaming answer, one event per chunk; `then` follows the events (`.close` to drop the
  /// connection mid-answer, `.hang`).
  public let stream: @Sendable (FakeAnswer, _ cutAfter: Int?, _ then: [FakeStep]) -> FakeResponse

  public static let chat = FakeUpstreamWire(
    name: "chat", basePath: "/v1", streamPath: "/v1/chat/completions", supportsTools: true,
    supportsReasoning: true
  ) { answer, cutAfter, then in
    var events: [String] = []
    for r in answer.reasoning {
      events.append(chunk(["reasoning_content": .string(r)]))
    }
    for t in answer.text { events.append(chunk(["content": .string(t)])) }
    for (n, c) in answer.toolCalls.enumerated() {
      events.append(
        chunk([
          "tool_calls": [
            [
              "index": .int(Int64(n)), "id": .string(c.id), "type": "function",
              "function": ["name": .string(c.name), "arguments": ""],
            ]
          ]
        ]))
      events.append(
        chunk([
          "tool_calls": [
            ["index": .int(Int64(n)), "function": ["arguments": .string(c.arguments)]]
          ]
        ]))
    }
    events.append(
      JSON.object([
        "choices": [
          [
            "index": 0, "delta": [:],
            "finish_reason": .string(answer.toolCalls.isEmpty ? "stop" : "tool_calls"),
          ]
        ]
      ]).serialized())
    events.append(
      #"{"choices":[],"usage":{"prompt_tokens":\#(answer.inputTokens),"completion_tokens":\#(answer.outputTokens),"total_tokens":\#(answer.inputTokens + answer.outputTokens)}}"#
    )
    events.append("[DONE]")
    return sse(events.map { "data: \($0)\n\n" }, cutAfter: cutAfter, then: then)
  }

  public static let responses = FakeUpstreamWire(
    name: "responses", basePath: "/v1", streamPath: "/v1/responses", supportsTools: true,
    supportsReasoning: true
  ) { answer, cutAfter, then in
    var events: [JSON] = [
      ["type": "response.created", "response": ["id": "resp_1", "status": "in_progress"]]
    ]
    for r in answer.reasoning {
      events.append(
        ["type": "response.reasoning_summary_text.delta", "item_id": "rs_1", "delta": .string(r)])
    }
    for t in answer.text {
      events.append(["type": "response.output_text.delta", "item_id": "msg_1", "delta": .string(t)])
    }
    for (n, c) in answer.toolCalls.enumerated() {
      let item = "fc_\(n)"
      events.append([
        "type": "response.output_item.added",
        "item": [
          "id": .string(item), "type": "function_call", "call_id": .string(c.id),
          "name": .string(c.name), "arguments": "",
        ],
      ])
      events.append([
        "type": "response.function_call_arguments.delta", "item_id": .string(item),
        "delta": .string(c.arguments),
      ])
    }
    events.append([
      "type": "response.completed",
      "response": [
        "id": "resp_1", "status": "completed",
        "usage": [
          "input_tokens": .int(Int64(answer.inputTokens)),
          "output_tokens": .int(Int64(answer.outputTokens)),
        ],
      ],
    ])
    return sse(
      events.map { e in "event: \(e["type"]?.stringValue ?? "")\ndata: \(e.serialized())\n\n" },
      cutAfter: cutAfter, then: then)
  }

  public static let ollama = FakeUpstreamWire(
    name: "ollama", basePath: "", streamPath: "/api/chat", supportsTools: true,
    supportsReasoning: true
  ) { answer, cutAfter, then in
    var lines: [JSON] = []
    for r in answer.reasoning {
      lines.append([
        "message": ["role": "assistant", "content": "", "thinking": .string(r)], "done": false,
      ])
    }
    for t in answer.text {
      lines.append(["message": ["role": "assistant", "content": .string(t)], "done": false])
    }
    if !answer.toolCalls.isEmpty {
      let calls: [JSON] = answer.toolCalls.map { c in
        [
          "id": .string(c.id),
          "function": [
            "name": .string(c.name), "arguments": (try? JSON.parse(c.arguments)) ?? [:],
          ],
        ]
      }
      lines.append([
        "message": ["role": "assistant", "content": "", "tool_calls": .array(calls)],
        "done": false,
      ])
    }
    lines.append([
      "message": ["role": "assistant", "content": ""], "done": true, "done_reason": "stop",
      "prompt_eval_count": .int(Int64(answer.inputTokens)),
      "eval_count": .int(Int64(answer.outputTokens)),
    ])
    let body = lines.map { $0.serialized() + "\n" }
    return FakeResponse(
      status: 200, headers: [("Content-Type", "application/x-ndjson")],
      steps: steps(body, cutAfter: cutAfter, then: then), framing: .chunked)
  }

  public static let tgi = FakeUpstreamWire(
    name: "tgi", basePath: "", streamPath: "/generate_stream", supportsTools: false,
    supportsReasoning: false
  ) { answer, cutAfter, then in
    var events: [String] = []
    for (n, t) in answer.text.enumerated() {
      events.append(
        JSON.object([
          "index": .int(Int64(n + 1)),
          "token": [
            "id": .int(Int64(n + 100)), "text": .string(t), "logprob": -0.1, "special": false,
          ],
          "generated_text": nil, "details": nil,
        ]).serialized())
    }
    events.append(
      JSON.object([
        "index": .int(Int64(answer.text.count + 1)),
        "token": ["id": 2, "text": "</s>", "logprob": 0, "special": true],
        "generated_text": .string(answer.text.joined()),
        "details": [
          "finish_reason": "eos_token", "generated_tokens": .int(Int64(answer.outputTokens)),
          "input_length": .int(Int64(answer.inputTokens)),
        ],
      ]).serialized())
    return sse(events.map { "data:\($0)\n\n" }, cutAfter: cutAfter, then: then)
  }

  /// Anthropic's Messages stream (protocols.md §5): typed events, one content block per
  /// thinking, text and tool use, usage in `message_start` and (cumulative) `message_delta`.
  public static let anthropic = FakeUpstreamWire(
    name: "anthropic", basePath: "", streamPath: "/v1/messages", supportsTools: true,
    supportsReasoning: true
  ) { answer, cutAfter, then in
    var events: [JSON] = [
      [
        "type": "message_start",
        "message": [
          "id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": [],
          "stop_reason": nil,
          "usage": ["input_tokens": .int(Int64(answer.inputTokens)), "output_tokens": 1],
        ],
      ]
    ]
    var index: Int64 = 0
    func block(_ start: JSON, _ deltas: [JSON], signature: String? = nil) {
      events.append(["type": "content_block_start", "index": .int(index), "content_block": start])
      for d in deltas {
        events.append(["type": "content_block_delta", "index": .int(index), "delta": d])
      }
      if let signature {
        events.append([
          "type": "content_block_delta", "index": .int(index),
          "delta": ["type": "signature_delta", "signature": .string(signature)],
        ])
      }
      events.append(["type": "content_block_stop", "index": .int(index)])
      index += 1
    }
    if !answer.reasoning.isEmpty {
      block(
        ["type": "thinking", "thinking": ""],
        answer.reasoning.map { ["type": "thinking_delta", "thinking": .string($0)] },
        signature: "sig-1")
    }
    if !answer.text.isEmpty {
      block(
        ["type": "text", "text": ""],
        answer.text.map { ["type": "text_delta", "text": .string($0)] })
    }
    for c in answer.toolCalls {
      block(
        ["type": "tool_use", "id": .string(c.id), "name": .string(c.name), "input": [:]],
        [["type": "input_json_delta", "partial_json": .string(c.arguments)]])
    }
    events.append([
      "type": "message_delta",
      "delta": [
        "stop_reason": .string(answer.toolCalls.isEmpty ? "end_turn" : "tool_use"),
        "stop_sequence": nil,
      ],
      "usage": ["output_tokens": .int(Int64(answer.outputTokens))],
    ])
    events.append(["type": "message_stop"])
    return sse(
      events.map { e in "event: \(e["type"]?.stringValue ?? "")\ndata: \(e.serialized())\n\n" },
      cutAfter: cutAfter, then: then)
  }

  /// Gemini's `streamGenerateContent?alt=sse` (protocols.md §6): each event a whole
  /// `GenerateContentResponse`, thought summaries as `thought: true` parts, function calls
  /// whole, usage on the last event, no `[DONE]`.
  public static let gemini = FakeUpstreamWire(
    name: "gemini", basePath: "", streamPath: ":streamGenerateContent", supportsTools: true,
    supportsReasoning: true
  ) { answer, cutAfter, then in
    func event(_ parts: [JSON], finish: Bool = false) -> JSON {
      var candidate: JSONObject = [
        "content": ["role": "model", "parts": .array(parts)], "index": 0,
      ]
      var e: JSONObject = ["modelVersion": "m", "responseId": "r1"]
      if finish {
        candidate["finishReason"] = "STOP"
        e["usageMetadata"] = [
          "promptTokenCount": .int(Int64(answer.inputTokens)),
          "candidatesTokenCount": .int(Int64(answer.outputTokens)),
          "totalTokenCount": .int(Int64(answer.inputTokens + answer.outputTokens)),
        ]
      }
      e["candidates"] = [.object(candidate)]
      return .object(e)
    }
    var events: [JSON] = answer.reasoning.map { event([["text": .string($0), "thought": true]]) }
    events += answer.text.map { event([["text": .string($0)]]) }
    let calls: [JSON] = answer.toolCalls.map { c in
      [
        "functionCall": [
          "id": .string(c.id), "name": .string(c.name),
          "args": (try? JSON.parse(c.arguments)) ?? [:],
        ],
        "thoughtSignature": "sig-1",
      ]
    }
    events.append(event(calls, finish: true))
    return sse(events.map { "data: \($0.serialized())\n\n" }, cutAfter: cutAfter, then: then)
  }

  /// Every wire `codex` speaks.
  public static let all: [FakeUpstreamWire] = [chat, responses, ollama, tgi, anthropic, gemini]

  /// Whether `path` (with its query) is this wire's streaming model request rather than a
  /// lookup (a model list, Ollama's /api/show).
  public func isStreamRequest(_ path: String) -> Bool {
    path.contains(streamPath)
  }

  /// A config block for a provider `id` on this wire at `root` (the fake server's base URL).
  public func providerTOML(id: String, root: String, extra: String = "") -> String {
    """
    [model_providers.\(id)]
    base_url = "\(root)\(basePath)"
    wire_api = "\(name)"
    \(name == "tgi" ? "chat_template = \"chatml\"\n" : "")\(extra)
    """
  }

  static func chunk(_ delta: JSONObject) -> String {
    JSON.object([
      "id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
      "choices": [["index": 0, "delta": .object(delta), "finish_reason": nil]],
    ]).serialized()
  }

  static func sse(_ events: [String], cutAfter: Int?, then: [FakeStep]) -> FakeResponse {
    FakeResponse(
      status: 200, headers: [("Content-Type", "text/event-stream")],
      steps: steps(events, cutAfter: cutAfter, then: then), framing: .chunked)
  }

  static func steps(_ events: [String], cutAfter: Int?, then: [FakeStep]) -> [FakeStep] {
    let kept = cutAfter.map { Array(events.prefix($0)) } ?? events
    return kept.map { FakeStep.send($0) } + then
  }
}
