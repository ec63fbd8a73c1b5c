import Testing

@testable import CodexCore

@Suite struct YAMLReaderErrorTests {
  static let unsupportedFeatures: [SyntaxErrorCase] = [
    .init("a: &base 1", "anchors ('&name') are not supported; repeat the value instead", 1, 4),
    .init("a:\n  - &x 1", "anchors ('&name') are not supported; repeat the value instead", 2, 5),
    .init("&a key: 1", "anchors ('&name') are not supported; repeat the value instead", 1, 1),
    .init("a: 1\nb: *base", "aliases ('*name') are not supported; repeat the value instead", 2, 4),
    .init("<<: *base", "aliases ('*name') are not supported; repeat the value instead", 1, 5),
    .init("a: [*x]", "aliases ('*name') are not supported; repeat the value instead", 1, 5),
    .init(
      "a: !!str 1",
      "tags ('!!str', '!name') are not supported; quote the value to make it a string", 1, 4),
    .init(
      "!!str a: 1",
      "tags ('!!str', '!name') are not supported; quote the value to make it a string", 1, 1),
    .init(
      "a: {b: !x 1}",
      "tags ('!!str', '!name') are not supported; quote the value to make it a string", 1, 8),
    .init(
      "a: 1\n---\nb: 2", "multiple documents ('---') are not supported; keep one document per file",
      2, 1),
    .init(
      "---\na: 1\n---", "multiple documents ('---') are not supported; keep one document per file",
      3, 1),
    .init(
      "a: 1\n...\nb: 2", "multiple documents are not supported; nothing may follow '...'", 3, 1),
    .init(
      "--- a: 1", "content on the '---' line is not supported; start it on the next line", 1, 5),
    .init(
      "%YAML 1.2\n---\na: 1",
      "YAML directives ('%YAML', '%TAG') are not supported; remove the line", 1, 1),
    .init("? a\n: b", "complex mapping keys ('? ') are not supported", 1, 1),
    .init(
      "a: [1, 2\n, 3]",
      "'[' is not closed on its line; '[ ]' and '{ }' must close on the line they open (use one '- item' or 'key: value' per line instead)",
      1, 4),
    .init(
      "a: {b: 1,   # c\n c: 2}",
      "'{' is not closed on its line; '[ ]' and '{ }' must close on the line they open (use one '- item' or 'key: value' per line instead)",
      1, 4),
    .init(
      "a: \"multi\n  line\"",
      "unterminated string; quoted strings must close on the line they start (use '|' for multi-line text)",
      1, 4),
    .init(
      "a: 'abc",
      "unterminated string; quoted strings must close on the line they start (use '|' for multi-line text)",
      1, 4),
    .init(
      "a: \"x\\\n  y\"",
      "unterminated string; quoted strings must close on the line they start (use '|' for multi-line text)",
      1, 4),
    .init(
      "a: foo\n  bar",
      "unexpected indentation: \"a\" already has a value on line 1 (a value cannot continue on the next line; use '|' or '>' for multi-line text)",
      2, 3),
    .init(
      "a:\n  - foo\n    bar",
      "unexpected indentation: the sequence item on line 2 already has a value (a value cannot continue on the next line; use '|' or '>' for multi-line text)",
      3, 5),
    .init(
      "a: |x\n  t",
      "invalid block scalar header; expected '|' or '>' optionally followed by '-', '+' or an indentation digit",
      1, 5),
    .init(
      "a: |--\n  t",
      "invalid block scalar header; expected '|' or '>' optionally followed by '-', '+' or an indentation digit",
      1, 6),
    .init(
      "a: | text", "a block scalar starts on the line after '|' or '>'; move this text there", 1, 6),
    .init("a: [|]", "block scalars ('|', '>') cannot be used inside '[ ]' or '{ }'", 1, 5),
  ]

  static let structureErrors: [SyntaxErrorCase] = [
    .init("a:\n\tb: 1", "tabs are not allowed for indentation in YAML; use spaces", 2, 1),
    .init("a:\n  \tb: 1", "tabs are not allowed for indentation in YAML; use spaces", 2, 3),
    .init(
      "a:\n    b: 1\n  c: 2",
      "inconsistent indentation: expected 0 spaces to continue the mapping at line 1, found 2", 3, 3
    ),
    .init(
      "a:\n  b:\n    - 1\n   - 2",
      "inconsistent indentation: expected 2 spaces to continue the mapping at line 2, found 3", 4, 4
    ),
    .init(
      "a:\n  - 1\n   - 2",
      "unexpected indentation: the sequence item on line 2 already has a value (a value cannot continue on the next line; use '|' or '>' for multi-line text)",
      3, 4),
    .init(
      "a:\n  - b: 1\n   c: 2",
      "inconsistent indentation: expected 2 spaces to continue the sequence at line 2, found 3", 3,
      4),
    .init(
      "a: |\n  x\n b: 1",
      "inconsistent indentation: expected 0 spaces to continue the mapping at line 1, found 1", 3, 2
    ),
    .init(
      "a:\n  - >\n    x\n   - 1",
      "inconsistent indentation: expected 2 spaces to continue the sequence at line 2, found 3", 4,
      4),
    .init(
      "  a: 1\nb: 2", "inconsistent indentation: the top-level mapping starts at column 3", 2, 1),
    .init(
      "a:\n  - 1\n  b: 2", "expected a sequence item ('- ') here; a sequence cannot also have keys",
      3, 3),
    .init(
      "a: 1\n- b",
      "expected 'key: value' here, found a sequence item; indent the '- ' under its key", 2, 1),
    .init("a: 1\nb", "expected 'key: value' here", 2, 1),
    .init("a: 1\nb:2", "expected 'key: value' here; put a space after the ':'", 2, 1),
    .init("a:b", "expected 'key: value' here; put a space after the ':'", 1, 1),
    .init(
      "- a\n- b", "the top level of a YAML config must be a mapping (key: value), found a sequence",
      1, 1),
    .init(
      "hello", "the top level of a YAML config must be a mapping (key: value), found a value", 1, 1),
    .init(
      "[a, b]", "the top level of a YAML config must be a mapping (key: value), found a value", 1, 1
    ),
    .init("{a: 1}\nb: 2", "unexpected content after the top-level mapping", 2, 1),
    .init(
      "a: b: c",
      "a nested mapping cannot start on the same line as its key; move it to the next line", 1, 4),
    .init(
      "a: - 1",
      "a block sequence cannot start on the same line as its key; move '- ' to the next line", 1, 4),
    .init(
      "a: -",
      "a block sequence cannot start on the same line as its key; move '- ' to the next line", 1, 4),
    .init(
      "a: x: ",
      "a nested mapping cannot start on the same line as its key; move it to the next line", 1, 4),
    .init(
      "- a: x: y",
      "the top level of a YAML config must be a mapping (key: value), found a sequence", 1, 1),
    .init(
      "k:\n  - a: x: y",
      "a nested mapping cannot start on the same line as its key; move it to the next line", 2, 8),
    .init(
      "k:\n  - x y: z: w",
      "a nested mapping cannot start on the same line as its key; move it to the next line", 2, 10),
    .init(": x", "missing key before ':'", 1, 1),
    .init("a: 1\n\"\": 2\n\"\": 3", "duplicate key \"\" (first defined at 2:1)", 3, 1),
    .init("model: a\nmodel: b", "duplicate key \"model\" (first defined at 1:1)", 2, 1),
    .init("p:\n  o: 1\n  # c\n  o: 2", "duplicate key \"o\" (first defined at 2:3)", 4, 3),
    .init("a: ~\na: 1", "duplicate key \"a\" (first defined at 1:1)", 2, 1),
    .init("'a': 1\n\"a\": 2", "duplicate key \"a\" (first defined at 1:1)", 2, 1),
    .init("a: {x: 1, x: 2}", "duplicate key \"x\" (first defined at 1:5)", 1, 11),
    .init(
      "a:\n  -\n  - 1",
      "empty (null) sequence items are not supported in a config; remove the item", 2, 3),
    .init(
      "a:\n  - ~", "empty (null) sequence items are not supported in a config; remove the item", 2,
      5),
    .init("a: [1, ~]", "null items are not supported in a config sequence; remove the item", 1, 8),
  ]

  static let valueErrors: [SyntaxErrorCase] = [
    .init("a: \"\\q\"", "invalid escape '\\q' in double-quoted string", 1, 5),
    .init("a: \"x\\u12\"", "invalid '\\u' escape: expected 4 hex digits", 1, 6),
    .init("a: \"\\xZZ\"", "invalid '\\x' escape: expected 2 hex digits", 1, 5),
    .init("a: \"\\uD800\"", "invalid '\\u' escape: not a Unicode character", 1, 5),
    .init("a: \"\\U00110000\"", "invalid '\\U' escape: not a Unicode character", 1, 5),
    .init("a: \"x\" y", "unexpected text after the closing quote", 1, 8),
    .init("a: \"x\"#y", "unexpected text after the closing quote", 1, 7),
    .init(
      "a: 'x'': 1",
      "unterminated string; quoted strings must close on the line they start (use '|' for multi-line text)",
      1, 4),
    .init("a: [1] x", "unexpected text after ']'", 1, 8),
    .init("a: {b: 1} x", "unexpected text after '}'", 1, 11),
    .init("a: [1 2, 3:]", "'key: value' pairs inside '[ ]' are not supported; use '{ }'", 1, 11),
    .init("a: [1, , 2]", "unexpected ','", 1, 8),
    .init("a: [1 }", "expected ',' or ']' after an item in '[ ]'", 1, 7),
    .init("a: {b: 1, c}", "expected ':' after key \"c\" in '{ }'", 1, 12),
    .init("a: {b:1}", "expected ':' after key \"b:1\" in '{ }'; put a space after the ':'", 1, 8),
    .init("a: {b: 1 c: 2}", "expected ',' or '}' after a value in '{ }'", 1, 11),
    .init("a: {[x]: 1}", "'[ ]' and '{ }' cannot be used as keys", 1, 5),
    .init("a: {: 1}", "missing key before ':'", 1, 5),
    .init("a: @home", "'@' cannot start a plain value; put the value in quotes", 1, 4),
    .init("a: `cmd`", "'`' cannot start a plain value; put the value in quotes", 1, 4),
    .init("a: %x", "'%' cannot start a plain value; put the value in quotes", 1, 4),
    .init("a: ]", "unexpected ']'", 1, 4),
    .init("a: 99999999999999999999", "integer 99999999999999999999 does not fit in 64 bits", 1, 4),
    .init("a: 0x10000000000000000", "integer 0x10000000000000000 does not fit in 64 bits", 1, 4),
    .init("a: -1e999", "number -1e999 is out of range", 1, 4),
    .init("a: x\u{01}y", "control character U+0001 is not allowed in YAML", 1, 5),
    .init(
      "a: 1\rb: 2",
      "control character a carriage return without a line feed is not allowed in YAML", 1, 5),
  ]

  @Test(arguments: unsupportedFeatures + structureErrors + valueErrors)
  func reportsTheProblemAndWhereItIs(_ c: SyntaxErrorCase) {
    let error = syntaxError(c.text, YAMLReader.parse)
    #expect(error?.message == c.message)
    #expect(error?.position == pos(c.line, c.column))
  }

  @Test func errorDescriptionIsLineColumnAndMessage() {
    let error = syntaxError("a: 1\nb:\n  c: &x 2\n", YAMLReader.parse)
    #expect(
      error?.description == "3:6: anchors ('&name') are not supported; repeat the value instead")
  }
}
