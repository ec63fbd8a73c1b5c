/// Landlock filesystem rights (`LANDLOCK_ACCESS_FS_*`), defined here because Debian 12's headers
/// stop at ABI 2.
struct LandlockAccess: OptionSet, Sendable, Hashable {
  let rawValue: UInt64

  static let execute = LandlockAccess(rawValue: 1 << 0)
  static let writeFile = LandlockAccess(rawValue: 1 << 1)
  static let readFile = LandlockAccess(rawValue: 1 << 2)
  static let readDirectory = LandlockAccess(rawValue: 1 << 3)
  static let removeDirectory = LandlockAccess(rawValue: 1 << 4)
  static let removeFile = LandlockAccess(rawValue: 1 << 5)
  static let makeCharacterDevice = LandlockAccess(rawValue: 1 << 6)
  static let makeDirectory = LandlockAccess(rawValue: 1 << 7)
  static let makeRegularFile = LandlockAccess(rawValue: 1 << 8)
  static let makeSocket = LandlockAccess(rawValue: 1 << 9)
  static let makeFIFO = LandlockAccess(rawValue: 1 << 10)
  static let makeBlockDevice = LandlockAccess(rawValue: 1 << 11)
  static let makeSymlink = LandlockAccess(rawValue: 1 << 12)
  /// ABI 2: link or rename into another directory.
  static let refer = LandlockAccess(rawValue: 1 << 13)
  /// ABI 3.
  static let truncate = LandlockAccess(rawValue: 1 << 14)
  /// ABI 5: ioctl on character and block devices.
  static let ioctlDevice = LandlockAccess(rawValue: 1 << 15)

  static let readAndExecute: LandlockAccess = [.execute, .readFile, .readDirectory]
  /// What a device file in the allow list may be used for.
  static let deviceUse: LandlockAccess = [.readFile, .writeFile, .truncate, .ioctlDevice]

  /// Every right the kernel with this ABI knows; all of them are "handled" (denied unless granted),
  /// so nothing the kernel can restrict is left open.
  static func handled(abi: Int) -> LandlockAccess {
    guard abi >= 1 else { return [] }
    var access = LandlockAccess(rawValue: (1 << 13) - 1)
    if abi >= 2 { access.insert(.refer) }
    if abi >= 3 { access.insert(.truncate) }
    if abi >= 5 { access.insert(.ioctlDevice) }
    return access
  }
}

/// `LANDLOCK_ACCESS_NET_*` (ABI 4).
enum LandlockNetworkAccess {
  static let bindTCP: UInt64 = 1 << 0
  static let connectTCP: UInt64 = 1 << 1
}

/// `LANDLOCK_SCOPE_*` (ABI 6).
enum LandlockScope {
  static let abstractUnixSocket: UInt64 = 1 << 0
  static let signal: UInt64 = 1 << 1
}
