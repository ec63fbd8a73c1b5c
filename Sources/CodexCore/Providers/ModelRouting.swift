/// Which provider a `provider/model` name goes to: the one rule `--model` and `codex serve`
/// share.
public enum ModelRouting {
  /// Splits `mistral/codestral-2501` into (`mistral`, `codestral-2501`) when the prefix names a
  /// provider that may be routed to: one the user configured (`[model_providers.ID]`) always; a
  /// built-in one only when `builtInsRoute` (no provider was chosen otherwise), so Hugging Face
  /// ids like `openai/gpt-oss-20b` still go to the user's vLLM. nil: the name is a model name
  /// as it stands (slashes included).
  public static func split(
    _ name: String, registry: ProviderRegistry, userProviders: Set<String>, builtInsRoute: Bool
  ) -> (provider: String, model: String)? {
    guard let slash = name.firstIndex(of: "/") else { return nil }
    let prefix = String(name[..<slash])
    let rest = String(name[name.index(after: slash)...])
    guard !prefix.isEmpty else { return nil }
    if userProviders.contains(prefix) || (builtInsRoute && registry[prefix] != nil) {
      return (prefix, rest)
    }
    return nil
  }
}
