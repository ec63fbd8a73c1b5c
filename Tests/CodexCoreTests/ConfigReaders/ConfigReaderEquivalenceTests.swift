import Testing

@testable import CodexCore

/// The loader treats all formats alike, so the same settings written in JSON and in YAML must
/// give the same tree; only the positions differ.
@Suite struct ConfigReaderEquivalenceTests {
  static let olderCLIJSON = """
    {"model": "llama3", "providerType": "ollama", "providerUrl": "http://localhost:11434/api",
     "providers": {"ollama": {"name": "Ollama", "baseURL": "http://localhost:11434/v1",
     "envKey": "OLLAMA_API_KEY"}}, "approvalMode": "suggest"}
    """

  static let richJSON = """
    {
      "model": "qwen2.5-coder",
      "temperature": 0.2,
      "maxTokens": 4096,
      "stream": true,
      "providers": {
        "vllm": {
          "name": "vLLM",
          "baseURL": "http://gpu:8000/v1",
          "headers": {"X-Team": "tools", "X-Id": "42"},
          "models": ["a", "b c"]
        },
        "local": {"name": "llama.cpp", "envKey": null, "retries": -1}
      },
      "notify": ["notify-send", "Codex says: \\"done\\""],
      "history": {"persistence": "none", "limits": [1, 2.5, false, [3]], "maxBytes": 1e6},
      "unset": null
    }
    """

  static let richYAML = """
    model: qwen2.5-coder
    temperature: 0.2
    maxTokens: 4096
    stream: true
    providers:
      vllm:
        name: vLLM
        baseURL: http://gpu:8000/v1
        headers:
          X-Team: tools
          X-Id: "42"          # quoted: a string, not a number
        models:
        - a
        - b c
      local: {name: llama.cpp, envKey: ~, retries: -1}
    notify: [notify-send, 'Codex says: "done"']
    history:
      persistence: none
      limits:
        - 1
        - 2.5
        - false
        - [3]
      maxBytes: 1e6
    unset:
    """

  static let richFlowYAML = """
    {model: qwen2.5-coder, temperature: 0.2, maxTokens: 4096, stream: true, providers: {vllm: {name: vLLM, baseURL: "http://gpu:8000/v1", headers: {X-Team: tools, X-Id: '42'}, models: [a, b c]}, local: {name: llama.cpp, envKey: null, retries: -1}}, notify: [notify-send, "Codex says: \\"done\\""], history: {persistence: none, limits: [1, 2.5, false, [3]], maxBytes: 1e6}, unset: }
    """

  @Test func olderCLIExampleReadsTheSameFromJSONAndYAML() throws {
    let json = try JSONConfigReader.parse(Self.olderCLIJSON)
    let yaml = try YAMLReader.parse(YAMLReaderTests.olderCLIExample)
    #expect(strippingPositions(json) == strippingPositions(yaml))
    // The helper must not hide real differences: positions are what differ before stripping.
    #expect(json != yaml)
  }

  @Test(arguments: [richYAML, richFlowYAML])
  func richConfigReadsTheSameFromJSONAndYAML(_ yamlText: String) throws {
    let json = try JSONConfigReader.parse(Self.richJSON)
    let yaml = try YAMLReader.parse(yamlText)
    #expect(strippingPositions(json) == strippingPositions(yaml))
    #expect(!json.keys.contains("unset"))
  }

  @Test func strippingPositionsStillSeesValueDifferences() throws {
    let a = try JSONConfigReader.parse(#"{"n": 1, "list": [1, "2"]}"#)
    let b = try YAMLReader.parse("n: 1\nlist: [1, 2]")
    #expect(strippingPositions(a) != strippingPositions(b))
    let c = try YAMLReader.parse("n: 1\nlist: [1, '2']")
    #expect(strippingPositions(a) == strippingPositions(c))
  }
}
