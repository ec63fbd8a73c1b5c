/// Splits what a shell command runs into simple commands, so each can be classified. Only the
/// plain subset is understood: words, quotes, `&&`, `||`, `;`, `|`, newlines, comments, and
/// harmless redirections (`2>&1`, `>/dev/null`, `<file`). Anything that could run or write
/// something we cannot see — `$(…)`, backticks, subshells, here-docs, process substitution,
/// `VAR=x cmd`, output redirection to a file, `&` — makes the result `nil`: "cannot analyse".
public enum ShellCommandParser {
  public struct SimpleCommand: Sendable, Equatable {
    public var argv: [String]
    /// Whether this command reads the previous one's output through `|`.
    public var pipedFromPrevious: Bool
  }

  /// The simple commands `argv` runs. `bash -lc SCRIPT` (also `sh -c`, `zsh -lc`) is parsed;
  /// any other argv is one command.
  public static func commands(_ argv: [String]) -> [SimpleCommand]? {
    if let script = shellScript(argv) { return parse(script) }
    guard !argv.isEmpty else { return nil }
    return [SimpleCommand(argv: argv, pipedFromPrevious: false)]
  }

  /// The script of `bash -c SCRIPT`-style argv.
  public static func shellScript(_ argv: [String]) -> String? {
    guard argv.count == 3 else { return nil }
    let shell = argv[0].split(separator: "/").last.map(String.init) ?? argv[0]
    guard ["bash", "sh", "zsh", "dash"].contains(shell), ["-c", "-lc", "-cl"].contains(argv[1])
    else { return nil }
    return argv[2]
  }

  public static func parse(_ script: String) -> [SimpleCommand]? {
    var commands: [SimpleCommand] = []
    var words: [String] = []
    var word = ""
    var inWord = false
    var piped = false
    var pendingPipe = false
    let chars = Array(script)
    var i = 0

    func endWord() {
      if inWord { words.append(word) }
      word = ""
      inWord = false
    }
    func endCommand(pipe: Bool) -> Bool {
      endWord()
      if words.isEmpty { return !pipe && !pendingPipe }
      commands.append(SimpleCommand(argv: words, pipedFromPrevious: piped))
      words = []
      piped = pipe
      pendingPipe = pipe
      return true
    }

    while i < chars.count {
      let c = chars[i]
      switch c {
      case " ", "\t":
        endWord()
      case "\n", ";":
        guard endCommand(pipe: false) else { return nil }
      case "&":
        if i + 1 < chars.count, chars[i + 1] == "&" {
          guard !words.isEmpty || inWord, endCommand(pipe: false) else { return nil }
          i += 1
        } else if i + 1 < chars.count, chars[i + 1] == ">" {
          // `&>/dev/null`
          guard let next = redirectTarget(chars, from: i + 2), next.target == "/dev/null" else {
            return nil
          }
          endWord()
          i = next.end - 1
        } else {
          return nil  // background job
        }
      case "|":
        if i + 1 < chars.count, chars[i + 1] == "|" {
          guard !words.isEmpty || inWord, endCommand(pipe: false) else { return nil }
          i += 1
        } else {
          guard !words.isEmpty || inWord, endCommand(pipe: true) else { return nil }
        }
      case "'":
        inWord = true
        i += 1
        while i < chars.count, chars[i] != "'" {
          word.append(chars[i])
          i += 1
        }
        if i >= chars.count { return nil }
      case "\"":
        inWord = true
        i += 1
        while i < chars.count, chars[i] != "\"" {
          if chars[i] == "`" { return nil }
          if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "(" { return nil }
          if chars[i] == "\\", i + 1 < chars.count, "\"\\$`\n".contains(chars[i + 1]) {
            i += 1
          }
          word.append(chars[i])
          i += 1
        }
        if i >= chars.count { return nil }
      case "\\":
        if i + 1 < chars.count {
          i += 1
          if chars[i] != "\n" {
            word.append(chars[i])
            inWord = true
          }
        }
      case "#" where !inWord:
        while i < chars.count, chars[i] != "\n" { i += 1 }
        continue
      case "`", "(", ")", "{", "}":
        return nil
      case "$":
        if i + 1 < chars.count, chars[i + 1] == "(" { return nil }
        word.append(c)
        inWord = true
      case ">", "<":
        // Which descriptor: a bare digit word right before (`2>`).
        let fdWord = inWord && (word == "1" || word == "2")
        if inWord && !fdWord { endWord() }
        if c == "<" {
          if i + 1 < chars.count, chars[i + 1] == "<" || chars[i + 1] == "(" { return nil }
          guard let next = redirectTarget(chars, from: i + 1) else { return nil }
          word = ""
          inWord = false
          i = next.end
          continue
        }
        var j = i + 1
        if j < chars.count, chars[j] == ">" { j += 1 }
        if j < chars.count, chars[j] == "(" { return nil }
        if j < chars.count, chars[j] == "&", j + 1 < chars.count,
          chars[j + 1] == "1" || chars[j + 1] == "2"
        {
          word = ""
          inWord = false
          i = j + 2
          continue
        }
        guard let next = redirectTarget(chars, from: j), next.target == "/dev/null" else {
          return nil
        }
        word = ""
        inWord = false
        i = next.end
        continue
      case "=" where !inWord:
        word.append(c)
        inWord = true
      default:
        word.append(c)
        inWord = true
      }
      i += 1
    }
    guard endCommand(pipe: false), !pendingPipe || commands.last?.pipedFromPrevious == true else {
      return nil
    }
    if pendingPipe { return nil }
    // `VAR=value cmd` changes what the command does in ways we do not track.
    for c in commands where c.argv.first.map(isAssignment) ?? false { return nil }
    return commands.isEmpty ? nil : commands
  }

  static func isAssignment(_ w: String) -> Bool {
    guard let eq = w.firstIndex(of: "="), eq != w.startIndex else { return false }
    return w[..<eq].allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
  }

  /// The word after a redirection operator, skipping blanks.
  static func redirectTarget(_ chars: [Character], from start: Int) -> (target: String, end: Int)? {
    var i = start
    while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
    var t = ""
    while i < chars.count, !" \t\n;&|<>()".contains(chars[i]) {
      if chars[i] == "'" || chars[i] == "\"" || chars[i] == "`" || chars[i] == "$" { return nil }
      t.append(chars[i])
      i += 1
    }
    return t.isEmpty ? nil : (t, i)
  }
}
