/// Everything a patch will do, worked out before anything is written.
///
/// The whole flow, for the tool layer:
/// ```swift
/// // 1. A shell call may carry a patch (the apply_patch tool passes its text directly).
/// guard case .patch(let text, let cd) = ApplyPatchInvocation.recognize(argv) else { … }
/// // 2. Parse and plan: reads the files, places every hunk, writes nothing.
/// let plan = try PatchPlanner.plan(
///   text: text, in: ApplyPatchInvocation.directory(for: cd, in: cwd))
/// // 3. Check plan.writtenPaths against the sandbox's writable roots; show plan.changes
/// //    (unifiedDiff per file) and plan.summary at the approval prompt; emit events.
/// // 4. Write; the result is the tool output for the model.
/// let output = try plan.apply()
/// ```
/// Every step throws `ApplyPatchError`; its `description` is the tool output to send back to
/// the model on failure (it names the patch line or hunk and says how to fix the patch). All of
/// it is synchronous file I/O: run it off the cooperative thread pool for big patches.
public struct PatchPlan: Sendable {
  /// The absolute working directory relative paths were resolved against.
  public let directory: String
  /// One entry per file, in patch order. A move is one `.update` with `movePath`.
  public let changes: [PatchFileChange]
  /// The real location of every file the patch creates, rewrites or deletes (a move: both the
  /// source and the destination), with symlinks and `..` resolved the way the kernel walks
  /// them: a path that leaves the workspace through a symlink appears here as where it really
  /// lands. Check these against the sandbox's writable roots before `apply()`.
  public let writtenPaths: [String]
  let steps: [PlannedStep]

  /// "3 files changed, +12 −4" (the minus is U+2212, as in git's stat line).
  public var summary: String {
    let files = changes.count == 1 ? "1 file changed" : "\(changes.count) files changed"
    let added = changes.reduce(0) { $0 + $1.additions }
    let removed = changes.reduce(0) { $0 + $1.deletions }
    return "\(files), +\(added) \u{2212}\(removed)"
  }

  /// What the model is told after `apply()` succeeded, in codex-rs's words:
  /// "Success. Updated the following files:" then `A path`, `M path`, `D path` lines (a move is
  /// `M` with its new path). Paths are relative to `directory` when inside it.
  public var report: String {
    var lines = ["Success. Updated the following files:"]
    for change in changes {
      switch change.kind {
      case .add: lines.append("A " + relative(change.path))
      case .update: lines.append("M " + relative(change.movePath ?? change.path))
      case .delete: lines.append("D " + relative(change.path))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func relative(_ path: String) -> String {
    let prefix = directory.hasSuffix("/") ? directory : directory + "/"
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }
}

/// One file's change, for events, the approval prompt and the summary line.
public struct PatchFileChange: Sendable, Equatable {
  public enum Kind: String, Sendable, Equatable {
    case add
    case update
    case delete
  }

  /// Absolute, with `.` and `..` removed as written (symlinks not resolved: see `writtenPaths`).
  public let path: String
  public let kind: Kind
  /// The new path of a moved file (absolute), nil otherwise.
  public let movePath: String?
  /// The change as unified-diff hunks without file headers (`@@ -1,3 +1,4 @@` …), three lines of
  /// context, `\ No newline at end of file` where needed. Empty when the content is unchanged
  /// (a pure move) or not UTF-8 text (deleting a binary file).
  public let unifiedDiff: String
  /// Lines added and removed, as counted in `unifiedDiff`.
  public let additions: Int
  public let deletions: Int

  public init(
    path: String, kind: Kind, movePath: String? = nil, unifiedDiff: String, additions: Int,
    deletions: Int
  ) {
    self.path = path
    self.kind = kind
    self.movePath = movePath
    self.unifiedDiff = unifiedDiff
    self.additions = additions
    self.deletions = deletions
  }
}

/// What is at a real path: before the patch (as read when planning) or after it.
enum PlannedEntry: Sendable, Equatable {
  /// `mode` nil: a file the patch creates, with the default mode for new files.
  case regular(bytes: [UInt8], mode: UInt32?)
  case symlink(target: String)
  case directory
  case other
}

/// One path whose entry the patch replaces: `original` (nil: absent) becomes `result` (nil:
/// removed).
struct PlannedStep: Sendable, Equatable {
  let realPath: String
  let displayPath: String
  /// The absolute, unresolved path the patch named, and whether its last symlink is followed:
  /// resolving it again must still lead to `realPath`.
  let requestedPath: String
  let followsFinal: Bool
  let original: PlannedEntry?
  let result: PlannedEntry?

  /// False when a symlink on the way was swapped since planning (the path now leads
  /// elsewhere), so writing `realPath` would no longer be what the patch asked for.
  var stillLeadsToRealPath: Bool {
    PatchPaths.realLocation(of: requestedPath, followFinal: followsFinal)
      .map { Array($0.utf8) == Array(realPath.utf8) } ?? false
  }
}
