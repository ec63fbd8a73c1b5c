/// Turns merged settings into a typed `Config`, rejecting bad values with their location:
/// `config.toml:12:19: approval_policy must be one of untrusted, on-failure, on-request, never
/// (got "sometimes")`.
struct ConfigInterpreter {
  let layers: ConfigLayers
  let overrides: ConfigOverrides
  let environment: [String: String]
  let cwd: String
  let codexHome: String
  var origins: [String: ConfigOrigin] = [:]

  init(
    layers: ConfigLayers, overrides: ConfigOverrides, environment: [String: String], cwd: String,
    codexHome: String
  ) {
    self.layers = layers
    self.overrides = overrides
    self.environment = environment
    self.cwd = cwd
    self.codexHome = codexHome
  }

  // MARK: - Typed reads

  /// Where a value is, for errors: the value's own position in a file, else its origin.
  func location(_ s: ConfigLayers.Setting) -> ConfigOrigin {
    if case .file(let path, _) = s.origin { return .file(path: path, position: s.node.position) }
    return s.origin
  }

  func fail(_ s: ConfigLayers.Setting, _ message: String) -> ConfigError {
    ConfigError(location(s), message)
  }

  /// The setting at `path`, after checking that the schema declares it (a read of an undeclared
  /// key is a bug in `codex`: every test that reads the key reports it).
  func setting(_ path: [String]) throws -> (ConfigLayers.Setting, ConfigType)? {
    guard let type = ConfigSchema.type(of: path) else {
      throw ConfigError(
        location: "internal",
        message: "\(path.joined(separator: ".")) is read but not declared in ConfigSchema")
    }
    guard let s = layers.get(path) else { return nil }
    return (s, type)
  }

  mutating func string(_ path: [String]) throws -> String? {
    guard let (s, _) = try setting(path) else { return nil }
    guard case .string(let v) = s.node.value else {
      throw fail(
        s, "\(path.joined(separator: ".")) must be a string (got \(s.node.value.typeName))")
    }
    origins[path.joined(separator: ".")] = s.origin
    return v
  }

  mutating func bool(_ path: [String]) throws -> Bool? {
    guard let (s, _) = try setting(path) else { return nil }
    guard case .bool(let v) = s.node.value else {
      throw fail(
        s, "\(path.joined(separator: ".")) must be true or false (got \(s.node.value.typeName))")
    }
    origins[path.joined(separator: ".")] = s.origin
    return v
  }

  /// An integer within the range the schema declares.
  mutating func int(_ path: [String]) throws -> Int? {
    guard let (s, type) = try setting(path) else { return nil }
    guard case .integer(let v) = s.node.value else {
      throw fail(
        s, "\(path.joined(separator: ".")) must be an integer (got \(s.node.value.typeName))")
    }
    if case .integer(let range) = type, !range.contains(v) {
      let text =
        range.upperBound == Int64.max
        ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
      throw fail(s, "\(path.joined(separator: ".")) must be \(text) (got \(v))")
    }
    origins[path.joined(separator: ".")] = s.origin
    return Int(v)
  }

  /// A number (integer or float) within the range the schema declares.
  mutating func number(_ path: [String]) throws -> Double? {
    guard let (s, type) = try setting(path) else { return nil }
    guard let v = s.node.value.number, v.isFinite else {
      throw fail(
        s, "\(path.joined(separator: ".")) must be a number (got \(s.node.value.typeName))")
    }
    if case .number(let range) = type, !range.contains(v) {
      throw fail(
        s,
        "\(path.joined(separator: ".")) must be between \(range.lowerBound) and \(range.upperBound) (got \(v))"
      )
    }
    origins[path.joined(separator: ".")] = s.origin
    return v
  }

  mutating func stringArray(_ path: [String]) throws -> [String]? {
    guard let (s, _) = try setting(path) else { return nil }
    guard case .array(let items) = s.node.value else {
      throw fail(
        s,
        "\(path.joined(separator: ".")) must be an array of strings (got \(s.node.value.typeName))")
    }
    var out: [String] = []
    for item in items {
      guard case .string(let v) = item.value else {
        throw fail(
          .init(node: item, origin: s.origin),
          "\(path.joined(separator: ".")) must contain only strings (got \(item.value.typeName))")
      }
      out.append(v)
    }
    origins[path.joined(separator: ".")] = s.origin
    return out
  }

  /// One of the choices the schema declares, turned into `T` by `parse`.
  mutating func oneOf<T>(_ path: [String], _ parse: (String) -> T?) throws -> T? {
    guard let (s, type) = try setting(path) else { return nil }
    let name = path.last ?? ""
    var choices: [String] = []
    if case .choice(let c) = type { choices = c }
    guard case .string(let v) = s.node.value, let t = parse(v) else {
      let got: String
      if case .string(let v) = s.node.value {
        got = JSON.quoted(v)
      } else {
        got = s.node.value.typeName
      }
      throw fail(s, "\(name) must be one of \(choices.joined(separator: ", ")) (got \(got))")
    }
    origins[path.joined(separator: ".")] = s.origin
    return t
  }

  /// A table of string values (`http_headers`, `query_params`, `env_http_headers`).
  mutating func stringTable(_ path: [String]) throws -> [(String, String)]? {
    guard ConfigSchema.type(of: path) != nil else {
      throw ConfigError(
        location: "internal",
        message: "\(path.joined(separator: ".")) is read but not declared in ConfigSchema")
    }
    let leaves = layers.subtree(path)
    if leaves.isEmpty {
      guard let s = layers.get(path) else { return nil }
      if case .table = s.node.value { return [] }
      throw fail(
        s,
        "\(path.joined(separator: ".")) must be a table of strings (got \(s.node.value.typeName))")
    }
    var out: [(String, String)] = []
    for (sub, s) in leaves {
      guard case .string(let v) = s.node.value else {
        throw fail(
          s,
          "\((path + sub).joined(separator: ".")) must be a string (got \(s.node.value.typeName))")
      }
      out.append((sub.joined(separator: "."), v))
    }
    origins[path.joined(separator: ".")] = leaves.first?.setting.origin
    return out
  }

  // MARK: - The config

  mutating func interpret() throws -> Config {
    var registry = ProviderRegistry()
    for id in layers.children(of: ["model_providers"]) {
      registry.set(try provider(id: id, base: registry[id]))
    }

    var providerID = try string(["model_provider"]) ?? string(["custom_model_provider"])
    var model = try string(["model"]) ?? string(["custom_model"])
    let providerFromFlag = overrides.provider != nil || overrides.oss

    // `--model mistral/codestral-2501`: route to the provider the prefix names, when the
    // provider was not chosen on the command line (`ModelRoute.split` has the rule).
    let userProviders = Set(layers.children(of: ["model_providers"]))
    if !providerFromFlag, let m = model,
      let (prefix, rest) = ModelRoute.split(
        m, registry: registry, userProviders: userProviders, builtInsRoute: providerID == nil)
    {
      providerID = prefix
      model = rest
      origins["model_provider"] = origins["model"]
    }

    var provider: ProviderInfo
    if let url = overrides.providerURL {
      try Self.checkURL(url, location: "--provider-url")
      if let id = providerID, let known = registry[id] {
        provider = known
        provider.baseURL = url
      } else if let id = providerID {
        throw unknownProvider(id, registry)
      } else {
        provider = BuiltInProviders.custom(url: url)
      }
      provider.isLocal = provider.isLocal || Self.isLocalURL(url)
      if provider.isLocal { provider.requiresKey = false }
      origins["base_url"] = .flag("--provider-url")
    } else {
      let id = providerID ?? "openai"
      guard let known = registry[id] else { throw unknownProvider(id, registry) }
      provider = known
      if providerID == nil { origins["model_provider"] = .builtIn }
    }

    let optionLayers = try modelOptionLayers()
    provider.modelOptions = optionLayers.resolve(
      own: provider.modelOptions, model: model ?? provider.defaultModel)

    let legacyMode = try legacyApprovalMode()
    let approval =
      try oneOf(
        ["approval_policy"], { ApprovalPolicy(rawValue: $0) }) ?? legacyMode?.0 ?? .onRequest
    let sandbox =
      try oneOf(
        ["sandbox_mode"], { SandboxMode(rawValue: $0) }) ?? legacyMode?.1 ?? .workspaceWrite

    var sww = SandboxWorkspaceWrite()
    if let roots = try stringArray(["sandbox_workspace_write", "writable_roots"]) {
      sww.writableRoots = roots.map { Paths.absolute($0, relativeTo: cwd) }
    }
    sww.writableRoots += overrides.addDirs.map { Paths.absolute($0, relativeTo: cwd) }
    if let n = try bool(["sandbox_workspace_write", "network_access"]) { sww.networkAccess = n }
    if let v = try bool(["sandbox_workspace_write", "exclude_tmpdir_env_var"]) {
      sww.excludeTmpdirEnvVar = v
    }
    if let v = try bool(["sandbox_workspace_write", "exclude_slash_tmp"]) {
      sww.excludeSlashTmp = v
    }

    var env = ShellEnvironmentPolicy()
    let sep = ["shell_environment_policy"]
    if let inherit = try oneOf(
      sep + ["inherit"], { ShellEnvironmentPolicy.Inherit(rawValue: $0) })
    {
      env.inherit = inherit
    }
    if let v = try bool(sep + ["ignore_default_excludes"]) { env.ignoreDefaultExcludes = v }
    if let v = try stringArray(sep + ["exclude"]) { env.exclude = v }
    if let v = try stringArray(sep + ["include_only"]) { env.includeOnly = v }
    if let v = try stringTable(sep + ["set"]) {
      env.set = Dictionary(v, uniquingKeysWith: { _, b in b })
    }

    var history = HistorySettings()
    if let p = try oneOf(
      ["history", "persistence"], { ["save-all": true, "none": false][$0] })
    {
      history.saveAll = p
    }
    if let m = try int(["history", "max_bytes"]) { history.maxBytes = m }

    let resolvedModel = model ?? provider.defaultModel ?? ""
    if model != nil { origins["model"] = origins["model"] ?? origins["custom_model"] }

    var config = Config(
      model: resolvedModel, provider: provider, providers: registry, approvalPolicy: approval,
      sandboxMode: sandbox, sandboxWorkspaceWrite: sww, shellEnvironmentPolicy: env,
      history: history, notify: try stringArray(["notify"]) ?? [],
      hideAgentReasoning: try bool(["hide_agent_reasoning"]) ?? false,
      projectDocMaxBytes: try int(["project_doc_max_bytes"]) ?? 32 * 1024,
      modelContextWindow: try int(["model_context_window"]),
      autoCompactTokenLimit: try int(["model_auto_compact_token_limit"]),
      cwd: cwd, codexHome: codexHome, origins: origins)
    config.serve = try serveSettings()
    config.userProviderIDs = Array(userProviders).sorted()
    config.optionLayers = optionLayers
    config.fallbacks = try fallbacks(config)
    config.prices = PriceBook(overrides: try prices())
    config.mcpServers = try mcpServers()
    config.origins = origins
    return config
  }

  /// `[serve]`.
  mutating func serveSettings() throws -> ServeSettings {
    var s = ServeSettings()
    if let v = try string(["serve", "host"]) { s.host = v }
    if let v = try int(["serve", "port"]) { s.port = v }
    s.apiKeyEnv = try string(["serve", "api_key_env"])
    s.aliases = (try stringTable(["serve", "aliases"]) ?? []).map {
      ServeAlias(name: $0.0, target: $0.1)
    }
    if let v = try int(["serve", "max_queue"]) { s.maxQueue = v }
    if let v = try int(["serve", "shutdown_grace_seconds"]) { s.shutdownGrace = .seconds(v) }
    if let v = try int(["serve", "models_cache_seconds"]) { s.modelsCacheTTL = .seconds(v) }
    return s
  }

  /// A provider's options for `model`: its own, refined by the top-level `[model_options]`,
  /// then `[models."NAME"]`, then `model_max_output_tokens`.
  /// `[model_options]`, `[models."NAME"]` and `model_max_output_tokens`.
  mutating func modelOptionLayers() throws -> ModelOptionLayers {
    var layers = ModelOptionLayers(
      shared: try modelOptions(["model_options"]),
      maxOutputTokens: try int(["model_max_output_tokens"]))
    for name in self.layers.children(of: ["models"]) {
      layers.byModel[name] = try modelOptions(["models", name])
    }
    return layers
  }

  /// `fallback = ["ollama/qwen2.5-coder:7b", "openrouter/qwen/qwen-2.5-coder-32b-instruct"]`,
  /// each with its provider's options for that model (the provider in use keeps its URL,
  /// `--provider-url`).
  mutating func fallbacks(_ config: Config) throws -> [ModelRoute] {
    guard let spellings = try stringArray(["fallback"]), let s = layers.get(["fallback"]) else {
      return []
    }
    var routes: [ModelRoute] = []
    for (n, spelling) in spellings.enumerated() {
      var item = s
      if case .array(let nodes) = s.node.value, nodes.indices.contains(n) { item.node = nodes[n] }
      switch ModelRoute.parse(spelling, providers: config.providers, current: config.provider) {
      case .failure(let why):
        throw fail(item, "fallback entry \(JSON.quoted(spelling)): \(why)")
      case .success(let parsed):
        guard let provider = config.provider(id: parsed.providerID) else { continue }
        routes.append(config.route(provider, model: parsed.model))
      }
    }
    return routes
  }

  /// `[models."NAME"] price = { input, cached_input, output }` for every model that has one.
  mutating func prices() throws -> [String: ModelPrice] {
    var out: [String: ModelPrice] = [:]
    for name in layers.children(of: ["models"]) {
      let p = ["models", name, "price"]
      guard let s = layers.get(p) ?? layers.subtree(p).first?.setting else { continue }
      let input = try number(p + ["input"])
      let output = try number(p + ["output"])
      guard let input, let output else {
        throw fail(
          s, "models.\(name).price needs input and output (US dollars per million tokens)")
      }
      out[name] = ModelPrice(
        input: input, cachedInput: try number(p + ["cached_input"]), output: output)
    }
    return out
  }

  /// The older CLI's `approvalMode` (translated to `approval_mode_legacy` on reading).
  mutating func legacyApprovalMode() throws -> (ApprovalPolicy, SandboxMode?)? {
    guard let s = layers.get([LegacyConfig.approvalModeKey]) else { return nil }
    guard case .string(let v) = s.node.value, let mapped = ApprovalModeSelection(userValue: v)
    else {
      throw fail(s, "approvalMode must be one of suggest, auto-edit, full-auto")
    }
    origins["approval_policy"] = s.origin
    return (mapped.policy, mapped.sandbox)
  }

  func unknownProvider(_ id: String, _ registry: ProviderRegistry) -> ConfigError {
    let origin =
      overrides.provider != nil
      ? ConfigOrigin.flag("--provider") : layers.get(["model_provider"]).map(location)
    return ConfigError(
      origin,
      "unknown provider '\(id)'; known providers: \(registry.ids.joined(separator: ", ")) "
        + "(define it under [model_providers.\(id)])")
  }

  static func checkURL(_ url: String, location: String) throws {
    let rest = url.drop { $0 != ":" }.dropFirst(3)
    guard url.hasPrefix("http://") || url.hasPrefix("https://"), let host = rest.first, host != "/"
    else {
      throw ConfigError(
        location: location, message: "'\(url)' is not an http:// or https:// URL")
    }
  }

  /// Loopback, private networks and `.local` names: servers a user runs, which need no key.
  static func isLocalURL(_ url: String) -> Bool {
    var rest = Substring(url)
    if let r = rest.firstRange(of: "://") { rest = rest[r.upperBound...] }
    if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
    var host: Substring
    if rest.hasPrefix("[") {
      host = rest.dropFirst().prefix { $0 != "]" }
    } else {
      host = rest.prefix { $0 != ":" && $0 != "/" }
    }
    host = Substring(host.lowercased())
    if host == "localhost" || host.hasSuffix(".local") || host == "::1" || host == "0.0.0.0" {
      return true
    }
    let octets = host.split(separator: ".").compactMap { Int($0) }
    guard octets.count == 4 else { return host.hasSuffix(".localhost") }
    switch (octets[0], octets[1]) {
    case (127, _), (10, _), (192, 168): return true
    case (172, 16...31): return true
    default: return false
    }
  }

  mutating func provider(id: String, base: ProviderInfo?) throws -> ProviderInfo {
    let p = ["model_providers", id]
    var info =
      base
      ?? ProviderInfo(id: id, name: id, baseURL: "", wire: .chat, flavor: .generic)
    if let name = try string(p + ["name"]) { info.name = name }
    if let url = try string(p + ["base_url"]) {
      if let s = layers.get(p + ["base_url"]) {
        do { try Self.checkURL(url, location: "") } catch {
          throw fail(s, "base_url must be an http:// or https:// URL (got \(JSON.quoted(url)))")
        }
      }
      info.baseURL = url
      // A built-in moved to another URL keeps what it is: a local gateway in front of a hosted
      // provider still needs its key and still costs money.
      if base == nil { info.isLocal = Self.isLocalURL(url) }
    } else if base == nil, overrides.providerURL == nil || overrides.provider != id {
      let origin = layers.origin(of: p)
      throw ConfigError(origin, "model_providers.\(id) needs a base_url")
    }
    if let wire = try oneOf(
      p + ["wire_api"], { WireAPI(rawValue: $0) })
    {
      info.wire = wire
    }
    if let flavor = try oneOf(
      p + ["flavor"], { ServerFlavor(rawValue: $0) })
    {
      info.flavor = flavor
    }
    if let key = try string(p + ["env_key"]) {
      info.envKey = key
      // The variable the user named is the one: a built-in's alternates no longer apply.
      info.alternateEnvKeys = []
      // Upstream semantics: a named key is required, except by servers on the user's own
      // machine or network, which get it only when it is set.
      info.requiresKey = !info.isLocal
    }
    if let v = try string(p + ["env_key_instructions"]) { info.envKeyInstructions = v }
    if let h = try stringTable(p + ["http_headers"]) {
      info.httpHeaders = h.map { (name: $0.0, value: $0.1) }
    }
    if let h = try stringTable(p + ["env_http_headers"]) {
      info.envHTTPHeaders = h.map { (name: $0.0, env: $0.1) }
    }
    if let q = try stringTable(p + ["query_params"]) {
      info.queryParams = q.map { (name: $0.0, value: $0.1) }
    }
    if let n = try int(p + ["request_max_retries"]) { info.requestMaxRetries = n }
    if let n = try int(p + ["stream_max_retries"]) { info.streamMaxRetries = n }
    if let n = try int(p + ["stream_idle_timeout_ms"]) {
      info.streamIdleTimeout = .milliseconds(n)
    }
    if let v = try bool(p + ["text_tool_calls"]) { info.textToolCalls = v }
    if let v = try string(p + ["chat_template"]) { info.chatTemplate = v }
    if let v = try string(p + ["default_model"]) { info.defaultModel = v }
    if let v = try int(p + ["requests_per_minute"]) { info.limits.requestsPerMinute = v }
    if let v = try int(p + ["max_concurrent"]) { info.limits.maxConcurrent = v }
    _ = try bool(p + ["requires_openai_auth"])
    info.modelOptions = info.modelOptions.merged(with: try modelOptions(p + ["model_options"]))
    return info
  }

  /// `temperature`, `top_p` and `max_output_tokens` (alias `max_tokens`) are typed; every other
  /// key is passed to the server as given (`num_ctx`, `top_k`, `keep_alive`, ...).
  mutating func modelOptions(_ path: [String]) throws -> ModelOptions {
    var o = ModelOptions()
    for (sub, s) in layers.subtree(path) {
      // Keys codex reads itself (`[models."NAME"] price`) are not options for the server.
      if let first = sub.first, case .declared = ConfigSchema.lookup(path + [first]) { continue }
      let key = sub.joined(separator: ".")
      origins[(path + sub).joined(separator: ".")] = s.origin
      switch key {
      case "temperature", "top_p":
        guard let d = s.node.value.number, d >= 0 else {
          throw fail(s, "\(key) must be a non-negative number (got \(s.node.value.typeName))")
        }
        if key == "temperature" { o.temperature = d } else { o.topP = d }
      case "max_output_tokens", "max_tokens":
        guard case .integer(let n) = s.node.value, n > 0 else {
          throw fail(s, "\(key) must be a positive integer")
        }
        o.maxOutputTokens = Int(n)
      default:
        o.extra[key] = s.node.value.json
      }
    }
    return o
  }
}

extension ConfigValue {
  var number: Double? {
    switch self {
    case .integer(let i): return Double(i)
    case .float(let f): return f
    default: return nil
    }
  }

  /// The value as JSON, for options passed through to a server.
  var json: JSON {
    switch self {
    case .string(let s), .datetime(let s): return .string(s)
    case .integer(let i): return .int(i)
    case .float(let f): return .double(f)
    case .bool(let b): return .bool(b)
    case .array(let a): return .array(a.map(\.value.json))
    case .table(let t): return .object(JSONObject(t.entries.map { ($0.key, $0.node.value.json) }))
    }
  }
}
