#if canImport(Glibc)
  import Glibc
#endif

/// A file opened for appending whole lines: each `append` is one `write(2)` on an O_APPEND
/// descriptor, so a crash loses at most the line being written and concurrent writers never
/// interleave inside a line. It is one of codex's private files (`PrivateFiles`): created
/// 0600, kept 0600, never opened through a symbolic link.
public final class AppendOnlyFile: @unchecked Sendable {
  // The descriptor is written by one owner at a time (the session recorder); closing is
  // guarded by `closed` below.
  private var fd: Int32
  public let path: String

  public init(path: String) throws {
    self.path = path
    fd = try PrivateFiles.openForWriting(path, flags: O_APPEND)
  }

  public func append(_ line: String) throws {
    try append(bytes: Array(line.utf8))
  }

  /// Appends `line` (a newline is added if it has none). Takes the bytes as they are, so a
  /// caller holding a large line as bytes (a session item with a long answer) makes no copy.
  public func append(bytes line: consuming [UInt8]) throws {
    var data = line
    if data.last != 0x0A { data.append(0x0A) }
    var off = 0
    while off < data.count {
      let n = data[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw AppendOnlyFileError(path: path, errno: errno)
      }
      off += n
    }
  }

  public func close() {
    if fd >= 0 {
      Glibc.close(fd)
      fd = -1
    }
  }

  deinit { close() }
}

public struct AppendOnlyFileError: Error, CustomStringConvertible {
  public var path: String
  public var errno: Int32
  public var description: String {
    "cannot write \(path): \(String(cString: strerror(errno)))"
  }
}
