#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The model ids a provider listed, kept under `$CODEX_HOME/cache/` so shell completion does
/// not ask the server on every Tab. One file per provider, a model per line; its age is the
/// file's modification time. Best effort: a cache that cannot be read or written is no cache.
public struct ModelListCache: Sendable {
  public let directory: String

  public init(codexHome: String) { directory = codexHome + "/cache" }

  func path(provider: String) -> String {
    // Provider ids come from the user's config: keep the file name to safe characters.
    let safe = String(
      provider.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
    return directory + "/models-" + safe + ".txt"
  }

  /// The cached list when it is at most `maxAgeSeconds` old.
  public func read(provider: String, maxAgeSeconds: Int, now: Date = Date()) -> [String]? {
    let file = path(provider: provider)
    guard
      let attributes = try? FileManager.default.attributesOfItem(atPath: file),
      let modified = attributes[.modificationDate] as? Date,
      now.timeIntervalSince(modified) <= Double(maxAgeSeconds),
      let data = FileManager.default.contents(atPath: file)
    else { return nil }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  public func write(_ models: [String], provider: String) {
    let text = models.filter { !$0.contains("\n") }.joined(separator: "\n") + "\n"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try? Data(text.utf8).write(to: URL(fileURLWithPath: path(provider: provider)), options: .atomic)
  }
}
