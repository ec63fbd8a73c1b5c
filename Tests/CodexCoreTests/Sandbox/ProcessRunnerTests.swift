import Foundation
import Synchronization
import Testing

@testable import CodexCore

@Suite("ProcessRunner")
struct ProcessRunnerTests {
  @Test("4 MB on stdout and 4 MB on stderr at once: no deadlock, every byte")
  func largeConcurrentOutput() async throws {
    let script = """
      (head -c 4000000 /dev/zero | tr '\\0' o) &
      (head -c 4000000 /dev/zero | tr '\\0' e) >&2
      wait
      """
    let result = try await ProcessRunner.run(bashSpec(script, outputLimit: 16 << 20))
    #expect(result.exitCode == 0)
    #expect(result.stdout.count == 4_000_000)
    #expect(result.stderr.count == 4_000_000)
    #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
    #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
    #expect(result.output.count == 8_000_000)
    #expect(result.output.filter { $0 == UInt8(ascii: "o") }.count == 4_000_000)
    #expect(result.outputTruncation == nil && result.stdoutTruncation == nil)
  }

  @Test("onOutput sees every chunk, in the order of the combined output")
  func streamingCallback() async throws {
    let chunks = Mutex<[UInt8]>([])
    let result = try await ProcessRunner.run(
      bashSpec("for i in $(seq 1 2000); do echo out$i; echo err$i >&2; done")
    ) { chunk in chunks.withLock { $0 += chunk } }
    #expect(chunks.withLock { $0 } == result.output)
    #expect(result.stdoutText.split(separator: "\n").count == 2000)
    #expect(result.stderrText.split(separator: "\n").last == "err2000")
  }

  @Test("exit codes", arguments: [0, 1, 7, 255])
  func exitCode(_ code: Int32) async throws {
    let result = try await ProcessRunner.run(bashSpec("exit \(code)"))
    #expect(result.exitCode == code)
    #expect(result.signal == nil)
    #expect(!result.timedOut)
  }

  @Test("a signal death is reported as the signal", arguments: [("SEGV", 11), ("KILL", 9)])
  func signalDeath(_ name: String, _ number: Int32) async throws {
    let result = try await ProcessRunner.run(bashSpec("kill -\(name) $$"))
    #expect(result.signal == number)
    #expect(result.exitCode == nil)
  }

  @Test("runs in the working directory")
  func workingDirectory() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let result = try await ProcessRunner.run(bashSpec("pwd -P", in: directory.path))
    #expect(result.stdoutText == directory.path + "\n")
  }

  @Test("passes exactly the given environment and arguments")
  func exactEnvironment() async throws {
    let environment = ["A": "1", "WITH_SPACE": "two words", "EMPTY": "", "UNICODE": "héllo=x"]
    let result = try await ProcessRunner.run(
      ProcessSpec(
        executable: "/usr/bin/env", workingDirectory: "/", environment: environment,
        timeout: .seconds(60)))
    let lines = Set(result.stdoutText.split(separator: "\n").map(String.init))
    #expect(lines == Set(environment.map { "\($0.key)=\($0.value)" }))

    let printed = try await ProcessRunner.run(
      ProcessSpec(
        executable: "printf", arguments: ["[%s]\n", "a b", "", "c'd\"e"], workingDirectory: "/",
        environment: ["PATH": testSearchPath], timeout: .seconds(60)))
    #expect(printed.stdoutText == "[a b]\n[]\n[c'd\"e]\n")
  }

  @Test("stdin is /dev/null and inherited descriptors are closed")
  func isolatedDescriptors() async throws {
    let result = try await ProcessRunner.run(
      bashSpec("cat; ls /proc/self/fd | sort -n | tr '\\n' ' '"))
    #expect(result.exitCode == 0)
    // cat read EOF at once; ls sees 0, 1, 2 and its own directory descriptor only.
    #expect(result.stdoutText == "0 1 2 3 ")
  }

  @Test("timeout sends SIGTERM to the whole group: no survivors")
  func timeoutKillsGroup() async throws {
    let script = "sleep 100 & echo $!; sleep 101 & echo $!; echo $$; wait"
    let result = try await ProcessRunner.run(bashSpec(script, timeout: .seconds(1)))
    #expect(result.timedOut)
    #expect(
      result.signal == 15, "exit \(String(describing: result.exitCode)): \(result.stdoutText)")
    let recorded = pids(in: result.stdoutText)
    #expect(recorded.count == 3)
    #expect(await survivors(recorded) == [])
  }

  @Test("a command that stopped itself still meets SIGTERM on timeout, not only the SIGKILL")
  func timeoutEndsAStoppedCommand() async throws {
    // A stopped process keeps SIGTERM pending; the timeout continues it so the signal lands.
    let result = try await ProcessRunner.run(
      bashSpec("echo $$; kill -STOP $$", timeout: .seconds(1)))
    #expect(result.timedOut)
    #expect(result.signal == 15)
    #expect(await survivors(pids(in: result.stdoutText)) == [])
  }

  @Test("timeout reaches a grandchild that left the group (setsid) while its parent lives")
  func timeoutKillsTheTree() async throws {
    let script = "setsid sleep 100 >/dev/null 2>&1 & echo $!; echo $$; wait"
    let result = try await ProcessRunner.run(bashSpec(script, timeout: .seconds(1)))
    #expect(result.timedOut)
    let recorded = pids(in: result.stdoutText)
    #expect(recorded.count == 2)
    #expect(await survivors(recorded) == [])
  }

  @Test("cancellation reaches a grandchild that left the group")
  func cancellationKillsTheTree() async throws {
    let (lines, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    let task = Task {
      try await ProcessRunner.run(
        bashSpec("setsid sleep 100 >/dev/null 2>&1 & echo $!; wait", timeout: .seconds(60))
      ) { continuation.yield($0) }
    }
    var seen: [UInt8] = []
    for await chunk in lines {
      seen += chunk
      if pids(in: String(decoding: seen, as: UTF8.self)).count == 1 { break }
    }
    task.cancel()
    _ = await task.result
    let recorded = pids(in: String(decoding: seen, as: UTF8.self))
    #expect(await survivors(recorded) == [])
  }

  @Test("an argument, variable or path with a NUL byte is refused before anything runs")
  func nulBytes() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let marker = directory.file("ran")
    for spec in [
      bashSpec("touch \(marker)\0; echo"),
      bashSpec("touch \(marker)", environment: ["PATH": testSearchPath, "X\0": "y"]),
      bashSpec("touch \(marker)", in: directory.path + "\0/x"),
    ] {
      await #expect(throws: ProcessError.self) { try await ProcessRunner.run(spec) }
    }
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test("a command that ignores SIGTERM gets SIGKILL after the grace period")
  func timeoutEscalatesToKill() async throws {
    let script = "trap '' TERM; sleep 100 & echo $!; echo $$; wait; wait; wait"
    let result = try await ProcessRunner.run(bashSpec(script, timeout: .seconds(1)))
    #expect(result.timedOut)
    #expect(result.signal == 9)
    let recorded = pids(in: result.stdoutText)
    #expect(recorded.count == 2)
    #expect(await survivors(recorded) == [])
  }

  @Test("returns when the command exits, not when its background job does; the job is killed")
  func backgroundJobDoesNotHoldTheResult() async throws {
    // If the runner waited for the pipes to close, this would hit the 60 s timeout instead.
    let result = try await ProcessRunner.run(
      bashSpec("sleep 100 & echo $!; echo started", timeout: .seconds(60)))
    #expect(!result.timedOut)
    #expect(result.exitCode == 0)
    #expect(result.stdoutText.hasSuffix("started\n"))
    let recorded = pids(in: result.stdoutText)
    #expect(recorded.count == 1)
    #expect(await survivors(recorded) == [])
  }

  @Test("task cancellation kills the process group and throws CancellationError")
  func cancellation() async throws {
    let (lines, continuation) = AsyncStream.makeStream(of: [UInt8].self)
    let task = Task {
      try await ProcessRunner.run(
        bashSpec("sleep 100 & echo $!; echo $$; wait", timeout: .seconds(60))
      ) { continuation.yield($0) }
    }
    var seen: [UInt8] = []
    for await chunk in lines {
      seen += chunk
      if pids(in: String(decoding: seen, as: UTF8.self)).count == 2 { break }
    }
    task.cancel()
    let outcome = await task.result
    #expect(throws: CancellationError.self) { try outcome.get() }
    let recorded = pids(in: String(decoding: seen, as: UTF8.self))
    #expect(recorded.count == 2)
    #expect(await survivors(recorded) == [])
  }

  @Test("a task cancelled before the call never starts the process")
  func cancelledBeforeStart() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let marker = directory.file("ran")
    let task = Task {
      withUnsafeCurrentTask { $0?.cancel() }
      return try await ProcessRunner.run(bashSpec("touch \(marker)"))
    }
    await #expect(throws: CancellationError.self) { try await task.value }
    #expect(!FileManager.default.fileExists(atPath: marker))
  }

  @Test("output beyond the limit is dropped from the middle and counted")
  func outputCap() async throws {
    let total = 50_000_000
    let result = try await ProcessRunner.run(
      bashSpec("yes | head -c \(total); echo done >&2", outputLimit: 1 << 20))
    #expect(result.exitCode == 0)
    #expect(result.stdout.count == 1 << 20)
    #expect(
      result.stdoutTruncation == OutputTruncation(offset: 1 << 19, droppedBytes: total - (1 << 20)))
    #expect(result.stdout.prefix(4) == Array("y\ny\n".utf8)[...])
    #expect(result.stdout.suffix(4) == Array("y\ny\n".utf8)[...])
    #expect(result.stderrText == "done\n")
    #expect(result.output.count == 2 << 20)
    #expect(result.outputTruncation?.droppedBytes == total + 5 - (2 << 20))
  }

  @Test("a missing command is a clear error")
  func missingExecutable() async throws {
    let error = await #expect(throws: ProcessError.self) {
      try await ProcessRunner.run(
        ProcessSpec(
          executable: "codex-no-such-command", workingDirectory: "/",
          environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(60)))
    }
    #expect(
      error?.description == "command not found: codex-no-such-command (searched PATH=/usr/bin:/bin)"
    )

    let absolute = await #expect(throws: ProcessError.self) {
      try await ProcessRunner.run(
        ProcessSpec(
          executable: "/no/such/tool", workingDirectory: "/", environment: [:],
          timeout: .seconds(60)))
    }
    #expect(absolute == .executableNotFound(executable: "/no/such/tool", searchPath: nil))
  }

  @Test("a bad working directory is a clear error")
  func badWorkingDirectory() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let missing = directory.file("missing")
    let error = await #expect(throws: ProcessError.self) {
      try await ProcessRunner.run(bashSpec("true", in: missing))
    }
    #expect(
      error?.description == "cannot use working directory \(missing): No such file or directory")

    let file = directory.file("file")
    #expect(FileManager.default.createFile(atPath: file, contents: Data()))
    let notDirectory = await #expect(throws: ProcessError.self) {
      try await ProcessRunner.run(bashSpec("true", in: file))
    }
    #expect(notDirectory == .invalidWorkingDirectory(path: file, reason: "not a directory"))
  }

  @Test("a file without execute permission fails to spawn with the reason")
  func notExecutable() async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let script = directory.file("script.sh")
    #expect(FileManager.default.createFile(atPath: script, contents: Data("#!/bin/sh\n".utf8)))
    let error = await #expect(throws: ProcessError.self) {
      try await ProcessRunner.run(
        ProcessSpec(executable: script, workingDirectory: "/", environment: [:], timeout: nil))
    }
    // root may execute anything with an x bit, but there is none here.
    #expect(error == .spawnFailed(executable: script, reason: "Permission denied"))
  }
}
