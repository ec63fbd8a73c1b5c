import CodexCore

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The built `codex` executable is not where the tests expect it.
public struct CodexBinaryNotFound: Error, CustomStringConvertible {
  public var searched: [String]
  public var description: String {
    "the codex executable was not found (looked at \(searched.joined(separator: ", "))); "
      + "build it first with `swift build --build-tests`"
  }
}

/// The `codex` executable built next to the running test bundle
/// (`.build/<triple>/debug/codex`, reached also as `.build/debug/codex`). When it is missing this
/// still returns the expected path, so a spawn fails naming it; use `requireCodexBinary()` for a
/// thrown error that says how to fix it.
public func codexBinaryPath() -> String {
  let candidates = codexBinaryCandidates()
  return candidates.first(where: isExecutable) ?? candidates.first ?? ".build/debug/codex"
}

/// Like `codexBinaryPath()`, but throws `CodexBinaryNotFound` when the binary is missing.
public func requireCodexBinary() throws -> String {
  let candidates = codexBinaryCandidates()
  guard let found = candidates.first(where: isExecutable) else {
    throw CodexBinaryNotFound(searched: candidates)
  }
  return found
}

/// Derived from the test process's own executable (`/proc/self/exe`, else argv[0]): the test
/// bundle and `codex` are built into the same directory. Then `.build/debug` under the current
/// directory, for runs from the package root.
private func codexBinaryCandidates() -> [String] {
  var directories: [String] = []
  for executable in [Platform.currentExecutablePath(), CommandLine.arguments.first] {
    guard var path = executable, !path.isEmpty else { continue }
    if !path.hasPrefix("/"), let cwd = Platform.currentDirectory() { path = cwd + "/" + path }
    // The bundle may be a directory (`*.xctest/...`) on some setups: walk up to `debug`/`release`.
    var directory = parent(of: path)
    while directory != "/" && !directory.hasSuffix("/debug") && !directory.hasSuffix("/release")
      && directory.contains(".xctest")
    {
      directory = parent(of: directory)
    }
    directories.append(directory)
  }
  if let cwd = Platform.currentDirectory() { directories.append(cwd + "/.build/debug") }
  var seen = Set<String>()
  return directories.map { $0 + "/codex" }.filter { seen.insert($0).inserted }
}

private func parent(of path: String) -> String {
  guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
  return String(path[..<slash])
}

private func isExecutable(_ path: String) -> Bool {
  let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type]
  return type as? FileAttributeType == .typeRegular
    && FileManager.default.isExecutableFile(atPath: path)
}
