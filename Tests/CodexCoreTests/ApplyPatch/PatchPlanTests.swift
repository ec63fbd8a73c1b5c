import Foundation
import Testing

@testable import CodexCore

/// What a plan reports (changes, diffs, summary, report), and how `apply()` behaves when the
/// world moves under it.
@Suite struct PatchPlanTests {
  @Test func changesDiffsAndSummary() throws {
    let workspace = try PatchWorkspace([
      "multi.txt": "foo\nbar\nbaz\nqux\n", "old.txt": "x\ny\n", "src.txt": "line\n",
    ])
    let plan = try PatchPlanner.plan(
      text: wrapPatch(
        """
        *** Update File: multi.txt
        @@
         foo
        -bar
        +BAR
        @@
         baz
        -qux
        +QUX
        *** Add File: sub/new.txt
        +one
        +two
        *** Delete File: old.txt
        *** Update File: src.txt
        *** Move to: dst.txt
        @@
        -line
        +line2
        """), in: workspace.root)
    #expect(
      plan.changes == [
        PatchFileChange(
          path: workspace.path("multi.txt"), kind: .update,
          unifiedDiff: "@@ -1,4 +1,4 @@\n foo\n-bar\n+BAR\n baz\n-qux\n+QUX\n", additions: 2,
          deletions: 2),
        PatchFileChange(
          path: workspace.path("sub/new.txt"), kind: .add,
          unifiedDiff: "@@ -0,0 +1,2 @@\n+one\n+two\n",
          additions: 2, deletions: 0),
        PatchFileChange(
          path: workspace.path("old.txt"), kind: .delete, unifiedDiff: "@@ -1,2 +0,0 @@\n-x\n-y\n",
          additions: 0, deletions: 2),
        PatchFileChange(
          path: workspace.path("src.txt"), kind: .update, movePath: workspace.path("dst.txt"),
          unifiedDiff: "@@ -1 +1 @@\n-line\n+line2\n", additions: 1, deletions: 1),
      ])
    #expect(plan.summary == "4 files changed, +5 \u{2212}5")
    // Planning wrote nothing.
    #expect(
      try workspace.texts() == [
        "multi.txt": "foo\nbar\nbaz\nqux\n", "old.txt": "x\ny\n", "src.txt": "line\n",
      ])
    let report = try plan.apply()
    #expect(
      report
        == "Success. Updated the following files:\nM multi.txt\nA sub/new.txt\nD old.txt\nM dst.txt\n"
    )
  }

  @Test func singularSummaryAndPureMove() throws {
    let workspace = try PatchWorkspace(["a.txt": "same\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: a.txt\n*** Move to: b.txt"), in: workspace.root)
    #expect(plan.summary == "1 file changed, +0 \u{2212}0")
    #expect(
      plan.changes == [
        PatchFileChange(
          path: workspace.path("a.txt"), kind: .update, movePath: workspace.path("b.txt"),
          unifiedDiff: "", additions: 0, deletions: 0)
      ])
  }

  @Test func addThenDeleteInOnePatchIsNoChange() throws {
    let workspace = try PatchWorkspace(["keep.txt": "k\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: tmp.txt\n+x\n*** Delete File: tmp.txt"), in: workspace.root)
    #expect(plan.changes.isEmpty)
    #expect(plan.writtenPaths.isEmpty)
    try plan.apply()
    #expect(try workspace.texts() == ["keep.txt": "k\n"])
  }

  @Test func reportPathsOutsideTheDirectoryStayAbsolute() throws {
    let workspace = try PatchWorkspace()
    let outside = try PatchWorkspace()
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Add File: \(outside.path("x.txt"))\n+x"), in: workspace.root)
    #expect(plan.report == "Success. Updated the following files:\nA \(outside.path("x.txt"))\n")
  }

  @Test func aFileChangedAfterPlanningIsNotOverwritten() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n", "b.txt": "b\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: a.txt\n@@\n-a\n+A\n*** Update File: b.txt\n@@\n-b\n+B"),
      in: workspace.root)
    try workspace.write("b.txt", "edited by the user\n")
    let before = try workspace.snapshot()
    #expect(throws: ApplyPatchError.changedSincePlanned(path: workspace.path("b.txt"))) {
      try plan.apply()
    }
    #expect(try workspace.snapshot() == before)
  }

  @Test func aModeChangeAfterPlanningCounts() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: a.txt\n@@\n-a\n+A"), in: workspace.root)
    try FileManager.default.setAttributes(
      [.posixPermissions: 0o700], ofItemAtPath: workspace.path("a.txt"))
    #expect(throws: ApplyPatchError.self) { try plan.apply() }
    #expect(workspace.read("a.txt") == "a\n")
  }

  @Test func aFileAppearingWhereOneIsAddedCounts() throws {
    let workspace = try PatchWorkspace()
    let plan = try PatchPlanner.plan(text: wrapPatch("*** Add File: n.txt\n+x"), in: workspace.root)
    try workspace.write("n.txt", "someone else's\n")
    #expect(throws: ApplyPatchError.changedSincePlanned(path: workspace.path("n.txt"))) {
      try plan.apply()
    }
    #expect(workspace.read("n.txt") == "someone else's\n")
  }

  @Test func aFailedWriteRollsBackEverything() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n", "gone.txt": "g\n"])
    try workspace.write("run.sh", "old\n", mode: 0o755)
    let plan = try PatchPlanner.plan(
      text: wrapPatch(
        """
        *** Update File: a.txt
        @@
        -a
        +A
        *** Update File: run.sh
        @@
        -old
        +new
        *** Add File: fresh/dir/new.txt
        +n
        *** Add File: blocked/x.txt
        +x
        *** Delete File: gone.txt
        """), in: workspace.root)
    // After planning, a file appears where a directory must be created: that write fails
    // after a.txt, run.sh and fresh/dir/new.txt were written.
    try workspace.write("blocked", "in the way\n")
    let before = try workspace.snapshot()
    do {
      try plan.apply()
      Issue.record("applied despite the blocked directory")
    } catch {
      guard case .write(let path, let reason, let rolledBack) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(path == workspace.path("blocked/x.txt"))
      #expect(rolledBack, "\(reason)")
      #expect(error.description.contains("no file was changed"))
    }
    #expect(try workspace.snapshot() == before)
  }

  @Test func undoPutsBackEveryKindOfEntry() throws {
    // Deletes run last, so a failing delete is the only way to undo one; as root no delete
    // fails, so the undo itself is driven here.
    let workspace = try PatchWorkspace(["kept.txt": "new content\n", "created.txt": "c\n"])
    try workspace.write("script.sh", "changed\n", mode: 0o644)
    try FileManager.default.createDirectory(
      atPath: workspace.path("made/deeper"), withIntermediateDirectories: true)
    func step(_ name: String, _ original: PlannedEntry?) -> PlannedStep {
      PlannedStep(
        realPath: workspace.path(name), displayPath: workspace.path(name),
        requestedPath: workspace.path(name), followsFinal: false, original: original, result: nil)
    }
    let complete = PatchPlan.undo([
      .removeDirectories([workspace.path("made"), workspace.path("made/deeper")]),
      .restore(step("alias", .symlink(target: "kept.txt"))),
      .restore(step("kept.txt", .regular(bytes: Array("old\n".utf8), mode: 0o600))),
      .restore(step("script.sh", .regular(bytes: Array("original\n".utf8), mode: 0o755))),
      .restore(step("created.txt", nil)),
    ])
    #expect(complete)
    #expect(
      try workspace.snapshot() == [
        "alias": .symlink("kept.txt"),
        "kept.txt": .file(Array("old\n".utf8), mode: 0o600),
        "script.sh": .file(Array("original\n".utf8), mode: 0o755),
      ])
  }

  @Test func undoReportsWhatItCouldNotPutBack() throws {
    let workspace = try PatchWorkspace()
    let missingParent = workspace.path("no/such/dir/file.txt")
    let complete = PatchPlan.undo([
      .restore(
        PlannedStep(
          realPath: missingParent, displayPath: missingParent, requestedPath: missingParent,
          followsFinal: false, original: .regular(bytes: [0x61], mode: 0o644), result: nil))
    ])
    #expect(!complete)
  }

  @Test func aSymlinkSwappedInAfterPlanningIsRefused() throws {
    // The attack: plan a write into a plain directory, then replace the directory with a link
    // to somewhere the sandbox check never saw.
    let workspace = try PatchWorkspace(["dir/a.txt": "a\n"])
    let outside = try PatchWorkspace(["a.txt": "a\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: dir/a.txt\n@@\n-a\n+pwned"), in: workspace.root)
    #expect(plan.writtenPaths == [workspace.path("dir/a.txt")])
    try FileManager.default.removeItem(atPath: workspace.path("dir"))
    try workspace.link("dir", to: outside.root)
    #expect(throws: ApplyPatchError.changedSincePlanned(path: workspace.path("dir/a.txt"))) {
      try plan.apply()
    }
    #expect(outside.read("a.txt") == "a\n")
  }

  @Test func unicodeSpellingsAreDifferentFiles() throws {
    // NFC and NFD "café" are equal Swift strings but two files on Linux.
    let nfc = "caf\u{E9}.txt"
    let nfd = "cafe\u{301}.txt"
    let workspace = try PatchWorkspace([nfc: "composed\n"])
    try workspace.apply(wrapPatch("*** Add File: \(nfd)\n+decomposed\n*** Delete File: \(nfc)"))
    let names = try FileManager.default.contentsOfDirectory(atPath: workspace.root)
    #expect(names.map { Array($0.utf8) } == [Array(nfd.utf8)])
    #expect(workspace.read(nfd) == "decomposed\n")
  }

  @Test func applyingTwiceFailsTheSecondTime() throws {
    let workspace = try PatchWorkspace(["a.txt": "a\n"])
    let plan = try PatchPlanner.plan(
      text: wrapPatch("*** Update File: a.txt\n@@\n-a\n+A"), in: workspace.root)
    try plan.apply()
    #expect(throws: ApplyPatchError.changedSincePlanned(path: workspace.path("a.txt"))) {
      try plan.apply()
    }
    #expect(workspace.read("a.txt") == "A\n")
  }
}
