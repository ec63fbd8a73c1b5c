extension PatchPlan {
  /// Writes the planned changes and returns `report`.
  ///
  /// First every file is checked to still be what the plan read (an approval prompt can take
  /// minutes, and the user may edit meanwhile); a difference throws `.changedSincePlanned`
  /// before anything is written. Each file is then written beside itself and renamed over the
  /// old one, keeping its mode (new files get 0666 less the umask, missing parent directories
  /// are created); written files come before deleted ones, so a move never loses its source
  /// before the destination exists. If a write fails, the files already changed are put back
  /// and the directories made are removed, and `.write` tells whether that worked.
  ///
  /// Writes go to the real locations (`writtenPaths`): an update through a symlink rewrites the
  /// file it points to and keeps the link; a delete removes the link itself. A file with other
  /// hard links is replaced, not modified in place, so the other links keep the old content.
  @discardableResult
  public func apply() throws(ApplyPatchError) -> String {
    for step in steps where !step.stillLeadsToRealPath || !Self.isUnchanged(step) {
      throw .changedSincePlanned(path: step.displayPath)
    }
    var done: [Undo] = []
    for step in steps where step.result != nil {
      do throws(PatchFileSystemError) {
        guard case .regular(let bytes, let mode)? = step.result else { continue }
        try Self.checkPath(of: step)
        let made = try PatchFileSystem.makeParentDirectories(of: step.realPath)
        done.append(.removeDirectories(made))
        try PatchFileSystem.writeAtomically(step.realPath, bytes, mode: mode)
        done.append(.restore(step))
      } catch {
        throw .write(path: step.displayPath, reason: error.reason, rolledBack: Self.undo(done))
      }
    }
    for step in steps where step.result == nil {
      do throws(PatchFileSystemError) {
        try Self.checkPath(of: step)
        try PatchFileSystem.remove(step.realPath)
        done.append(.restore(step))
      } catch {
        throw .write(path: step.displayPath, reason: error.reason, rolledBack: Self.undo(done))
      }
    }
    return report
  }

  /// Checked again right before each write: narrows the window in which a process racing the
  /// patch could swap a directory for a symlink to a few system calls (closing it needs
  /// `openat2` with `RESOLVE_BENEATH`, which the C shims do not offer yet).
  private static func checkPath(of step: PlannedStep) throws(PatchFileSystemError) {
    guard step.stillLeadsToRealPath else {
      throw PatchFileSystemError(reason: "a symbolic link on its path changed during the write")
    }
  }

  enum Undo {
    case restore(PlannedStep)
    case removeDirectories([String])
  }

  /// Puts back what `done` changed, newest first; false if any of it failed.
  static func undo(_ done: [Undo]) -> Bool {
    var complete = true
    for action in done.reversed() {
      switch action {
      case .removeDirectories(let directories):
        for directory in directories.reversed() { PatchFileSystem.removeDirectory(directory) }
      case .restore(let step):
        do throws(PatchFileSystemError) {
          switch step.original {
          case nil:
            try PatchFileSystem.remove(step.realPath)
          case .regular(let bytes, let mode)?:
            try PatchFileSystem.writeAtomically(step.realPath, bytes, mode: mode)
          case .symlink(let target)?:
            if (try? PatchFileSystem.entry(step.realPath)) != nil {
              try PatchFileSystem.remove(step.realPath)
            }
            try PatchFileSystem.makeSymlink(target, at: step.realPath)
          case .directory?, .other?:
            break  // never changed by a plan
          }
        } catch {
          complete = false
        }
      }
    }
    return complete
  }

  /// True when the disk still holds what the plan read at this step's path.
  private static func isUnchanged(_ step: PlannedStep) -> Bool {
    let entry: PatchFileSystem.Entry?
    do throws(PatchFileSystemError) {
      entry = try PatchFileSystem.entry(step.realPath)
    } catch {
      return false
    }
    switch (step.original, entry) {
    case (nil, nil):
      return true
    case (.regular(let bytes, let mode)?, .regular(let diskMode, let size)?):
      guard mode == diskMode, size == bytes.count else { return false }
      let current = try? PatchFileSystem.readFile(step.realPath, limit: PatchPlanner.fileSizeLimit)
      return current == bytes
    case (.symlink(let target)?, .symlink?):
      return PatchFileSystem.readLink(step.realPath) == target
    default:
      return false
    }
  }
}
