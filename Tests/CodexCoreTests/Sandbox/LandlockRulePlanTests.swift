import Testing

@testable import CodexCore

@Suite("LandlockRulePlan")
struct LandlockRulePlanTests {
  @Test(
    "handles every right the ABI knows",
    arguments: [
      (0, 0), (1, 0x1FFF), (2, 0x3FFF), (3, 0x7FFF), (4, 0x7FFF), (5, 0xFFFF), (7, 0xFFFF),
    ])
  func handledRights(_ abi: Int, _ mask: UInt64) {
    #expect(LandlockAccess.handled(abi: abi).rawValue == mask)
  }

  static func noListing(_: String) -> [(name: String, kind: Platform.FileKind)]? { nil }

  @Test("network and scopes by ABI and policy")
  func networkAndScopes() {
    let cases: [(abi: Int, blockNetwork: Bool, net: UInt64, scoped: UInt64)] = [
      (3, true, 0, 0),
      (4, true, 3, 0),
      (4, false, 0, 0),
      (6, true, 3, 3),
      (6, false, 0, 2),
    ]
    for example in cases {
      let plan = LandlockRulePlan.make(
        abi: example.abi, writableRoots: [], landlockOnlyHoles: [],
        blockNetwork: example.blockNetwork, listDirectory: Self.noListing)
      #expect(plan.handledNetwork == example.net, "ABI \(example.abi)")
      #expect(plan.scoped == example.scoped, "ABI \(example.abi)")
    }
  }

  @Test("/ is readable, devices usable, roots fully writable; rights never exceed the handled set")
  func rules() {
    let plan = LandlockRulePlan.make(
      abi: 2, writableRoots: ["/w", "/tmp"], landlockOnlyHoles: [], blockNetwork: false,
      listDirectory: Self.noListing)
    #expect(plan.rules.first == .init(path: "/", access: .readAndExecute, optional: false))
    #expect(
      plan.rules.filter { $0.path.hasPrefix("/dev/") }.map(\.path) == LandlockRulePlan.devices)
    // ABI 2 knows neither TRUNCATE nor IOCTL_DEV.
    #expect(
      plan.rules.first { $0.path == "/dev/null" }?.access == [.readFile, .writeFile])
    #expect(
      plan.rules.suffix(2) == [
        .init(path: "/w", access: LandlockAccess.handled(abi: 2), optional: true),
        .init(path: "/tmp", access: LandlockAccess.handled(abi: 2), optional: true),
      ])
    #expect(plan.rules.allSatisfy { plan.handledFilesystem.isSuperset(of: $0.access) })
  }

  static let tree: [String: [(name: String, kind: Platform.FileKind)]] = [
    "/w": [
      (".git", .directory), ("src", .directory), ("README", .regular), ("link", .symbolicLink),
    ],
    "/w/src": [("a.swift", .regular), ("vendor", .directory)],
    "/w/src/vendor": [(".git", .directory), ("lib.c", .regular)],
  ]

  @Test(
    "fallback: grants each entry beside a hole, never the hole or the directories above it",
    arguments: [
      (["/w/.git"], ["/w/README", "/w/src"]),
      (["/w/src/vendor/.git"], ["/w/.git", "/w/README", "/w/src/a.swift", "/w/src/vendor/lib.c"]),
      (["/w/.git", "/w/src/vendor/.git"], ["/w/README", "/w/src/a.swift", "/w/src/vendor/lib.c"]),
      (["/w"], []),
      (["/elsewhere/.git"], ["/w"]),
      (["/wx/.git"], ["/w"]),
    ])
  func fallbackExpansion(_ holes: [String], _ expected: [String]) {
    let paths = LandlockRulePlan.writablePaths(root: "/w", holes: holes) { Self.tree[$0] }
    #expect(paths == expected)
  }
}

@Suite("SandboxExecArguments")
struct SandboxExecArgumentsTests {
  @Test("renders and parses back")
  func roundTrip() throws {
    let arguments = SandboxExecArguments(
      writableRoots: ["/w", "/tmp"], protectedPaths: ["/w/.bashrc"], blockNetwork: true,
      avoidNamespaces: true, assumedABI: 3, unsandboxed: true, report: true,
      environment: ["PATH=/bin", "EMPTY=", "EQ=a=b"],
      command: ["/bin/bash", "-c", "echo -- --rw x"])
    #expect(
      arguments.commandLine == [
        "--rw", "/w", "--rw", "/tmp", "--protect", "/w/.bashrc", "--no-net", "--no-namespaces",
        "--abi", "3", "--unsandboxed", "--report", "--env", "PATH=/bin", "--env", "EMPTY=",
        "--env", "EQ=a=b", "--", "/bin/bash", "-c", "echo -- --rw x",
      ])
    #expect(try SandboxExecArguments(parsing: arguments.commandLine) == arguments)
    #expect(
      try SandboxExecArguments(parsing: ["--", "ls"]) == SandboxExecArguments(command: ["ls"]))
  }

  @Test(
    "rejects malformed command lines",
    arguments: [
      ([], "missing -- before the command"),
      (["--rw"], "--rw needs a value"),
      (["--protect", "x", "--", "ls"], "--protect needs an absolute path, got x"),
      (["--net", "--", "ls"], "unknown option --net"),
      (["--rw", "/w", "--"], "no command after --"),
      (["--", ""], "no command after --"),
      (["--abi", "seven", "--", "ls"], "--abi needs a Landlock ABI version, got seven"),
      (["--abi", "0", "--", "ls"], "--abi needs a Landlock ABI version, got 0"),
      (["--env", "NOVALUE", "--", "ls"], "--env needs NAME=VALUE, got NOVALUE"),
      (["--env", "=x", "--", "ls"], "--env needs NAME=VALUE, got =x"),
      (["--rw", "/w\0/x", "--", "ls"], #"an argument contains a NUL byte: "/w\0/x""#),
      (["--", "ls", "a\0b"], #"an argument contains a NUL byte: "a\0b""#),
    ])
  func malformed(_ arguments: [String], _ message: String) {
    #expect(throws: SandboxError.invalidArguments(message)) {
      try SandboxExecArguments(parsing: arguments)
    }
  }
}
