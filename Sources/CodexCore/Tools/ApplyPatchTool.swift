/// `apply_patch`: edits files with the codex patch format (`*** Begin Patch` … `*** End Patch`),
/// one string argument `input`, as codex-rs offers it to models that are not trained on its
/// freeform variant. Applied by the shell tool's patch path, so the approval policy and the
/// sandbox treat a patch exactly as they treat a command that writes the same files.
public struct ApplyPatchTool: Tool {
  public static let name = "apply_patch"
  let shell: ShellTool

  public init(shell: ShellTool) { self.shell = shell }

  public var spec: ToolSpec {
    ToolSpec(
      name: Self.name, description: Self.instructions,
      parameters: [
        "type": "object",
        "properties": [
          "input": [
            "type": "string",
            "description": "The whole patch, from *** Begin Patch to *** End Patch.",
          ]
        ],
        "required": ["input"], "additionalProperties": false,
      ])
  }

  public func run(_ call: ToolInvocation, context: ToolContext) async throws -> ToolOutput {
    try await shell.applyPatch(
      call.arguments["input"]?.stringValue ?? "", in: shell.cwd, callID: call.id,
      context: context)
  }

  /// How to write a patch, for the model (our words for the codex-rs format).
  static let instructions = """
    Edit files with a patch. The format:

    *** Begin Patch
    *** Add File: path/new_file.py
    +every line of the new file, each starting with +
    *** Update File: path/existing.py
    *** Move to: path/renamed.py        (optional: rename the file too)
    @@ def function_or_class_the_change_is_in():
     a line of context, starting with a space
    -a line to remove
    +a line to add
     more context
    *** Delete File: path/obsolete.py
    *** End Patch

    Give about three lines of unchanged context above and below each change. When that does not \
    pick out one place in the file, add @@ lines naming the enclosing class or function. Use \
    *** End of File after a hunk that must match the end of the file. Paths are relative to the \
    working directory. Every hunk must match the file as it is now: re-read a file before \
    patching it when unsure. If the patch does not apply, nothing is changed and the error says \
    which hunk failed and the nearest lines found.
    """
}
