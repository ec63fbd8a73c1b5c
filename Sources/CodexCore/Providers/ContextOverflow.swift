/// Recognises "the prompt does not fit the model's context window" among server errors, and
/// reads the window size from the message where the server states it (protocols.md §10). The
/// agent then compacts the conversation and tries once more, instead of failing the turn or
/// retrying the same request.
public enum ContextOverflow {
  /// What an overflow error says: the window in tokens, when the message gives it.
  public struct Detected: Sendable, Equatable {
    public var window: Int?
    /// The prompt size the server counted, when it says.
    public var promptTokens: Int?
  }

  /// Nil when the error is not about the context window.
  public static func detect(status: Int, error: ErrorBody, rawBody: [UInt8] = []) -> Detected? {
    let message = error.message
    let lower = message.lowercased()
    // llama.cpp: type exceed_context_size_error with n_ctx and n_prompt_tokens fields.
    if error.type == "exceed_context_size_error" {
      let json = try? JSON.parse(rawBody)
      let window = json?["error"]?["n_ctx"]?.intValue ?? number(after: "context size (", in: lower)
      let prompt =
        json?["error"]?["n_prompt_tokens"]?.intValue ?? number(after: "request (", in: lower)
      return Detected(window: window.flatMap(plausible), promptTokens: prompt.flatMap(plausible))
    }
    let statusFits = status == 400 || status == 413 || status == 422 || status == 0
    let codeSays = error.code == "context_length_exceeded"
    guard statusFits || codeSays else { return nil }

    // OpenAI, vLLM, OpenRouter: "maximum context length is 8192 tokens".
    if let n = number(after: "maximum context length is ", in: lower)
      ?? number(after: "maximum model length is ", in: lower)
      ?? number(after: "max_model_len=", in: lower)
    {
      return Detected(window: plausible(n), promptTokens: nil)
    }
    if codeSays || lower.contains("exceeds the context window") {
      return Detected(window: nil, promptTokens: nil)
    }
    // llama.cpp's message without the type (older builds, proxies).
    if lower.contains("exceeds the available context size") {
      return Detected(
        window: number(after: "context size (", in: lower).flatMap(plausible),
        promptTokens: number(after: "request (", in: lower).flatMap(plausible))
    }
    // TGI: "`inputs` tokens + `max_new_tokens` must be <= 4096" / "must have less than 4095 tokens".
    if lower.contains("max_new_tokens") && lower.contains("must be <=") {
      return Detected(
        window: number(after: "must be <= ", in: lower).flatMap(plausible), promptTokens: nil)
    }
    if lower.contains("`inputs` must have less than") {
      return Detected(
        window: number(after: "less than ", in: lower).flatMap(plausible), promptTokens: nil)
    }
    // LM Studio: "n_ctx: 4096", "n_ctx (7424)", "context length of only 4096 tokens".
    if lower.contains("context length of only") {
      return Detected(
        window: number(after: "context length of only ", in: lower).flatMap(plausible),
        promptTokens: nil)
    }
    if lower.contains("n_keep") && lower.contains("n_ctx") {
      let window = number(after: "n_ctx: ", in: lower) ?? number(after: "n_ctx (", in: lower)
      return Detected(window: window.flatMap(plausible), promptTokens: nil)
    }
    // Anthropic: "prompt is too long: 203284 tokens > 200000 maximum",
    // "input length and `max_tokens` exceed context limit: 178959 + 64000 > 200000".
    if lower.contains("prompt is too long") {
      return Detected(
        window: number(after: "tokens > ", in: lower).flatMap(plausible),
        promptTokens: number(after: "prompt is too long: ", in: lower).flatMap(plausible))
    }
    if lower.contains("exceed context limit") {
      return Detected(window: number(after: " > ", in: lower).flatMap(plausible), promptTokens: nil)
    }
    // Gemini: "The input token count (132478) exceeds the maximum number of tokens allowed (131072)."
    if lower.contains("input token count") && lower.contains("exceeds the maximum number of tokens")
    {
      return Detected(
        window: number(after: "tokens allowed (", in: lower).flatMap(plausible),
        promptTokens: number(after: "input token count (", in: lower).flatMap(plausible))
    }
    // Ollama with context shift off.
    if lower.contains("prompt is longer than the context length") {
      return Detected(window: nil, promptTokens: nil)
    }
    return nil
  }

  /// The decimal number right after the first `marker` in `text`.
  static func number(after marker: String, in text: String) -> Int? {
    guard let range = text.firstRange(of: marker) else { return nil }
    let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, digits.count <= 12 else { return nil }
    return Int(digits)
  }

  /// Windows are between a few hundred tokens and a few million; anything else is noise.
  static func plausible(_ n: Int) -> Int? {
    (16...100_000_000).contains(n) ? n : nil
  }
}
