import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

private let kernelABI = LandlockSupport.probe().abi ?? 0

/// The helper can act as if the kernel spoke an older Landlock ABI (`--abi N`), so the seccomp
/// rules that cover what older kernels leave ungoverned are tested on this one.
@Suite(
  "Sandbox: older kernels",
  .enabled(if: kernelABI >= 6 && python3Available, "needs Landlock ABI 6+ and /usr/bin/python3"))
struct SandboxOlderKernelTests {
  struct Layout {
    let scratch: TemporaryDirectory
    var workspace: String { scratch.file("ws") }
    var outside: String { scratch.file("outside.txt") }

    init() throws {
      scratch = try TemporaryDirectory("codex-old-kernel")
      try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
      try "keep me\n".write(toFile: outside, atomically: false, encoding: .utf8)
    }
  }

  /// Runs bash in the helper with `--abi abi`; `--no-namespaces` takes away the read-only mounts
  /// that would otherwise stop the same things first.
  func run(_ script: String, abi: Int, layout: Layout, namespaces: Bool = false) async throws
    -> ProcessResult
  {
    try await runHelper(
      SandboxExecArguments(
        writableRoots: [layout.workspace], avoidNamespaces: !namespaces, assumedABI: abi,
        environment: ["PATH=" + testSearchPath], command: ["/bin/bash", "-c", script]),
      in: layout.workspace)
  }

  @Test(
    "ABI < 3: truncate(2) is refused by seccomp (it cannot tell paths apart), ftruncate works",
    arguments: [1, 2])
  func truncate(_ abi: Int) async throws {
    let layout = try Layout()
    defer { layout.scratch.remove() }
    let script = pythonScript(
      """
      import os
      try:
          os.truncate("\(layout.outside)", 0)
          print("truncated")
      except OSError as e:
          print("refused", e.errno)
      open("inside.txt", "w").write("12345")
      try:
          os.truncate("inside.txt", 2)
      except OSError as e:
          print("by path", e.errno)
      with open("inside.txt", "r+") as f:
          os.truncate(f.fileno(), 2)
      print("by descriptor", open("inside.txt").read())
      """)
    let result = try await run(script, abi: abi, layout: layout)
    #expect(
      result.stdoutText == "refused 13\nby path 13\nby descriptor 12\n", "\(result.stderrText)")
    #expect(try String(contentsOfFile: layout.outside, encoding: .utf8) == "keep me\n")
  }

  @Test("ABI < 6: signals and pidfds aimed at codex and the supervisor are refused")
  func signals() async throws {
    let layout = try Layout()
    defer { layout.scratch.remove() }
    // $PPID is the supervisor; the test process stands in for codex (the helper's parent).
    let script = """
      kill -0 $PPID 2>/dev/null && echo supervisor-reachable || echo supervisor-protected
      kill -0 -$PPID 2>/dev/null && echo group-reachable || echo group-protected
      kill -0 \(getpid()) 2>/dev/null && echo codex-reachable || echo codex-protected
      sleep 1000 & kill -0 $! && echo own-child-reachable; kill $!
      """
    for abi in [5, kernelABI] {
      let result = try await run(script, abi: abi, layout: layout)
      // ABI 5: seccomp; the kernel's ABI: Landlock's signal scope. Both refuse.
      #expect(
        result.stdoutText
          == "supervisor-protected\ngroup-protected\ncodex-protected\nown-child-reachable\n",
        "ABI \(abi): \(result.stderrText)")
    }
    // kill(-1) reaches every process of the user. Seccomp refuses it outright; (with Landlock's
    // scope the kernel refuses each target but reports success when every one was refused, so
    // only the seccomp case can be told from outside.)
    let everyone = try await run(
      "kill -0 -1 2>/dev/null && echo all-reachable || echo all-protected", abi: 5,
      layout: layout)
    #expect(everyone.stdoutText == "all-protected\n")
  }

  @Test("the report tells what an older kernel leaves unenforced")
  func report() async throws {
    let layout = try Layout()
    defer { layout.scratch.remove() }
    let result = try await runHelper(
      SandboxExecArguments(
        writableRoots: [layout.workspace], blockNetwork: true, assumedABI: 2, report: true,
        command: ["/bin/true"]), in: layout.workspace)
    let report = try #require(SandboxReport(parsing: result.stdoutText), "\(result.stderrText)")
    #expect(report.landlockABI == 2 && report.seccomp)
    let gaps = report.unenforced(blockNetwork: true)
    #expect(gaps.contains { $0.hasPrefix("Landlock ABI 2 < 5: ioctl on device files") })
    #expect(gaps.contains { $0.hasPrefix("Landlock ABI 2 < 6: a command can signal") })
    // Covered by seccomp: not a gap.
    #expect(!gaps.contains { $0.contains("truncate") })
  }
}
