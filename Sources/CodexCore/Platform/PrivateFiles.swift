#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// codex's own files under `$CODEX_HOME`: the prompt history and the session transcripts hold
/// everything typed and answered, so they are the user's alone (directories 0700, files 0600),
/// and a symbolic link planted inside `$CODEX_HOME` (by a command the model ran, say, when
/// `$CODEX_HOME` is under a writable root) is refused rather than followed: otherwise the next
/// prompt or answer would be appended to whatever file the link names (`~/.bashrc`).
/// `$CODEX_HOME` itself may be a link (a dotfiles checkout); what is inside it may not.
public enum PrivateFiles {
  public static let directoryMode: mode_t = 0o700
  public static let fileMode: mode_t = 0o600

  /// Creates `root` (and missing parents) with mode 0700 when it does not exist. An existing
  /// `root` is left as it is.
  public static func makeRoot(_ root: String) throws {
    var existing = stat()
    if stat(root, &existing) == 0, existing.st_mode & S_IFMT == S_IFDIR { return }
    var path = root.hasPrefix("/") ? "" : "."
    for component in root.split(separator: "/") {
      path += "/" + component
      if mkdir(path, directoryMode) != 0, errno != EEXIST {
        throw PrivateFileError(path: path, errno: errno)
      }
    }
    var info = stat()
    guard stat(root, &info) == 0 else { throw PrivateFileError(path: root, errno: errno) }
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw PrivateFileError(path: root, problem: "it is not a directory")
    }
  }

  /// `root/relative` as a directory, creating `root` (`makeRoot`) and each missing level below
  /// it with mode 0700. Every level below `root` must be a real directory: a symbolic link or
  /// a file there is an error.
  @discardableResult
  public static func makeDirectories(_ relative: String, in root: String) throws -> String {
    try makeRoot(root)
    var path = root
    for component in relative.split(separator: "/") where component != "." {
      guard component != ".." else {
        throw PrivateFileError(path: root + "/" + relative, problem: "it leaves \(root)")
      }
      path += "/" + component
      if mkdir(path, directoryMode) != 0 {
        let code = errno
        guard code == EEXIST else { throw PrivateFileError(path: path, errno: code) }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw PrivateFileError(path: path, errno: errno) }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: break
        case S_IFLNK: throw PrivateFileError(path: path, errno: ELOOP)
        default: throw PrivateFileError(path: path, problem: "it is not a directory")
        }
      }
    }
    return path
  }

  /// `path` as a private directory: its parent is `makeRoot`'d, `path` itself created 0700 and
  /// never a symbolic link (`$CODEX_HOME/log`).
  @discardableResult
  public static func makeDirectory(_ path: String) throws -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
      return try makeDirectories(path, in: ".")
    }
    return try makeDirectories(
      String(path[path.index(after: slash)...]), in: String(path[..<slash]))
  }

  /// Opens `path` for writing with `flags` added, never through a symbolic link, creating it
  /// 0600. It must be a regular file with no other name (a hard link would redirect the writes
  /// as a symbolic link would); one that others may read is narrowed to 0600.
  static func openForWriting(_ path: String, flags: Int32) throws -> Int32 {
    // O_NONBLOCK: a FIFO planted at the path fails at once (ENXIO) instead of hanging codex.
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | flags, fileMode)
    if fd < 0 { throw PrivateFileError(path: path, errno: errno) }
    do {
      try checkRegularAndPrivate(fd, path: path)
    } catch {
      close(fd)
      throw error
    }
    // Back to blocking writes (a no-op for regular files, said plainly).
    let status = fcntl(fd, F_GETFL)
    if status >= 0 { _ = fcntl(fd, F_SETFL, status & ~O_NONBLOCK) }
    return fd
  }

  static func checkRegularAndPrivate(_ fd: Int32, path: String) throws {
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw PrivateFileError(path: path, errno: errno) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw PrivateFileError(path: path, problem: "it is not a regular file")
    }
    guard info.st_nlink <= 1 else {
      throw PrivateFileError(path: path, problem: "it has other names (hard links)")
    }
    if info.st_mode & 0o077 != 0, fchmod(fd, fileMode) != 0 {
      throw PrivateFileError(path: path, errno: errno)
    }
  }

  /// The contents of a regular file, not read through a symbolic link; nil when it cannot be
  /// read so.
  public static func read(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if n == 0 { return bytes }
      bytes += buffer[0..<n]
    }
  }

  /// Replaces `path` with `bytes` whole: written to a new 0600 file beside it, then renamed over
  /// it, so a crash leaves the old contents or the new, and a link at `path` is replaced, not
  /// followed.
  public static func replace(_ path: String, with bytes: [UInt8]) throws {
    let temporary = path + ".tmp-\(getpid())"
    // A leftover of a crash (or anything planted there) goes; unlink removes a link itself.
    unlink(temporary)
    let fd = try openForWriting(temporary, flags: O_EXCL | O_TRUNC)
    var written = 0
    while written < bytes.count {
      let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        let code = errno
        close(fd)
        unlink(temporary)
        throw PrivateFileError(path: temporary, errno: code)
      }
      written += n
    }
    close(fd)
    if rename(temporary, path) != 0 {
      let code = errno
      unlink(temporary)
      throw PrivateFileError(path: path, errno: code)
    }
  }
}

/// A private file or directory could not be made or opened safely.
public struct PrivateFileError: Error, Sendable, CustomStringConvertible {
  public var path: String
  public var detail: String

  init(path: String, errno code: Int32) {
    self.path = path
    detail =
      code == ELOOP
      ? "it is a symbolic link, and codex does not follow links for its own files"
      : String(cString: strerror(code))
  }

  init(path: String, problem: String) {
    self.path = path
    detail = problem
  }

  public var description: String { "cannot use \(path): \(detail)" }
}
