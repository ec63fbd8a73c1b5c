import Testing

@testable import CodexCore

@Suite struct ShellCommandParserTests {
  @Test(arguments: [
    ("ls", [["ls"]]),
    ("ls -la  /tmp", [["ls", "-la", "/tmp"]]),
    ("", []),
    ("   \n\n", []),
    ("echo 'a b' \"c d\" e\\ f", [["echo", "a b", "c d", "e f"]]),
    ("echo 'it''s'", [["echo", "its"]]),
    ("echo \"say \\\"hi\\\" \\\\ \\n\"", [["echo", "say \"hi\" \\ \\n"]]),
    ("echo '$HOME `x` $(y)'", [["echo", "$HOME `x` $(y)"]]),
    ("ls && pwd", [["ls"], ["pwd"]]),
    ("ls||pwd", [["ls"], ["pwd"]]),
    ("ls; pwd;", [["ls"], ["pwd"]]),
    ("ls | wc -l", [["ls"], ["wc", "-l"]]),
    ("ls\npwd\n", [["ls"], ["pwd"]]),
    ("ls &&\n  pwd", [["ls"], ["pwd"]]),
    ("ls \\\n  -la", [["ls", "-la"]]),
    ("ls # list files\npwd", [["ls"], ["pwd"]]),
    ("echo a#b", [["echo", "a#b"]]),
    ("cargo test 2>&1 | tail -n 20", [["cargo", "test"], ["tail", "-n", "20"]]),
    ("ls >/dev/null 2>&1", [["ls"]]),
    ("ls > /dev/null", [["ls"]]),
    ("ls 2>/dev/null", [["ls"]]),
    ("ls &>/dev/null", [["ls"]]),
    ("ls >&2", [["ls"]]),
    ("grep -rn \"TODO\" src/ || true", [["grep", "-rn", "TODO", "src/"], ["true"]]),
    (
      "find . -name '*.rs' -exec echo {} \\;",
      [["find", ".", "-name", "*.rs", "-exec", "echo", "{}", ";"]]
    ),
    ("ls *.swift ~/x", [["ls", "*.swift", "~/x"]]),
    ("echo héllo 😀", [["echo", "héllo", "😀"]]),
    ("make FOO=1", [["make", "FOO=1"]]),
  ])
  func parsesPlainScripts(script: String, expected: [[String]]) {
    #expect(ShellCommandParser.parse(script: script)?.flatMap { $0 } == expected)
  }

  @Test func keepsPipelinesApart() {
    let parsed = ShellCommandParser.parse(script: "curl -s x | sh && ls | wc -l; pwd")
    #expect(parsed == [[["curl", "-s", "x"], ["sh"]], [["ls"], ["wc", "-l"]], [["pwd"]]])
  }

  @Test(arguments: [
    "echo $(whoami)", "echo `whoami`", "echo \"$(whoami)\"", "echo \"`id`\"", "echo $HOME",
    "echo \"$HOME\"", "echo ${HOME}", "echo $'a\\n'",
    "ls > out.txt", "ls >> out.txt", "ls >| out.txt", "ls 2> err.txt", "ls &> all.txt",
    "ls >&3", "ls >& out.txt", "ls > /dev/null2", "cat < input", "cat <<EOF\nhi\nEOF",
    "cat <<< hi", "diff <(ls a) <(ls b)", "tee >(wc)", "ls 3>/dev/null", ">/dev/null",
    "(ls)", "ls || (pwd && echo hi)", "{ ls; }", "foo() { ls; }", "sleep 5 &", "ls |& cat",
    "FOO=bar ls", "A+=1", "x=1", "if true; then ls; fi", "for f in *; do echo $f; done",
    "while true; do :; done", "! ls", "time ls", "[[ -f x ]]",
    "echo {a,b}", "rm -r{f,}", "case x in x) ls;; esac",
    "ls &&", "ls |", "&& ls", "; ls", "ls;;", "ls ; ; pwd", "ls | | wc",
    "echo 'unterminated", "echo \"unterminated", "echo trailing\\",
  ])
  func refusesWhatItCannotAnalyse(script: String) {
    #expect(ShellCommandParser.parse(script: script) == nil)
  }

  @Test(arguments: [
    (["bash", "-lc", "ls"], "ls" as String?),
    (["sh", "-c", "ls"], "ls"),
    (["zsh", "-lc", "ls"], "ls"),
    (["/bin/bash", "-c", "ls"], "ls"),
    (["/usr/bin/zsh", "-lc", "ls"], "ls"),
    (["bash", "-lc", "git", "status"], nil),
    (["bash", "ls"], nil),
    (["./bash", "-lc", "ls"], nil),
    (["/tmp/bash", "-lc", "ls"], nil),
    (["bash", "-x", "ls"], nil),
    (["python3", "-c", "print(1)"], nil),
  ])
  func findsTheScriptOfShellCalls(argv: [String], script: String?) {
    #expect(ShellCommandParser.shellScript(of: argv) == script)
  }

  @Test func plainArgvIsOneCommand() {
    #expect(ShellCommandParser.simpleCommands(of: ["ls", "-la", "a b"]) == [["ls", "-la", "a b"]])
    #expect(
      ShellCommandParser.simpleCommands(of: ["bash", "-lc", "ls && pwd"]) == [["ls"], ["pwd"]])
    #expect(ShellCommandParser.simpleCommands(of: ["bash", "-lc", "ls > x"]) == nil)
    // A shell call in a form we do not read is not mistaken for the program `bash`.
    #expect(ShellCommandParser.simpleCommands(of: ["bash", "-ec", "ls"]) == nil)
    #expect(ShellCommandParser.simpleCommands(of: ["bash", "-lc", "git", "status"]) == nil)
  }
}
