/// `codex pull MODEL`: Ollama's `POST /api/pull`, streamed (protocols.md §3, §13). Progress is
/// reported per line as the bytes done and to do over every layer seen so far; the pull ends at
/// `{"status":"success"}`, and an `{"error"}` line (inside the 200 stream) or an error status is
/// an error naming the model. Cancelling the calling task stops the download.
public struct OllamaPull: Sendable {
  public let provider: ProviderInfo
  let query: ServerQuery

  public init(provider: ProviderInfo, transport: any HTTPTransport, environment: [String: String]) {
    self.provider = provider
    var q = ServerQuery(provider: provider, transport: transport, environment: environment)
    // Between lines Ollama may verify a multi-gigabyte layer: allow the provider's long
    // stream timeout, not the short one for listings.
    q.idleTimeout = provider.streamIdleTimeout
    self.query = q
  }

  /// Whether the provider is an Ollama server (only Ollama pulls models).
  public var isOllama: Bool { query.kind == .ollama }

  public func pull(
    _ model: String, isolation: isolated (any Actor)? = #isolation,
    progress: (PullProgress) -> Void
  ) async throws {
    guard isOllama else {
      throw PullError.notOllama(provider: provider.name)
    }
    let request = query.request(
      "POST", query.rootURL("api/pull"), body: ["model": .string(model), "stream": true])
    let response: HTTPStreamingResponse
    do {
      response = try await query.transport.send(request)
    } catch let e as TransportError {
      throw query.client.mapTransport(e)
    }
    guard response.head.status == 200 else {
      let body = (try? await response.collectBody()) ?? []
      throw PullError.failed(model: model, message: ErrorBody.parse(body).message)
    }
    var tracker = PullTracker()
    var framer = NDJSONFramer()
    do {
      var chunks = response.body.makeAsyncIterator()
      while let chunk = try await chunks.next(isolation: isolation) {
        for line in framer.feed(chunk) {
          if let update = try tracker.read(line, model: model) { progress(update) }
          if tracker.succeeded { return }
        }
      }
      for line in framer.finish() {
        if let update = try tracker.read(line, model: model) { progress(update) }
      }
    } catch let e as TransportError {
      throw query.client.mapTransport(e)
    }
    guard tracker.succeeded else {
      throw PullError.failed(model: model, message: "the stream ended before Ollama said success")
    }
  }
}

/// Where a pull stands.
public struct PullProgress: Sendable, Equatable {
  /// Ollama's words: `pulling manifest`, `pulling 3a4f5c…`, `verifying sha256 digest`, `success`.
  public var status: String
  /// Bytes downloaded and to download, over every layer seen so far (0 while unknown).
  public var completed: Int64
  public var total: Int64

  public init(status: String, completed: Int64, total: Int64) {
    self.status = status
    self.completed = completed
    self.total = total
  }

  /// 0…1, nil while the size is unknown.
  public var fraction: Double? {
    guard total > 0 else { return nil }
    return min(1, Double(max(0, completed)) / Double(total))
  }
}

public enum PullError: Error, Sendable, Equatable, CustomStringConvertible {
  case notOllama(provider: String)
  case failed(model: String, message: String)

  public var description: String {
    switch self {
    case .notOllama(let p):
      return "\(p) cannot pull models (only Ollama can); use --provider ollama, or load the "
        + "model on the server yourself"
    case .failed(let model, let message):
      var s = "Ollama could not pull \(model): \(message)"
      if message.contains("file does not exist") || message.contains("manifest") {
        s += "; check the name at https://ollama.com/library"
      }
      return s
    }
  }
}

/// Sums progress per layer digest: each line updates one layer's `completed` / `total`.
struct PullTracker {
  var layers: [String: (completed: Int64, total: Int64)] = [:]
  var order: [String] = []
  var succeeded = false

  mutating func read(_ line: [UInt8], model: String) throws -> PullProgress? {
    guard !line.isEmpty, let json = try? JSON.parse(line) else { return nil }
    if let error = json["error"] {
      throw PullError.failed(
        model: model,
        message: error.stringValue ?? error["message"]?.stringValue ?? error.serialized())
    }
    let status = json["status"]?.stringValue ?? ""
    if let digest = json["digest"]?.stringValue, !digest.isEmpty {
      if layers[digest] == nil { order.append(digest) }
      var layer = layers[digest] ?? (0, 0)
      // `completed` and `total` are omitted when zero (omitempty), never negative in practice;
      // anything else is ignored rather than trusted.
      if let total = bytes(json["total"]) { layer.total = total }
      if let completed = bytes(json["completed"]) { layer.completed = completed }
      layers[digest] = layer
    }
    if status == "success" { succeeded = true }
    let total = layers.values.reduce(Int64(0)) { $0 + $1.total }
    let completed = layers.values.reduce(Int64(0)) {
      $0 + min($1.completed, max($1.total, $1.completed))
    }
    return PullProgress(status: status, completed: completed, total: total)
  }

  func bytes(_ v: JSON?) -> Int64? {
    guard let i = v?.intValue, i >= 0, i < (1 << 50) else { return nil }
    return Int64(i)
  }
}
