import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

@Suite struct HistoryFileTests {
  func withFile(_ body: (HistoryFile, String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.path + "/codex-history-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try body(HistoryFile(codexHome: dir), dir + "/history.jsonl")
  }

  func contents(_ path: String) -> String {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }

  @Test func appendsCodexRsLines() throws {
    try withFile { history, path in
      try history.append(
        "say \"hi\"\nplease", sessionID: "s-1", now: Date(timeIntervalSince1970: 1_700_000_000.7))
      #expect(
        contents(path) == #"{"session_id":"s-1","ts":1700000000,"text":"say \"hi\"\nplease"}"#
          + "\n")
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600)
    }
  }

  @Test func loadsWhatWasAppendedOldestFirst() throws {
    try withFile { history, _ in
      for (i, text) in ["one", "two", "three"].enumerated() {
        try history.append(text, sessionID: "s", now: Date(timeIntervalSince1970: Double(i)))
      }
      #expect(history.load().map(\.text) == ["one", "two", "three"])
      #expect(history.load(limit: 2).map(\.text) == ["two", "three"])
      #expect(history.load().last == HistoryEntry(sessionID: "s", timestamp: 2, text: "three"))
    }
  }

  @Test func skipsLinesThatAreNotEntries() throws {
    try withFile { history, path in
      let text =
        #"{"session_id":"a","ts":1,"text":"kept"}"# + "\n\nnot json\n" + #"{"ts":2}"# + "\n"
        + #"{"session_id":"b","ts":3,"text":"also kept"}"# + "\n" + #"{"session_id":"c","ts":4,"te"#
      try Data(text.utf8).write(to: URL(fileURLWithPath: path))
      #expect(history.load().map(\.text) == ["kept", "also kept"])
    }
  }

  @Test func aMissingFileIsAnEmptyHistory() throws {
    try withFile { history, _ in
      #expect(history.load().isEmpty)
    }
  }

  @Test func trimsTheOldestLinesToMaxBytes() throws {
    try withFile { history, path in
      for i in 0..<10 {
        try history.append("prompt \(i)", sessionID: "s", now: Date(timeIntervalSince1970: 5))
      }
      let lineLength = contents(path).split(separator: "\n")[0].utf8.count + 1
      try history.append(
        "prompt 10", sessionID: "s", maxBytes: lineLength * 3 + 5,
        now: Date(timeIntervalSince1970: 5))
      #expect(history.load().map(\.text) == ["prompt 8", "prompt 9", "prompt 10"])
      #expect(contents(path).utf8.count <= lineLength * 3 + 5)
      let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
      #expect(mode == 0o600)
    }
  }

  @Test func theNewestLineIsKeptEvenWhenItAloneIsTooLarge() throws {
    try withFile { history, _ in
      try history.append("old", sessionID: "s")
      try history.append(String(repeating: "x", count: 200), sessionID: "s", maxBytes: 50)
      #expect(history.load().map(\.text) == [String(repeating: "x", count: 200)])
    }
  }

  @Test(arguments: [
    ("a\nbb\nccc\n", 4, "ccc\n"),
    ("a\nbb\nccc\n", 7, "bb\nccc\n"),
    ("a\nbb\nccc\n", 9, "a\nbb\nccc\n"),
    ("a\nbb\nccc\n", 2, "ccc\n"),
    ("a\nbb\nccc", 6, "bb\nccc"),
    ("\n\n", 1, ""),
  ])
  func newestLinesFitting(_ text: String, _ max: Int, _ expected: String) {
    let kept = HistoryFile.newestLines(Array(text.utf8), fitting: max)
    #expect(String(decoding: kept, as: UTF8.self) == expected)
  }
}
