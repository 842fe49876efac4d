public import PyIndexAuth
public import Logging
public import PyIndexModel
import AsyncHTTPClient
public import NIOCore
import NIOPosix
import NIOSSL
import NIOHTTP1

import PyIndexSystem

/// How the transport behaves; every value has a command-line flag.
public struct TransportConfiguration: Sendable {
  /// Connect timeout and the longest silence between two reads, in seconds.
  public var timeout: Double = 15
  /// Retries after 5xx, 408, 429, resets and cut bodies.
  public var retries: Int = 3
  /// Base of the exponential backoff between retries, in seconds.
  public var backoffBase: Double = 0.25
  public var userAgent: String = "pyindex"
  /// Proxies and their exceptions (`--proxy`, `*_proxy`, `no_proxy`).
  public var proxies = ProxySettings()
  /// CA bundles, client certificate, trusted hosts.
  public var trust = TrustSettings()
  public init() {}
}

/// One HTTP exchange, as the `-v` trace prints it. URLs are redacted.
public struct Hop: Sendable {
  public var method: String
  public var url: SafeURL
  public var route: String
  public var source: CredentialSource
  /// The shape of the credentials sent (user name, password length), never the secret.
  public var credentialShape: String?
  public var authorizationAttached: Bool
  public var status: Int?
  /// For a redirect: where it went and whether credentials were kept or dropped, and why.
  public var redirect: String?
  /// Request and response headers with every secret masked (for `-vv`).
  public var requestHeaders: [(String, String)]
  public var responseHeaders: [(String, String)]
  public var attempt: Int
  /// Why credentials were withheld from this hop, when they were (plain http to a remote host).
  public var withheld: String? = nil

  /// The hop as one line of the `-v` trace: method, redacted URL, route, credential source
  /// and shape, whether `Authorization` went, status, and for a redirect what happened to the
  /// credentials.
  public var summary: String {
    var line = "\(method) \(url) via \(route), credentials: \(source.rawValue)"
    if let credentialShape { line += " (\(credentialShape))" }
    if let withheld { line += " (\(withheld))" }
    line += authorizationAttached ? ", Authorization sent" : ", no Authorization"
    if attempt > 0 { line += ", retry \(attempt)" }
    line += " → " + (status.map(String.init) ?? "no response")
    if let redirect { line += " " + redirect }
    return line
  }

  /// What `-v` may say about credentials: the user name when a password goes with it, the
  /// length of the secret, nothing else.
  /// The shape of a match's credentials, after the provider and identity of minted ones.
  static func shape(of match: CredentialStore.Match) -> String? {
    let parts = [match.minted?.description, shape(of: match.credentials)].compactMap { $0 }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  static func shape(of credentials: Credentials?) -> String? {
    guard let c = credentials else { return nil }
    if c.password.isEmpty { return c.username.isEmpty ? "empty user and password" : "token as user name, \(c.username.count) characters" }
    let user = c.username.isEmpty ? "empty user" : "user \"\(c.username)\""
    return "\(user), \(c.password.count)-character password"
  }
}

extension String {
  /// `value` with one decimal.
  init(format1 value: Double) {
    let tenths = (WireNumber.milliseconds(value) + 50) / 100
    self = "\(tenths / 10).\(tenths % 10)"
  }
}

/// The final answer to a request, after redirects.
public struct Response: Sendable {
  public let status: Int
  public let headers: [(String, String)]
  /// The URL that answered (no userinfo; a query may hold a signature), which relative links
  /// resolve against.
  public let finalURL: SafeURL
  /// Where the credentials of the final hop came from.
  public let credentialSource: CredentialSource
  public let body: ResponseBody

  /// What its status means (``ResponseMeaning``).
  public var meaning: ResponseMeaning { ResponseMeaning(status: status) }

  /// A response as a transport hands it over (tests build them for scripted transports).
  public init(status: Int, headers: [(String, String)], finalURL: SafeURL, credentialSource: CredentialSource, body: ResponseBody) {
    self.status = status
    self.headers = headers
    self.finalURL = finalURL
    self.credentialSource = credentialSource
    self.body = body
  }

  /// The same response with another `Content-Type` (for pages read as HTML whatever they say).
  public func replacingContentType(_ type: String) -> Response {
    Response(status: status, headers: headers.filter { $0.0.lowercased() != "content-type" } + [("Content-Type", type)], finalURL: finalURL, credentialSource: credentialSource, body: body)
  }

  /// The first value of a header, case-insensitively.
  public func header(_ name: String) -> String? {
    let n = name.lowercased()
    return headers.first { $0.0.lowercased() == n }?.1
  }
}

/// The pace a response body must keep, whatever the server announces: after a grace of four
/// times `--timeout`, at least 64 KiB a second on average since the request started, and all
/// of it within an hour past the grace. `--timeout` bounds each read (silence); this bounds a
/// server that keeps a request alive by trickling bytes, and a `Content-Length` of a TiB buys
/// it nothing.
struct BodyPace: Sendable {
  let start: NIODeadline
  /// Milliseconds before the rate is checked.
  let grace: Int64
  static let bytesPerMillisecond: Int64 = 64
  static let longest: Int64 = 3_600_000

  init(start: NIODeadline, timeout: Double) {
    self.start = start
    grace = 4 * max(WireNumber.milliseconds(timeout), 1)
  }

  /// Whether `received` bytes by `now` keep the pace.
  func allows(received: Int, at now: NIODeadline) -> Bool {
    let elapsed = (now - start).nanoseconds / 1_000_000
    guard elapsed > grace else { return true }
    guard elapsed - grace <= BodyPace.longest else { return false }
    return Int64(received) >= (elapsed - grace) * BodyPace.bytesPerMillisecond
  }
}

/// A response body, read once, chunk by chunk, with backpressure.
public struct ResponseBody: Sendable {
  private enum Source: Sendable {
    /// From the network, at the pace it must keep (``BodyPace``).
    case network(HTTPClientResponse.Body, pace: BodyPace)
    /// Bytes already in memory, then `end`: nil for a complete body, else how it was cut.
    case chunks([ByteBuffer], end: TransportError?)
  }
  private let source: Source
  private let url: SafeURL

  init(network body: HTTPClientResponse.Body, url: SafeURL, pace: BodyPace) {
    source = .network(body, pace: pace)
    self.url = url
  }

  /// A body of these chunks; with `end`, reading it fails that way after the last one (a
  /// body cut short, a stall).
  public init(chunks: [[UInt8]], url: SafeURL, end: TransportError? = nil) {
    source = .chunks(chunks.map { ByteBuffer(bytes: $0) }, end: end)
    self.url = url
  }

  /// Calls `handle` with each chunk as it arrives, awaiting it before the next: the one loop
  /// over a body, which the other readers build on.
  /// - Throws: ``TransportError/bodyInterrupted(url:detail:)`` when the connection fails
  ///   mid-body, ``TransportError/timeout(url:)`` when the body falls behind its pace, or whatever
  ///   `handle` throws.
  public func forEachBuffer(_ handle: (ByteBuffer) async throws -> Void) async throws {
    switch source {
    case .network(let body, let pace):
      var iterator = body.makeAsyncIterator()
      var received = 0
      while true {
        let next: ByteBuffer?
        do { next = try await iterator.next() } catch { throw Transport.classifyMidBody(error, url: url) }
        guard let chunk = next else { return }
        received += chunk.readableBytes
        guard pace.allows(received: received, at: .now()) else { throw TransportError.timeout(url: url) }
        try await handle(chunk)
      }
    case .chunks(let chunks, let end):
      for chunk in chunks { try await handle(chunk) }
      if let end { throw end }
    }
  }

  /// Calls `handle` for each chunk's bytes as it arrives.
  public func forEachChunk(_ handle: (UnsafeRawBufferPointer) throws -> Void) async throws {
    try await forEachBuffer { chunk in try chunk.withUnsafeReadableBytes { try handle($0) } }
  }

  /// Reads the whole body, failing past `limit` bytes.
  public func collect(upTo limit: Int) async throws -> [UInt8] {
    var out: [UInt8] = []
    try await forEachChunk { chunk in
      guard out.count + chunk.count <= limit else { throw TransportError.other(url: url, detail: "response larger than \(limit) bytes") }
      out.append(contentsOf: chunk)
    }
    return out
  }
}

/// The only door to the network: one HTTP client per route, redirects followed by hand with
/// the credential policy asked at every hop, retries with backoff, every hop reported.
public final class Transport: HTTPTransport, TokenExchanging {
  /// One client per route: direct (key nil) and each configured proxy. All share the default
  /// event loop group, so the extra clients cost little.
  let clients: [ProxyServer?: HTTPClient]
  let configuration: TransportConfiguration
  private let store: CredentialStore
  let logger: Logger
  let trust: LoadedTrust
  /// Asked for every hop: what may be fetched, and whether credentials may go with it.
  public let policy: OutboundPolicy

  private init(configuration: TransportConfiguration, store: CredentialStore, logger: Logger) throws(NetworkConfigError) {
    let trust = try LoadedTrust(configuration.trust)
    var clients: [ProxyServer?: HTTPClient] = [nil: Transport.makeClient(configuration, trust: trust, proxy: nil)]
    for proxy in [configuration.proxies.http, configuration.proxies.https].compactMap({ $0 }) where clients[proxy] == nil {
      clients[proxy] = Transport.makeClient(configuration, trust: trust, proxy: proxy)
    }
    self.clients = clients
    self.configuration = configuration
    self.store = store
    self.logger = logger
    self.trust = trust
    let trustSettings = configuration.trust
    policy = OutboundPolicy { host, port in trustSettings.isTrusted(host: host, port: port) }
  }

  private static func makeClient(_ configuration: TransportConfiguration, trust: LoadedTrust, proxy: ProxyServer?) -> HTTPClient {
    var pool = HTTPClient.Configuration.ConnectionPool()
    // Connection failures (TLS verification ones included) surface at once; we retry ourselves.
    pool.retryConnectionEstablishment = false
    let milliseconds = max(WireNumber.milliseconds(configuration.timeout), 1)
    let proxyConfiguration: HTTPClient.Configuration.Proxy? = proxy.map { p in
      switch p.kind {
      case .http:
        .server(host: p.host, port: p.port, authorization: p.credentials.map { .basic(username: $0.username, password: $0.password) })
      case .socks5:
        .socksServer(host: p.host, port: p.port)
      }
    }
    var config = HTTPClient.Configuration(
      tlsConfiguration: trust.verifying,
      redirectConfiguration: .disallow,
      timeout: .init(connect: .milliseconds(milliseconds), read: .milliseconds(milliseconds)),
      connectionPool: pool,
      proxy: proxyConfiguration,
      decompression: .disabled)
    config.httpVersion = .automatic
    return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
  }

  /// Runs `body` with a transport, and shuts its clients down whatever happens.
  /// - Parameter logger: every hop is logged at `debug` (one line, ``Hop/summary``), with its
  ///   headers, secrets masked, at `trace`.
  /// - Throws: ``NetworkConfigError`` before any request when a CA bundle, the client
  ///   certificate or a proxy cannot be used; then whatever `body` throws.
  public static func with<T: Sendable>(
    configuration: TransportConfiguration, store: CredentialStore,
    logger: Logger = Logger(label: "pyindex.http", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (Transport) async throws -> T
  ) async throws -> T {
    let transport = try Transport(configuration: configuration, store: store, logger: logger)
    do {
      let result = try await body(transport)
      await transport.shutdown()
      return result
    } catch {
      await transport.shutdown()
      throw error
    }
  }

  /// pip's secure-origin rule for plain http: loopback hosts (`localhost`, 127.0.0.0/8, `::1`)
  /// and `--trusted-host` ones.
  public func allowsPlainHTTP(to url: SafeURL) -> Bool { policy.allowsCleartext(to: url) }

  /// Whether https to this host skips certificate verification (`--trusted-host`).
  public func skipsVerification(for url: SafeURL) -> Bool {
    url.scheme == "https" && configuration.trust.isTrusted(host: url.host, port: url.effectivePort)
  }

  /// How a request to `url` would travel: `direct` or `proxy URL (SOURCE)`, redacted.
  public func route(for url: SafeURL) -> String {
    guard let proxy = configuration.proxies.proxy(for: url) else { return "direct" }
    return "proxy \(proxy.shown) (\(proxy.source))"
  }

  /// Whether a request to `url` would go through a proxy (which then resolves the host).
  public func usesProxy(for url: SafeURL) -> Bool {
    configuration.proxies.proxy(for: url) != nil
  }

  /// The credentials the first request to `url` would carry, and where they came from.
  public func credentials(for url: SafeURL) async -> CredentialStore.Match { await store.lookup(url, exchange: self) }

  /// The trust sources read, as said in TLS hints ("the system roots + REQUESTS_CA_BUNDLE ...").
  public var trustSummary: String { trust.summary }

  /// Who issued the certificate `host:port` presents and until when it is valid, read with a
  /// second handshake that verifies nothing (for `auth check`; the real request verified).
  public func certificateSummary(host: String, port: Int) async -> String? {
    await CertificateProbe.summary(host: host, port: port, timeout: configuration.timeout)
  }

  private func shutdown() async {
    for client in clients.values { try? await client.shutdown() }
  }

  /// GETs `url` (no userinfo), following redirects under the credential policy, retrying
  /// what is worth retrying, and hands the final response to `handle` while its body is open.
  public func get<T: Sendable>(_ url: SafeURL, headers: [(String, String)], _ handle: (Response) async throws -> T) async throws -> T {
    var attempt = 0
    while true {
      do {
        return try await once(url, headers: headers, attempt: attempt, handle)
      } catch let retry as RetryableStatus {
        // Only thrown while attempts remain; the last attempt hands its answer over.
        attempt += 1
        try await wait(beforeRetry: attempt, of: url, after: "HTTP \(retry.status)", retryAfter: retry.retryAfter)
      } catch let handled as HandlerFailure {
        // The response was handed over: what went wrong while it was read is the caller's to
        // retry (a download resumes with Range; a page that was partly used cannot be).
        throw handled.error
      } catch let error as TransportError where error.isRetryable && attempt < configuration.retries {
        attempt += 1
        try await wait(beforeRetry: attempt, of: url, after: error.shortReason, retryAfter: nil)
      }
    }
  }

  /// Waits before retry `attempt` (1-based): exponential backoff with jitter, or the server's
  /// `Retry-After` (bounded) when it gave one. For callers that retry themselves.
  public func pause(beforeRetry attempt: Int, of url: SafeURL, reason: String) async throws {
    try await wait(beforeRetry: attempt, of: url, after: reason, retryAfter: nil)
  }

  /// Says the retry on the `-v` trace, then waits for it.
  private func wait(beforeRetry attempt: Int, of url: SafeURL, after reason: String, retryAfter: Double?) async throws {
    let delay = delay(attempt: attempt, retryAfter: retryAfter)
    logger.debug("retry \(attempt)/\(configuration.retries) of \(url) after \(reason) in \(String(format1: delay)) s\(retryAfter != nil ? " (Retry-After)" : "")")
    let milliseconds = WireNumber.milliseconds(delay)
    if milliseconds > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
  }

  /// A line for the `-v` trace that is not a hop (the page cache's decisions).
  public func note(_ message: String) { logger.debug("\(message)") }

  /// How many retries `--retries` allows.
  public var retries: Int { configuration.retries }

  /// An error thrown by the caller's handler, carried past the retry logic.
  private struct HandlerFailure: Error { let error: any Error }

  /// Seconds before retry `attempt` (1-based): the server's `Retry-After` (already bounded),
  /// else exponential backoff with jitter.
  private func delay(attempt: Int, retryAfter: Double?) -> Double {
    let exp = configuration.backoffBase * Double(1 << min(attempt - 1, 6))
    return min(retryAfter ?? (exp + Double.random(in: 0...(exp / 2))), Transport.maxRetryAfter)
  }


  /// A status worth retrying (5xx, 408, 429), with the server's `Retry-After` if any.
  private struct RetryableStatus: Error {
    let status: Int
    let retryAfter: Double?
  }

  private func once<T: Sendable>(_ start: SafeURL, headers: [(String, String)], attempt: Int, _ handle: (Response) async throws -> T) async throws -> T {
    var state = try await RedirectState.start(start, store: store, policy: policy, exchange: self)
    if let failure = state.match.mintFailure { throw failure }
    while true {
      let (current, match) = (state.url, state.match)
      let proxy = configuration.proxies.proxy(for: current)
      let request = makeRequest(current, headers: headers, match: match)
      var hop = Hop(
        method: "GET", url: current, route: proxy.map { "proxy \($0.shown) (\($0.source))" } ?? "direct", source: match.source,
        credentialShape: Hop.shape(of: match), authorizationAttached: match.credentials != nil, status: nil, redirect: nil,
        requestHeaders: request.headers.map { ($0.name, Transport.mask(header: $0.name, value: $0.value)) },
        responseHeaders: [], attempt: attempt)
      hop.withheld = state.withheld
      let started = NIODeadline.now()
      let response = try await execute(request, hop: hop, url: current, proxy: proxy)
      let status = Int(response.status.code)
      hop.status = status
      let responseHeaders = response.headers.map { ($0.name, $0.value) }
      hop.responseHeaders = responseHeaders.map { ($0.0, Transport.mask(header: $0.0, value: $0.1)) }
      if ResponseMeaning.isRedirect(status), let location = response.headers.first(name: "location") {
        try? await drain(response.body, url: current, started: started)
        do {
          let note = try await state.redirect(to: location, store: store, policy: policy)
          hop.redirect = "→ \(state.url) (\(note))"
          log(hop)
        } catch {
          if case .redirectRefused(_, let reason) = error { hop.redirect = "refused: \(reason)" }
          log(hop)
          throw error
        }
        continue
      }
      log(hop)
      let final = Response(
        status: status, headers: responseHeaders, finalURL: current, credentialSource: match.source,
        body: ResponseBody(
          network: response.body, url: current, pace: BodyPace(start: started, timeout: configuration.timeout)))
      if ResponseMeaning(status: status).isRetryable, attempt < configuration.retries {
        _ = try? await final.body.collect(upTo: 64 * 1024)
        throw RetryableStatus(status: status, retryAfter: Transport.retryAfter(response.headers.first(name: "retry-after")))
      }
      do { return try await handle(final) } catch { throw HandlerFailure(error: error) }
    }
  }

  /// The request for one hop: the URL sanitized, trust for a `--trusted-host`, the caller's
  /// headers, and `Authorization` when credentials go.
  private func makeRequest(_ url: SafeURL, headers: [(String, String)], match: CredentialStore.Match) -> HTTPClientRequest {
    var request = HTTPClientRequest(url: url.revealedForRequest())
    if skipsVerification(for: url) {
      request.tlsConfiguration = trust.unverified
    }
    request.method = .GET
    request.headers.add(name: "User-Agent", value: configuration.userAgent)
    for (n, v) in headers { request.headers.replaceOrAdd(name: n, value: v) }
    if let c = match.credentials { request.headers.replaceOrAdd(name: "Authorization", value: c.authorizationHeader) }
    return request
  }

  /// Sends one hop; a failure is classified, and a certificate that failed verification is
  /// looked at again to say why (unknown issuer, expired, not yet valid, another host).
  func execute(_ request: HTTPClientRequest, hop: Hop, url: SafeURL, proxy: ProxyServer?) async throws -> HTTPClientResponse {
    let client = clients[proxy] ?? clients[nil]!
    do {
      return try await client.execute(request, timeout: .milliseconds(max(WireNumber.milliseconds(configuration.timeout), 1)))
    } catch {
      log(hop)
      var failure = Transport.classify(error, url: url, proxy: proxy, trusted: trust.summary)
      if case .tls(let host, let shown, let detail, let problem, let trusted) = failure, problem == .verificationFailed || Transport.isWrongHost(problem),
        proxy == nil, let port = url.effectivePort
      {
        // The handshake is redone without verification, only to read the server's certificate.
        let problem = await CertificateProbe.diagnose(host: url.host, port: port, timeout: configuration.timeout)
        failure = .tls(host: host, url: shown, detail: detail, problem: problem, trusted: trusted)
      }
      throw failure
    }
  }

  /// Reads what is left of a body that is not used (a redirect's, a retried answer's), at
  /// the same pace as any other, so that a trickling server cannot hold the request.
  private func drain(_ body: HTTPClientResponse.Body, url: SafeURL, started: NIODeadline) async throws {
    _ = try await ResponseBody(network: body, url: url, pace: BodyPace(start: started, timeout: configuration.timeout))
      .collect(upTo: 64 * 1024)
  }

  func log(_ hop: Hop) {
    logger.debug(
      "\(hop.summary)",
      metadata: [
        "method": "\(hop.method)", "url": "\(hop.url)", "route": "\(hop.route)",
        "credentials": "\(hop.source.rawValue)", "authorization": "\(hop.authorizationAttached)",
        "status": hop.status.map { "\($0)" } ?? "none",
      ])
    if logger.logLevel <= .trace {
      for (n, v) in hop.requestHeaders { logger.trace("> \(n): \(v)") }
      for (n, v) in hop.responseHeaders { logger.trace("< \(n): \(v)") }
    }
  }

  /// `Retry-After` as seconds to wait, from delta-seconds or an HTTP date, at most 30; nil
  /// for anything else (`nan`, a negative number, a date out of range).
  static func retryAfter(_ value: String?, now: Double = Double(time(nil))) -> Double? {
    guard let value else { return nil }
    if let seconds = WireNumber.seconds(value, limit: maxRetryAfter) { return seconds }
    guard let date = WireNumber.httpDate(value) else { return nil }
    return min(max(Double(date) - now, 0), maxRetryAfter)
  }

  /// The longest `Retry-After` honoured, in seconds.
  static let maxRetryAfter = 30.0

  /// Masks header values that carry secrets (`Authorization`, cookies) for the `-vv` trace,
  /// and redacts URLs in `Location`.
  static func mask(header name: String, value: String) -> String {
    switch name.lowercased() {
    case "authorization", "proxy-authorization":
      let scheme = value.split(separator: " ").first.map(String.init) ?? ""
      return scheme + " ****"
    case "cookie", "set-cookie": return "****"
    case "location": return Redaction.redact(value)
    default: return value
    }
  }

  /// Maps an error while a body was arriving: once the head came, a reset or a broken
  /// connection is a body cut short (resumed or fetched again within `--retries`), as a
  /// connection closed early is.
  static func classifyMidBody(_ error: any Error, url: SafeURL) -> TransportError {
    let failure = classify(error, url: url)
    if case .connect(let host, let port, _, let detail) = failure {
      return .bodyInterrupted(url: url, detail: "\(detail) from \(host):\(port)")
    }
    return failure
  }

  /// Maps AsyncHTTPClient, NIO and TLS errors onto ``TransportError``.
  static func classify(_ error: any Error, url: SafeURL, proxy: ProxyServer? = nil, trusted: String = "the system roots") -> TransportError {
    if let e = error as? TransportError { return e }
    let host = url.host.isEmpty ? "the server" : url.host
    let port = url.effectivePort ?? 0
    if let proxy {
      let target = "\(host):\(port)"
      let which = "\(proxy.redacted) (from \(proxy.source))"
      if let e = error as? HTTPClientError {
        if e == .proxyAuthenticationRequired {
          return .proxy(proxy: which, url: url, detail: "407 Proxy Authentication Required", hint: proxy.credentials == nil
            ? "the proxy wants credentials: put them in the proxy URL in \(proxy.source) (http://user:password@host:port, percent-encoded)"
            : "the proxy refused the credentials in \(proxy.source); check the user name and password (percent-encoded in the URL)")
        }
        if e == .invalidProxyResponse {
          return .proxy(proxy: which, url: url, detail: "it refused to open a tunnel to \(target)", hint: "proxies often allow CONNECT to port 443 only (Squid's SSL_ports, tinyproxy's ConnectPort), and pyindex tunnels plain http too; allow \(target) on the proxy, or add \(host) to NO_PROXY if it is reachable directly")
        }
        if e == .httpProxyHandshakeTimeout {
          return .proxy(proxy: which, url: url, detail: "no answer to CONNECT \(target) in time", hint: "check \(proxy.source); raise --timeout if the proxy is slow")
        }
      }
      if let e = error as? NIOConnectionError, e.host == proxy.host || e.port == proxy.port {
        let detail = e.connectionErrors.first.map { f in (f.error as? IOError).map { Transport.errnoText($0.errnoCode) } ?? "\(f.error)" } ?? "its name does not resolve"
        return .proxy(proxy: which, url: url, detail: "cannot connect to the proxy (\(Transport.shorten(detail)))", hint: "check \(proxy.source), or set NO_PROXY for hosts reachable directly; --proxy overrides the variables")
      }
      if error is NIOConnectionError || error is IOError || error is ChannelError {
        return .proxy(proxy: which, url: url, detail: "the connection through the proxy failed (\(Transport.shorten("\(error)")))", hint: "check \(proxy.source) and that the proxy can reach \(target)")
      }
    }
    if let e = error as? HTTPClientError {
      if e == .connectTimeout || e == .readTimeout || e == .deadlineExceeded { return .timeout(url: url) }
      if e == .remoteConnectionClosed { return .bodyInterrupted(url: url, detail: "the server closed the connection") }
      return .other(url: url, detail: "\(e)")
    }
    if let e = error as? HTTPParserError, e == .invalidEOFState {
      // The connection closed before Content-Length bytes (or the last chunk) arrived.
      return .bodyInterrupted(url: url, detail: "the connection closed before the end of the body")
    }
    if let e = error as? NIOConnectionError {
      if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil { return .dns(host: e.host, url: url) }
      let detail = e.connectionErrors.first.map { f in (f.error as? IOError).map { Transport.errnoText($0.errnoCode) } ?? "\(f.error)" } ?? "no address answered"
      return .connect(host: e.host, port: e.port, url: url, detail: Transport.shorten(detail))
    }
    if error is NIOSSLError || error is NIOSSLExtraError || "\(error)".contains("SSL") || "\(error)".contains("certificate") {
      return .tls(host: host, url: url, detail: Transport.shorten("\(error)"), problem: tlsProblem(error), trusted: trusted)
    }
    if let e = error as? IOError { return .connect(host: host, port: port, url: url, detail: Transport.errnoText(e.errnoCode)) }
    if error is ChannelError { return .connect(host: host, port: port, url: url, detail: "\(error)") }
    if error is CancellationError { return .other(url: url, detail: "cancelled") }
    return .other(url: url, detail: Transport.shorten("\(error)"))
  }

  static func isWrongHost(_ p: TLSProblem) -> Bool {
    if case .wrongHost = p { return true }
    return false
  }

  /// What a TLS error says about its cause, before any probing.
  static func tlsProblem(_ error: any Error) -> TLSProblem {
    if let e = error as? NIOSSLExtraError, e == .failedToValidateHostname { return .wrongHost("other names") }
    let text = "\(error)"
    if text.contains("CERTIFICATE_VERIFY_FAILED") { return .verificationFailed }
    if text.contains("CERTIFICATE_REQUIRED") || text.contains("HANDSHAKE_FAILURE") && text.contains("ALERT") { return .clientCertificateRequired }
    return .other
  }

  static func errnoText(_ code: Int32) -> String {
    switch code {
    case ECONNREFUSED: "connection refused"
    case ECONNRESET: "connection reset by peer"
    case ETIMEDOUT: "connection timed out"
    case EHOSTUNREACH: "host unreachable"
    case ENETUNREACH: "network unreachable"
    default: "errno \(code)"
    }
  }

  static func shorten(_ s: String) -> String { s.count > 300 ? String(s.prefix(300)) + "…" : s }
}

