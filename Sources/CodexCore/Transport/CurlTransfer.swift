import CCurl
import Synchronization

/// libcurl, loaded on first use (see CCurl.h) or by `CurlTransport.preload()`. Swift runs a
/// global's initializer exactly once, thread-safely. nil when ready, else why not.
private let curlLibraryProblem: String? = {
  var reason = [CChar](repeating: 0, count: 512)
  guard ccurl_load(&reason, reason.count) == 0 else {
    let text = String(
      decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return "cannot load libcurl (\(text)); install Debian's libcurl4 package"
  }
  return nil
}()

/// One request in flight: its easy handle, the header list and error buffer curl points into,
/// and what it reports to: the head continuation, then the bounded body channel.
///
/// Threading: `init` runs on the caller's thread; from `CurlEngine.submit` on, everything except
/// `cancelRequested` and `ended` is touched by the engine's I/O thread only. The object is
/// retained (Unmanaged) for as long as curl may call back into it, and released in `cleanup()`.
final class CurlTransfer: @unchecked Sendable {
  let easy: UnsafeMutableRawPointer
  let url: String
  let idleTimeout: Duration?
  let connectTimeout: Duration
  /// Set from any thread when the caller gives up; the engine checks it when it adopts the
  /// transfer, so a cancel that overtakes the submission is not lost.
  let cancelRequested = Atomic<Bool>(false)
  /// Set by the I/O thread once the outcome was reported; later cancels are no-ops.
  let ended = Atomic<Bool>(false)

  var headContinuation: CheckedContinuation<HTTPResponseHead, any Error>?
  let body: HTTPBodyChannel
  var lastActivity = ContinuousClock.now
  /// The reader is behind: the channel refused the pending batch, and the write callback
  /// refuses more (curl holds it) until `resumeAfterPause()`. The idle timeout does not run
  /// meanwhile: the silence is ours.
  private(set) var pausedForReader = false
  /// Body bytes from the write callbacks of the current `curl_multi_perform`, not yet handed
  /// to the reader. Servers send one HTTP chunk per token, and curl calls the write callback
  /// per chunk; handing each over alone cost a lock, an allocation and often a task wake-up
  /// per token (streaming took 7x as long as `curl -sN`). One hand-over per socket read
  /// instead, and never more than `batchLimit` bytes held.
  private var pending: [UInt8] = []
  static let batchLimit = 64 * 1024
  /// The channel said nobody will read; the engine is cancelling the transfer.
  private var readerGone = false

  private var headerList: UnsafeMutablePointer<curl_slist>?
  private let errorBuffer: UnsafeMutablePointer<CChar>
  private var status = 0
  private var headers: [(name: String, value: String)] = []
  private var headDelivered = false
  private var cleanedUp = false

  private let tracker: CurlTransferTracker

  init(
    request: HTTPRequest, body: HTTPBodyChannel,
    tracker: CurlTransferTracker
  ) throws {
    if let problem = curlLibraryProblem {
      throw TransportError.unavailable(problem)
    }
    guard !request.url.utf8.contains(0) else { throw TransportError.invalidURL(request.url) }
    guard let easy = ccurl_easy_init() else {
      throw TransportError.other(url: request.url, detail: "curl_easy_init failed (out of memory?)")
    }
    self.easy = easy
    self.url = request.url
    self.idleTimeout = request.idleTimeout
    self.connectTimeout = request.connectTimeout
    self.body = body
    self.tracker = tracker
    errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    tracker.live.add(1, ordering: .relaxed)
    do {
      try configure(request)
    } catch {
      cleanup()
      throw error
    }
  }

  deinit {
    errorBuffer.deallocate()
    tracker.live.subtract(1, ordering: .releasing)
  }

  private func configure(_ request: HTTPRequest) throws {
    func check(_ rc: CURLcode, _ what: String) throws {
      guard rc == CURLE_OK else {
        let reason = String(cString: ccurl_easy_strerror(rc))
        throw TransportError.other(url: request.url, detail: "cannot set \(what): \(reason)")
      }
    }
    try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
    // libcurl copies string options, so the temporary C strings may die after each call.
    try check(request.url.withCString { ccurl_easy_setopt_pointer(easy, CURLOPT_URL, $0) }, "URL")
    // Only HTTP(S): a config typo like file:///etc/passwd must not turn into a local read.
    try check(
      ccurl_easy_setopt_pointer(easy, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
    // Signals and threads do not mix; without this a DNS timeout would use SIGALRM.
    try check(ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1), "NOSIGNAL")
    try check(
      ccurl_easy_setopt_long(
        easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Self.milliseconds(request.connectTimeout))),
      "connect timeout")
    // A proxy's CONNECT reply would otherwise reach the header callback before the real head.
    try check(ccurl_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1), "CONNECT headers")
    try check(ccurl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, 128 * 1024), "buffer size")
    // Deliberately left at curl's defaults:
    // - redirects are not followed (FOLLOWLOCATION 0): a 307/308 reaches the caller as is;
    // - TLS peer and host verification stay on; nothing here may ever turn them off;
    // - no CURLOPT_PROXY / CURLOPT_NOPROXY: libcurl then reads http_proxy, HTTPS_PROXY /
    //   https_proxy, ALL_PROXY and NO_PROXY / no_proxy from the environment, as users expect;
    // - no CURLOPT_ACCEPT_ENCODING: the body arrives exactly as the server sent it;
    // - the HTTP version is negotiated (HTTP/2 over TLS when the server offers it).

    try configureMethod(request, check)
    try configureHeaders(request, check)

    let context = Unmanaged.passRetained(self).toOpaque()
    retainedForCallbacks = true
    try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context), "header data")
    try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context), "write data")
    try check(
      ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback),
      "header callback")
    try check(
      ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback),
      "write callback")
  }

  private var retainedForCallbacks = false

  private func configureMethod(
    _ request: HTTPRequest, _ check: (CURLcode, String) throws -> Void
  ) throws {
    let method = request.method.uppercased()
    let hasBody = !request.body.isEmpty
    switch method {
    case "GET" where !hasBody:
      try check(ccurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1), "GET")
    case "HEAD":
      try check(ccurl_easy_setopt_long(easy, CURLOPT_NOBODY, 1), "HEAD")
    default:
      if method == "POST" || hasBody {
        try check(
          ccurl_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)),
          "body size")
        // COPYPOSTFIELDS: curl keeps its own copy, so our array may go away before the send.
        // It copies exactly the size set above; the 0 byte only gives an empty body an address.
        let bytes = hasBody ? request.body : [0]
        try bytes.withUnsafeBytes {
          try check(ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, $0.baseAddress), "body")
        }
      }
      if method != "POST" {
        try check(
          method.withCString { ccurl_easy_setopt_pointer(easy, CURLOPT_CUSTOMREQUEST, $0) },
          "method")
      }
    }
  }

  private func configureHeaders(
    _ request: HTTPRequest, _ check: (CURLcode, String) throws -> Void
  ) throws {
    var lines: [String] = []
    for (name, value) in request.headers {
      guard !name.isEmpty, !name.contains(where: { $0 == ":" || $0.isNewline }),
        !value.contains(where: \.isNewline)
      else {
        throw TransportError.other(url: request.url, detail: "invalid request header '\(name)'")
      }
      // "Name:" alone tells curl to drop the header; "Name;" sends it with an empty value.
      lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
    }
    // Without this curl sends "Expect: 100-continue" for bodies over 1 KiB and waits up to a
    // second for a go-ahead that many servers never send.
    if request.header("Expect") == nil { lines.append("Expect:") }
    for line in lines {
      guard let appended = ccurl_slist_append(headerList, line) else {
        throw TransportError.other(url: request.url, detail: "out of memory building headers")
      }
      headerList = appended
    }
    try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList), "headers")
  }

  // MARK: Callbacks (I/O thread)

  fileprivate func receivedHeaderLine(_ bytes: UnsafeRawBufferPointer) {
    lastActivity = .now
    if headDelivered { return }  // trailers of a chunked body
    var end = bytes.count
    while end > 0 && (bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D) { end -= 1 }
    let line = UnsafeRawBufferPointer(rebasing: bytes[0..<end])
    if line.isEmpty {
      // End of one header block. 1xx blocks (100 Continue, 103 Early Hints) are not the answer.
      if status >= 200 { deliverHead() }
      return
    }
    if line.starts(with: "HTTP/".utf8) {
      status = parseStatus(line)
      headers = []
      return
    }
    guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
    var valueStart = colon + 1
    var valueEnd = line.count
    while valueStart < valueEnd && (line[valueStart] == 0x20 || line[valueStart] == 0x09) {
      valueStart += 1
    }
    while valueEnd > valueStart && (line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09) {
      valueEnd -= 1
    }
    let name = String(decoding: line[0..<colon], as: UTF8.self).lowercased()
    let value = String(decoding: line[valueStart..<valueEnd], as: UTF8.self)
    headers.append((name: name, value: value))
  }

  private func parseStatus(_ line: UnsafeRawBufferPointer) -> Int {
    guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return 0 }
    var code = 0
    for byte in line[(space + 1)...].prefix(3) {
      guard byte >= 0x30 && byte <= 0x39 else { return 0 }
      code = code * 10 + Int(byte - 0x30)
    }
    return code
  }

  /// Takes the bytes of one write callback into the pending batch, or returns
  /// `CURL_WRITEFUNC_PAUSE` (nothing taken: curl keeps the bytes and delivers them again once
  /// unpaused) while the reader is behind; 0 makes curl abort with CURLE_WRITE_ERROR.
  fileprivate func receivedBody(_ bytes: UnsafeRawBufferPointer) -> Int {
    lastActivity = .now
    if !headDelivered { deliverHead() }
    if readerGone { return 0 }
    if pausedForReader { return Int(CURL_WRITEFUNC_PAUSE) }
    pending.append(contentsOf: bytes)
    if pending.count >= Self.batchLimit { flushBody() }
    return bytes.count
  }

  /// Hands the pending batch to the reader (the engine calls this after every
  /// `curl_multi_perform`). When the channel is full the batch stays here and the next write
  /// callback pauses curl; `resumeAfterPause()` offers it again.
  func flushBody() {
    guard !pending.isEmpty, !pausedForReader, !readerGone else { return }
    // A copy of exactly the batch's size for the reader; `pending` keeps its buffer.
    switch body.offer(Array(pending)) {
    case .taken:
      pending.removeAll(keepingCapacity: true)
    case .full:
      pausedForReader = true
    case .consumerGone:
      // The channel has told the engine to cancel the transfer; until then, take nothing.
      readerGone = true
      pending = []
    }
  }

  /// Unpauses a transfer the reader had paused: first the batch held back, then curl, which
  /// may deliver the bytes it kept (through the write callback) before this returns.
  func resumeAfterPause() -> CURLcode {
    guard pausedForReader else { return CURLE_OK }
    pausedForReader = false
    lastActivity = .now
    flushBody()
    if pausedForReader { return CURLE_OK }  // full again: the channel calls resume once more
    return ccurl_easy_pause(easy, CURLPAUSE_CONT)
  }

  /// The body has ended: what is pending goes to the reader whatever the watermark (nothing
  /// more will come, so there is nothing to pause).
  private func flushBodyAtEnd() {
    guard !pending.isEmpty, !readerGone else { return }
    _ = body.offer(pending, evenIfFull: true)
    pending = []
  }

  private func deliverHead() {
    headDelivered = true
    headContinuation?.resume(returning: HTTPResponseHead(status: status, headers: headers))
    headContinuation = nil
  }

  // MARK: Outcome (I/O thread)

  /// The transfer finished (curl reported CURLMSG_DONE).
  func complete(_ code: CURLcode) {
    if code == CURLE_OK {
      if !headDelivered {
        if status == 0 {
          fail(TransportError.connectionLost(url: url, detail: "the server sent no response head"))
          return
        }
        deliverHead()
      }
      ended.store(true, ordering: .releasing)
      flushBodyAtEnd()
      body.finish()
    } else {
      fail(transportError(for: code))
    }
  }

  /// Reports `error` to whoever waits: `send` if the head has not come, else the body reader.
  func fail(_ error: any Error) {
    ended.store(true, ordering: .releasing)
    if let headContinuation {
      self.headContinuation = nil
      headContinuation.resume(throwing: error)
      body.finish()
    } else {
      // What arrived before the failure is the reader's (a cancel drops it in the channel).
      flushBodyAtEnd()
      body.fail(error)
    }
  }

  /// Frees the easy handle and header list and drops the callbacks' retain. The handle must
  /// already be out of the multi handle (or never have entered it).
  func cleanup() {
    guard !cleanedUp else { return }
    cleanedUp = true
    ccurl_easy_cleanup(easy)
    ccurl_slist_free_all(headerList)
    headerList = nil
    if retainedForCallbacks {
      retainedForCallbacks = false
      Unmanaged.passUnretained(self).release()
    }
  }

  /// Whole milliseconds, rounded up so a tiny positive timeout never becomes "no timeout".
  static func milliseconds(_ duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    let fraction = (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int(seconds) * 1000 + Int(fraction)
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  private func transportError(for code: CURLcode) -> TransportError {
    let buffered = String(cString: errorBuffer)
    let detail = buffered.isEmpty ? String(cString: ccurl_easy_strerror(code)) : buffered
    switch code {
    case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
      return .cannotConnect(url: url, detail: detail)
    case CURLE_OPERATION_TIMEDOUT:
      // The only curl timeout we set is the connect timeout; idle is enforced by the engine.
      return .connectTimeout(url: url, seconds: Self.seconds(connectTimeout))
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
      CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND,
      CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED,
      CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
      CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_USE_SSL_FAILED:
      return .tls(url: url, detail: detail)
    case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING,
      CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3, CURLE_BAD_CONTENT_ENCODING:
      // Chunked-encoding errors surface as CURLE_RECV_ERROR ("... in chunked-encoding").
      return .connectionLost(url: url, detail: detail)
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL:
      return .invalidURL(url)
    default:
      return .other(url: url, detail: detail)
    }
  }
}

/// Counts a transport's transfer objects that are still alive, so tests can prove that every
/// handle and context is freed after a cancel.
final class CurlTransferTracker: Sendable {
  let live = Atomic<Int>(0)
}

// Capture-free functions, so they convert to C function pointers.
private func curlHeaderCallback(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
  _ context: UnsafeMutableRawPointer?
) -> Int {
  guard let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
  return size * count
}

private func curlWriteCallback(
  _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
  _ context: UnsafeMutableRawPointer?
) -> Int {
  guard let context else { return 0 }
  let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
  return transfer.receivedBody(UnsafeRawBufferPointer(start: data, count: size * count))
}
