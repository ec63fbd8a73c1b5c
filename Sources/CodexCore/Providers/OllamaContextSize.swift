/// The `num_ctx` codex sends to Ollama. Ollama's own default is small (4096, or sized by VRAM
/// since v0.15.5) and it **silently drops** the oldest messages of a prompt that does not fit
/// (protocols.md §9, §10), so without this a long system prompt and the tool schemas would be
/// cut without a word. A bigger window costs memory (the KV cache grows with every token of
/// it): docs/providers.md gives the figures.
public enum OllamaContextSize {
  /// The most codex asks for on its own: enough for the instructions, tools and a working
  /// conversation, small enough for a 7B model's KV cache to fit beside it on a laptop GPU.
  public static let defaultCap = 16384

  /// In this order: `model_options.num_ctx` when set (`configured`), else `model_context_window`,
  /// else min(the model's trained context, 16384) — unless the server already gives the model
  /// more (`serverDefault`: the context of the loaded model in `/api/ps`, or `num_ctx` in its
  /// Modelfile), which is then kept. Nil when nothing is known: the server's default stands.
  public static func numCtx(
    configured: Int?, modelContextWindow: Int?, trainedContext: Int?, serverDefault: Int?
  ) -> Int? {
    if let configured, configured > 0 { return configured }
    if let modelContextWindow, modelContextWindow > 0 { return modelContextWindow }
    guard let trainedContext, trainedContext > 0 else { return serverDefault }
    let ours = min(trainedContext, defaultCap)
    if let serverDefault, serverDefault > ours { return serverDefault }
    return ours
  }

  /// `num_ctx` from request options, when it is a positive integer.
  static func configured(in options: ModelOptions) -> Int? {
    guard let n = options.extra["num_ctx"]?.intValue, n > 0 else { return nil }
    return n
  }
}
