// The apply_patch engine's platform file: the only one of the engine that talks to the C library.
// Foundation cannot do what the engine needs on Linux: write beside a file and rename(2) over it
// with the original mode already in place, refuse to follow a symlink on open, read a link.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#endif

/// A failed file-system call, as one line naming the call and the errno text.
struct PatchFileSystemError: Error, Equatable {
  let reason: String
}

enum PatchFileSystem {
  /// What a path names, without following a final symlink.
  enum Entry: Equatable {
    case regular(mode: UInt32, size: Int)
    case directory
    case symlink
    case other
  }

  /// The entry at `path`, nil when there is none (ENOENT, or ENOTDIR: a parent is a file).
  static func entry(_ path: String) throws(PatchFileSystemError) -> Entry? {
    var info = stat()
    guard lstat(path, &info) == 0 else {
      let code = errno
      if code == ENOENT || code == ENOTDIR { return nil }
      throw failure("cannot examine it", code)
    }
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      return .regular(mode: UInt32(info.st_mode & 0o7777), size: Int(info.st_size))
    case S_IFDIR: return .directory
    case S_IFLNK: return .symlink
    default: return .other
    }
  }

  static func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink(path, &buffer, buffer.count - 1)
    guard length >= 0 else { return nil }
    return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// True when this process may write the file (root may write anything).
  static func isWritable(_ path: String) -> Bool { access(path, W_OK) == 0 }

  /// Reads a regular file whole, refusing a symlink in the last component and files larger
  /// than `limit` bytes.
  static func readFile(_ path: String, limit: Int) throws(PatchFileSystemError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { throw failure("cannot open it", errno) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw failure("cannot examine it", errno) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw PatchFileSystemError(reason: "it is not a regular file")
    }
    guard info.st_size <= limit else {
      throw PatchFileSystemError(
        reason: "it is too large to patch (\(info.st_size) bytes, the limit is \(limit))")
    }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        throw failure("cannot read it", errno)
      }
      if count == 0 { break }
      bytes.append(contentsOf: chunk[0..<count])
      guard bytes.count <= limit else {
        throw PatchFileSystemError(reason: "it grew past the size limit while being read")
      }
    }
    return bytes
  }

  /// Writes `bytes` to a new file beside `path`, gives it `mode` (nil: the default for a new
  /// file, 0666 less the umask), then renames it over `path`: a reader sees the old file or the
  /// new one, never half of it.
  static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32?)
    throws(PatchFileSystemError)
  {
    let slash = path.lastIndex(of: "/") ?? path.startIndex
    let directory = path[..<slash]
    let name = path[path.index(after: slash)...]
    let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    let temporary = "\(directory)/.\(name).codex-patch-\(suffix)"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o666)
    guard fd >= 0 else { throw failure("cannot create a file beside it", errno) }
    var closed = false
    defer { if !closed { close(fd) } }
    do throws(PatchFileSystemError) {
      if let mode, fchmod(fd, mode_t(mode)) != 0 { throw failure("cannot set its mode", errno) }
      var offset = 0
      while offset < bytes.count {
        let written = bytes.withUnsafeBytes { raw in
          write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
        }
        if written < 0 {
          if errno == EINTR { continue }
          throw failure("cannot write it", errno)
        }
        offset += written
      }
      closed = true
      if close(fd) != 0 { throw failure("cannot write it", errno) }
      if rename(temporary, path) != 0 { throw failure("cannot replace it", errno) }
    } catch {
      unlink(temporary)
      throw error
    }
  }

  static func remove(_ path: String) throws(PatchFileSystemError) {
    if unlink(path) != 0 { throw failure("cannot delete it", errno) }
  }

  static func makeSymlink(_ target: String, at path: String) throws(PatchFileSystemError) {
    if symlink(target, path) != 0 { throw failure("cannot recreate the symbolic link", errno) }
  }

  /// Creates the missing directories above `path`, outermost first, and returns those it
  /// created (so a rollback can remove them).
  static func makeParentDirectories(of path: String) throws(PatchFileSystemError) -> [String] {
    var missing: [String] = []
    var parent = parentPath(path)
    while parent != "/", try entry(parent) == nil {
      missing.append(parent)
      parent = parentPath(parent)
    }
    var created: [String] = []
    for directory in missing.reversed() {
      if mkdir(directory, 0o777) == 0 {
        created.append(directory)
      } else if errno != EEXIST {
        let code = errno
        for made in created.reversed() { rmdir(made) }
        throw failure("cannot create the directory \(directory)", code)
      }
    }
    return created
  }

  static func removeDirectory(_ path: String) { rmdir(path) }

  static func parentPath(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
  }

  private static func failure(_ what: String, _ code: Int32) -> PatchFileSystemError {
    PatchFileSystemError(reason: "\(what): \(Platform.errorDescription(code))")
  }
}
