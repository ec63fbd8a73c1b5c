#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Small file helpers the front ends share, so they need no Foundation of their own.
public enum FileOutput {
  public static func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  public static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  public static func isDirectory(_ path: String) -> Bool {
    var isDir = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir
  }
}

public enum SessionID {
  /// A lower-case UUID, as codex-rs uses for thread ids.
  public static func make() -> String { UUID().uuidString.lowercased() }
}
