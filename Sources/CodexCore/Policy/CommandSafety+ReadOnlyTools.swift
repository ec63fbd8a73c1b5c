/// The read-only tools and the options of theirs that only read (GNU coreutils 9, grep 3,
/// file 5, ripgrep 14, tree 2). Options that write or run something are left out on purpose;
/// the comments name them. Everything not listed makes a command not known-safe.
extension CommandSafety {
  /// Programs that only read whatever their arguments: their arguments are text, not options
  /// or files they could write.
  static let anyArgumentPrograms: Set<String> = ["echo", "true", "false", "expr", "cd"]

  static let readOnlyTools: [String: OptionSpec] = [
    "cat": OptionSpec(
      flags: "AbeEnstTuv",
      long: [
        "show-all", "number-nonblank", "show-ends", "number", "squeeze-blank", "show-tabs",
        "show-nonprinting",
      ], globSafe: true),
    "cut": OptionSpec(
      flags: "nsz", values: "bcdf",
      long: ["complement", "only-delimited", "zero-terminated"],
      longValues: ["bytes", "characters", "delimiter", "fields", "output-delimiter"],
      globSafe: true),
    "grep": OptionSpec(
      flags: "EFGPiywxzsvVbnHhoqaIrRLlcTZU", values: "efmdDABC",
      long: [
        "extended-regexp", "fixed-strings", "basic-regexp", "perl-regexp", "ignore-case",
        "no-ignore-case", "word-regexp", "line-regexp", "null-data", "no-messages",
        "invert-match", "byte-offset", "line-number", "line-buffered", "with-filename",
        "no-filename", "only-matching", "quiet", "silent", "text", "recursive",
        "dereference-recursive", "files-without-match", "files-with-matches", "count",
        "initial-tab", "null", "no-group-separator", "binary",
      ],
      longValues: [
        "regexp", "file", "max-count", "label", "binary-files", "directories", "devices",
        "include", "exclude", "exclude-from", "exclude-dir", "before-context", "after-context",
        "context", "group-separator",
      ],
      longOptionalValues: ["color", "colour"], numericOption: true, globSafe: true),
    "head": OptionSpec(
      flags: "qvz", values: "cn", long: ["quiet", "silent", "verbose", "zero-terminated"],
      longValues: ["bytes", "lines"], numericOption: true, globSafe: true),
    "tail": OptionSpec(
      flags: "fFqvz", values: "cns",
      long: ["quiet", "silent", "verbose", "retry", "zero-terminated"],
      longValues: ["bytes", "lines", "max-unchanged-stats", "pid", "sleep-interval"],
      longOptionalValues: ["follow"], numericOption: true, globSafe: true),
    "id": OptionSpec(
      flags: "aZgGnruz", long: ["context", "group", "groups", "name", "real", "user", "zero"],
      globSafe: true),
    "ls": OptionSpec(
      flags: "aAbBcCdDfFgGhHiklLmnNopqQrRsStuUvxXZ1", values: "ITw",
      long: [
        "all", "almost-all", "author", "escape", "ignore-backups", "directory", "dired",
        "file-type", "full-time", "group-directories-first", "no-group", "human-readable", "si",
        "dereference-command-line", "dereference-command-line-symlink-to-dir", "inode",
        "kibibytes", "dereference", "numeric-uid-gid", "literal", "hide-control-chars",
        "show-control-chars", "quote-name", "reverse", "recursive", "size", "context", "zero",
      ],
      longValues: [
        "block-size", "format", "hide", "indicator-style", "ignore", "quoting-style", "sort",
        "time", "time-style", "tabsize", "width",
      ],
      longOptionalValues: ["color", "classify", "hyperlink"], globSafe: true),
    "nl": OptionSpec(
      flags: "p", values: "bdfhilnsvw", long: ["no-renumber"],
      longValues: [
        "body-numbering", "section-delimiter", "footer-numbering", "header-numbering",
        "line-increment", "join-blank-lines", "number-format", "number-separator",
        "starting-line-number", "number-width",
      ], globSafe: true),
    "paste": OptionSpec(
      flags: "sz", values: "d", long: ["serial", "zero-terminated"], longValues: ["delimiters"],
      globSafe: true),
    "pwd": OptionSpec(flags: "LP", long: ["logical", "physical"], globSafe: true),
    "rev": OptionSpec(flags: "0hV", long: ["zero"], globSafe: true),
    "seq": OptionSpec(
      flags: "w", values: "fs", long: ["equal-width"], longValues: ["format", "separator"],
      negativeNumberOperands: true, globSafe: true),
    "stat": OptionSpec(
      flags: "Lft", values: "c", long: ["dereference", "file-system", "terse"],
      longValues: ["cached", "format", "printf"], globSafe: true),
    "tr": OptionSpec(
      flags: "cCdst", long: ["complement", "delete", "squeeze-repeats", "truncate-set1"],
      globSafe: true),
    "uname": OptionSpec(
      flags: "asnrvmpio",
      long: [
        "all", "kernel-name", "nodename", "kernel-release", "kernel-version", "machine",
        "processor", "hardware-platform", "operating-system",
      ], globSafe: true),
    "wc": OptionSpec(
      flags: "cmlLw", long: ["bytes", "chars", "lines", "max-line-length", "words"],
      longValues: ["files0-from"], globSafe: true),
    // Debian's `which` is a shell script with only these two options.
    "which": OptionSpec(flags: "as", globSafe: true),
    "whoami": OptionSpec(globSafe: true),
    "numfmt": OptionSpec(
      flags: "z", values: "d", long: ["debug", "grouping", "zero-terminated"],
      longValues: [
        "delimiter", "field", "format", "from", "from-unit", "invalid", "padding", "round",
        "suffix", "to", "to-unit",
      ], longOptionalValues: ["header"], negativeNumberOperands: true, globSafe: true),
    "tac": OptionSpec(
      flags: "br", values: "s", long: ["before", "regex"], longValues: ["separator"],
      globSafe: true),
    "basename": OptionSpec(
      flags: "az", values: "s", long: ["multiple", "zero"], longValues: ["suffix"],
      globSafe: true),
    "dirname": OptionSpec(flags: "z", long: ["zero"], globSafe: true),
    "realpath": OptionSpec(
      flags: "emLPqsz",
      long: [
        "canonicalize-existing", "canonicalize-missing", "logical", "physical", "quiet", "strip",
        "no-symlinks", "zero",
      ], longValues: ["relative-to", "relative-base"], globSafe: true),
    "readlink": OptionSpec(
      flags: "femnqsvz",
      long: [
        "canonicalize", "canonicalize-existing", "canonicalize-missing", "no-newline", "quiet",
        "silent", "verbose", "zero",
      ], globSafe: true),
    "du": OptionSpec(
      flags: "0abcDHhkLlmPSsx", values: "BdtX",
      long: [
        "null", "all", "apparent-size", "bytes", "total", "dereference-args", "human-readable",
        "inodes", "dereference", "count-links", "no-dereference", "separate-dirs", "si",
        "summarize", "one-file-system",
      ],
      longValues: [
        "block-size", "max-depth", "files0-from", "threshold", "time-style", "exclude-from",
        "exclude",
      ], longOptionalValues: ["time"], globSafe: true),
    "df": OptionSpec(
      flags: "ahHiklPTv", values: "Btx",
      long: [
        "all", "human-readable", "si", "inodes", "local", "no-sync", "portability", "sync",
        "total", "print-type",
      ], longValues: ["block-size", "type", "exclude-type"], longOptionalValues: ["output"],
      globSafe: true),
    "printenv": OptionSpec(flags: "0", long: ["null"], globSafe: true),
    // GNU base64 cannot write a file; the BSD one can (`-o`), so it is left out here too.
    "base64": OptionSpec(
      flags: "di", values: "w", long: ["decode", "ignore-garbage"], longValues: ["wrap"]),
    // Left out: `-s`/`--set` (sets the clock). An operand that is not `+FORMAT` also sets it;
    // see `isSafeSimpleCommand`.
    "date": OptionSpec(
      flags: "Ru", values: "dfr", optionalValues: "I",
      long: ["debug", "resolution", "rfc-email", "utc", "universal"],
      longValues: ["date", "file", "reference", "rfc-3339"], longOptionalValues: ["iso-8601"]),
    // Left out: `-C` (compiles a magic file to disk), `-p` (resets access times), `-S` (turns
    // libmagic's own sandbox off), `-z`/`-Z` (runs decompressors).
    "file": OptionSpec(
      flags: "bcdEhikLlNnr0sv", values: "eFfmP",
      long: [
        "brief", "checking-printout", "debug", "dereference", "no-dereference", "mime",
        "keep-going", "list", "no-buffer", "no-pad", "print0", "raw", "special-files", "apple",
        "extension", "mime-type", "mime-encoding",
      ],
      longValues: [
        "exclude", "exclude-quiet", "files-from", "separator", "magic-file", "parameter",
      ]),
    // Left out: `-o FILE` (writes the listing), `-R` (writes 00Tree.html into each directory),
    // `-H`/`-T` (HTML pages meant for -R), `--fromfile`, `--infofile`, `--hintro`, `--houtro`.
    "tree": OptionSpec(
      flags: "adlfxqNQpugshDFvtcUriASnCJX", values: "LPI",
      long: [
        "gitignore", "ignore-case", "matchdirs", "metafirst", "prune", "noreport", "inodes",
        "device", "si", "du", "dirsfirst", "filesfirst", "info",
      ], longValues: ["charset", "filelimit", "timefmt", "sort"],
      valueStyle: .nextWordPerLetter),
    // Left out: `-o`/`--output` (writes a file), `-T`/`--temporary-directory` (writes there),
    // `--compress-program` (runs a program of the caller's choosing).
    "sort": OptionSpec(
      flags: "bdfgiMhnRrVcCmsuz", values: "kSt",
      long: [
        "ignore-leading-blanks", "dictionary-order", "ignore-case", "general-numeric-sort",
        "ignore-nonprinting", "month-sort", "human-numeric-sort", "numeric-sort", "random-sort",
        "reverse", "version-sort", "debug", "merge", "stable", "unique", "zero-terminated",
      ],
      longValues: [
        "random-source", "sort", "batch-size", "files0-from", "key", "buffer-size",
        "field-separator", "parallel",
      ], longOptionalValues: ["check"]),
    // A second operand is the output file; see `isSafeSimpleCommand`.
    "uniq": OptionSpec(
      flags: "cdDiuz", values: "fsw",
      long: ["count", "repeated", "ignore-case", "unique", "zero-terminated"],
      longValues: ["skip-fields", "skip-chars", "check-chars"],
      longOptionalValues: ["all-repeated", "group"]),
    // Left out: `--pre` and `--hostname-bin` (run a program), `-z`/`--search-zip` (runs
    // decompressors).
    "rg": OptionSpec(
      flags: "abcFHhIiLlNnoPpqSsUuVvwx0.", values: "ABCdEefgjMmrTt",
      long: [
        "text", "byte-offset", "count", "count-matches", "fixed-strings", "with-filename",
        "no-filename", "ignore-case", "follow", "files-with-matches", "files-without-match",
        "no-line-number", "line-number", "only-matching", "pretty", "quiet", "smart-case",
        "case-sensitive", "multiline", "multiline-dotall", "unrestricted", "invert-match",
        "word-regexp", "line-regexp", "null", "null-data", "hidden", "no-hidden", "no-ignore",
        "no-ignore-vcs", "no-ignore-parent", "no-ignore-dot", "no-ignore-global",
        "no-ignore-exclude", "no-ignore-files", "no-require-git", "files", "type-list", "json",
        "no-json", "vimgrep", "column", "no-column", "heading", "no-heading", "trim", "no-trim",
        "stats", "no-stats", "passthru", "no-messages", "no-config", "pcre2", "no-pcre2",
        "crlf", "no-crlf", "binary", "no-binary", "one-file-system", "no-one-file-system",
        "glob-case-insensitive", "no-glob-case-insensitive", "include-zero", "no-include-zero",
        "max-columns-preview", "no-max-columns-preview", "line-buffered", "block-buffered",
        "debug", "trace", "no-unicode", "unicode", "mmap", "no-mmap", "sort-files",
        "auto-hybrid-regex", "no-auto-hybrid-regex", "pcre2-version",
      ],
      longValues: [
        "after-context", "before-context", "context", "max-depth", "encoding", "regexp", "file",
        "glob", "iglob", "pre-glob", "threads", "max-columns", "max-count", "replace", "type-not",
        "type",
        "color", "colors", "sort", "sortr", "max-filesize", "ignore-file", "type-add",
        "type-clear", "path-separator", "context-separator", "field-match-separator",
        "field-context-separator", "engine", "dfa-size-limit", "regex-size-limit",
      ]),
  ]
}
