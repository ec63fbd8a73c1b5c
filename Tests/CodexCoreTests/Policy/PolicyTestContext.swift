@testable import CodexCore

extension CommandContext {
  /// Where the policy tables run commands: a workspace in the user's home, with `/tmp`
  /// writable too, as `workspace-write` would have it.
  static let test = CommandContext(
    workdir: "/home/dev/project", workspace: "/home/dev/project", home: "/home/dev",
    writableRoots: ["/home/dev/project", "/tmp"])

  /// `test`, with the command starting in `workdir`.
  static func test(workdir: String) -> CommandContext {
    var context = CommandContext.test
    context.workdir = workdir
    return context
  }
}
