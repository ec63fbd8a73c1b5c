#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One submitted prompt in `$CODEX_HOME/history.jsonl`.
public struct HistoryEntry: Sendable, Equatable {
  public var sessionID: String
  /// Seconds since 1970, as codex-rs writes it.
  public var timestamp: Int
  public var text: String

  public init(sessionID: String, timestamp: Int, text: String) {
    self.sessionID = sessionID
    self.timestamp = timestamp
    self.text = text
  }

  /// `{"session_id":"…","ts":1700000000,"text":"…"}`, the codex-rs line format, so both tools
  /// can share one history file.
  public var jsonLine: String {
    JSON.object(
      JSONObject([
        ("session_id", .string(sessionID)), ("ts", .int(Int64(timestamp))), ("text", .string(text)),
      ])
    ).serialized()
  }

  /// Nil for a line that is not a history entry (torn by a crash, written by something else).
  public init?(jsonLine: some Collection<UInt8>) {
    guard let json = try? JSON.parse(Array(jsonLine)), let text = json["text"]?.stringValue
    else { return nil }
    sessionID = json["session_id"]?.stringValue ?? ""
    timestamp = json["ts"]?.intValue ?? 0
    self.text = text
  }
}

/// Could not write the history file.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var detail: String
  public var description: String { "cannot update the prompt history \(path): \(detail)" }
}

/// The prompt history shared by every session: `$CODEX_HOME/history.jsonl`, one JSON object per
/// line, oldest first, appended after each submitted prompt (`[history] persistence =
/// "save-all"`) and trimmed from the front to `max_bytes` when that is set.
public struct HistoryFile: Sendable {
  public let path: String

  public init(codexHome: String) { path = codexHome + "/history.jsonl" }
  public init(path: String) { self.path = path }

  /// The newest `limit` entries, oldest first. A missing or unreadable file is an empty
  /// history; lines that do not parse are skipped.
  public func load(limit: Int = 1000) -> [HistoryEntry] {
    guard limit > 0, let bytes = PrivateFiles.read(path) else { return [] }
    var newestFirst: [HistoryEntry] = []
    var end = bytes.endIndex
    while end > bytes.startIndex, newestFirst.count < limit {
      var start = end
      while start > bytes.startIndex, bytes[start - 1] != 0x0A { start -= 1 }
      let line = bytes[start..<end]
      if !line.isEmpty, let entry = HistoryEntry(jsonLine: line) { newestFirst.append(entry) }
      end = start > bytes.startIndex ? start - 1 : start
    }
    return newestFirst.reversed()
  }

  /// Appends one prompt; then, when `maxBytes` is set and the file has grown past it, drops
  /// the oldest lines so it fits (the newest line is always kept).
  public func append(
    _ text: String, sessionID: String, maxBytes: Int? = nil, now: Date = Date()
  ) throws {
    let entry = HistoryEntry(
      sessionID: sessionID, timestamp: Int(now.timeIntervalSince1970.rounded(.down)), text: text)
    do {
      let file = try AppendOnlyFile(path: path)
      defer { file.close() }
      try file.append(entry.jsonLine)
    } catch {
      throw HistoryError(path: path, detail: "\(error)")
    }
    if let maxBytes { try trim(to: maxBytes) }
  }

  /// Rewrites the file without its oldest lines when it is larger than `maxBytes`.
  public func trim(to maxBytes: Int) throws {
    guard let data = PrivateFiles.read(path), data.count > maxBytes else { return }
    let kept = Self.newestLines(data, fitting: maxBytes)
    do {
      // Written beside the file and renamed over it, so a crash leaves the old or the new
      // history, never half of one; the new file is 0600 from its first byte.
      try PrivateFiles.replace(path, with: kept)
    } catch {
      throw HistoryError(path: path, detail: "\(error)")
    }
  }

  /// The longest run of whole lines at the end of `bytes` that fits in `maxBytes` (at least the
  /// last line, even when that alone is larger).
  static func newestLines(_ bytes: [UInt8], fitting maxBytes: Int) -> [UInt8] {
    var end = bytes.endIndex
    while end > bytes.startIndex, bytes[end - 1] == 0x0A { end -= 1 }
    guard end > bytes.startIndex else { return [] }
    var start = end
    var keepFrom = bytes.endIndex
    while start > bytes.startIndex {
      var lineStart = start
      while lineStart > bytes.startIndex, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
      let size = bytes.endIndex - lineStart
      if size > maxBytes, keepFrom != bytes.endIndex { break }
      keepFrom = lineStart
      if size > maxBytes { break }
      start = lineStart > bytes.startIndex ? lineStart - 1 : lineStart
    }
    return Array(bytes[keepFrom...])
  }
}
