#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// What the command line says about configuration. Flags win over everything.
public struct ConfigOverrides: Sendable, Equatable {
  public var model: String?
  public var provider: String?
  public var providerURL: String?
  public var profile: String?
  /// `-c key=value`, in order.
  public var settings: [String]
  public var approvalPolicy: String?
  public var sandboxMode: String?
  public var fullAuto: Bool
  public var bypassApprovalsAndSandbox: Bool
  public var cwd: String?
  public var oss: Bool
  public var addDirs: [String]

  public init(
    model: String? = nil, provider: String? = nil, providerURL: String? = nil,
    profile: String? = nil, settings: [String] = [], approvalPolicy: String? = nil,
    sandboxMode: String? = nil, fullAuto: Bool = false, bypassApprovalsAndSandbox: Bool = false,
    cwd: String? = nil, oss: Bool = false, addDirs: [String] = []
  ) {
    self.model = model
    self.provider = provider
    self.providerURL = providerURL
    self.profile = profile
    self.settings = settings
    self.approvalPolicy = approvalPolicy
    self.sandboxMode = sandboxMode
    self.fullAuto = fullAuto
    self.bypassApprovalsAndSandbox = bypassApprovalsAndSandbox
    self.cwd = cwd
    self.oss = oss
    self.addDirs = addDirs
  }
}

/// Finds, reads and merges the config sources, then validates them into a `Config`.
/// Precedence: flags > `-c` > profile > config file > built-in defaults.
public struct ConfigLoader: Sendable {
  public var environment: [String: String]
  public var currentDirectory: String

  public init(environment: [String: String], currentDirectory: String) {
    self.environment = environment
    self.currentDirectory = currentDirectory
  }

  public static let fileNames = ["config.toml", "config.json", "config.yaml", "config.yml"]

  public var codexHome: String {
    if let h = environment["CODEX_HOME"], !h.isEmpty { return h }
    return (environment["HOME"] ?? "/") + "/.codex"
  }

  /// The config files that exist, the one that is read first.
  public func existingConfigFiles() -> [String] {
    Self.fileNames.map { codexHome + "/" + $0 }.filter {
      FileManager.default.fileExists(atPath: $0)
    }
  }

  /// Reads one config file into the shared tree, older JSON/YAML keys translated.
  public static func readFile(_ path: String) throws -> ConfigTable {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ConfigError(location: path, message: "cannot read the file")
    }
    do {
      // The byte readers report invalid UTF-8 with a position; String would have hidden it.
      let bytes = Array(data)
      if path.hasSuffix(".toml") { return try TOML.parse(bytes: bytes) }
      let table =
        path.hasSuffix(".json") ? try JSONConfigReader.parse(bytes) : try YAMLReader.parse(bytes)
      return LegacyConfig.translate(table)
    } catch let e as ConfigSyntaxError {
      throw ConfigError(
        location: "\(path):\(e.position.line):\(e.position.column)", message: e.message)
    }
  }

  /// The merged settings and the warnings about them.
  public func layers(_ o: ConfigOverrides) throws -> (ConfigLayers, [String]) {
    var warnings: [String] = []
    var base = ConfigLayers()
    let files = existingConfigFiles()
    if let file = files.first {
      let table = try Self.readFile(file)
      base.merge(table) { .file(path: file, position: $0) }
      for other in files.dropFirst() {
        warnings.append("\(other): ignored, because \(file) is read instead")
      }
    }

    // `-c` is parsed first because it may choose the profile, but applied after it.
    var overrides = ConfigLayers()
    for text in o.settings {
      let table = try Self.parseOverride(text)
      overrides.merge(table) { _ in .override(text) }
    }

    var layers = base
    let profileName =
      o.profile ?? overrides["profile"]?.node.stringValue ?? base["profile"]?.node.stringValue
    if let profileName {
      let profile = base.subtree(["profiles", profileName])
      if profile.isEmpty && base.get(["profiles", profileName]) == nil {
        let known = base.children(of: ["profiles"])
        let flagOrKey = o.profile != nil ? "--profile" : "profile"
        throw ConfigError(
          location: flagOrKey,
          message: "no profile '\(profileName)' in the config"
            + (known.isEmpty
              ? " (it defines none)" : "; profiles: \(known.joined(separator: ", "))"))
      }
      for (path, setting) in profile { layers.set(path, setting) }
    }
    for path in overrides.paths {
      if let s = overrides.get(path) { layers.set(path, s) }
    }

    func flag(_ name: String, _ path: [String], _ value: String?) {
      guard let value else { return }
      layers.set(
        path,
        .init(
          node: ConfigNode(.string(value), at: SourcePosition(line: 0, column: 0)),
          origin: .flag(name)))
    }
    if o.oss {
      flag("--oss", ["model_provider"], "ollama")
      if o.model == nil, layers["model"] == nil { flag("--oss", ["model"], "gpt-oss:20b") }
    }
    flag("--model", ["model"], o.model)
    flag("--provider", ["model_provider"], o.provider)
    if o.fullAuto {
      flag("--full-auto", ["approval_policy"], "on-request")
      flag("--full-auto", ["sandbox_mode"], "workspace-write")
    }
    if o.bypassApprovalsAndSandbox {
      flag("--dangerously-bypass-approvals-and-sandbox", ["approval_policy"], "never")
      flag("--dangerously-bypass-approvals-and-sandbox", ["sandbox_mode"], "danger-full-access")
    }
    flag("--ask-for-approval", ["approval_policy"], o.approvalPolicy)
    flag("--sandbox", ["sandbox_mode"], o.sandboxMode)

    for (path, suggestion) in ConfigSchema.unknownKeys(in: layers) {
      let origin = layers.origin(of: path)
      let key = path.joined(separator: ".")
      let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
      warnings.append("\(ConfigError(origin, "unknown key '\(key)'\(hint)"))")
    }
    return (layers, warnings)
  }

  /// `key=value`: the value is TOML (`0.2`, `"x"`, `[1,2]`, `{a=1}`), falling back to a plain
  /// string so `-c model=llama3` works without quotes.
  public static func parseOverride(_ text: String) throws -> ConfigTable {
    guard let eq = text.firstIndex(of: "=") else {
      throw ConfigError(location: "-c \(text)", message: "expected key=value")
    }
    let key = String(text[..<eq]).trimmingWhitespace()
    let value = String(text[text.index(after: eq)...]).trimmingWhitespace()
    guard !key.isEmpty else {
      throw ConfigError(location: "-c \(text)", message: "the key is empty")
    }
    if let t = try? TOML.parse("\(key) = \(value)") { return t }
    do {
      return try TOML.parse("\(key) = \(JSON.quoted(value))")
    } catch let e as ConfigSyntaxError {
      throw ConfigError(location: "-c \(text)", message: "invalid key: \(e.message)")
    }
  }

  public func load(_ o: ConfigOverrides) throws -> Config {
    let (layers, warnings) = try layers(o)
    var interpreter = ConfigInterpreter(
      layers: layers, overrides: o, environment: environment,
      cwd: resolvedCwd(o), codexHome: codexHome)
    var config = try interpreter.interpret()
    config.warnings = warnings + config.warnings
    config.userInstructions = userInstructions(layers: layers)
    return config
  }

  func resolvedCwd(_ o: ConfigOverrides) -> String {
    guard let cd = o.cwd else { return currentDirectory }
    return Paths.absolute(cd, relativeTo: currentDirectory)
  }

  /// `instructions.md` in the config folder, then the `instructions` key.
  func userInstructions(layers: ConfigLayers) -> String? {
    var parts: [String] = []
    if let data = FileManager.default.contents(atPath: codexHome + "/instructions.md"),
      let text = String(validating: data, as: UTF8.self), !text.trimmingWhitespace().isEmpty
    {
      parts.append(text.trimmingWhitespace())
    }
    if let s = layers["instructions"]?.node.stringValue, !s.isEmpty { parts.append(s) }
    return parts.isEmpty ? nil : parts.joined(separator: "\n\n")
  }
}

extension ConfigNode {
  var stringValue: String? {
    if case .string(let s) = value { return s }
    return nil
  }
}

/// Path helpers shared by the config and the tools.
public enum Paths {
  public static func absolute(_ path: String, relativeTo base: String) -> String {
    var p = path
    if p == "~" || p.hasPrefix("~/") {
      p = (ProcessInfo.processInfo.environment["HOME"] ?? "/") + p.dropFirst()
    }
    let joined = p.hasPrefix("/") ? p : (base.hasSuffix("/") ? base + p : base + "/" + p)
    return normalize(joined)
  }

  /// Removes `.` and `..` segments and doubled slashes, without touching the file system.
  public static func normalize(_ path: String) -> String {
    var out: [Substring] = []
    for seg in path.split(separator: "/", omittingEmptySubsequences: true) {
      if seg == "." { continue }
      if seg == ".." {
        if !out.isEmpty { out.removeLast() }
        continue
      }
      out.append(seg)
    }
    return "/" + out.joined(separator: "/")
  }
}
