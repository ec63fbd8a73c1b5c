import Foundation

/// Where MCP tests find their servers: the Python venv `scripts/test` creates (`.venv-test/`
/// at the repository root, from `scripts/test-requirements.txt`) and the scripted servers in
/// `Tests/CodexCoreTests/Fixtures/mcp/`.
public enum MCPTestEnvironment {
  public static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

  public static var venv: String { repositoryRoot + "/.venv-test" }

  /// A program of the test venv (`python`, `mcp-server-time`, ...). A missing venv is an
  /// error that says how to make it, so these tests fail rather than pass without running.
  public static func venvExecutable(_ name: String) throws -> String {
    let path = venv + "/bin/" + name
    guard FileManager.default.isExecutableFile(atPath: path) else {
      throw TestVenvMissing(path: path)
    }
    return path
  }

  public static func fixture(_ name: String) -> String {
    repositoryRoot + "/Tests/CodexCoreTests/Fixtures/mcp/" + name
  }
}

public struct TestVenvMissing: Error, CustomStringConvertible {
  public var path: String
  public var description: String {
    "\(path) is missing: run scripts/test once (it creates .venv-test with the Python MCP "
      + "servers listed in scripts/test-requirements.txt)"
  }
}
