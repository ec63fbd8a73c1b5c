import Testing

@testable import CodexCore

@Suite struct CommandSafetyTests {
  @Test(arguments: [
    ["ls"], ["ls", "-la", "/etc"], ["cat", "README.md"], ["cd", "src"], ["echo", "hi"], ["pwd"],
    ["head", "-n", "5", "x"], ["tail", "-f", "log"], ["wc", "-l", "x"],
    ["grep", "-rn", "TODO", "."],
    ["true"], ["false"], ["nl", "-nrz", "Cargo.toml"], ["which", "git"], ["whoami"], ["id"],
    ["uname", "-a"], ["stat", "x"], ["cut", "-d:", "-f1", "/etc/passwd"], ["tr", "a-z", "A-Z"],
    ["seq", "10"], ["expr", "1", "+", "2"], ["paste", "a", "b"], ["rev"], ["tac", "x"],
    ["numfmt", "1000"], ["du", "-sh", "."], ["df", "-h"], ["basename", "/a/b"], ["realpath", "."],
    ["/bin/ls"], ["/usr/bin/git", "status"],
    // flag rules
    ["base64", "file"], ["base64", "-d", "file"],
    ["find", ".", "-name", "*.rs", "-type", "f"],
    ["rg", "-n", "foo"], ["rg", "-e", "z", "."], ["rg", "-ez", "."],
    ["rg", "--pre-glob", "*.gz", "x"],
    ["git", "status"], ["git", "log", "--oneline", "-n", "5"], ["git", "diff", "HEAD~1"],
    ["git", "show", "HEAD"], ["git", "branch"], ["git", "branch", "--show-current"],
    ["git", "branch", "-a", "-v"], ["git", "branch", "--format=%(refname)"],
    ["git", "--no-pager", "log"],
    ["sed", "-n", "1,5p", "file.txt"], ["sed", "-n", "10p"],
    ["date"], ["date", "+%Y"], ["date", "-d", "yesterday"], ["date", "-dsunday"], ["date", "-u"],
    ["file", "x"], ["tree", "-L", "2"], ["tree", "-a"],
    ["sort", "-n", "x"], ["sort", "-k", "2", "-t", ","], ["sort", "-to", "x"],
    ["uniq", "-c"], ["uniq", "in.txt"], ["uniq", "-f", "1", "in.txt"],
    // shells
    ["bash", "-lc", "ls"], ["zsh", "-lc", "ls"], ["sh", "-c", "ls -1"],
    ["bash", "-lc", "git status"], ["bash", "-lc", "grep -R \"Cargo.toml\" -n || true"],
    ["bash", "-lc", "ls && pwd"], ["bash", "-lc", "echo 'hi' ; ls"], ["bash", "-lc", "ls | wc -l"],
    ["bash", "-lc", "sed -n '1,5p' file.txt"], ["bash", "-lc", "find . -name file.txt"],
    ["bash", "-lc", "rg foo 2>&1 | head -n 20"], ["bash", "-lc", "cat x >/dev/null"],
    ["bash", "-lc", "bash -c 'ls'"], ["bash", "-lc", "sh -c 'ls'"],
  ])
  func knownSafe(argv: [String]) {
    #expect(CommandSafety.isKnownSafe(argv, context: .test))
  }

  @Test(arguments: [
    [], [""], ["cargo", "check"], ["rm", "x"], ["python3", "x.py"], ["foo"], ["make"],
    // look-alikes: a local script named like a safe program
    ["./ls"], ["bin/cat", "x"], ["/tmp/ls"],
    // flag rules
    ["base64", "-o", "out"], ["base64", "--output", "out"], ["base64", "--output=out"],
    ["base64", "-oout"],
    ["find", ".", "-exec", "rm", "{}", ";"], ["find", ".", "-execdir", "x", "{}", "+"],
    ["find", ".", "-ok", "rm", "{}", ";"], ["find", ".", "-okdir", "x", ";"],
    ["find", ".", "-delete"],
    ["find", ".", "-fls", "x"], ["find", ".", "-fprint", "x"], ["find", ".", "-fprint0", "x"],
    ["find", ".", "-fprintf", "x", "%p"],
    ["rg", "--pre", "cmd", "x"], ["rg", "--pre=cmd", "x"], ["rg", "--hostname-bin", "cmd"],
    ["rg", "--hostname-bin=cmd"], ["rg", "-z", "x"], ["rg", "--search-zip", "x"],
    ["rg", "-iz", "x"],
    ["git", "fetch"], ["git", "push"], ["git", "checkout", "status"], ["git", "commit", "-m", "x"],
    ["git", "branch", "new-branch"], ["git", "branch", "-d", "feature"],
    ["git", "branch", "-D", "x"],
    ["git", "branch", "-m", "a", "b"], ["git", "-C", ".", "branch", "-d", "feature"],
    // another repository's config: -C, --git-dir, --work-tree, --bare
    ["git", "-C", "sub", "status"], ["git", "--git-dir=.git", "log"],
    ["git", "-c", "core.pager=cat", "log"], ["git", "-ccore.pager=cat", "status"],
    ["git", "--config-env=core.pager=X", "log"], ["git", "--exec-path=/tmp", "status"],
    ["git", "-p", "log"], ["git", "log", "--output=/tmp/x"], ["git", "diff", "--output", "x"],
    ["git", "show", "--output=x", "HEAD"], ["git", "diff", "--ext-diff"],
    ["git", "show", "--textconv"],
    ["git"],
    ["sed", "-i", "s/a/b/", "x"], ["sed", "-n", "xp", "x"], ["sed", "-n", "1,2,3p"],
    ["sed", "-n", "p"],
    ["sed", "-n", "1p", "a", "b"], ["sed", "s/a/b/w out"], ["sed", "-n", "1e date"],
    ["date", "-s", "2020-01-01"], ["date", "--set=x"], ["date", "--set", "x"],
    ["date", "-us", "x"],
    ["file", "-C", "-m", "magic"], ["file", "--compile"],
    ["tree", "-o", "out.txt"], ["tree", "--output=x"], ["tree", "-R", "-H", "."],
    ["tree", "-ao", "x"],
    ["sort", "-o", "out", "in"], ["sort", "--output=out"], ["sort", "-no", "out"],
    ["sort", "--compress-program=sh"], ["sort", "--compress-program", "sh"],
    ["uniq", "in.txt", "out.txt"], ["uniq", "-c", "in", "out"],
    // shells
    ["bash", "-lc", "git", "status"], ["bash", "-lc", "'git status'"], ["bash", "-lc", ""],
    ["bash", "-lc", "find . -name file.txt -delete"], ["bash", "-lc", "ls && rm -rf /"],
    ["bash", "-lc", "(ls)"], ["bash", "-lc", "ls || (pwd && echo hi)"],
    ["bash", "-lc", "ls > out.txt"],
    ["bash", "-lc", "echo $(rm x)"], ["bash", "-lc", "FOO=1 ls"], ["bash", "-lc", "ls &"],
    ["bash", "-c", "ls", "x"], ["bash", "-ec", "ls"], ["./bash", "-lc", "ls"], ["bash", "x.sh"],
    ["bash", "-lc", "cat x | tee out"],
    // Nested shells that would read startup files the model may have written.
    ["bash", "-lc", "bash -lc 'ls'"], ["bash", "-lc", "zsh -c 'ls'"],
    ["bash", "-lc", "sh -l -c ls"],
  ])
  func notKnownSafe(argv: [String]) {
    #expect(!CommandSafety.isKnownSafe(argv, context: .test))
  }

  @Test func nestedShellsAreReadToALimit() {
    var script = "ls"
    for _ in 0..<2 { script = "bash -c " + shellQuote(script) }
    #expect(CommandSafety.isKnownSafe(["bash", "-lc", script], context: .test))
    for _ in 0..<5 { script = "bash -c " + shellQuote(script) }
    #expect(!CommandSafety.isKnownSafe(["bash", "-lc", script], context: .test))
  }

  private func shellQuote(_ text: String) -> String {
    "\"" + text.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
  }
}

extension String {
  fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
