/// One MCP server as the engine uses it: the `initialize` handshake (with version negotiation),
/// `tools/list` (every page), `tools/call` (with progress and a timeout), and the server's own
/// requests answered (`ping`, `roots/list`; sampling and elicitation politely refused).
///
/// Every request has a timeout; on expiry, or when the task awaiting it is cancelled (Ctrl-C),
/// the server is sent `notifications/cancelled` and a late answer is ignored. Anything that is
/// not JSON-RPC, or the connection ending, fails every open request with one line saying why,
/// and the client stays closed.
public actor MCPClient {
  /// Newest first: `initialize` offers the first; a server may answer with any of them.
  public static let protocolVersions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

  public struct ServerInfo: Sendable, Equatable {
    public var name: String
    public var version: String
    public var protocolVersion: String
    public var instructions: String?
    /// The server promised `notifications/tools/list_changed`.
    public var toolsListChanged: Bool
  }

  public struct Tool: Sendable, Equatable {
    public var name: String
    public var title: String?
    public var description: String
    public var inputSchema: JSON
    /// The server's hint that the tool changes nothing (untrusted, but it is all we have).
    public var readOnlyHint: Bool
    public var destructiveHint: Bool

    public init(
      name: String, title: String? = nil, description: String = "",
      inputSchema: JSON = ["type": "object"], readOnlyHint: Bool = false,
      destructiveHint: Bool = true
    ) {
      self.name = name
      self.title = title
      self.description = description
      self.inputSchema = inputSchema
      self.readOnlyHint = readOnlyHint
      self.destructiveHint = destructiveHint
    }
  }

  public struct CallResult: Sendable, Equatable {
    public var content: [JSON]
    public var structuredContent: JSON?
    public var isError: Bool

    public init(content: [JSON], structuredContent: JSON?, isError: Bool) {
      self.content = content
      self.structuredContent = structuredContent
      self.isError = isError
    }
  }

  /// `notifications/progress` for one call.
  public struct Progress: Sendable, Equatable {
    public var progress: Double
    public var total: Double?
    public var message: String?
  }

  struct Pending {
    var method: String
    var continuation: CheckedContinuation<JSON, any Error>
    var sender: Task<Void, Never>?
    var timer: Task<Void, Never>?
    var progressToken: String?
  }

  let transport: any MCPTransport
  let clientName: String
  let clientVersion: String
  /// Folders offered on `roots/list` (the workspace).
  let roots: [String]
  var pending: [JSONRPCID: Pending] = [:]
  var progressHandlers: [String: @Sendable (Progress) -> Void] = [:]
  var nextID: Int64 = 0
  var reader: Task<Void, Never>?
  public private(set) var closedReason: String?
  public private(set) var server: ServerInfo?
  var onToolsChanged: (@Sendable () -> Void)?
  var onClosed: (@Sendable (String) -> Void)?

  public init(
    transport: any MCPTransport, roots: [String], clientName: String = "codex",
    clientVersion: String = "0.1.0"
  ) {
    self.transport = transport
    self.roots = roots
    self.clientName = clientName
    self.clientVersion = clientVersion
  }

  /// `onToolsChanged`: the server sent `notifications/tools/list_changed`.
  /// `onClosed`: the connection ended (once), with the reason.
  public func setHandlers(
    onToolsChanged: @escaping @Sendable () -> Void, onClosed: @escaping @Sendable (String) -> Void
  ) {
    self.onToolsChanged = onToolsChanged
    self.onClosed = onClosed
  }

  // MARK: - Lifecycle

  /// Starts the transport and completes the handshake.
  public func connect(timeout: Duration) async throws -> ServerInfo {
    let events = try await transport.start()
    reader = Task { [weak self] in
      for await event in events {
        guard let self else { return }
        await self.handle(event)
      }
      await self?.closeWith("the connection ended")
    }
    return try await initialize(timeout: timeout)
  }

  func initialize(timeout: Duration) async throws -> ServerInfo {
    var offered = Self.protocolVersions[0]
    var attempt = 0
    while true {
      attempt += 1
      let result: JSON
      do {
        result = try await request(
          "initialize",
          [
            "protocolVersion": .string(offered),
            "capabilities": ["roots": ["listChanged": false]],
            "clientInfo": ["name": .string(clientName), "version": .string(clientVersion)],
          ], timeout: timeout)
      } catch MCPError.server(let e)
        where attempt == 1 && e.code == JSONRPCErrorObject.invalidParams
      {
        // "Unsupported protocol version" with the versions it does speak.
        let supported = e.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard let common = Self.protocolVersions.first(where: supported.contains) else {
          throw MCPError.unsupportedVersion(
            "the server refused MCP \(offered)"
              + (supported.isEmpty ? "" : " and speaks only \(supported.joined(separator: ", "))")
              + "; codex speaks \(Self.protocolVersions.joined(separator: ", "))")
        }
        offered = common
        continue
      }
      guard let version = result["protocolVersion"]?.stringValue else {
        throw MCPError.protocolViolation("the initialize result has no protocolVersion")
      }
      guard Self.protocolVersions.contains(version) else {
        throw MCPError.unsupportedVersion(
          "the server speaks MCP \(version); codex speaks "
            + Self.protocolVersions.joined(separator: ", "))
      }
      transport.negotiated(protocolVersion: version)
      try await notify("notifications/initialized")
      transport.openServerChannel()
      let info = ServerInfo(
        name: result["serverInfo"]?["name"]?.stringValue ?? "",
        version: result["serverInfo"]?["version"]?.stringValue ?? "",
        protocolVersion: version, instructions: result["instructions"]?.stringValue,
        toolsListChanged: result["capabilities"]?["tools"]?["listChanged"]?.boolValue ?? false)
      server = info
      return info
    }
  }

  /// Ends the connection (the transport's own shutdown: stdin closed, then signals).
  public func close() async {
    closeWith("closed by codex")
    await transport.close()
    reader?.cancel()
  }

  // MARK: - Tools

  /// Every page of `tools/list`. Malformed entries are skipped; a cursor that repeats ends
  /// the listing with an error rather than looping.
  public func listTools(timeout: Duration) async throws -> [Tool] {
    var tools: [Tool] = []
    var cursor: String?
    var seen: Set<String> = []
    while true {
      let params: JSON? = cursor.map { ["cursor": .string($0)] }
      let result = try await withSessionRecovery(timeout: timeout) {
        try await self.request("tools/list", params, timeout: timeout)
      }
      guard let list = result["tools"]?.arrayValue else {
        throw MCPError.protocolViolation("the tools/list result has no tools array")
      }
      tools += list.compactMap(Self.tool)
      guard let next = result["nextCursor"]?.stringValue, !next.isEmpty else { break }
      guard seen.insert(next).inserted, seen.count <= 1000 else {
        throw MCPError.protocolViolation("tools/list repeats the cursor \(JSON.quoted(next))")
      }
      cursor = next
    }
    return tools
  }

  static func tool(_ json: JSON) -> Tool? {
    guard let name = json["name"]?.stringValue, !name.isEmpty else { return nil }
    let schema = json["inputSchema"]
    let annotations = json["annotations"]
    return Tool(
      name: name, title: json["title"]?.stringValue ?? annotations?["title"]?.stringValue,
      description: json["description"]?.stringValue ?? "",
      inputSchema: schema.flatMap { $0.objectValue == nil ? nil : $0 } ?? ["type": "object"],
      readOnlyHint: annotations?["readOnlyHint"]?.boolValue ?? false,
      destructiveHint: annotations?["destructiveHint"]?.boolValue ?? true)
  }

  /// `tools/call`; `arguments` must be an object. Progress notifications go to `onProgress`.
  public func callTool(
    _ name: String, arguments: JSONObject, timeout: Duration,
    onProgress: (@Sendable (Progress) -> Void)? = nil
  ) async throws -> CallResult {
    let params: JSON = ["name": .string(name), "arguments": .object(arguments)]
    let result = try await withSessionRecovery(timeout: timeout) {
      try await self.request("tools/call", params, timeout: timeout, onProgress: onProgress)
    }
    guard result.objectValue != nil else {
      throw MCPError.protocolViolation("the tools/call result is \(result.kindName)")
    }
    var content = result["content"]?.arrayValue ?? []
    if result["content"] == nil, result["toolResult"] != nil {
      // 2024-11-05 servers may answer with the older `toolResult` field.
      content = [["type": "text", "text": .string(result["toolResult"]?.serialized() ?? "")]]
    }
    return CallResult(
      content: content, structuredContent: result["structuredContent"],
      isError: result["isError"]?.boolValue ?? false)
  }

  /// Runs `body`; when the HTTP server says the session is gone, initializes a new one and
  /// runs it once more.
  func withSessionRecovery(timeout: Duration, _ body: () async throws -> JSON) async throws -> JSON
  {
    do {
      return try await body()
    } catch MCPError.sessionExpired {
      transport.resetSession()
      _ = try await initialize(timeout: timeout)
      return try await body()
    }
  }

  // MARK: - Requests

  func request(
    _ method: String, _ params: JSON?, timeout: Duration,
    onProgress: (@Sendable (Progress) -> Void)? = nil
  ) async throws -> JSON {
    if let closedReason { throw MCPError.disconnected(closedReason) }
    try Task.checkCancellation()
    nextID += 1
    let id = JSONRPCID.int(nextID)
    var params = params
    var token: String?
    if let onProgress {
      let t = "codex-\(nextID)"
      token = t
      progressHandlers[t] = onProgress
      var p = params?.objectValue ?? JSONObject()
      var meta = p["_meta"]?.objectValue ?? JSONObject()
      meta["progressToken"] = .string(t)
      p["_meta"] = .object(meta)
      params = .object(p)
    }
    let message = JSONRPCMessage.request(id: id, method: method, params: params)
    let transport = self.transport
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<JSON, any Error>) in
        let sender = Task { [weak self] in
          do {
            try await transport.send(message)
          } catch {
            await self?.fail(id, error)
          }
        }
        let timer = Task { [weak self] in
          do {
            try await Task.sleep(for: timeout)
          } catch {
            return
          }
          await self?.expire(id, timeout: timeout)
        }
        pending[id] = Pending(
          method: method, continuation: continuation, sender: sender, timer: timer,
          progressToken: token)
      }
    } onCancel: {
      Task { [weak self] in await self?.cancel(id, reason: "the user interrupted the call") }
    }
  }

  func notify(_ method: String, _ params: JSON? = nil) async throws {
    try await transport.send(.notification(method: method, params: params))
  }

  /// Removes an open request and hands back its continuation.
  func take(_ id: JSONRPCID) -> Pending? {
    guard let p = pending.removeValue(forKey: id) else { return nil }
    p.timer?.cancel()
    if let token = p.progressToken { progressHandlers[token] = nil }
    return p
  }

  func fail(_ id: JSONRPCID, _ error: any Error) {
    take(id)?.continuation.resume(throwing: error)
  }

  func expire(_ id: JSONRPCID, timeout: Duration) {
    guard let p = take(id) else { return }
    p.sender?.cancel()
    let seconds =
      Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
    p.continuation.resume(throwing: MCPError.timedOut(method: p.method, seconds: seconds))
    sendCancellation(id, reason: "timed out after \(MCPError.seconds(seconds))s")
  }

  func cancel(_ id: JSONRPCID, reason: String) {
    guard let p = take(id) else { return }
    p.sender?.cancel()
    p.continuation.resume(throwing: CancellationError())
    // `initialize` must not be cancelled (the spec); the connection is dropped instead.
    if p.method != "initialize" { sendCancellation(id, reason: reason) }
  }

  func sendCancellation(_ id: JSONRPCID, reason: String) {
    guard closedReason == nil else { return }
    let transport = self.transport
    Task {
      try? await transport.send(
        .notification(
          method: "notifications/cancelled",
          params: ["requestId": id.json, "reason": .string(reason)]))
    }
  }

  // MARK: - Incoming

  func handle(_ event: MCPTransportEvent) {
    switch event {
    case .message(let message):
      handle(message)
    case .invalid(let why):
      closeWith("sent something that is not MCP: \(why)")
      let transport = self.transport
      Task { await transport.close() }
    case .closed(let why):
      closeWith(why)
    }
  }

  func handle(_ message: JSONRPCMessage) {
    switch message {
    case .result(let id, let result):
      take(id)?.continuation.resume(returning: result)
    case .error(let id?, let error):
      take(id)?.continuation.resume(throwing: MCPError.server(error))
    case .error(nil, _):
      break  // the server could not read something we sent; the request itself times out
    case .request(let id, let method, let params):
      respond(to: id, method: method, params: params)
    case .notification(let method, let params):
      switch method {
      case "notifications/progress":
        guard let params, let value = params["progress"]?.doubleValue else { return }
        let token = params["progressToken"].map { $0.stringValue ?? $0.serialized() } ?? ""
        progressHandlers[token]?(
          Progress(
            progress: value, total: params["total"]?.doubleValue,
            message: params["message"]?.stringValue))
      case "notifications/tools/list_changed":
        onToolsChanged?()
      default:
        break  // cancelled (we run nothing long for the server), logging, resources: ignored
      }
    }
  }

  func respond(to id: JSONRPCID, method: String, params: JSON?) {
    let reply: JSONRPCMessage
    switch method {
    case "ping":
      reply = .result(id: id, result: .object(JSONObject()))
    case "roots/list":
      let list: [JSON] = roots.map { path in
        [
          "uri": .string("file://" + Self.percentEncodePath(path)),
          "name": .string(path.split(separator: "/").last.map(String.init) ?? path),
        ]
      }
      reply = .result(id: id, result: ["roots": .array(list)])
    case "elicitation/create":
      // Nobody to ask in the middle of a tool call: decline, as the user would by closing it.
      reply = .result(id: id, result: ["action": "decline"])
    case "sampling/createMessage":
      reply = .error(
        id: id,
        JSONRPCErrorObject(
          code: JSONRPCErrorObject.methodNotFound,
          message: "codex does not offer sampling to MCP servers"))
    default:
      reply = .error(
        id: id,
        JSONRPCErrorObject(
          code: JSONRPCErrorObject.methodNotFound, message: "Method not found: \(method)"))
    }
    let transport = self.transport
    Task { try? await transport.send(reply) }
  }

  func closeWith(_ reason: String) {
    guard closedReason == nil else { return }
    closedReason = reason
    let open = pending
    pending = [:]
    progressHandlers = [:]
    for (_, p) in open {
      p.timer?.cancel()
      p.sender?.cancel()
      p.continuation.resume(throwing: MCPError.disconnected(reason))
    }
    onClosed?(reason)
  }

  /// A path as a `file://` URI path: unreserved characters and `/` kept, the rest %-encoded.
  static func percentEncodePath(_ path: String) -> String {
    var out = ""
    for byte in path.utf8 {
      let c = Character(Unicode.Scalar(byte))
      if c.isASCII, c.isLetter || c.isNumber || "/-._~".contains(c) {
        out.append(c)
      } else {
        out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
      }
    }
    return out
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
