/// Reads the two things in a git config file that decide what git executes from elsewhere:
/// `core.hooksPath` (where hooks come from) and `include.path` / `includeIf.*.path` (more config,
/// which can set anything, `core.fsmonitor` included). Not a full git config parser: enough of
/// the syntax to find these keys (sections, quoting, escapes, comments, continuation lines).
struct GitConfigScanner {
  struct Findings: Equatable {
    var hooksPaths: [String] = []
    var includePaths: [String] = []
  }

  static func scan(_ text: String) -> Findings {
    var findings = Findings()
    var section = ""
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
    while var line = lines.popFirst().map(String.init) {
      // A backslash at the very end continues the value on the next line.
      while line.hasSuffix("\\"), !line.hasSuffix("\\\\"), let next = lines.popFirst() {
        line = String(line.dropLast()) + next
      }
      var rest = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
      if rest.first == "[" {
        guard let close = rest.firstIndex(of: "]") else { continue }
        section = sectionName(rest[rest.index(after: rest.startIndex)..<close])
        rest = rest[rest.index(after: close)...].drop { $0 == " " || $0 == "\t" }
        // `[core] hooksPath = x` on one line is valid too.
        if rest.isEmpty || rest.first == "#" || rest.first == ";" { continue }
      }
      guard let first = rest.first, first.isLetter else { continue }
      let keyEnd = rest.firstIndex { !($0.isLetter || $0.isNumber || $0 == "-") } ?? rest.endIndex
      let key = rest[..<keyEnd].lowercased()
      var afterKey = rest[keyEnd...].drop { $0 == " " || $0 == "\t" }
      guard afterKey.first == "=" else { continue }  // a bare key is a boolean: no path
      afterKey = afterKey.dropFirst()
      let value = parseValue(afterKey)
      guard !value.isEmpty else { continue }
      switch (section, key) {
      case ("core", "hookspath"): findings.hooksPaths.append(value)
      case ("include", "path"), ("includeif", "path"): findings.includePaths.append(value)
      default: break
      }
    }
    return findings
  }

  /// `core`, `includeIf "gitdir:..."` -> `includeif`, `core.sub` -> `core`.
  private static func sectionName(_ header: Substring) -> String {
    let trimmed = header.drop { $0 == " " || $0 == "\t" }
    let end = trimmed.firstIndex { $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "." }
    return String(trimmed[..<(end ?? trimmed.endIndex)]).lowercased()
  }

  /// Unquotes a value: double quotes group, backslash escapes, `#` / `;` outside quotes start a
  /// comment, surrounding blanks go.
  private static func parseValue(_ raw: Substring) -> String {
    var value = ""
    var quoted = false
    var pendingBlanks = ""
    var characters = raw.makeIterator()
    while let c = characters.next() {
      switch c {
      case "\"": quoted.toggle()
      case "\\":
        guard let escaped = characters.next() else { break }
        value += pendingBlanks
        pendingBlanks = ""
        switch escaped {
        case "n": value.append("\n")
        case "t": value.append("\t")
        case "b": value = String(value.dropLast())
        default: value.append(escaped)
        }
      case "#",
        ";" where !quoted:
        return value
      case " ", "\t",
        "\r" where !quoted:
        if !value.isEmpty { pendingBlanks.append(c) }
      default:
        value += pendingBlanks
        pendingBlanks = ""
        value.append(c)
      }
    }
    return value
  }
}
