/// The child side of a sandboxed patch: `codex --apply-patch DIR DIGEST PATCH`, started through
/// `codex --sandbox-exec` like any command, so the sandbox's rules (writable roots, `.git` and
/// start-up files read-only) hold for patches exactly as for shell commands. It plans the patch
/// again, refuses when the plan is not the one the user approved (`DIGEST`), applies it, and
/// prints one JSON object: `{"ok":true,"report":…}` or `{"ok":false,"error":…}`.
public enum PatchHelper {
  public static let flag = "--apply-patch"

  /// Only returns the exit code: 0 applied, 1 not applied (the JSON says why), 2 bad usage.
  public static func run(arguments: [String]) -> Int32 {
    guard arguments.count == 3 else {
      Platform.writeStandardError("codex \(flag): expected DIR DIGEST PATCH\n")
      return 2
    }
    let (directory, digest, text) = (arguments[0], arguments[1], arguments[2])
    let result: JSON
    do throws(ApplyPatchError) {
      let plan = try PatchPlanner.plan(text: text, in: directory)
      if plan.digest != digest {
        throw .changedSincePlanned(path: plan.changes.first?.path ?? directory)
      }
      result = ["ok": true, "report": .string(try plan.apply())]
    } catch {
      result = ["ok": false, "error": .string(error.description)]
    }
    Platform.writeStandardOutput(result.serialized() + "\n")
    return result["ok"] == true ? 0 : 1
  }

  /// What the parent reads back from the child's output.
  static func outcome(_ stdout: String) -> PatchOutcome? {
    guard let json = try? JSON.parse(stdout.trimmingWhitespace()) else { return nil }
    if json["ok"] == true, let report = json["report"]?.stringValue { return .applied(report) }
    if let error = json["error"]?.stringValue { return .failed(error) }
    return nil
  }
}

/// How applying a patch ended: the report for the model, or why nothing was written.
enum PatchOutcome: Equatable {
  case applied(String)
  case failed(String)
}

extension PatchPlan {
  /// A fingerprint of everything the plan changes (paths, kinds, moves, diffs): the sandboxed
  /// child applies the patch only if its own plan has the same one, so what runs is what was
  /// shown at the approval prompt.
  public var digest: String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ text: String) {
      for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
      }
      hash ^= 0xff
      hash = hash &* 0x0000_0100_0000_01b3
    }
    for change in changes {
      mix(change.path)
      mix(change.kind.rawValue)
      mix(change.movePath ?? "")
      mix(change.unifiedDiff)
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }
}
