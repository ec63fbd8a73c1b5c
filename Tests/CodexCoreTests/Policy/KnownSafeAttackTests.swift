import Testing

@testable import CodexCore

/// Attempts to get a command that writes or runs something auto-approved as known-safe under
/// `untrusted`. Every row was known-safe before the allow-lists; none may be now.
@Suite struct KnownSafeAttackTests {
  @Test(arguments: [
    // A NUL byte: we would judge the whole string, the program sees it cut at the NUL.
    ["find", ".", "-maxdepth", "0", "-exec\u{0}", "touch", "X", "{}", ";"],
    ["git", "log", "-1", "--output\u{0}", "F"],
    ["ls", "\u{0}"], ["bash", "-lc", "ls\u{0}; touch x"],
    // GNU long-option abbreviations of the options that write or run something.
    ["sort", "--compress-prog=sh", "x"], ["sort", "--compress-p", "sh", "x"],
    ["sort", "--out=F", "x"], ["sort", "--outp", "F"], ["sort", "--temporary-d=/x"],
    ["date", "--se=2020-01-01"], ["date", "--s", "x"], ["file", "--comp", "-m", "m"],
    ["file", "--no-sand", "x"], ["file", "--preserve", "x"], ["base64", "--out=x"],
    ["tree", "--out", "x"], ["rg", "--pr", "sh", "x"], ["rg", "--pre=sh", "x"],
    ["rg", "--hostname-b=sh"], ["rg", "--search-z", "x"],
    ["git", "log", "--out=F"], ["git", "diff", "--ext-d"], ["git", "show", "--textc"],
    ["git", "log", "--outp", "F"],
    // Options not known to be read-only, in every tool.
    ["ls", "--unknown-option"], ["cat", "--number=x"], ["grep", "--devices"],
    ["head", "--lines"], ["tail", "--follow", "name", "x", "--retry=1"],
    ["wc", "--files0-from"], ["du", "--exclude"], ["seq", "-q", "1"], ["rev", "-x"],
    ["file", "-C", "-m", "m"], ["file", "-Cm", "m"], ["file", "-pz", "x"], ["file", "-S", "x"],
    ["sort", "-nT", "/x"], ["sort", "-T/x"], ["uniq", "-c", "a", "b"],
    ["uniq", "--skip-fields", "1", "a", "b"], ["tree", "-R"], ["tree", "-H", "."],
    ["tree", "-Lo", "2", "out.txt"], ["tree", "-aL", "2", "-o", "x"],
    ["date", "010112002020"], ["date", "-u", "0101"], ["date", "+%s", "0101"],
    ["rg", "-z", "x"], ["rg", "-iz", "x"], ["rg", "-ez", "x", "-z"],
    ["which", "--read-functions"], ["printenv", "--x"], ["stat", "--printf"],
    // sed: an option among the files turns `1p` into a file and itself into the script.
    ["sed", "-n", "1p", "-ew FILE"], ["sed", "-n", "1p", "-i"], ["sed", "-n", "1p", "--in-place"],
    ["sed", "-n", "1p", "-s"], ["bash", "-lc", "sed -n 1p '-ew FILE'"],
    ["bash", "-lc", "sed -n 1p *"],
    // git with another repository or config.
    ["git", "--git-dir=X", "--work-tree=.", "status"], ["git", "--git-dir", "X", "log"],
    ["git", "--work-tree=/", "status"], ["git", "-C", "sub", "diff"], ["git", "--bare", "log"],
    ["git", "--namespace=x", "log"], ["git", "--exec-path=.", "status"],
    ["git", "-c", "core.fsmonitor=touch X", "status"], ["git", "--config-env=a.b=C", "log"],
    ["git", "-p", "log"], ["git", "--paginate", "log"], ["git", "status", "-v"],
    ["git", "status", "--verbose"], ["git", "status", "--ignore-submodules=none"],
    ["git", "diff", "--submodule=diff"], ["git", "log", "--show-signature"],
    ["bash", "-lc", "cd sub && git diff"], ["bash", "-lc", "cd sub; git status"],
    ["bash", "-lc", "cd /tmp && git log"], ["bash", "-lc", "cd .. && git log"],
    ["bash", "-lc", "cd && git status"], ["bash", "-lc", "cd - && git status"],
    ["bash", "-lc", "cd sub/.. && git status"], ["bash", "-lc", "cd * && git status"],
    ["bash", "-lc", "cd -P . && git status"], ["bash", "-lc", "GIT_DIR=x git status"],
    ["bash", "-lc", "bash -lc 'git diff'"],
    // File-name patterns: a file named `-delete` makes `find . -de*` into `find . -delete`.
    ["bash", "-lc", "find . -de*"], ["bash", "-lc", "find * -name x"],
    ["bash", "-lc", "find . -name *"], ["bash", "-lc", "find . -name x -? y"],
    ["bash", "-lc", "find . -[d]elete"], ["bash", "-lc", "sort *"], ["bash", "-lc", "sort -k *"],
    ["bash", "-lc", "uniq src/*"], ["bash", "-lc", "git log *"], ["bash", "-lc", "git * log"],
    ["bash", "-lc", "date *"], ["bash", "-lc", "rg foo *"], ["bash", "-lc", "file *"],
    ["bash", "-lc", "tree -?"], ["bash", "-lc", "base64 ?"], ["bash", "-lc", "l? -la"],
    ["bash", "-lc", "/usr/bin/* x"], ["bash", "-lc", "bash -lc ls *"],
    // Quoting and escapes do not hide an option.
    ["bash", "-lc", "find . -name x '-delete'"], ["bash", "-lc", "find . \"-exec\" touch x ';'"],
    ["bash", "-lc", "find . -d\\elete"], ["bash", "-lc", "sort --compress-prog\\=sh x"],
    ["bash", "-lc", "sort '--out'=F x"], ["bash", "-lc", "git log --out\"\"put=F"],
    ["bash", "-lc", "git l\\og --output=F"],
    // ANSI-C quoting, expansions and substitutions are not analysed, so not known-safe.
    ["bash", "-lc", "find . $'-delete'"], ["bash", "-lc", "ls $'\\x2d'la"],
    ["bash", "-lc", "sort $OPT x"], ["bash", "-lc", "ls ${X:-x}"],
    // Unicode look-alikes and combining marks: exec compares bytes.
    ["ｌｓ"], ["l\u{0301}s"], ["\u{212A}ill"], ["ls", "-\u{0301}l"], ["sort", "-\u{0301}o", "x"],
    ["ls", "--a\u{0301}ll"], ["find", ".", "-n\u{0301}ame", "x"], ["cat\u{200B}", "x"],
    ["/usr/bin\u{2215}ls"], ["bash", "-lc", "ls\u{00A0}-la"],
    // Tabs and newlines inside words.
    ["find", ".", "-exec\trm", "x"], ["ls", "-l\n"], ["sort", "-o\tx"],
    // Environment prefixes and command/exec/builtin prefixes.
    ["bash", "-lc", "FOO=1 ls"], ["bash", "-lc", "env ls"], ["bash", "-lc", "command ls"],
    ["bash", "-lc", "exec ls"], ["bash", "-lc", "builtin cd x"], ["env", "ls"],
    ["command", "-p", "ls"], ["bash", "-lc", "LD_PRELOAD=x.so ls"],
    // Absolute paths to look-alike binaries.
    ["/tmp/ls"], ["/home/dev/project/ls"], ["./ls"], ["bin/ls"], ["/usr/bin/../../tmp/ls"],
    ["/usr//bin/ls"], ["/bin/./ls"], ["//bin/ls"], ["/usr/local/bin/../../../tmp/cat"],
    ["bash", "-lc", "./ls"], ["bash", "-lc", "~/bin/ls"], ["/tmp/bash", "-lc", "ls"],
    // `--` handling: options before it still count.
    ["sort", "-o", "F", "--", "x"], ["sort", "--output=F", "--"],
    ["git", "log", "--output=F", "--"],
    ["find", ".", "--", "-delete"], ["find", "--", ".", "-delete"],
  ])
  func notKnownSafe(argv: [String]) {
    #expect(!CommandSafety.isKnownSafe(argv, context: .test), "\(argv)")
  }

  /// What the model runs all the time stays known-safe: the allow-lists must not turn
  /// `untrusted` into a prompt for every `ls`.
  @Test(arguments: [
    ["ls", "-la", "--color=auto"], ["ls", "-1", "src"], ["ls", "-lh", "--sort=size"],
    ["ls", "-I", "*.o"], ["cat", "-n", "README.md"], ["head", "-n", "20", "x"],
    ["head", "-20", "x"],
    ["tail", "-n", "+5", "x"], ["tail", "-5", "x"], ["wc", "-l", "a", "b"],
    ["grep", "-rn", "--include=*.swift", "TODO", "."], ["grep", "-C", "3", "-e", "-x", "f"],
    ["grep", "-5", "x", "f"], ["grep", "--color=never", "-E", "a|b", "f"],
    ["sort", "-t", ",", "-k", "2,2n", "f"], ["sort", "-u", "--", "-o"], ["uniq", "-c"],
    ["seq", "-5", "5"], ["seq", "-w", "1", "10"], ["cut", "-d:", "-f1", "/etc/passwd"],
    ["date", "-u", "+%Y-%m-%d"], ["date", "-d", "@0", "+%s"], ["date", "-Iseconds"],
    ["file", "-b", "--mime-type", "x"], ["tree", "-L", "2", "-a", "src"], ["tree", "-aL", "2"],
    ["du", "-sh", "--max-depth=1", "."], ["df", "-h", "--output=source,size"],
    ["rg", "-n", "-g", "*.swift", "foo"], ["rg", "--files", "--hidden"], ["rg", "-A3", "x"],
    ["find", ".", "-name", "*.swift", "-not", "-path", "./.build/*", "-print"],
    ["find", ".", "(", "-name", "a", "-o", "-name", "b", ")", "-type", "f"],
    ["find", "-L", ".", "-maxdepth", "2", "-newermt", "2024-01-01"],
    ["sed", "-n", "1,20p", "Sources/x.swift"], ["realpath", "--relative-to=.", "x"],
    ["stat", "-c", "%s", "x"], ["basename", "-s", ".swift", "a.swift"], ["nl", "-ba", "x"],
    ["git", "status", "--short", "-b"], ["git", "status", "--porcelain=v1", "-uno"],
    ["git", "log", "--oneline", "-n", "5", "--", "src"], ["git", "log", "-3", "--format=%H %s"],
    ["git", "diff", "--stat", "HEAD~1"], ["git", "diff", "--cached", "--name-only"],
    ["git", "show", "--stat", "HEAD"], ["git", "-P", "log", "-p", "-1"],
    ["git", "branch", "-a", "-v"], ["git", "--no-pager", "diff", "--", "a b"],
    // Patterns are fine where the tool only reads, or where they cannot become options.
    ["bash", "-lc", "ls *.swift"], ["bash", "-lc", "cat docs/*.md | wc -l"],
    ["bash", "-lc", "wc -l Sources/*/*.swift"], ["bash", "-lc", "grep -n foo *.txt"],
    ["bash", "-lc", "head -5 *"], ["bash", "-lc", "find src/* -name '*.c'"],
    ["bash", "-lc", "sort data/*.csv"], ["bash", "-lc", "git log -- *.swift"],
    ["bash", "-lc", "git diff -- src/*"], ["bash", "-lc", "rg foo -- *"],
    ["bash", "-lc", "sed -n 1,5p ./*.txt"], ["bash", "-lc", "echo *"],
    // cd within a script, and git in the workspace (also by its absolute path).
    ["bash", "-lc", "cd src && ls -la"], ["bash", "-lc", "cd /home/dev/project && git status"],
    ["bash", "-lc", "cd ./src/.. && git status"], ["bash", "-lc", "git status && cd src && ls"],
  ])
  func stillKnownSafe(argv: [String]) {
    #expect(CommandSafety.isKnownSafe(argv, context: .test), "\(argv)")
  }

  @Test func gitOutsideTheWorkspaceIsNotKnownSafe() {
    #expect(CommandSafety.isKnownSafe(["git", "status"], context: .test))
    #expect(
      !CommandSafety.isKnownSafe(
        ["git", "status"], context: .test(workdir: "/home/dev/project/sub")))
    #expect(!CommandSafety.isKnownSafe(["git", "status"], context: .test(workdir: "/home/dev")))
    #expect(CommandSafety.isKnownSafe(["ls"], context: .test(workdir: "/home/dev/project/sub")))
  }

  @Test func gitDiffCommandsAreRewrittenNotToRunRepositoryPrograms() {
    let hardening = ["--no-ext-diff", "--no-textconv"]
    #expect(
      CommandSafety.knownSafeCommand(["git", "diff", "HEAD"], context: .test)
        == ["git", "diff"] + hardening + ["HEAD"])
    #expect(
      CommandSafety.knownSafeCommand(["/usr/bin/git", "--no-pager", "log", "-p"], context: .test)
        == ["/usr/bin/git", "--no-pager", "log"] + hardening + ["-p"])
    #expect(
      CommandSafety.knownSafeCommand(["git", "status"], context: .test) == ["git", "status"])
    #expect(
      CommandSafety.knownSafeCommand(
        ["bash", "-lc", "git diff --stat && git show HEAD|head -5; git status"], context: .test)
        == [
          "bash", "-c",
          "git diff --no-ext-diff --no-textconv --stat && git show --no-ext-diff --no-textconv "
            + "HEAD|head -5; git status",
        ])
    #expect(
      CommandSafety.knownSafeCommand(["bash", "-lc", "git \\\n  log\t-1 # x"], context: .test)
        == ["bash", "-c", "git \\\n  log --no-ext-diff --no-textconv\t-1 # x"])
    #expect(
      CommandSafety.knownSafeCommand(["bash", "-lc", "git 'diff'é"], context: .test) == nil)
    #expect(
      CommandSafety.knownSafeCommand(["bash", "-lc", "echo héllo && git 'log'"], context: .test)
        == ["bash", "-c", "echo héllo && git 'log' --no-ext-diff --no-textconv"])
    // Other commands run as written, and shells without their startup files.
    #expect(CommandSafety.knownSafeCommand(["ls", "-la"], context: .test) == ["ls", "-la"])
    #expect(
      CommandSafety.knownSafeCommand(["zsh", "-lc", "ls"], context: .test) == ["zsh", "-fc", "ls"])
    #expect(
      CommandSafety.knownSafeCommand(["/bin/sh", "-cl", "ls"], context: .test) == [
        "/bin/sh", "-c", "ls",
      ])
    #expect(CommandSafety.knownSafeCommand(["make"], context: .test) == nil)
  }
}
