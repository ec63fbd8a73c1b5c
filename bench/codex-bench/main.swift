// codex-bench: request encoding cost against history length, for bench/run (not part of the
// product). Prints a Markdown table: for each wire, the time to encode a `ChatRequest` of N
// messages into its HTTP request (body bytes included), median of repeated encodes.
// `codex-bench estimate FILE...` prints the token estimate of each file instead.
import CodexCore

#if canImport(Glibc)
  import Glibc
#endif
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

// `codex-bench estimate FILE...`: codex's token estimate of each file, for
// bench/token_estimate.py to compare with a real tokenizer.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == "estimate" {
  for path in CommandLine.arguments.dropFirst(2) {
    guard let data = FileManager.default.contents(atPath: path) else { continue }
    let text = String(decoding: data, as: UTF8.self)
    print("\(path)\t\(TokenEstimator.estimate(text))")
  }
  exit(0)
}

let quick = CommandLine.arguments.contains("--quick")
let sizes = quick ? [0, 50, 100] : [0, 100, 250, 500, 1000, 2000]

/// A conversation as a tool-using session builds it: the prompt, then rounds of an assistant
/// message with a shell call and the call's output.
func conversation(_ n: Int) -> [ChatMessage] {
  var messages: [ChatMessage] = [.user("Find where the config is loaded and explain it.")]
  var round = 0
  while messages.count < n {
    round += 1
    let id = "call_\(round)"
    let args = #"{"command":["bash","-lc","grep -rn \"load(\" Sources | head -20"],"workdir":"/w"}"#
    messages.append(
      .assistant(
        AssistantMessage(
          text: round % 3 == 0 ? "Looking at the loader next." : "",
          toolCalls: [ToolCall(id: id, name: "shell", arguments: args)])))
    let output = (0..<6).map {
      "Sources/CodexCore/Config/ConfigLoader.swift:\($0 * 17): let x = load(\"é\")"
    }
    .joined(separator: "\n")
    messages.append(.toolResult(ToolResult(callID: id, name: "shell", output: output)))
  }
  return Array(messages.prefix(max(n, 1)))
}

let shellSpec = ToolSpec(
  name: "shell", description: "Runs a shell command and returns its output.",
  parameters: [
    "type": "object",
    "properties": [
      "command": ["type": "array", "items": ["type": "string"]],
      "workdir": ["type": "string"], "timeout_ms": ["type": "number"],
    ],
    "required": ["command"], "additionalProperties": false,
  ])
let instructions = String(repeating: "You are a careful coding assistant. Run tests. ", count: 40)

func microseconds(_ d: Duration) -> Double {
  Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
}

var rows: [(wire: WireAPI, times: [Double], bytes: [Int])] = []
for api in [WireAPI.chat, .responses, .ollama, .tgi] {
  let wire = Wires.wire(for: api)
  let provider = ProviderInfo(
    id: "bench", name: "bench", baseURL: "http://127.0.0.1:1/v1", wire: api,
    chatTemplate: api == .tgi ? "chatml" : nil)
  var times: [Double] = []
  var bytes: [Int] = []
  for n in sizes {
    let request = ChatRequest(
      model: "bench-model", instructions: instructions, messages: conversation(n),
      tools: [shellSpec])
    var samples: [Double] = []
    let clock = ContinuousClock()
    let budget = clock.now.advanced(by: .milliseconds(quick ? 20 : 150))
    var size = 0
    repeat {
      let start = clock.now
      let http: HTTPRequest
      do {
        http = try wire.encode(request, provider: provider, headers: [])
      } catch {
        print("error: encoding failed for \(api): \(error)")
        exit(1)
      }
      samples.append(microseconds(clock.now - start))
      size = http.body.count
    } while clock.now < budget || samples.count < 5
    samples.sort()
    times.append(samples[samples.count / 2])
    bytes.append(size)
  }
  rows.append((api, times, bytes))
}

func fmt(_ us: Double) -> String {
  us >= 1000
    ? String(Int((us / 1000 * 100).rounded()) / 100) + "." + pad2(Int((us / 10).rounded()) % 100)
      + " ms" : "\(Int(us.rounded())) µs"
}
func pad2(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

print("| wire | " + sizes.map { "\($0) messages" }.joined(separator: " | ") + " | µs per message |")
print("|---|" + sizes.map { _ in "---:|" }.joined() + "---:|")
for row in rows {
  let last = sizes.count - 1
  let perMessage = (row.times[last] - row.times[0]) / Double(max(1, sizes[last] - sizes[0]))
  let cells = zip(row.times, row.bytes).map { "\(fmt($0.0)) (\($0.1 / 1024) KB)" }
  print(
    "| \(row.wire.rawValue) | " + cells.joined(separator: " | ")
      + " | \(String(format2: perMessage)) |")
}

extension String {
  init(format2 v: Double) {
    let h = Int((v * 100).rounded())
    self = "\(h / 100).\(pad2(h % 100))"
  }
}
