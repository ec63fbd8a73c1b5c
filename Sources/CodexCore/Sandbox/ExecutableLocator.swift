/// Resolves a command the way `execvp` would, but up front, so a missing command becomes a clear
/// `ProcessError` instead of an ENOENT that is indistinguishable from a missing directory.
enum ExecutableLocator {
  static let defaultSearchPath = "/usr/local/bin:/usr/bin:/bin"

  /// The path to execute for `executable`: a path with a slash is taken relative to
  /// `workingDirectory`; a bare name is searched in `searchPath` (empty entries mean the working
  /// directory, as in POSIX).
  static func resolve(_ executable: String, workingDirectory: String, searchPath: String?)
    throws(ProcessError) -> String
  {
    guard !executable.isEmpty else {
      throw .executableNotFound(executable: executable, searchPath: nil)
    }
    if executable.contains("/") {
      let path = absolute(executable, relativeTo: workingDirectory)
      guard Platform.fileKind(path) != nil else {
        throw .executableNotFound(executable: executable, searchPath: nil)
      }
      return path  // exists; posix_spawn reports a missing permission precisely
    }
    let search = searchPath ?? defaultSearchPath
    for directory in search.split(separator: ":", omittingEmptySubsequences: false) {
      let base = directory.isEmpty ? workingDirectory : String(directory)
      let candidate = absolute(base + "/" + executable, relativeTo: workingDirectory)
      if Platform.isExecutableFile(candidate) { return candidate }
    }
    throw .executableNotFound(executable: executable, searchPath: search)
  }

  static func absolute(_ path: String, relativeTo directory: String) -> String {
    if path.hasPrefix("/") { return path }
    return directory.hasSuffix("/") ? directory + path : directory + "/" + path
  }
}
