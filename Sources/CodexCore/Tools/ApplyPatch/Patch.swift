/// A parsed `apply_patch` patch (the codex-rs format): file operations in the order written.
///
/// ```
/// *** Begin Patch
/// *** Add File: path/new.txt
/// +line
/// *** Update File: path/old.swift
/// *** Move to: path/renamed.swift
/// @@ optional context header (e.g. a func signature)
///  context line
/// -removed line
/// +added line
/// *** End of File      (optional: anchors the hunk at the end of the file)
/// *** Delete File: path/gone.txt
/// *** End Patch
/// ```
///
/// Produced by `PatchParser.parse`; turned into file contents by `PatchPlanner.plan`.
public struct Patch: Sendable, Equatable {
  public var operations: [PatchOperation]

  public init(operations: [PatchOperation]) {
    self.operations = operations
  }
}

/// One `*** Add File` / `*** Delete File` / `*** Update File` section.
public struct PatchOperation: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    /// A new file with these lines. `endsWithNewline` is false only when the patch marks the
    /// last line with `\ No newline at end of file`.
    case add(lines: [String], endsWithNewline: Bool)
    case delete
    /// Edits to an existing file, optionally renaming it. `endsWithNewline` is nil unless the
    /// patch says `\ No newline at end of file` after an added or context line (then false):
    /// nil keeps the file's own final-newline state.
    case update(moveTo: String?, chunks: [PatchChunk], endsWithNewline: Bool?)
  }

  /// The path as written in the patch (relative to the working directory, or absolute).
  public var path: String
  public var kind: Kind
  /// The 1-based line of the section header in the text the model sent.
  public var line: Int

  public init(path: String, kind: Kind, line: Int) {
    self.path = path
    self.kind = kind
    self.line = line
  }
}

/// One hunk of an update: where it goes (`@@` headers, end-of-file anchor) and its lines.
public struct PatchChunk: Sendable, Equatable {
  /// The text of its `@@ …` lines, in order: each narrows the search to the lines after the
  /// first line matching it (e.g. `class Foo`, then `def bar():`). Empty for a bare `@@`.
  public var headers: [String]
  public var lines: [PatchLine]
  /// Written with `*** End of File`: the old lines must be the last lines of the file.
  public var isEndOfFile: Bool
  /// The 1-based patch line where the hunk starts (its first `@@` or diff line).
  public var line: Int

  public init(headers: [String], lines: [PatchLine], isEndOfFile: Bool, line: Int) {
    self.headers = headers
    self.lines = lines
    self.isEndOfFile = isEndOfFile
    self.line = line
  }

  /// The lines the file must contain: context and removed lines, in order.
  public var oldLines: [String] { lines.filter { $0.kind != .added }.map(\.text) }
  /// What replaces them: context and added lines, in order.
  public var newLines: [String] { lines.filter { $0.kind != .removed }.map(\.text) }
}

/// One line of a hunk, without its ` `/`-`/`+` prefix.
public struct PatchLine: Sendable, Equatable {
  public enum Kind: Sendable, Equatable {
    case context
    case removed
    case added
  }

  public var kind: Kind
  public var text: String

  public init(_ kind: Kind, _ text: String) {
    self.kind = kind
    self.text = text
  }
}
