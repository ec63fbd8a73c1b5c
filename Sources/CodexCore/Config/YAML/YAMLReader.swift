/// Reads `config.yaml` / `config.yml` (the older Codex CLI's format) into the shared config tree.
///
/// This is the block-style subset that hand-written config files use, not all of YAML:
/// - mappings nested by indentation, block sequences (`- item`, `- key: value`), a sequence
///   directly under its key at the same indentation;
/// - plain, 'single-quoted' and "double-quoted" scalars on one line, `|` and `>` block scalars;
/// - flow collections (`[a, b]`, `{a: 1}`) that close on the line they open;
/// - comments, blank lines, one `---` at the top, one `...` at the end.
///
/// Plain scalars are typed by the YAML 1.2 core schema (`true`, `0x1F`, `1e3`, `.inf`, `~`), so
/// `yes`/`no`/`on`/`off` stay strings; quoted scalars are always strings. A key whose value is null
/// is left out of the table, as the older CLI's files use null for "unset".
///
/// Everything else — anchors and aliases, tags, multiple documents, complex keys, tab indentation,
/// values continued on the next line — is an error naming the line and column, so a file is never
/// silently read differently from what its author meant. Columns count Unicode scalars, 1-based.
public enum YAMLReader {
  /// Nesting cap so hostile input (`- - - - …`, `[[[[…`) cannot overflow the stack.
  public static let maxDepth = 256

  public static func parse(_ text: String) throws(ConfigSyntaxError) -> ConfigTable {
    try parse(scalars: Array(text.unicodeScalars))
  }

  /// Reads raw file bytes, so a file that is not valid UTF-8 is an error with its position rather
  /// than silently repaired with U+FFFD as `String(decoding:as:)` would.
  public static func parse(_ bytes: [UInt8]) throws(ConfigSyntaxError) -> ConfigTable {
    try parse(scalars: configSourceScalars(utf8: bytes))
  }

  static func parse(scalars: [Unicode.Scalar]) throws(ConfigSyntaxError) -> ConfigTable {
    var parser = try YAMLParser(scalars)
    return try parser.document()
  }
}
