// The one place CodexCore talks to the C library for files, processes and threads, so the rest of
// the library stays free of Glibc. Everything here is a thin, non-throwing wrapper; callers turn
// failures into their own error types.
import CSandbox
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

public enum Platform {
  /// Ends the process, for `main`, which does not import Glibc: the hooks registered with
  /// `atExit` run (last first), stdio is flushed, then `_exit`. Not `exit`: the C library's
  /// handlers (OpenSSL's cleanup, C++ static destructors) would run while other threads may
  /// still be inside libcurl (the background load of a run that ended early, the I/O thread of
  /// a stream cut short), which crashed about one run in 300. Files are written with write(2)
  /// as we go, so nothing of ours needs them.
  public static func exit(_ code: Int32) -> Never {
    let hooks = exitHooks.withLock { hooks in
      defer { hooks = [] }
      return hooks
    }
    for hook in hooks.reversed() { hook() }
    fflush(nil)
    _exit(code)
  }

  /// Registers work `exit` must do before the process ends (say, putting the terminal back).
  public static func atExit(_ hook: @escaping @Sendable () -> Void) {
    exitHooks.withLock { $0.append(hook) }
  }

  private static let exitHooks = Mutex<[@Sendable () -> Void]>([])

  /// The absolute path of the running executable (`/proc/self/exe`).
  public static func currentExecutablePath() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// The process environment as a dictionary (first occurrence wins, like getenv).
  public static func processEnvironment() -> [String: String] {
    var result: [String: String] = [:]
    var cursor = environ
    while let entry = cursor.pointee {
      let text = String(cString: entry)
      if let equals = text.firstIndex(of: "=") {
        let name = String(text[..<equals])
        if result[name] == nil { result[name] = String(text[text.index(after: equals)...]) }
      }
      cursor += 1
    }
    return result
  }

  /// The current working directory of the process.
  public static func currentDirectory() -> String? {
    guard let pointer = getcwd(nil, 0) else { return nil }
    defer { free(pointer) }
    return String(cString: pointer)
  }

  /// `strerror` for an errno value (positive or negative).
  static func errorDescription(_ code: Int32) -> String {
    guard let text = strerror(code < 0 ? -code : code) else { return "error \(code)" }
    return String(cString: text)
  }

  /// errno values the sandbox code branches on (without importing Glibc there).
  enum Errno {
    static let noEntry = ENOENT
    static let notImplemented = ENOSYS
    static let notSupported = EOPNOTSUPP
  }

  /// Writes text to fd 2 unbuffered (the sandbox child uses it right before exec or exit).
  static func writeStandardError(_ text: String) { writeAll(2, text) }

  /// Writes text to fd 1 unbuffered (the sandbox helper's report).
  static func writeStandardOutput(_ text: String) { writeAll(1, text) }

  private static func writeAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw in
        write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
      }
      if written < 0 && errno == EINTR { continue }
      guard written > 0 else { return }
      offset += written
    }
  }

  enum FileKind: Sendable, Equatable {
    case directory
    case regular
    case symbolicLink
    case other
  }

  /// The kind of file at `path`, or nil when it does not exist (or cannot be examined).
  /// `followSymlinks == false` reports a symbolic link itself.
  static func fileKind(_ path: String, followSymlinks: Bool = true) -> FileKind? {
    var info = stat()
    let rc = followSymlinks ? stat(path, &info) : lstat(path, &info)
    guard rc == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return .directory
    case S_IFREG: return .regular
    case S_IFLNK: return .symbolicLink
    default: return .other
    }
  }

  /// Why `path` cannot be examined (errno description), for error messages.
  static func fileKindError(_ path: String) -> String? {
    var info = stat()
    return stat(path, &info) == 0 ? nil : errorDescription(errno)
  }

  /// True when `path` is a regular file the process may execute.
  static func isExecutableFile(_ path: String) -> Bool {
    fileKind(path) == .regular && access(path, X_OK) == 0
  }

  /// The canonical absolute path (symlinks, `.` and `..` resolved), or nil if it does not exist.
  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// The names and kinds (not following symlinks) of a directory's entries, without `.` and `..`.
  static func directoryEntries(_ path: String) -> [(name: String, kind: FileKind)]? {
    guard let directory = opendir(path) else { return nil }
    defer { closedir(directory) }
    var entries: [(name: String, kind: FileKind)] = []
    while let entry = readdir(directory) {
      let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple)) {
          String(cString: $0)
        }
      }
      if name == "." || name == ".." { continue }
      let child = path.hasSuffix("/") ? path + name : path + "/" + name
      if let kind = fileKind(child, followSymlinks: false) { entries.append((name, kind)) }
    }
    return entries
  }

  /// Reads at most `limit` bytes from the start of a file.
  static func readFilePrefix(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: limit)
    let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, limit) }
    guard count >= 0 else { return nil }
    return Array(buffer[0..<count])
  }

  /// Replaces the process image with `argv[0]` and exactly `environment` (`NAME=VALUE`; PATH
  /// search in its PATH when argv[0] has no slash). Only returns on failure, with the errno value.
  static func execute(_ argv: [String], environment: [String]) -> Int32 {
    guard let file = argv.first else { return EINVAL }
    return withCStringArray(argv) { cArgv in
      withCStringArray(environment) { cEnvironment in
        file.withCString { -csb_execvpe($0, cArgv, cEnvironment) }
      }
    }
  }

  /// The pid of this process's parent.
  static func parentProcessID() -> Int32 { getppid() }

  /// Runs `body` with a NULL-terminated C array of copies of `strings`.
  static func withCStringArray<Result>(
    _ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result
  ) -> Result {
    let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(
      capacity: strings.count + 1)
    for (index, string) in strings.enumerated() { array[index] = strdup(string) }
    array[strings.count] = nil
    defer {
      for index in 0..<strings.count { free(array[index]) }
      array.deallocate()
    }
    return body(array)
  }

  /// Starts a detached OS thread running `body`, so blocking work never occupies a thread of the
  /// Swift cooperative pool. Returns 0 or the pthread error number.
  public static func startThread(_ body: @escaping @Sendable () -> Void) -> Int32 {
    let box = Unmanaged.passRetained(ThreadBody(body))
    var thread = pthread_t()
    let rc = pthread_create(
      &thread, nil,
      { context in
        guard let context else { return nil }
        let body = Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue()
        body.run()
        return nil
      }, box.toOpaque())
    if rc != 0 {
      box.release()
      return rc
    }
    pthread_detach(thread)
    return 0
  }
}

private final class ThreadBody: Sendable {
  let run: @Sendable () -> Void
  init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}
