import Testing

@testable import CodexCore

@Suite struct GeminiDecoderTests {
  let wire = GeminiWire()

  @Test func thoughtsTextAndParallelCallsDecodeEveryWay() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/gemini-thoughts-parallel-calls.sse"))
    #expect(
      events == [
        .reasoningDelta("**Listing files**\n\nThe user wants a listing <now>."),
        .textDelta("Let me check – naïve ☀️ "), .textDelta("both."),
        // No ids from the server: made up, unique per response, never sent back.
        .toolCall(
          ToolCall(
            id: "call_qpc2afWVFJK4vr0Pq6WiyAU_0", name: "shell",
            arguments: #"{"command":["bash","-lc","ls"]}"#)),
        .toolCall(
          ToolCall(
            id: "call_qpc2afWVFJK4vr0Pq6WiyAU_1", name: "shell", arguments: #"{"command":["date"]}"#
          )),
        // The last usage wins; prompt includes the cached part; thoughts are output.
        .usage(
          TokenUsage(
            inputTokens: 86, outputTokens: 134, cachedInputTokens: 64, reasoningTokens: 104)),
        .wireState(
          WireState(
            wire: .gemini,
            data: [
              "calls": [
                [
                  "signature":
                    "CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfpmNpgBwplAXLI2nyA/pIFcnZw=="
                ],
                [:],
              ]
            ])),
        .finished(.toolCalls),
      ])
  }

  @Test func serverCallIDAndTheSignatureOnTheLastEmptyPart() throws {
    let events = try decodeEveryWay(wire, Fixture.bytes("wires/gemini-text-signature-call-id.sse"))
    #expect(
      events == [
        .toolCall(ToolCall(id: "fc_7q1", name: "shell", arguments: #"{"command":["pwd"]}"#)),
        .textDelta("Running it."),
        .usage(TokenUsage(inputTokens: 12, outputTokens: 9)),
        .wireState(
          WireState(
            wire: .gemini,
            data: [
              "calls": [["id": "fc_7q1", "signature": "Gx3sigA"]], "text_signature": "TxtSig9",
            ])),
        .finished(.toolCalls),
      ])
  }

  static func sse(_ chunks: [String]) -> [UInt8] {
    Array(chunks.map { "data: \($0)\n\n" }.joined().utf8)
  }

  static func finishing(_ reason: String, message: String? = nil) -> [UInt8] {
    let m = message.map { #","finishMessage":\#(JSON.quoted($0))"# } ?? ""
    return sse([
      #"{"candidates":[{"content":{"parts":[{"text":"partial"}],"role":"model"},"finishReason":"\#(reason)"\#(m),"index":0}]}"#
    ])
  }

  @Test func blockingFinishReasonsAreOneLineErrors() {
    #expect(
      throws: WireError.serverError(
        "the answer was withheld by its safety filters (finishReason SAFETY)")
    ) { try decodeStream(wire, [Self.finishing("SAFETY")]) }
    #expect(
      throws: WireError.serverError(
        "the answer was withheld for reciting copyrighted text (finishReason RECITATION)")
    ) { try decodeStream(wire, [Self.finishing("RECITATION")]) }
    #expect(
      throws: WireError.serverError(
        "the model wrote a tool call it could not parse; ask again or rephrase (finishReason MALFORMED_FUNCTION_CALL: Malformed function call: print(default_api.shell( command=[ 'ls' )))"
      )
    ) {
      try decodeStream(
        wire,
        [
          Self.finishing(
            "MALFORMED_FUNCTION_CALL",
            message: "Malformed function call: print(default_api.shell(\n command=[\n 'ls' ))")
        ])
    }
    #expect(
      throws: WireError.serverError("the answer stopped early (finishReason SOMETHING_NEW)")
    ) { try decodeStream(wire, [Self.finishing("SOMETHING_NEW")]) }
    #expect(
      throws: WireError.serverError("the prompt was refused (blockReason PROHIBITED_CONTENT)")
    ) {
      try decodeStream(
        wire,
        [
          Self.sse([
            #"{"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":5}}"#
          ])
        ])
    }
  }

  @Test func finishReasonsThatEndNormally() throws {
    let length = try decodeStream(wire, [Self.finishing("MAX_TOKENS")])
    #expect(length == [.textDelta("partial"), .finished(.length)])
    #expect(try decodeStream(wire, [Self.finishing("STOP")]).last == .finished(.stop))
  }

  @Test func errorsInTheStream() {
    let unavailable = Self.sse([
      #"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#
    ])
    #expect(throws: WireError.transient("The model is overloaded. Please try again later.")) {
      try decodeStream(wire, [unavailable])
    }
    let overflow = Self.sse([
      #"{"error":{"code":400,"message":"The input token count (132478) exceeds the maximum number of tokens allowed (131072).","status":"INVALID_ARGUMENT"}}"#
    ])
    #expect(
      throws: WireError.serverError(
        "The input token count (132478) exceeds the maximum number of tokens allowed (131072).")
    ) { try decodeStream(wire, [overflow]) }
  }

  @Test func noEndMarkerButAStreamWithoutAFinishReasonIsCut() {
    let cut = Self.sse([
      #"{"candidates":[{"content":{"parts":[{"text":"half"}],"role":"model"},"index":0}]}"#
    ])
    #expect(throws: WireError.truncated("the stream ended before a finishReason")) {
      try decodeStream(wire, [cut])
    }
    #expect(throws: WireError.truncated("the stream ended with no data")) {
      try decodeStream(wire, [[]])
    }
  }

  @Test func wholeResponseAndJSONArrayStream() throws {
    var d = GeminiDecoder()
    let one = try d.decodeComplete(
      try JSON.parse(
        #"{"candidates":[{"content":{"parts":[{"text":"4"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1}}"#
      ))
    #expect(
      one == [
        .textDelta("4"), .usage(TokenUsage(inputTokens: 3, outputTokens: 1)), .finished(.stop),
      ])
    var e = GeminiDecoder()
    let array = try e.decodeComplete(
      try JSON.parse(
        #"[{"candidates":[{"content":{"parts":[{"text":"a"}]}}]},{"candidates":[{"content":{"parts":[{"text":"b"}]},"finishReason":"STOP"}]}]"#
      ))
    #expect(array == [.textDelta("a"), .textDelta("b"), .finished(.stop)])
    var f = GeminiDecoder()
    #expect(throws: WireError.malformed("a Gemini response is a string, not an object")) {
      try f.decodeComplete(["x"])
    }
  }

  @Test func oddPartsAreSkippedNotFatal() throws {
    let body = Self.sse([
      #"{"candidates":[{"content":{"parts":[{"inlineData":{"mimeType":"image/png","data":"AA=="}},{"functionCall":{"name":"shell"}},{"functionCall":"odd"},{"text":7}],"role":"model"},"finishReason":"STOP"}]}"#
    ])
    #expect(
      try decodeStream(wire, [body]) == [
        .toolCall(ToolCall(id: "call_gemini_0", name: "shell", arguments: "{}")),
        .finished(.toolCalls),
      ])
  }
}

@Suite struct GeminiEncodingTests {
  let wire = GeminiWire()

  func provider(_ base: String = "https://generativelanguage.googleapis.com") -> ProviderInfo {
    ProviderInfo(id: "gemini", name: "Gemini", baseURL: base, wire: .gemini)
  }

  @Test(arguments: [
    "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/",
    "https://generativelanguage.googleapis.com/v1beta",
    "https://generativelanguage.googleapis.com/v1beta/openai/",
    "https://generativelanguage.googleapis.com/v1beta/openai",
  ])
  func baseURLSpellingsReachStreamGenerateContent(_ base: String) throws {
    let http = try wire.encode(
      ChatRequest(model: "gemini-2.5-flash", messages: [.user("hi")]), provider: provider(base),
      headers: [])
    #expect(
      http.url
        == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    )
    #expect(
      wire.modelsURL(provider: provider(base))
        == "https://generativelanguage.googleapis.com/v1beta/models")
  }

  @Test func otherVersionsResourceNamesAndQueryParameters() throws {
    var p = provider("https://proxy.example/gemini/v1")
    p.queryParams = [("tenant", "a b")]
    let http = try wire.encode(
      ChatRequest(model: "tunedModels/my-tune", messages: [.user("hi")]), provider: p, headers: [])
    #expect(
      http.url
        == "https://proxy.example/gemini/v1/tunedModels/my-tune:streamGenerateContent?alt=sse&tenant=a%20b"
    )
    let prefixed = try wire.encode(
      ChatRequest(model: "models/gemini-2.5-pro", messages: [.user("hi")]), provider: provider(),
      headers: [])
    #expect(prefixed.url.contains("/v1beta/models/gemini-2.5-pro:streamGenerateContent"))
  }

  @Test func theKeyIsAHeaderNeverInTheURL() throws {
    let headers = Wires.commonHeaders(
      wire: wire, provider: provider(), apiKey: "AIzaSecretKey", environment: [:])
    #expect(headers.map { $0.name } == ["Content-Type", "x-goog-api-key"])
    #expect(headers[1].value == "AIzaSecretKey")
    #expect(Redaction.header("x-goog-api-key", "AIzaSecretKey") == "<redacted 13 chars>")
    // A model name cannot smuggle a query in: it is escaped into its path segment.
    let http = try wire.encode(
      ChatRequest(model: "m?key=x&alt=json#frag", messages: [.user("hi")]), provider: provider(),
      headers: headers)
    #expect(
      http.url
        == "https://generativelanguage.googleapis.com/v1beta/models/m%3Fkey%3Dx%26alt%3Djson%23frag:streamGenerateContent?alt=sse"
    )
    #expect(!http.url.contains("AIzaSecretKey"))
  }

  @Test func requestShape() {
    let r = ChatRequest(
      model: "m", instructions: "be brief", messages: [.user("hi")],
      tools: [
        ToolSpec(
          name: "shell", description: "run",
          parameters: [
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": ["command": ["type": "array", "items": ["type": "string"]]],
            "additionalProperties": false,
          ])
      ],
      options: ModelOptions(
        temperature: 0.2, topP: 0.9, maxOutputTokens: 100,
        extra: [
          "thinkingConfig": ["thinkingBudget": 1024, "includeThoughts": true], "topK": 40,
          "safetySettings": [["category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"]],
        ]))
    let b = wire.body(r)
    #expect(
      b.serialized()
        == #"{"systemInstruction":{"parts":[{"text":"be brief"}]},"contents":[{"role":"user","parts":[{"text":"hi"}]}],"tools":[{"functionDeclarations":[{"name":"shell","description":"run","parametersJsonSchema":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},"additionalProperties":false}}]}],"safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT","threshold":"BLOCK_NONE"}],"generationConfig":{"temperature":0.2,"topP":0.9,"maxOutputTokens":100,"thinkingConfig":{"thinkingBudget":1024,"includeThoughts":true},"topK":40}}"#
    )
    let bare = wire.body(ChatRequest(model: "m", messages: [.user("hi")]))
    #expect(bare.objectValue?.keys == ["contents"])
  }

  static let state = WireState(
    wire: .gemini,
    data: [
      "calls": [["id": "fc_1", "signature": "SIG1"], [:]], "text_signature": "TSIG",
      "thought_signature": "THSIG",
    ])

  @Test func signaturesAndServerIDsEchoedWhereTheyCame() {
    let history: [ChatMessage] = [
      .user("go"),
      .assistant(
        AssistantMessage(
          text: "Checking.", reasoning: "thought",
          toolCalls: [
            ToolCall(id: "fc_1", name: "shell", arguments: #"{"command":["ls"]}"#),
            ToolCall(id: "call_r_1", name: "shell", arguments: #"{"command":["date"]}"#),
          ], wireState: Self.state)),
      .toolResult(ToolResult(callID: "fc_1", name: "shell", output: "a.swift")),
      .toolResult(
        ToolResult(
          callID: "call_r_1", name: "shell",
          output: #"{"output":"no","metadata":{"exit_code":1,"duration_seconds":0.0}}"#,
          isError: true)),
      .user("thanks"),
    ]
    let contents = GeminiWire.contents(history)
    #expect(contents.count == 3)
    #expect(
      contents[1] == [
        "role": "model",
        "parts": [
          ["text": "", "thought": true, "thoughtSignature": "THSIG"],
          ["text": "Checking.", "thoughtSignature": "TSIG"],
          [
            "functionCall": ["name": "shell", "args": ["command": ["ls"]], "id": "fc_1"],
            "thoughtSignature": "SIG1",
          ],
          // The made-up id stays here: Gemini never saw it.
          ["functionCall": ["name": "shell", "args": ["command": ["date"]]]],
        ],
      ])
    #expect(
      contents[2] == [
        "role": "user",
        "parts": [
          ["functionResponse": ["name": "shell", "response": ["output": "a.swift"], "id": "fc_1"]],
          [
            "functionResponse": [
              "name": "shell",
              "response": [
                "error": #"{"output":"no","metadata":{"exit_code":1,"duration_seconds":0.0}}"#
              ],
            ]
          ],
          ["text": "thanks"],
        ],
      ])
  }

  @Test func stateThatNoLongerFitsTheMessageIsNotApplied() {
    // One call in the message, two recorded: the calls were changed after the answer.
    let contents = GeminiWire.contents([
      .user("go"),
      .assistant(
        AssistantMessage(
          toolCalls: [ToolCall(id: "x", name: "shell", arguments: "{}")], wireState: Self.state)),
    ])
    #expect(
      contents[1]["parts"] == [
        ["text": "", "thought": true, "thoughtSignature": "THSIG"],
        ["text": "", "thoughtSignature": "TSIG"],
        ["functionCall": ["name": "shell", "args": [:]]],
      ])
    // Another wire's state means nothing here.
    let other = GeminiWire.contents([
      .assistant(
        AssistantMessage(
          text: "t", wireState: WireState(wire: .anthropic, data: ["thinking_blocks": []])))
    ])
    #expect(other == [["role": "model", "parts": [["text": "t"]]]])
  }

  @Test func decodedStateRoundTripsIntoTheNextRequest() throws {
    let events = try decodeStream(wire, [Fixture.bytes("wires/gemini-thoughts-parallel-calls.sse")])
    var message = AssistantMessage()
    for e in events {
      switch e {
      case .textDelta(let t): message.text += t
      case .toolCall(let c): message.toolCalls.append(c)
      case .wireState(let s): message.wireState = s
      default: break
      }
    }
    let model = GeminiWire.contents([.user("go"), .assistant(message)])[1]
    let parts = try #require(model["parts"]?.arrayValue)
    #expect(parts.count == 3)
    #expect(
      parts[1]["thoughtSignature"]
        == "CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfpmNpgBwplAXLI2nyA/pIFcnZw==")
    #expect(parts[1]["functionCall"]?["id"] == nil)
    #expect(parts[2]["thoughtSignature"] == nil)
  }

  @Test func errorBodies() {
    let wrapped = wire.readError(
      status: 429,
      body: Array(
        #"[{"error":{"code":429,"message":"You exceeded your current quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure"},{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"31s"}]}}]"#
          .utf8))
    #expect(wrapped.error.message == "You exceeded your current quota")
    #expect(wrapped.error.type == "RESOURCE_EXHAUSTED")
    #expect(wrapped.retryAfter == .seconds(31))
    #expect(!wrapped.quotaExhausted)
    let fraction = wire.readError(
      status: 503,
      body: Array(
        #"{"error":{"code":503,"message":"busy","details":[{"retryDelay":"0.25s"}]}}"#.utf8))
    #expect(fraction.retryAfter == .milliseconds(250))
    for bad in ["-1s", "1e999s", "abc", "5", "s"] {
      #expect(GeminiWire.protoDuration(bad) == nil, "\(bad)")
    }
    #expect(wire.readError(status: 500, body: Array("oops".utf8)).error.message == "oops")
  }

  @Test func modelListing() throws {
    #expect(
      wire.modelIDs(
        fromListing: try JSON.parse(
          #"{"models":[{"name":"models/gemini-2.5-flash","inputTokenLimit":1048576},{"name":"tunedModels/x"},{"displayName":"no name"}]}"#
        )) == ["gemini-2.5-flash", "tunedModels/x"])
  }
}

@Suite struct GeminiSchemaTests {
  @Test func documentKeywordsGoAndRefsKeepOnlyWhatTheAPIAllows() throws {
    let schema = try JSON.parse(
      ##"{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"urn:x","type":"object","$defs":{"Opt":{"$comment":"c","type":"string","enum":["$schema","a"]}},"properties":{"$schema":{"type":"string","default":{"$id":"kept: a value"}},"opt":{"$ref":"#/$defs/Opt","description":"d","default":"a","type":"string","title":"t"},"list":{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/Opt","nullable":true},{"type":"null"}]}}},"required":["opt"],"additionalProperties":false}"##
    )
    #expect(
      GeminiSchema.cleaned(schema).serialized()
        == ##"{"type":"object","$defs":{"Opt":{"type":"string","enum":["$schema","a"]}},"properties":{"$schema":{"type":"string","default":{"$id":"kept: a value"}},"opt":{"$ref":"#/$defs/Opt","description":"d","default":"a"},"list":{"type":"array","items":{"anyOf":[{"$ref":"#/$defs/Opt"},{"type":"null"}]}}},"required":["opt"],"additionalProperties":false}"##
    )
  }

  @Test func absurdlyDeepSchemasAreLeftAlone() {
    var deep: JSON = ["$schema": "x"]
    for _ in 0..<200 { deep = ["items": deep] }
    // Walks 64 levels, then stops; no stack overflow.
    let cleaned = GeminiSchema.cleaned(deep)
    #expect(cleaned.serialized().contains("$schema"))
  }
}
