import Foundation
import Testing

@testable import CodexCore

#if canImport(Glibc)
  import Glibc
#endif

/// The history and the session transcripts are the user's alone, and a link planted where codex
/// writes them is refused, never followed (it would append prompts and answers to `~/.bashrc`).
@Suite struct PrivateFilesTests {
  /// A scratch folder with `home/` (CODEX_HOME, not created) and `outside/` (a victim file).
  struct Place {
    let root: String
    var home: String { root + "/home" }
    var victim: String { root + "/outside/victim" }
    static let victimText = "export PATH=/usr/bin\n"

    init() throws {
      root = NSTemporaryDirectory() + "codex-private-" + UUID().uuidString.prefix(8)
      try FileManager.default.createDirectory(
        atPath: root + "/outside", withIntermediateDirectories: true)
      try Data(Self.victimText.utf8).write(to: URL(fileURLWithPath: victim))
    }

    func makeHome() throws {
      try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    func link(_ path: String, to target: String) throws {
      try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    var victimUnchanged: Bool {
      (try? String(contentsOfFile: victim, encoding: .utf8)) == Self.victimText
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: root) }
  }

  static func mode(_ path: String) -> Int? {
    var info = stat()
    guard lstat(path, &info) == 0 else { return nil }
    return Int(info.st_mode & 0o777)
  }

  static let meta = RolloutMeta(
    id: "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", cwd: "/w", provider: "p", model: "m",
    cliVersion: "t")

  @Test func aNewHomeSessionsTreeAndFilesAreOwnerOnly() throws {
    let place = try Place()
    defer { place.cleanUp() }
    // CODEX_HOME does not exist yet: the first session creates it.
    let recorder = try RolloutRecorder(codexHome: place.home, meta: Self.meta)
    try recorder.record([.user("hello")])
    #expect(Self.mode(place.home) == 0o700)
    var dir = place.home + "/sessions"
    for component in recorder.path.dropFirst(dir.count + 1).split(separator: "/").dropLast() {
      #expect(Self.mode(dir) == 0o700, "\(dir)")
      dir += "/" + component
    }
    #expect(Self.mode(dir) == 0o700, "\(dir)")
    #expect(Self.mode(recorder.path) == 0o600)
    try HistoryFile(codexHome: place.home).append("a prompt", sessionID: "s")
    #expect(Self.mode(place.home + "/history.jsonl") == 0o600)
  }

  @Test func aLinkAtTheHistoryPathIsNotFollowed() throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let history = HistoryFile(codexHome: place.home)
    try place.link(history.path, to: place.victim)
    #expect(throws: HistoryError.self) { try history.append("rm -rf ~", sessionID: "s") }
    #expect(place.victimUnchanged)
    #expect(history.load().isEmpty, "nor read through")
    // A dangling link must not create its target either.
    let missing = place.root + "/outside/created-by-codex"
    try FileManager.default.removeItem(atPath: history.path)
    try place.link(history.path, to: missing)
    #expect(throws: HistoryError.self) { try history.append("x", sessionID: "s") }
    #expect(!FileManager.default.fileExists(atPath: missing))
  }

  @Test func theErrorSaysWhy() throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let history = HistoryFile(codexHome: place.home)
    try place.link(history.path, to: place.victim)
    do {
      try history.append("x", sessionID: "s")
      Issue.record("appended through a link")
    } catch {
      #expect("\(error)".contains("symbolic link"), "\(error)")
    }
  }

  @Test func trimmingReplacesTheFileAndKeepsItPrivate() throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let history = HistoryFile(codexHome: place.home)
    for n in 0..<20 { try history.append("prompt \(n)", sessionID: "s", maxBytes: 200) }
    #expect(Self.mode(history.path) == 0o600)
    #expect(history.load().last?.text == "prompt 19")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: place.home)
    #expect(leftovers == ["history.jsonl"])
  }

  @Test func aHardLinkAFIFOOrADirectoryAtTheHistoryPathIsRefused() throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let history = HistoryFile(codexHome: place.home)
    try FileManager.default.linkItem(atPath: place.victim, toPath: history.path)
    #expect(throws: HistoryError.self) { try history.append("x", sessionID: "s") }
    #expect(place.victimUnchanged)
    try FileManager.default.removeItem(atPath: history.path)
    // A FIFO with no reader would block an ordinary open forever.
    #expect(mkfifo(history.path, 0o600) == 0)
    #expect(throws: HistoryError.self) { try history.append("x", sessionID: "s") }
    try FileManager.default.removeItem(atPath: history.path)
    try FileManager.default.createDirectory(
      atPath: history.path, withIntermediateDirectories: false)
    #expect(throws: HistoryError.self) { try history.append("x", sessionID: "s") }
  }

  @Test func anExistingHistoryOthersCouldReadIsNarrowedToOwnerOnly() throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let history = HistoryFile(codexHome: place.home)
    try Data(#"{"session_id":"old","ts":1,"text":"old"}"#.utf8 + [0x0A]).write(
      to: URL(fileURLWithPath: history.path))
    #expect(chmod(history.path, 0o644) == 0)
    try history.append("new", sessionID: "s")
    #expect(Self.mode(history.path) == 0o600)
    #expect(history.load().map(\.text) == ["old", "new"])
  }

  @Test(arguments: ["sessions", "sessions/YEAR", "sessions/YEAR/MONTH"])
  func aLinkAnywhereInTheSessionsTreeIsRefused(_ planted: String) throws {
    let place = try Place()
    defer { place.cleanUp() }
    try place.makeHome()
    let now = Date()
    let c = CivilTime(now)
    let relative = planted.replacingOccurrences(of: "YEAR", with: "\(c.year)")
      .replacingOccurrences(of: "MONTH", with: c.pad(c.month))
    let parent = (place.home + "/" + relative as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    let elsewhere = place.root + "/outside/tree"
    try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
    try place.link(place.home + "/" + relative, to: elsewhere)
    #expect(throws: PrivateFileError.self) {
      try RolloutRecorder(codexHome: place.home, meta: Self.meta, now: now)
    }
    #expect(try FileManager.default.subpathsOfDirectory(atPath: elsewhere).isEmpty)
  }

  @Test func aResumedSessionStaysPrivateAndIsNotWrittenThroughALink() throws {
    let place = try Place()
    defer { place.cleanUp() }
    let first = try RolloutRecorder(codexHome: place.home, meta: Self.meta)
    try first.record([.user("one")])
    #expect(chmod(first.path, 0o644) == 0)
    let resumed = try RolloutRecorder(continuing: first.path)
    try resumed.record([.user("two")])
    #expect(Self.mode(first.path) == 0o600)
    #expect(Rollout.load(path: first.path)?.history.count == 2)

    // Swapped for a link between runs (a command the model ran, say): refused on resume.
    try FileManager.default.removeItem(atPath: first.path)
    try place.link(first.path, to: place.victim)
    #expect(throws: PrivateFileError.self) { try RolloutRecorder(continuing: first.path) }
    #expect(place.victimUnchanged)
    #expect(Rollout.load(path: first.path) == nil, "nor read through")
  }

  @Test func codexHomeItselfMayBeALink() throws {
    let place = try Place()
    defer { place.cleanUp() }
    let real = place.root + "/dotfiles-codex"
    try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
    try place.link(place.home, to: real)
    let recorder = try RolloutRecorder(codexHome: place.home, meta: Self.meta)
    #expect(FileManager.default.fileExists(atPath: recorder.path))
  }
}
