/// A model on a provider: one entry of a fallback chain, spelled `PROVIDER/MODEL` in config
/// (`"ollama/qwen2.5-coder:7b"`, `"openrouter/qwen/qwen-2.5-coder-32b-instruct"`).
///
/// `--model PROVIDER/MODEL` routing lives in `ConfigInterpreter` today and is being moved into
/// one core function in parallel (for `codex serve`); this is the fallback chain's own small
/// parser, to be unified with it.
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
