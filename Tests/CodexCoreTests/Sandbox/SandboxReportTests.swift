import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

@Suite("SandboxReport")
struct SandboxReportTests {
  @Test("renders and parses back; anything else is not a report")
  func roundTrip() {
    var report = SandboxReport()
    report.landlockABI = 4
    report.namespace = .user
    report.readOnlyOutsideRoots = true
    report.seccomp = true
    report.gitSearchTruncated = true
    report.protectedByMount = ["/w/.git", "/w/.bashrc"]
    report.protectedByLandlock = ["/w/.profile"]
    #expect(SandboxReport(parsing: report.rendered) == report)
    #expect(SandboxReport(parsing: "hello") == nil)
    #expect(SandboxReport(parsing: "namespace=mount\n") == nil)
    #expect(SandboxReport(parsing: "landlock-abi=x\n") == nil)
  }

  @Test("what each kernel leaves unenforced")
  func unenforced() {
    var full = SandboxReport()
    full.landlockABI = 7
    full.namespace = .mount
    full.readOnlyOutsideRoots = true
    full.seccomp = true
    #expect(full.unenforced(blockNetwork: true) == [])
    #expect(full.unenforced(blockNetwork: false) == [])

    var old = full
    old.landlockABI = 4
    old.namespace = .none
    old.readOnlyOutsideRoots = false
    let gaps = old.unenforced(blockNetwork: false)
    #expect(gaps.count == 3)
    #expect(gaps[0].hasPrefix("no user namespaces: chmod, chown"))
    #expect(gaps[1].hasPrefix("Landlock ABI 4 < 5: ioctl on device files is not restricted (only"))
    #expect(gaps[2].hasPrefix("Landlock ABI 4 < 6: a command can signal your other processes"))

    var noSeccomp = full
    noSeccomp.landlockABI = 2
    noSeccomp.seccomp = false
    #expect(noSeccomp.unenforced(blockNetwork: false).contains { $0.contains("truncate(2)") })
    #expect(noSeccomp.unenforced(blockNetwork: false).last?.hasPrefix("no seccomp") == true)
  }

  @Test(
    "the real helper reports this kernel, and /status's sentences come from it",
    .enabled(if: LandlockSupport.probe().abi != nil, "needs Landlock"))
  func realReport() async throws {
    let scratch = try TemporaryDirectory("codex-report")
    defer { scratch.remove() }
    let sandbox = LinuxSandbox()
    let executable = try requireCodexBinary()
    let policy = SandboxPolicy.workspaceWrite(writableRoots: [scratch.path], networkAccess: false)
    let gaps = await sandbox.unenforced(
      policy: policy, workingDirectory: scratch.path, sandboxExecutable: executable)
    let kernel = LandlockSupport.probe().abi ?? 0
    if getuid() == 0 && kernel >= 6 {
      #expect(gaps == [])
    }
    // Acting as an ABI 4 kernel shows the gaps such a kernel has.
    let older = LinuxSandbox(landlock: .available(abi: 4), seccompFilter: true)
    let olderGaps = await older.unenforced(
      policy: policy, workingDirectory: scratch.path, sandboxExecutable: executable)
    #expect(olderGaps.contains { $0.hasPrefix("Landlock ABI 4 < 5") }, "\(olderGaps)")
    #expect(
      await sandbox.unenforced(
        policy: .dangerFullAccess, workingDirectory: scratch.path, sandboxExecutable: executable)
        == [])
    let none = LinuxSandbox(landlock: .unavailable(reason: "off"), seccompFilter: true)
    #expect(
      await none.unenforced(policy: policy, workingDirectory: scratch.path)
        == ["Landlock unavailable: off: sandboxed commands are refused"])
  }
}
