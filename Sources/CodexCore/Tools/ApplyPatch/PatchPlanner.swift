/// Works out what a patch does to the files under a directory, writing nothing: every file is
/// read and every hunk placed first, so a patch that cannot apply in full changes nothing.
///
/// Rules (codex-rs's, made strict where it would silently do damage):
/// - paths are relative to `directory`, or absolute;
/// - `*** Add File` refuses a path that exists (codex-rs overwrites it) and creates missing
///   parent directories;
/// - `*** Update File` and `*** Delete File` need an existing file; an update needs UTF-8 text
///   and a file this process may write; `*** Move to` refuses an existing destination (codex-rs
///   overwrites it);
/// - sections apply in order, each seeing the files as the earlier ones left them (two updates
///   of one file stack; a file added then updated gets both);
/// - hunks are placed by `HunkPlacer` (ambiguous or missing context is an error naming the
///   hunk, with the nearest lines of the file).
public enum PatchPlanner {
  /// Files larger than this are not read (nor patched).
  public static let fileSizeLimit = 32 << 20

  /// Parses `text` (see `PatchParser`) and plans it.
  public static func plan(text: String, in directory: String) throws(ApplyPatchError) -> PatchPlan {
    try plan(PatchParser.parse(text), in: directory)
  }

  /// Plans `patch` against the files under `directory` (made absolute against the process's
  /// working directory if it is relative).
  public static func plan(_ patch: Patch, in directory: String) throws(ApplyPatchError)
    -> PatchPlan
  {
    let base = PatchPaths.absolute(directory, in: Platform.currentDirectory() ?? "/")
    var planning = Planning(directory: base)
    for operation in patch.operations {
      try planning.perform(operation)
    }
    return planning.finish()
  }
}

private struct Planning {
  let directory: String

  /// A real path's bytes: Swift compares strings up to Unicode canonical equivalence, but a
  /// file named "café" in NFC and one in NFD are two files.
  private typealias Key = [UInt8]

  private struct Slot {
    let realPath: String
    let displayPath: String
    /// The path as asked for (absolute, unresolved) and how: to check at apply time that it
    /// still leads to `realPath`.
    let requestedPath: String
    let followsFinal: Bool
    let original: PlannedEntry?
    var current: PlannedEntry?
  }

  private struct Move {
    let source: Key
    let destination: Key
    let oldText: FileText
  }

  /// Keyed by real path: two spellings of one file share a slot.
  private var slots: [Key: Slot] = [:]
  private var order: [Key] = []
  private var moves: [Move] = []

  init(directory: String) {
    self.directory = directory
  }

  mutating func perform(_ operation: PatchOperation) throws(ApplyPatchError) {
    switch operation.kind {
    case .add(let lines, let endsWithNewline):
      let key = try slot(operation.path, line: operation.line, followFinal: false)
      if let existing = slots[key]?.current {
        throw fileError(
          operation,
          existing == .directory
            ? "is a directory"
            : "already exists; use '*** Update File' to change it (or '*** Delete File' first)")
      }
      try checkParent(of: key, operation.path, line: operation.line)
      let text = FileText(newFileLines: lines, endsWithNewline: endsWithNewline)
      slots[key]?.current = .regular(bytes: text.bytes, mode: nil)

    case .delete:
      let key = try slot(operation.path, line: operation.line, followFinal: false)
      switch slots[key]?.current {
      case nil: throw fileError(operation, "does not exist, so it cannot be deleted")
      case .directory: throw fileError(operation, "is a directory; apply_patch deletes files only")
      case .other: throw fileError(operation, "is not a regular file")
      case .regular, .symlink: slots[key]?.current = nil
      }

    case .update(let moveTo, let chunks, let endsWithNewline):
      try update(operation, moveTo: moveTo, chunks: chunks, endsWithNewline: endsWithNewline)
    }
  }

  private mutating func update(
    _ operation: PatchOperation, moveTo: String?, chunks: [PatchChunk], endsWithNewline: Bool?
  ) throws(ApplyPatchError) {
    let key = try slot(operation.path, line: operation.line, followFinal: true)
    guard let slot = slots[key], case .regular(let bytes, let mode)? = slot.current else {
      switch slots[key]?.current {
      case nil:
        throw fileError(
          operation, "does not exist; use '*** Add File' to create it, or check the path")
      case .directory?: throw fileError(operation, "is a directory")
      default: throw fileError(operation, "is not a regular file")
      }
    }
    if slot.original != nil && !PatchFileSystem.isWritable(slot.realPath) {
      throw fileError(operation, "is read-only")
    }
    guard let text = FileText(bytes: bytes) else {
      throw fileError(operation, "is not UTF-8 text; apply_patch edits text files only")
    }
    let newBytes =
      chunks.isEmpty
      ? bytes
      : try HunkPlacer(path: operation.path, file: text).apply(
        chunks, endsWithNewline: endsWithNewline
      ).bytes
    let result = PlannedEntry.regular(bytes: newBytes, mode: mode)
    guard let moveTo else {
      slots[key]?.current = result
      return
    }
    let source = try self.slot(operation.path, line: operation.line, followFinal: false)
    let destination = try self.slot(moveTo, line: operation.line, followFinal: false)
    if destination == source || destination == key {
      slots[key]?.current = result
      return
    }
    if slots[destination]?.current != nil {
      throw .file(
        path: moveTo, line: operation.line,
        reason:
          "already exists, so '\(operation.path)' cannot be moved there; delete it first "
          + "('*** Delete File') or choose another name")
    }
    try checkParent(of: destination, moveTo, line: operation.line)
    slots[destination]?.current = result
    slots[source]?.current = nil
    moves.append(Move(source: source, destination: destination, oldText: text))
  }

  /// The slot of `path`, read from disk the first time it is touched.
  private mutating func slot(_ path: String, line: Int, followFinal: Bool) throws(ApplyPatchError)
    -> Key
  {
    let joined = path.hasPrefix("/") ? path : directory + "/" + path
    let display = PatchPaths.absolute(path, in: directory)
    if path.hasSuffix("/") || display == "/" || display == directory {
      throw .invalidPath(path: path, line: line, reason: "names a directory, not a file")
    }
    guard let real = PatchPaths.realLocation(of: joined, followFinal: followFinal) else {
      throw .invalidPath(
        path: path, line: line, reason: "goes through more than 40 symbolic links (a loop?)")
    }
    let key = Key(real.utf8)
    if slots[key] == nil {
      let original = try load(real, path, line: line)
      slots[key] = Slot(
        realPath: real, displayPath: display, requestedPath: joined, followsFinal: followFinal,
        original: original, current: original)
      order.append(key)
    }
    return key
  }

  private func load(_ real: String, _ path: String, line: Int) throws(ApplyPatchError)
    -> PlannedEntry?
  {
    do throws(PatchFileSystemError) {
      switch try PatchFileSystem.entry(real) {
      case nil: return nil
      case .directory: return .directory
      case .other: return .other
      case .symlink: return .symlink(target: PatchFileSystem.readLink(real) ?? "")
      case .regular(let mode, _):
        let bytes = try PatchFileSystem.readFile(real, limit: PatchPlanner.fileSizeLimit)
        return .regular(bytes: bytes, mode: mode)
      }
    } catch {
      throw .file(path: path, line: line, reason: "cannot be read: \(error.reason)")
    }
  }

  /// A file can be created at `real` only if its nearest existing ancestor is a directory.
  private func checkParent(of key: Key, _ path: String, line: Int) throws(ApplyPatchError) {
    var ancestor = PatchFileSystem.parentPath(String(decoding: key, as: UTF8.self))
    while ancestor != "/" {
      switch try? PatchFileSystem.entry(ancestor) {
      case nil:
        ancestor = PatchFileSystem.parentPath(ancestor)
        continue
      case .directory?:
        return
      default:
        throw .file(
          path: path, line: line, reason: "cannot be created: \(ancestor) is not a directory")
      }
    }
  }

  private func fileError(_ operation: PatchOperation, _ reason: String) -> ApplyPatchError {
    .file(path: operation.path, line: operation.line, reason: reason)
  }

  func finish() -> PatchPlan {
    var changes: [PatchFileChange] = []
    var reported: Set<Key> = []
    for key in order where !reported.contains(key) {
      guard let slot = slots[key] else { continue }
      if slot.current == nil, let move = moves.last(where: { $0.source == key }),
        let destination = slots[move.destination], destination.original == nil,
        case .regular(let bytes, _)? = destination.current
      {
        let diff = UnifiedDiff(
          old: .init(move.oldText), new: Self.side(bytes) ?? .empty)
        changes.append(
          PatchFileChange(
            path: slot.displayPath, kind: .update, movePath: destination.displayPath,
            unifiedDiff: diff.text, additions: diff.additions, deletions: diff.deletions))
        reported.insert(move.destination)
        continue
      }
      let kind: PatchFileChange.Kind
      switch (slot.original, slot.current) {
      case (nil, nil): continue
      case (nil, _): kind = .add
      case (_, nil): kind = .delete
      default: kind = .update
      }
      let diff = UnifiedDiff(
        old: Self.side(slot.original) ?? .empty, new: Self.side(slot.current) ?? .empty)
      changes.append(
        PatchFileChange(
          path: slot.displayPath, kind: kind, unifiedDiff: diff.text,
          additions: diff.additions, deletions: diff.deletions))
    }
    let steps = order.compactMap { key -> PlannedStep? in
      guard let slot = slots[key], slot.original != slot.current else { return nil }
      return PlannedStep(
        realPath: slot.realPath, displayPath: slot.displayPath,
        requestedPath: slot.requestedPath, followsFinal: slot.followsFinal,
        original: slot.original, result: slot.current)
    }
    return PatchPlan(
      directory: directory, changes: changes, writtenPaths: steps.map(\.realPath), steps: steps)
  }

  private static func side(_ entry: PlannedEntry?) -> UnifiedDiff.Side? {
    guard case .regular(let bytes, _)? = entry else { return nil }
    return side(bytes)
  }

  private static func side(_ bytes: [UInt8]) -> UnifiedDiff.Side? {
    FileText(bytes: bytes).map(UnifiedDiff.Side.init)
  }
}
