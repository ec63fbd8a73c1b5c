import CodexCore
import CodexTestSupport
import Foundation
import Testing

/// Whether this process may hide a file from a child: a private mount namespace and a bind
/// mount (root, or CAP_SYS_ADMIN).
private let canHideFiles: Bool =
  system(
    "unshare --mount sh -c 'f=$(mktemp) && mount --bind /dev/null \"$f\"; rc=$?; rm -f \"$f\"; "
      + "exit $rc' >/dev/null 2>&1") == 0

/// libcurl is loaded when the first request is made, not linked: a machine without it still
/// runs `--version`, and a request fails with one line saying what to install.
@Suite(
  .enabled(if: canHideFiles, "no private mount namespace here, so libcurl cannot be hidden"))
struct LibraryLoadingTests {
  /// Runs codex with libcurl.so.4 replaced by an empty file in a mount namespace of its own.
  func runWithoutLibcurl(_ s: Scratch, _ arguments: [String]) async throws -> ProcessResult {
    let script = """
      lib=$(readlink -f "$(/sbin/ldconfig -p | awk '/libcurl\\.so\\.4 /{print $NF; exit}')")
      [ -f "$lib" ] || { echo "libcurl.so.4 not found by ldconfig" >&2; exit 90; }
      mount --bind /dev/null "$lib" && exec "$0" "$@"
      """
    return try await ProcessRunner.run(
      ProcessSpec(
        executable: "/usr/bin/unshare",
        arguments: ["--mount", "/bin/sh", "-c", script, try requireCodexBinary()] + arguments,
        workingDirectory: s.work,
        environment: ["PATH": "/usr/bin:/bin", "HOME": s.home, "CODEX_HOME": s.codexHome],
        timeout: .seconds(60)))
  }

  @Test func withoutLibcurlVersionRunsAndARequestSaysWhatToInstall() async throws {
    let s = try Scratch()
    defer { s.cleanUp() }
    let version = try await runWithoutLibcurl(s, ["--version"])
    #expect(version.exitCode == 0, "\(version.stderrText)")
    #expect(version.stdoutText.hasPrefix("codex "))

    let port = try FakeHTTPServer.unusedLoopbackPort()
    let r = try await runWithoutLibcurl(
      s, ["--provider-url", "http://127.0.0.1:\(port)/v1", "-m", "m", "hi"])
    #expect(r.exitCode == 1)
    #expect(r.stderrText.hasPrefix("error: cannot load libcurl ("), "\(r.stderrText)")
    #expect(r.stderrText.hasSuffix("install Debian's libcurl4 package\n"), "\(r.stderrText)")
    #expect(r.stderrText.split(separator: "\n").count == 1)
  }
}
