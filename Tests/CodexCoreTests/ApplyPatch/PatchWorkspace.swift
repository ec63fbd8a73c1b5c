import Foundation
import Testing

@testable import CodexCore

/// A temporary directory of real files to apply patches in, with a byte-for-byte snapshot of
/// the whole tree (contents, modes, symlink targets) to prove a failed patch wrote nothing.
final class PatchWorkspace {
  let directory: TemporaryDirectory
  var root: String { directory.path }

  init(_ files: [String: String] = [:]) throws {
    directory = try TemporaryDirectory("apply-patch")
    for (path, text) in files { try write(path, text) }
  }

  deinit { directory.remove() }

  func path(_ relative: String) -> String { root + "/" + relative }

  func write(_ relative: String, _ text: String, mode: Int? = nil) throws {
    try write(relative, bytes: Array(text.utf8), mode: mode)
  }

  func write(_ relative: String, bytes: [UInt8], mode: Int? = nil) throws {
    let full = path(relative)
    try FileManager.default.createDirectory(
      atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(bytes).write(to: URL(fileURLWithPath: full))
    if let mode {
      try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: full)
    }
  }

  func link(_ relative: String, to target: String) throws {
    try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target)
  }

  func read(_ relative: String) -> String? {
    FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
  }

  func bytes(_ relative: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path(relative)).map(Array.init)
  }

  func mode(_ relative: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path(relative)))?[.posixPermissions] as? Int
  }

  enum Entry: Equatable, CustomStringConvertible {
    case file([UInt8], mode: Int)
    case directory(mode: Int)
    case symlink(String)

    var description: String {
      switch self {
      case .file(let bytes, let mode):
        return
          "file(\(String(decoding: bytes, as: UTF8.self).debugDescription), \(String(mode, radix: 8)))"
      case .directory(let mode): return "directory(\(String(mode, radix: 8)))"
      case .symlink(let target): return "symlink(\(target))"
      }
    }
  }

  /// Every entry under the root (not following symlinks), keyed by relative path.
  func snapshot() throws -> [String: Entry] {
    var result: [String: Entry] = [:]
    func walk(_ relative: String) throws {
      let full = relative.isEmpty ? root : path(relative)
      for name in try FileManager.default.contentsOfDirectory(atPath: full) {
        let child = relative.isEmpty ? name : relative + "/" + name
        let attributes = try FileManager.default.attributesOfItem(atPath: path(child))
        let mode = attributes[.posixPermissions] as? Int ?? -1
        switch attributes[.type] as? FileAttributeType {
        case .typeDirectory?:
          result[child] = .directory(mode: mode)
          try walk(child)
        case .typeSymbolicLink?:
          result[child] = .symlink(
            try FileManager.default.destinationOfSymbolicLink(atPath: path(child)))
        default:
          result[child] = .file(bytes(child) ?? [], mode: mode)
        }
      }
    }
    try walk("")
    return result
  }

  /// The regular files' texts, keyed by relative path (directories and links left out).
  func texts() throws -> [String: String] {
    try snapshot().compactMapValues { entry in
      if case .file(let bytes, _) = entry { String(decoding: bytes, as: UTF8.self) } else { nil }
    }
  }

  @discardableResult
  func apply(_ patch: String) throws -> PatchPlan {
    let plan = try PatchPlanner.plan(text: patch, in: root)
    try plan.apply()
    return plan
  }

  /// Applies `patch`, expects it to fail, and checks the tree is exactly as before.
  func expectFailure(
    _ patch: String, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> ApplyPatchError? {
    let before = try snapshot()
    var failure: ApplyPatchError?
    do {
      try apply(patch)
      Issue.record("the patch applied, but it should have failed", sourceLocation: sourceLocation)
    } catch let error as ApplyPatchError {
      failure = error
    }
    #expect(
      try snapshot() == before, "a failed patch changed the tree", sourceLocation: sourceLocation)
    return failure
  }
}

/// The process umask (read without changing it), for the mode a new file gets.
func currentUmask() -> Int {
  let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
  let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
  return line.flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces), radix: 8) }
    ?? 0o022
}

/// Wraps hunk lines in the Begin/End markers.
func wrapPatch(_ body: String) -> String {
  "*** Begin Patch\n\(body)\n*** End Patch"
}
