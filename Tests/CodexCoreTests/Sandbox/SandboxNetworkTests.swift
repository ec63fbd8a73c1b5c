import CodexTestSupport
import Foundation
import Testing

@testable import CodexCore

private let landlockAvailable = LandlockSupport.probe().abi != nil

/// Network off must mean no way to reach anything outside the sandbox, Unix sockets included
/// (the systemd user bus runs `systemd-run --user`, docker.sock is root on the host, tmux and
/// ssh-agent run commands). Every attempt goes through the real helper.
@Suite(
  "Sandbox: network off",
  .enabled(if: landlockAvailable && python3Available, "needs Landlock and /usr/bin/python3"))
struct SandboxNetworkTests {
  /// Prints one `label errno` line per attempt (`label ok` when it worked).
  static let attempts = """
    import ctypes, errno, os, socket, sys
    def attempt(label, action):
        try:
            action()
            print(label, "ok")
        except OSError as e:
            print(label, errno.errorcode.get(e.errno, e.errno))
    def connect(address):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address)
    path, abstract = sys.argv[1], sys.argv[2]
    attempt("connect-path", lambda: connect(path))
    attempt("connect-abstract", lambda: connect("\\0" + abstract))
    attempt("unix-stream", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    attempt("unix-seqpacket", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET))
    attempt("unix-dgram", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM))
    attempt("unix-dgram-nonblock",
            lambda: socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_NONBLOCK))
    attempt("inet-udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
    attempt("inet6-tcp", lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM))
    attempt("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
    attempt("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0))
    attempt("vsock", lambda: socket.socket(40, socket.SOCK_STREAM))
    attempt("pair-unix-stream", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
    attempt("pair-unix-dgram", lambda: socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM))
    attempt("pair-inet", lambda: socket.socketpair(socket.AF_INET, socket.SOCK_STREAM))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    attempt("sendto-address", lambda: s.sendto(b"x", path))
    a, b = socket.socketpair()
    attempt("send-on-pair", lambda: a.send(b"x"))
    libc = ctypes.CDLL(None, use_errno=True)
    def io_uring():
        params = ctypes.create_string_buffer(120)
        if libc.syscall(425, 4, params) < 0:
            raise OSError(ctypes.get_errno(), "io_uring_setup")
    attempt("io_uring", io_uring)
    """

  @Test("only non-datagram Unix sockets are created, and they cannot connect to anything")
  func unixSocketsGoNowhere() async throws {
    let scratch = try TemporaryDirectory("codex-net")
    defer { scratch.remove() }
    let workspace = scratch.file("ws")
    let outside = scratch.file("outside")
    for directory in [workspace, outside] {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    // A listener outside the roots (the user's bus, docker.sock) and one in the abstract
    // namespace (X11, D-Bus).
    let listener = try UnixListener(name: outside + "/bus")
    let abstractName = "codex-test-" + UUID().uuidString
    let abstract = try UnixListener(name: abstractName, abstract: true)
    let script =
      "cat > attempts.py <<'PYTHON'\n" + Self.attempts + "\nPYTHON\n"
      + "python3 attempts.py \(listener.name) \(abstractName)"

    let offline = try await runSandboxed(
      script, policy: .workspaceWrite(writableRoots: [workspace], networkAccess: false),
      in: workspace)
    let results = Dictionary(
      offline.stdoutText.split(separator: "\n").map {
        let parts = $0.split(separator: " ", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
      }, uniquingKeysWith: { a, _ in a })
    #expect(offline.exitCode == 0, "\(offline.stderrText)")
    let expected = [
      "connect-path": "EACCES", "connect-abstract": "EACCES", "unix-stream": "ok",
      "unix-seqpacket": "ok", "unix-dgram": "EACCES", "unix-dgram-nonblock": "EACCES",
      "inet-udp": "EACCES", "inet6-tcp": "EACCES", "netlink": "EACCES", "packet": "EACCES",
      "vsock": "EACCES", "pair-unix-stream": "ok", "pair-unix-dgram": "EACCES",
      "pair-inet": "EACCES", "sendto-address": "EACCES", "send-on-pair": "ok",
      "io_uring": "EPERM",
    ]
    #expect(results == expected)
    #expect(listener.acceptPending() == 0)
    #expect(abstract.acceptPending() == 0)

    // The same attempts with the network on reach both listeners: the test can tell.
    let online = try await runSandboxed(
      script, policy: .workspaceWrite(writableRoots: [workspace], networkAccess: true),
      in: workspace)
    #expect(online.stdoutText.contains("connect-path ok"), "\(online.stdoutText)")
    #expect(listener.acceptPending() == 1)
  }

  @Test("descriptors of the parent never reach the command, sandboxed or not")
  func noInheritedDescriptors() async throws {
    let scratch = try TemporaryDirectory("codex-fds")
    defer { scratch.remove() }
    // A connected socket in the test process without CLOEXEC, as a careless parent would have.
    var pair: [Int32] = [-1, -1]
    #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
    defer { for fd in pair { close(fd) } }
    let script = "ls /proc/self/fd | sort -n | tr '\\n' ' '"
    for policy in [SandboxPolicy.readOnly, .dangerFullAccess] {
      let result = try await runSandboxed(script, policy: policy, in: scratch.path)
      // 0, 1, 2 and ls's own directory descriptor.
      #expect(result.stdoutText == "0 1 2 3 ", "\(policy): \(result.stderrText)")
    }
  }
}
