/// The model listings of each server kind, read into `ModelInfo`s (protocols.md §1 "Models and
/// health", §3, §5, §6, §9, §13). Pure functions over the JSON, so each is tested on a recorded
/// shape. Numbers from the server are used only when they are positive integers.
enum ModelListParsers {
  /// `{"data":[{"id",…}]}`: OpenAI and every compatible server. Reads the extras each adds:
  /// vLLM `max_model_len` (LoRA entries inherit their `parent`'s), llama.cpp `meta.n_ctx` /
  /// `n_ctx_train` / `n_params` / `size`, OpenRouter `context_length`, `pricing`,
  /// `supported_parameters` and `architecture`, LM Studio v0 `state` / `type` /
  /// `max_context_length` / `loaded_context_length`.
  static func openAIList(_ json: JSON) -> [ModelInfo] {
    guard let data = json["data"]?.arrayValue else { return [] }
    var out: [ModelInfo] = []
    var parents: [Int: String] = [:]
    for entry in data {
      guard let id = nonEmpty(entry["id"]) else { continue }
      let type = entry["type"]?.stringValue?.lowercased()
      // Embedding models cannot chat; LM Studio lists them with the others.
      if type == "embeddings" || type == "embedding" { continue }
      var m = ModelInfo(id: id)
      m.displayName = nonEmpty(entry["name"]) ?? nonEmpty(entry["display_name"])
      if let meta = entry["meta"] {
        m.contextWindow = positive(meta["n_ctx"])
        m.trainedContext = positive(meta["n_ctx_train"])
        m.sizeBytes = positive(meta["size"]).map(Int64.init)
        m.parameterSize = positive(meta["n_params"]).map(billions)
      }
      let maxContext = positive(entry["max_context_length"])
      m.contextWindow =
        m.contextWindow ?? positive(entry["max_model_len"])
        ?? positive(entry["loaded_context_length"]) ?? positive(entry["context_length"])
        ?? positive(entry["top_provider"]?["context_length"]) ?? positive(entry["context_window"])
        ?? maxContext
      if m.trainedContext == nil, let maxContext, maxContext != m.contextWindow {
        m.trainedContext = maxContext
      }
      m.maxOutputTokens = positive(entry["top_provider"]?["max_completion_tokens"])
      if let params = entry["supported_parameters"]?.arrayValue {
        m.tools = params.contains { $0.stringValue == "tools" }
      }
      if let caps = entry["capabilities"]?.arrayValue {
        m.tools = caps.contains { $0.stringValue == "tool_use" || $0.stringValue == "tools" }
      }
      if let modalities = entry["architecture"]?["input_modalities"]?.arrayValue {
        m.vision = modalities.contains { $0.stringValue == "image" }
      }
      if type == "vlm" { m.vision = true }
      if let state = entry["state"]?.stringValue { m.loaded = state == "loaded" }
      m.quantization = nonEmpty(entry["quantization"])
      if let pricing = entry["pricing"], let input = perToken(pricing["prompt"]),
        let output = perToken(pricing["completion"])
      {
        m.price = ModelPrice(
          input: input, cachedInput: perToken(pricing["input_cache_read"]), output: output)
        m.priceSource = "listed by the server"
      }
      if let parent = nonEmpty(entry["parent"]) { parents[out.count] = parent }
      out.append(m)
    }
    for (index, parent) in parents where out[index].contextWindow == nil {
      out[index].contextWindow = out.first(where: { $0.id == parent })?.contextWindow
    }
    return out
  }

  /// Ollama `GET /api/tags`: names, sizes, quantisation; from v0.30 also the trained context
  /// and the capabilities.
  static func ollamaTags(_ json: JSON) -> [ModelInfo] {
    (json["models"]?.arrayValue ?? []).compactMap { entry in
      guard let id = nonEmpty(entry["name"]) ?? nonEmpty(entry["model"]) else { return nil }
      var m = ModelInfo(id: id)
      let details = entry["details"]
      m.parameterSize = nonEmpty(details?["parameter_size"])
      m.quantization = nonEmpty(details?["quantization_level"])
      m.trainedContext = positive(details?["context_length"])
      m.sizeBytes = positive(entry["size"]).map(Int64.init)
      if let caps = entry["capabilities"]?.arrayValue?.compactMap(\.stringValue) {
        applyOllamaCapabilities(caps, to: &m)
      }
      return m
    }
  }

  static func applyOllamaCapabilities(_ caps: [String], to m: inout ModelInfo) {
    m.tools = caps.contains("tools")
    m.vision = caps.contains("vision") || caps.contains("image")
    m.thinking = caps.contains("thinking")
  }

  /// What Ollama's `POST /api/show` says about one model.
  struct OllamaShow: Sendable, Equatable {
    /// `model_info["<arch>.context_length"]`: the trained maximum.
    var trainedContext: Int?
    var capabilities: [String]?
    /// `num_ctx` set in the model's Modelfile: the server's default for it.
    var modelfileNumCtx: Int?
  }

  static func ollamaShow(_ json: JSON) -> OllamaShow {
    var show = OllamaShow()
    if let info = json["model_info"] {
      if let arch = info["general.architecture"]?.stringValue {
        show.trainedContext = positive(info[arch + ".context_length"])
      }
      if show.trainedContext == nil, let o = info.objectValue {
        // An architecture name we did not find: any `*.context_length` will do.
        show.trainedContext =
          o.entries.first { $0.key.hasSuffix(".context_length") }.flatMap { positive($0.value) }
      }
    }
    show.capabilities = json["capabilities"]?.arrayValue?.compactMap(\.stringValue)
    if let parameters = json["parameters"]?.stringValue {
      for line in parameters.split(whereSeparator: \.isNewline) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        if words.count == 2, words[0] == "num_ctx", let n = Int(words[1]), n > 0 {
          show.modelfileNumCtx = n
        }
      }
    }
    return show
  }

  /// Ollama `GET /api/ps`: loaded model name → the context allocated to it (nil when the
  /// server is older than v0.10 and does not say).
  static func ollamaLoaded(_ json: JSON) -> [String: Int?] {
    var out: [String: Int?] = [:]
    for entry in json["models"]?.arrayValue ?? [] {
      let context = positive(entry["context_length"])
      for key in ["name", "model"] {
        if let name = nonEmpty(entry[key]) { out[name] = context }
      }
    }
    return out
  }

  /// LM Studio 0.4's `GET /api/v1/models`: `models[]` with `max_context_length` and, when
  /// loaded, `loaded_instances[].config.context_length`.
  static func lmStudioV1(_ json: JSON) -> [ModelInfo] {
    (json["models"]?.arrayValue ?? []).compactMap { entry in
      guard
        let id = nonEmpty(entry["key"]) ?? nonEmpty(entry["id"]) ?? nonEmpty(entry["model_key"])
      else { return nil }
      let type = entry["type"]?.stringValue?.lowercased()
      if type == "embedding" || type == "embeddings" { return nil }
      var m = ModelInfo(id: id)
      m.displayName = nonEmpty(entry["display_name"])
      let instances = entry["loaded_instances"]?.arrayValue ?? []
      m.loaded = !instances.isEmpty
      let allocated = instances.lazy.compactMap { positive($0["config"]?["context_length"]) }.first
      m.trainedContext = positive(entry["max_context_length"])
      m.contextWindow = allocated ?? m.trainedContext
      if m.trainedContext == m.contextWindow { m.trainedContext = nil }
      m.quantization = nonEmpty(entry["quantization"]?["name"]) ?? nonEmpty(entry["quantization"])
      m.parameterSize = nonEmpty(entry["params_string"])
      m.sizeBytes = positive(entry["size_bytes"]).map(Int64.init)
      if type == "vlm" { m.vision = true }
      return m
    }
  }

  /// TGI `GET /info`: the one model it serves and its limits.
  static func tgiInfo(_ json: JSON) -> [ModelInfo] {
    guard let id = nonEmpty(json["model_id"]) else { return [] }
    var m = ModelInfo(id: id)
    m.contextWindow = positive(json["max_total_tokens"])
    return [m]
  }

  /// Anthropic `GET /v1/models`: `max_input_tokens` is the window (protocols.md §5).
  static func anthropicList(_ json: JSON) -> [ModelInfo] {
    (json["data"]?.arrayValue ?? []).compactMap { entry in
      guard let id = nonEmpty(entry["id"]) else { return nil }
      var m = ModelInfo(id: id)
      m.displayName = nonEmpty(entry["display_name"])
      m.contextWindow = positive(entry["max_input_tokens"])
      m.maxOutputTokens = positive(entry["max_tokens"])
      if let caps = entry["capabilities"] {
        m.vision = supported(caps["image_input"])
        m.thinking = supported(caps["thinking"])
      }
      m.tools = true  // every model the Messages API lists takes tools
      return m
    }
  }

  /// The next page of Anthropic's listing, if it says there is one.
  static func anthropicNextPage(_ json: JSON) -> String? {
    guard json["has_more"]?.boolValue == true, let last = nonEmpty(json["last_id"]) else {
      return nil
    }
    return "after_id=" + URLQuery.escape(last)
  }

  /// Gemini `GET /v1beta/models`: only models that generate content, ids without `models/`.
  static func geminiList(_ json: JSON) -> [ModelInfo] {
    (json["models"]?.arrayValue ?? []).compactMap { entry in
      guard var id = nonEmpty(entry["name"]) else { return nil }
      if id.hasPrefix("models/") { id.removeFirst("models/".count) }
      if let methods = entry["supportedGenerationMethods"]?.arrayValue?.compactMap(\.stringValue),
        !methods.contains("generateContent")
      {
        return nil
      }
      var m = ModelInfo(id: id)
      m.displayName = nonEmpty(entry["displayName"])
      m.contextWindow = positive(entry["inputTokenLimit"])
      m.maxOutputTokens = positive(entry["outputTokenLimit"])
      if let thinking = entry["thinking"]?.boolValue { m.thinking = thinking }
      return m
    }
  }

  static func geminiNextPage(_ json: JSON) -> String? {
    nonEmpty(json["nextPageToken"]).map { "pageToken=" + URLQuery.escape($0) }
  }

  // MARK: - Values

  static func nonEmpty(_ v: JSON?) -> String? {
    guard let s = v?.stringValue?.trimmingWhitespace(), !s.isEmpty else { return nil }
    return s
  }

  /// A positive integer; anything else (negative, fractional, huge, a string) is no answer.
  static func positive(_ v: JSON?) -> Int? {
    guard let i = v?.intValue, i > 0 else { return nil }
    return i
  }

  /// `true`, or `{"supported": true}`.
  static func supported(_ v: JSON?) -> Bool? {
    if let b = v?.boolValue { return b }
    return v?["supported"]?.boolValue
  }

  /// OpenRouter's per-token USD decimal string (`"0.00000125"`) as dollars per million tokens.
  /// Negative values mean "varies" (its router models); those are no price.
  static func perToken(_ v: JSON?) -> Double? {
    let value: Double?
    if let s = v?.stringValue {
      value = Double(s.trimmingWhitespace())
    } else {
      value = v?.doubleValue
    }
    guard let value, value.isFinite, value >= 0, value < 1 else { return nil }
    return value * 1_000_000
  }

  /// `7615616512` → `7.6B`.
  static func billions(_ n: Int) -> String {
    if n >= 1_000_000_000 { return CostText.fixed(Double(n) / 1e9, digits: 1) + "B" }
    return CostText.fixed(Double(n) / 1e6, digits: 0) + "M"
  }
}
