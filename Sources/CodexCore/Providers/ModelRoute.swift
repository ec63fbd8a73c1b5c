/// A model on a provider, with the options requests to it carry (`provider.modelOptions`,
/// resolved for `model` by `Config.route`): what the session talks to, one entry of a fallback
/// chain, where a `codex serve` request goes.
///
/// The two spellings of a route have their rules here: `split` for a model name that may carry
/// a provider prefix (`--model`, `/model`, a `codex serve` request, a `[serve.aliases]` target),
/// `parse` for an entry that must name one (`fallback = ["PROVIDER/MODEL"]`).
public struct ModelRoute: Sendable, Equatable, CustomStringConvertible {
  public var provider: ProviderInfo
  public var model: String

  public init(provider: ProviderInfo, model: String) {
    self.provider = provider
    self.model = model
  }

  public var description: String { provider.id + "/" + model }

  /// Why a spelling is not a route, in words for a config error.
  public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case unknownProvider(String, known: [String])
    case noModel(String)

    public var description: String {
      switch self {
      case .empty: return "an entry is empty; write PROVIDER/MODEL"
      case .unknownProvider(let p, let known):
        return "'\(p)' is not a provider id (known: \(known.joined(separator: ", "))); "
          + "write PROVIDER/MODEL, or define [model_providers.\(p)]"
      case .noModel(let p): return "'\(p)/' names no model; write \(p)/MODEL"
      }
    }
  }

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
    guard !prefix.isEmpty, !rest.isEmpty else { return nil }
    if userProviders.contains(prefix) || (builtInsRoute && registry[prefix] != nil) {
      return (prefix, rest)
    }
    return nil
  }

  /// `PROVIDER/MODEL` where PROVIDER is an id in `providers`; everything after the first `/` is
  /// the model, slashes included. A bare name (no `/`) is a model of `current`.
  public static func parse(
    _ spelling: String, providers: ProviderRegistry, current: ProviderInfo
  ) -> Result<(providerID: String, model: String), ParseError> {
    let text = spelling.trimmingWhitespace()
    guard !text.isEmpty else { return .failure(.empty) }
    guard let slash = text.firstIndex(of: "/") else { return .success((current.id, text)) }
    let id = String(text[..<slash])
    let model = String(text[text.index(after: slash)...])
    guard providers[id] != nil else {
      return .failure(.unknownProvider(id, known: providers.ids))
    }
    guard !model.isEmpty else { return .failure(.noModel(id)) }
    return .success((id, model))
  }
}
