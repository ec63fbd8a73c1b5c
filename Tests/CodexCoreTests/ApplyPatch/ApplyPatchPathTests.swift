import Foundation
import Testing

@testable import CodexCore

/// `writtenPaths` as an attacker would probe it: every way a patch path can land outside the
/// workspace must show up as the real location, so the sandbox check sees it before applying.
@Suite struct ApplyPatchPathTests {
  @Test func plainPathsAreTheirOwnRealLocation() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n", "gone.txt": "g\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch(
        "*** Add File: new/b.txt\n+b\n*** Update File: a.txt\n*** Move to: c.txt\n@@\n-a\n+A\n*** Delete File: gone.txt"
      ), in: workspace.root)
    #expect(
      plan.writtenPaths == [
        workspace.path("new/b.txt"), workspace.path("a.txt"), workspace.path("c.txt"),
        workspace.path("gone.txt"),
      ])
  }

  @Test func dotDotThatLeavesTheWorkspaceIsReported() throws {
    let workspace = try PatchWorkspace()
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: ../escape-\(UUID().uuidString).txt\n+x"), in: workspace.root)
    let parent = (workspace.root as NSString).deletingLastPathComponent
    #expect(plan.writtenPaths.count == 1)
    #expect(plan.writtenPaths.first?.hasPrefix(parent + "/escape-") == true)
    #expect(plan.writtenPaths.first?.hasPrefix(workspace.root + "/") == false)
  }

  @Test func addingThroughASymlinkedDirectoryReportsTheTarget() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace()
    try workspace.link("out", to: outside.root)
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: out/evil.txt\n+x"), in: workspace.root)
    #expect(plan.changes.map(\.path) == [workspace.path("out/evil.txt")])
    #expect(plan.writtenPaths == [outside.path("evil.txt")])
    // Applying writes exactly where it said (the caller's sandbox check decides whether to).
    try plan.apply()
    #expect(outside.read("evil.txt") == "x\n")
  }

  @Test func updatingASymlinkedFileRewritesTheTargetAndKeepsTheLink() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace(["real.txt": "old\n"])
    try workspace.link("alias.txt", to: outside.path("real.txt"))
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: alias.txt\n@@\n-old\n+new"), in: workspace.root)
    #expect(plan.writtenPaths == [outside.path("real.txt")])
    try plan.apply()
    #expect(outside.read("real.txt") == "new\n")
    #expect(try workspace.snapshot()["alias.txt"] == .symlink(outside.path("real.txt")))
  }

  @Test func relativeSymlinkChainsAreFollowed() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace(["deep/t.txt": "t\n"])
    try workspace.link("one", to: "two")
    try workspace.link("two", to: outside.path("deep"))
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: one/t.txt\n@@\n-t\n+T"), in: workspace.root)
    #expect(plan.writtenPaths == [outside.path("deep/t.txt")])
  }

  @Test func deletingASymlinkRemovesTheLinkNotTheTarget() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace(["keep.txt": "k\n"])
    try workspace.link("alias", to: outside.path("keep.txt"))
    let plan = try PatchPlanner.plan(text: wrapPatch("*** Delete File: alias"), in: workspace.root)
    #expect(plan.writtenPaths == [workspace.path("alias")])
    try plan.apply()
    #expect(try workspace.snapshot().isEmpty)
    #expect(outside.read("keep.txt") == "k\n")
  }

  @Test func dotDotAfterASymlinkLeavesFromTheTarget() throws {
    // The kernel resolves `link/..` from where the link points, not lexically.
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace()
    try FileManager.default.createDirectory(
      atPath: outside.path("a/b"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
      atPath: workspace.path("sub"), withIntermediateDirectories: true)
    try workspace.link("sub/link", to: outside.path("a/b"))
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: sub/link/../escape.txt\n+x"), in: workspace.root)
    #expect(plan.writtenPaths == [outside.path("a/escape.txt")])
    try plan.apply()
    #expect(outside.read("a/escape.txt") == "x\n")
    #expect(workspace.read("sub/escape.txt") == nil)
  }

  @Test func danglingSymlinkDirectoriesReportWhereTheyWouldCreate() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace()
    try workspace.link("dangling", to: outside.path("missing/dir"))
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: dangling/x.txt\n+x"), in: workspace.root)
    #expect(plan.writtenPaths == [outside.path("missing/dir/x.txt")])
  }

  @Test func addingOntoADanglingSymlinkIsRefused() throws {
    let workspace = try PatchWorkspace()
    try workspace.link("trap.txt", to: "/nonexistent-\(UUID().uuidString)/x")
    let error = try workspace.expectFailure(wrapPatch("*** Add File: trap.txt\n+x"))
    #expect(error?.description.contains("already exists") == true)
  }

  @Test func moveDestinationsThroughSymlinksAreReported() throws {
    let workspace = try PatchWorkspace(["src.txt": "s\n"])
    let outside = try PatchWorkspace()
    try workspace.link("out", to: outside.root)
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: src.txt\n*** Move to: out/dst.txt"), in: workspace.root)
    #expect(plan.writtenPaths == [workspace.path("src.txt"), outside.path("dst.txt")])
    #expect(plan.changes.first?.movePath == workspace.path("out/dst.txt"))
  }

  @Test func symlinkLoopsAreAnError() throws {
    let workspace = try PatchWorkspace()
    try workspace.link("loop1", to: "loop2")
    try workspace.link("loop2", to: "loop1")
    let error = try workspace.expectFailure(wrapPatch("*** Add File: loop1/x.txt\n+x"))
    #expect(error?.description.contains("more than 40 symbolic links") == true)
  }

  @Test func twoSpellingsOfOneFileAreOneFile() throws {
    let workspace = try PatchWorkspace(["real.txt": "a\nb\n"])
    try workspace.link("alias.txt", to: "real.txt")
    let plan = try PatchPlanner.plan(
      text: wrapPatch(
        "*** Update File: real.txt\n@@\n-a\n+A\n*** Update File: alias.txt\n@@\n-b\n+B"),
      in: workspace.root)
    #expect(plan.writtenPaths == [workspace.path("real.txt")])
    try plan.apply()
    #expect(workspace.read("real.txt") == "A\nB\n")
  }

  @Test func relativeWorkingDirectoryIsMadeAbsolute() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n"])
    let cwd = try #require(Platform.currentDirectory())
    let depth = cwd.split(separator: "/").count
    let upward = Array(repeating: "..", count: depth).joined(separator: "/")
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Delete File: a.txt"), in: upward + workspace.root)
    #expect(plan.writtenPaths == [workspace.path("a.txt")])
    #expect(plan.directory == workspace.root)
  }
}
