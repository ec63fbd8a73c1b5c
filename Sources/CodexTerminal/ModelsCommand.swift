import CodexCore

/// `codex models [--provider ID] [--json]`: what the provider in use (or the one named) serves,
/// with what its server says about each model and the prices where known. `/model` in the
/// interactive session prints the same table.
enum ModelsCommand {
  static func run(_ context: CommandContext) async -> Int32 {
    guard let config = context.loadConfig() else { return 1 }
    let transport = context.providerTransport()
    let catalog = ModelCatalog(
      provider: config.provider, transport: transport, environment: context.environment,
      prices: config.prices)
    let models: [ModelInfo]
    do {
      try ModelClient(
        provider: config.provider, transport: transport, environment: context.environment
      ).checkCredentials()
      models = try await catalog.list()
    } catch {
      return context.fail("\(error)")
    }
    ModelListCache(codexHome: config.codexHome).write(
      models.map(\.id), provider: config.provider.id)
    if context.args.json {
      let json: JSON = [
        "provider": .string(config.provider.id), "base_url": .string(config.provider.baseURL),
        "server": .string(catalog.kind.rawValue),
        "models": .array(models.map { ModelsTable.json($0, current: $0.id == config.model) }),
      ]
      TerminalIO.write(TerminalIO.stdoutFD, json.serialized() + "\n")
      return 0
    }
    let out = Style.forFD(TerminalIO.stdoutFD, environment: context.environment)
    var lines = [ModelsTable.heading(config.provider, kind: catalog.kind, count: models.count)]
    lines += ModelsTable.render(models, current: config.model, style: out)
    TerminalIO.write(TerminalIO.stdoutFD, lines.joined(separator: "\n") + "\n")
    return 0
  }
}

/// The models table: only the columns some model has a value for.
enum ModelsTable {
  static func heading(_ provider: ProviderInfo, kind: ServerKind, count: Int) -> String {
    let what = count == 1 ? "1 model" : "\(count) models"
    return "\(provider.name) (\(provider.id), \(provider.baseURL)): \(what)"
  }

  struct Column: Sendable {
    var title: String
    var rightAligned: Bool
    var value: @Sendable (ModelInfo) -> String?
  }

  static let columns: [Column] = [
    Column(title: "CONTEXT", rightAligned: true) { m in
      switch (m.contextWindow, m.trainedContext) {
      case (let w?, let t?) where t != w: return "\(w) of \(t)"
      case (let w?, _): return "\(w)"
      case (nil, let t?): return "\(t)"
      default: return nil
      }
    },
    Column(title: "SIZE", rightAligned: true) { m in m.sizeBytes.map(bytes) },
    Column(title: "PARAMS", rightAligned: true) { $0.parameterSize },
    Column(title: "QUANT", rightAligned: false) { $0.quantization },
    Column(title: "TOOLS", rightAligned: false) { m in m.tools.map { $0 ? "yes" : "no" } },
    Column(title: "VISION", rightAligned: false) { m in m.vision == true ? "yes" : nil },
    Column(title: "LOADED", rightAligned: false) { m in m.loaded == true ? "yes" : nil },
    Column(title: "$IN/M", rightAligned: true) { m in priced(m)?.input },
    Column(title: "$CACHED/M", rightAligned: true) { m in priced(m)?.cachedInput },
    Column(title: "$OUT/M", rightAligned: true) { m in priced(m)?.output },
  ]

  /// Prices worth a column: known and not a local server's zero.
  static func priced(_ m: ModelInfo) -> (input: String, cachedInput: String, output: String)? {
    guard let p = m.price, !p.isFree else { return nil }
    return (
      CostText.perMillion(p.input), CostText.perMillion(p.cachedInput),
      CostText.perMillion(p.output)
    )
  }

  static func render(_ models: [ModelInfo], current: String, style: Style) -> [String] {
    guard !models.isEmpty else { return [style.dim("  (no models)")] }
    let used = columns.filter { c in models.contains { c.value($0) != nil } }
    let nameWidth = max(5, models.map { $0.id.count }.max() ?? 0)
    let widths = used.map { c in
      max(c.title.count, models.map { c.value($0)?.count ?? 0 }.max() ?? 0)
    }
    func pad(_ s: String, _ width: Int, right: Bool) -> String {
      let fill = String(repeating: " ", count: max(0, width - s.count))
      return right ? fill + s : s + fill
    }
    var lines = [
      style.dim(
        "  " + pad("MODEL", nameWidth, right: false) + "  "
          + zip(used, widths).map { pad($0.title, $1, right: $0.rightAligned) }.joined(
            separator: "  "))
    ]
    for m in models {
      let isCurrent = m.id == current || (!current.contains(":") && m.id == current + ":latest")
      let mark = isCurrent ? style.green("* ") : "  "
      let name = pad(m.id, nameWidth, right: false)
      let cells = zip(used, widths).map { pad($0.value(m) ?? "", $1, right: $0.rightAligned) }
      let row = (isCurrent ? style.bold(name) : name) + "  " + cells.joined(separator: "  ")
      lines.append(mark + trimmedRight(row))
    }
    if let source = models.lazy.compactMap({ m -> String? in
      guard let p = m.price, !p.isFree else { return nil }
      return m.priceSource
    }).first {
      lines.append(style.dim("  prices: US dollars per million tokens (\(source))"))
    }
    return lines
  }

  static func trimmedRight(_ s: String) -> String {
    var t = s
    while t.last == " " { t.removeLast() }
    return t
  }

  /// Decimal units, as Ollama prints sizes: `4.7 GB`.
  static func bytes(_ n: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000, unit < units.count - 1 {
      value /= 1000
      unit += 1
    }
    return (unit == 0 ? "\(n)" : CostText.fixed(value, digits: 1)) + " " + units[unit]
  }

  static func json(_ m: ModelInfo, current: Bool) -> JSON {
    func int(_ v: Int?) -> JSON { v.map { .int(Int64($0)) } ?? .null }
    func bool(_ v: Bool?) -> JSON { v.map { .bool($0) } ?? .null }
    func string(_ v: String?) -> JSON { v.map { .string($0) } ?? .null }
    var price: JSON = .null
    if let p = m.price {
      price = [
        "input": .double(p.input), "cached_input": .double(p.cachedInput),
        "output": .double(p.output), "source": string(m.priceSource),
      ]
    }
    return [
      "id": .string(m.id), "current": .bool(current), "display_name": string(m.displayName),
      "context_window": int(m.contextWindow), "trained_context": int(m.trainedContext),
      "max_output_tokens": int(m.maxOutputTokens), "tools": bool(m.tools),
      "vision": bool(m.vision), "thinking": bool(m.thinking),
      "parameter_size": string(m.parameterSize), "quantization": string(m.quantization),
      "size_bytes": m.sizeBytes.map { .int($0) } ?? .null, "loaded": bool(m.loaded),
      "price": price,
    ]
  }
}

extension CommandContext {
  /// libcurl, wrapped in the DEBUG=1 request log like a session's.
  func providerTransport() -> any HTTPTransport { DebugLog.transport(environment, style: style) }
}
