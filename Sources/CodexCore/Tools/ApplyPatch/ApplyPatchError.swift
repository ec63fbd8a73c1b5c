/// Why a patch cannot be parsed, planned or applied. `description` is written for the model that
/// sent the patch: it says where (patch line, file) and how to fix it. Every case reads as one
/// line except `hunk`, whose message goes on to show the nearest lines of the file.
public enum ApplyPatchError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The text does not follow the patch grammar at this 1-based line.
  case syntax(line: Int, message: String)
  /// The patch holds no file operation.
  case emptyPatch
  /// A path in the patch cannot be used (empty, control characters, a directory name).
  case invalidPath(path: String, line: Int, reason: String)
  /// The file system does not allow the operation: a file to update is missing, a file to add
  /// exists, the file is not UTF-8 text…
  case file(path: String, line: Int, reason: String)
  /// A hunk of an update could not be placed: its lines are missing, match more than once, or
  /// its `@@` header is not in the file. The message names the hunk and shows what to change.
  case hunk(path: String, line: Int, message: String)
  /// At apply time a file is not what the plan read: someone changed it in between.
  case changedSincePlanned(path: String)
  /// Writing failed; `rolledBack` tells whether the files already written were put back.
  case write(path: String, reason: String, rolledBack: Bool)

  public var description: String {
    switch self {
    case .syntax(let line, let message):
      return "invalid patch: line \(line): \(message)"
    case .emptyPatch:
      return
        "invalid patch: it contains no file operation; write '*** Add File: <path>', "
        + "'*** Update File: <path>' or '*** Delete File: <path>' sections between "
        + "'*** Begin Patch' and '*** End Patch'"
    case .invalidPath(let path, let line, let reason):
      return "invalid patch: line \(line): path '\(path)' \(reason)"
    case .file(let path, let line, let reason):
      return "patch not applied: \(path) (patch line \(line)) \(reason)"
    case .hunk(_, _, let message):
      return message
    case .changedSincePlanned(let path):
      return
        "patch not applied: \(path) changed after the patch was checked; re-read the file and "
        + "send the patch again"
    case .write(let path, let reason, let rolledBack):
      let state =
        rolledBack
        ? "no file was changed (the files already written were put back)"
        : "some files may already be changed and could not all be put back"
      return "patch failed while writing \(path): \(reason); \(state)"
    }
  }
}
