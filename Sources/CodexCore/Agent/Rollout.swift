#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Saved sessions: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<timestamp>-<id>.jsonl`, appended as
/// the conversation happens. Line one is `session_meta`; each later line one history item.
/// Every line is written whole, so a crash leaves valid JSONL up to the item in flight, and a
/// reader skips a torn last line.
public final class RolloutRecorder: Sendable {
  public let path: String
  let file: AppendOnlyFile

  public init(codexHome: String, meta: RolloutMeta, now: Date = Date()) throws {
    let c = CivilTime(now)
    // 0700 at every level, and no level may be a symbolic link (`PrivateFiles`).
    let dir = try PrivateFiles.makeDirectories(
      "sessions/\(c.year)/\(c.pad(c.month))/\(c.pad(c.day))", in: codexHome)
    let stamp =
      "\(c.year)-\(c.pad(c.month))-\(c.pad(c.day))T\(c.pad(c.hour))-\(c.pad(c.minute))-\(c.pad(c.second))"
    path = "\(dir)/rollout-\(stamp)-\(meta.id).jsonl"
    file = try AppendOnlyFile(path: path)
    try write(type: "session_meta", payload: meta.json)
  }

  /// Continues an existing session file (`codex resume`): new items are appended to it. It
  /// stays 0600 and is not written through a symbolic link.
  public init(continuing path: String) throws {
    self.path = path
    file = try AppendOnlyFile(path: path)
  }

  func write(type: String, payload: JSON) throws {
    let line: JSON = [
      "timestamp": .string(CivilTime(Date()).iso8601), "type": .string(type), "payload": payload,
    ]
    // Bytes straight to the file: a long answer's line is not copied into a String and back.
    var bytes = line.serializedBytes()
    bytes.append(0x0A)
    try file.append(bytes: consume bytes)
  }

  public func record(_ items: [ChatMessage]) throws {
    for m in items { try write(type: "response_item", payload: Rollout.encode(m)) }
  }

  /// The history was compacted: a resumed session continues from `history`, not from the
  /// items before this line.
  public func recordCompaction(_ history: [ChatMessage], _ compaction: ContextCompaction) throws {
    try write(
      type: "compacted",
      payload: [
        "replacement_history": .array(history.map(Rollout.encode)),
        "tokens_before": .int(Int64(compaction.tokensBefore)),
        "tokens_after": .int(Int64(compaction.tokensAfter)),
        "summarized": .bool(compaction.summarized),
      ])
  }
}

public struct RolloutMeta: Sendable, Equatable {
  public var id: String
  public var cwd: String
  public var provider: String
  public var model: String
  public var cliVersion: String

  public init(id: String, cwd: String, provider: String, model: String, cliVersion: String) {
    self.id = id
    self.cwd = cwd
    self.provider = provider
    self.model = model
    self.cliVersion = cliVersion
  }

  var json: JSON {
    [
      "id": .string(id), "timestamp": .string(CivilTime(Date()).iso8601), "cwd": .string(cwd),
      "originator": "codex_swift", "cli_version": .string(cliVersion),
      "model_provider": .string(provider), "model": .string(model),
    ]
  }
}

/// A saved session read back.
public struct SavedSession: Sendable, Equatable {
  public var path: String
  public var meta: RolloutMeta
  public var history: [ChatMessage]
  /// The first user message, for the picker.
  public var preview: String {
    for m in history { if case .user(let t) = m { return String(t.prefix(80)) } }
    return ""
  }
}

public enum Rollout {
  static func encode(_ m: ChatMessage) -> JSON {
    switch m {
    case .user(let t):
      return [
        "type": "message", "role": "user", "content": [["type": "input_text", "text": .string(t)]],
      ]
    case .assistant(let a):
      var o: JSONObject = [
        "type": "message", "role": "assistant",
        "content": [["type": "output_text", "text": .string(a.text)]],
      ]
      if !a.reasoning.isEmpty { o["reasoning"] = .string(a.reasoning) }
      if !a.toolCalls.isEmpty {
        o["tool_calls"] = .array(
          a.toolCalls.map {
            [
              "type": "function_call", "call_id": .string($0.id), "name": .string($0.name),
              "arguments": .string($0.arguments),
            ]
          })
      }
      if let s = a.wireState {
        o["wire_state"] = ["wire": .string(s.wire.rawValue), "data": s.data]
      }
      return .object(o)
    case .toolResult(let r):
      var o: JSONObject = [
        "type": "function_call_output", "call_id": .string(r.callID), "name": .string(r.name),
        "output": .string(r.output),
      ]
      if r.isError { o["is_error"] = true }
      return .object(o)
    }
  }

  static func decode(_ p: JSON) -> ChatMessage? {
    switch (p["type"]?.stringValue, p["role"]?.stringValue) {
    case ("message", "user"):
      return .user(text(p["content"]))
    case ("message", "assistant"):
      let calls = (p["tool_calls"]?.arrayValue ?? []).map {
        ToolCall(
          id: $0["call_id"]?.stringValue ?? "", name: $0["name"]?.stringValue ?? "",
          arguments: $0["arguments"]?.stringValue ?? "")
      }
      // State from a wire this build does not know is dropped: no wire could use it.
      let state = p["wire_state"].flatMap { s in
        s["wire"]?.stringValue.flatMap(WireAPI.init(rawValue:)).map {
          WireState(wire: $0, data: s["data"] ?? .null)
        }
      }
      return .assistant(
        AssistantMessage(
          text: text(p["content"]), reasoning: p["reasoning"]?.stringValue ?? "", toolCalls: calls,
          wireState: state))
    case ("function_call_output", _):
      return .toolResult(
        ToolResult(
          callID: p["call_id"]?.stringValue ?? "", name: p["name"]?.stringValue ?? "",
          output: p["output"]?.stringValue ?? "", isError: p["is_error"]?.boolValue ?? false))
    default:
      return nil
    }
  }

  static func text(_ content: JSON?) -> String {
    if let s = content?.stringValue { return s }
    return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
  }

  /// Reads a session file. Lines that do not parse (a torn last line after a crash) are
  /// skipped; a file with no `session_meta` is not a session.
  public static func load(path: String) -> SavedSession? {
    guard let bytes = PrivateFiles.read(path) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    var meta: RolloutMeta?
    var history: [ChatMessage] = []
    for line in text.split(separator: "\n") {
      guard let j = try? JSON.parse(String(line)) else { continue }
      let p = j["payload"]
      switch j["type"]?.stringValue {
      case "session_meta":
        meta = RolloutMeta(
          id: p?["id"]?.stringValue ?? "", cwd: p?["cwd"]?.stringValue ?? "",
          provider: p?["model_provider"]?.stringValue ?? "", model: p?["model"]?.stringValue ?? "",
          cliVersion: p?["cli_version"]?.stringValue ?? "")
      case "response_item":
        if let p, let m = decode(p) { history.append(m) }
      case "compacted":
        if let items = p?["replacement_history"]?.arrayValue {
          history = items.compactMap(decode)
        }
      default: break
      }
    }
    guard let meta else { return nil }
    return SavedSession(path: path, meta: meta, history: Self.completed(history))
  }

  /// A crash between a tool call and its result leaves calls without answers; models reject
  /// such histories, so unanswered calls get a result saying what happened.
  static func completed(_ history: [ChatMessage]) -> [ChatMessage] {
    var answered: Set<String> = []
    for m in history { if case .toolResult(let r) = m { answered.insert(r.callID) } }
    var out: [ChatMessage] = []
    for m in history {
      out.append(m)
      if case .assistant(let a) = m {
        for c in a.toolCalls where !answered.contains(c.id) {
          out.append(
            .toolResult(
              ToolResult(
                callID: c.id, name: c.name, output: "the session ended before this command finished"
              )))
        }
      }
    }
    return out
  }

  /// Every saved session file, newest first.
  public static func list(codexHome: String) -> [String] {
    let root = codexHome + "/sessions"
    let all = (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? []
    let files = all.filter { $0.hasSuffix(".jsonl") && $0.contains("rollout-") }.map {
      root + "/" + $0
    }
    // The path embeds the date and time, so lexical order is chronological.
    return files.sorted(by: >)
  }

  /// The session whose id is `id` (or starts with it).
  public static func find(id: String, codexHome: String) -> String? {
    guard !id.isEmpty else { return nil }
    return list(codexHome: codexHome).first { path in
      // rollout-<timestamp>-<uuid>.jsonl: match the uuid, or a unique-enough start of it.
      guard path.hasSuffix(".jsonl") else { return false }
      let uuid = path.dropLast(".jsonl".count).suffix(36)
      return uuid.hasPrefix(id)
    }
  }
}

/// UTC calendar fields of a date, without Calendar (not in FoundationEssentials' fast path).
struct CivilTime {
  var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int

  init(_ date: Date) {
    let t = date.timeIntervalSince1970
    let secs = Int(t.rounded(.down))
    millisecond = Int((t - Double(secs)) * 1000)
    var days = secs / 86400
    var rem = secs % 86400
    if rem < 0 {
      rem += 86400
      days -= 1
    }
    hour = rem / 3600
    minute = rem % 3600 / 60
    second = rem % 60
    // Howard Hinnant's days-to-civil.
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    day = doy - (153 * mp + 2) / 5 + 1
    month = mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  }

  func pad(_ n: Int, _ width: Int = 2) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
  }

  var iso8601: String {
    "\(year)-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(millisecond, 3))Z"
  }
}
