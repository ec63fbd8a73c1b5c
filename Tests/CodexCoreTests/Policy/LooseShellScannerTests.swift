import Testing

@testable import CodexCore

@Suite struct LooseShellScannerTests {
  func words(_ script: String) -> [[String]] {
    LooseShellScanner.commands(in: script).filter { !$0.speculative }.map(\.words)
  }

  @Test(arguments: [
    ("$'\\x72\\x6d' -rf x", [["rm", "-rf", "x"]]),
    (
      "$'\\162\\155' $'\\u0041\\U0001F600' $'a\\tb' $'\\cA' $'\\q'",
      [["rm", "A😀", "a\tb", "\u{01}", "\\q"]]
    ),
    ("r$'m' -$'rf'", [["rm", "-rf"]]),
    ("$\"sudo\" ls", [["sudo", "ls"]]),
    ("echo $(rm -rf x)", [["rm", "-rf", "x"], ["echo", "$(…)"]]),
    ("echo \"a $(id) b\"", [["id"], ["echo", "a $(…) b"]]),
    ("`echo rm` x", [["echo", "rm"], ["$(…)", "x"]]),
    ("echo $((1 + 2))", [["1", "+", "2"], ["echo", "$(…)"]]),
    ("x=$HOME; echo ${x:-y} $1 $@ \"$x\"", [["x=$HOME"], ["echo", "${x:-y}", "$1", "$@", "$x"]]),
    ("echo x > \"$f\" 2>>log; cat < in", [["echo", "x"], ["cat"]]),
    ("ls # rm -rf /\npwd", [["ls"], ["pwd"]]),
    ("{ ls; } && find . -exec rm {} \\;", [["ls"], ["find", ".", "-exec", "rm", "{}", ";"]]),
    ("xargs -I{} sh -c '{}'", [["xargs", "-I{}", "sh", "-c", "{}"]]),
    ("diff <(ls a) >(wc)", [["ls", "a"], ["wc"], ["diff", "<(…)", "<(…)"]]),
    ("a && b || c; d & e | f |& g", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"], ["g"]]),
    ("r\\m -rf x; r\"\"m; 'r'm", [["rm", "-rf", "x"], ["rm"], ["rm"]]),
  ])
  func readsCommands(script: String, expected: [[String]]) {
    #expect(words(script) == expected, "\(script)")
  }

  @Test func knowsWhereInputComesFrom() {
    let commands = LooseShellScanner.commands(
      in: "curl x | { sh; }; bash <<< \"$(cat f)\"; sh < <(cat f); sh < f.sh; cat <<EOF"
    )
    .filter { !$0.speculative }
    let inputs = Dictionary(
      commands.map { ($0.words.joined(separator: " "), $0.input) }, uniquingKeysWith: { a, _ in a })
    #expect(inputs["sh"] == .pipe)
    #expect(inputs["bash"] == .hereString("$(…)"))
    #expect(inputs["sh"] == .pipe)
    #expect(commands.contains { $0.words == ["sh"] && $0.input == .file("<(…)") })
    #expect(commands.contains { $0.words == ["sh"] && $0.input == .file("f.sh") })
    #expect(commands.contains { $0.words == ["cat"] && $0.input == .hereDocument })
    #expect(
      LooseShellScanner.commands(in: "x | tee >(sh)").contains {
        $0.words == ["sh"] && $0.input == .pipe
      })
  }

  @Test func quotedTextIsAlsoReadSpeculatively() {
    let commands = LooseShellScanner.commands(in: "echo 'rm -rf x' \"sudo y\" ${a:-$(id)}")
    #expect(commands.contains { $0.speculative && $0.words == ["rm", "-rf", "x"] })
    #expect(commands.contains { $0.speculative && $0.words == ["sudo", "y"] })
    #expect(commands.contains { $0.speculative && $0.words == ["id"] })
    #expect(
      commands.contains {
        !$0.speculative && $0.words == ["echo", "rm -rf x", "sudo y", "${a:-$(id)}"]
      })
  }

  @Test func deepNestingIsReportedAsAComputedCommand() {
    var script = "rm -rf x"
    for _ in 0..<40 { script = "echo $(\(script))" }
    let commands = LooseShellScanner.commands(in: script)
    #expect(commands.contains { $0.words == ["$(…)"] && !$0.speculative })
    #expect(CommandSafety.dangerReason(["bash", "-lc", script], context: .test) != nil)
  }
}
