public import PyIndexAuth
public import Logging
import PyIndexModel
import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL
import NIOHTTP1

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How the transport behaves; every value has a command-line flag.
public struct TransportConfiguration: Sendable {
  /// Connect timeout and the longest silence between two reads, in seconds.
  public var timeout: Double = 15
  /// Retries after 5xx, 408, 429, resets and cut bodies.
  public var retries: Int = 3
  /// Base of the exponential backoff between retries, in seconds.
  public var backoffBase: Double = 0.25
  public var userAgent: String = "pyindex"
  public init() {}
}

/// One HTTP exchange, as the `-v` trace prints it. URLs are redacted.
public struct Hop: Sendable {
  public var method: String
  public var url: String
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

  /// The hop as one line of the `-v` trace: method, redacted URL, route, credential source
  /// and shape, whether `Authorization` went, status, and for a redirect what happened to the
  /// credentials.
  public var summary: String {
    var line = "\(method) \(url) via \(route), credentials: \(source.rawValue)"
    if let credentialShape { line += " (\(credentialShape))" }
    line += authorizationAttached ? ", Authorization sent" : ", no Authorization"
    if attempt > 0 { line += ", retry \(attempt)" }
    line += " → " + (status.map(String.init) ?? "no response")
    if let redirect { line += " " + redirect }
    return line
  }

  /// What `-v` may say about credentials: the user name when a password goes with it, the
  /// length of the secret, nothing else.
  static func shape(of credentials: Credentials?) -> String? {
    guard let c = credentials else { return nil }
    if c.password.isEmpty { return c.username.isEmpty ? "empty user and password" : "token as user name, \(c.username.count) characters" }
    let user = c.username.isEmpty ? "empty user" : "user \"\(c.username)\""
    return "\(user), \(c.password.count)-character password"
  }
}

/// The final answer to a request, after redirects.
public struct Response: Sendable {
  public let status: Int
  public let headers: [(String, String)]
  /// The URL that answered (no userinfo), which relative links resolve against.
  public let finalURL: String
  /// Where the credentials of the final hop came from.
  public let credentialSource: CredentialSource
  public let body: ResponseBody

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

/// A response body, read once, chunk by chunk, with backpressure.
public struct ResponseBody: Sendable {
  fileprivate let body: HTTPClientResponse.Body
  fileprivate let url: String

  /// Calls `handle` for each chunk as it arrives.
  /// - Throws: ``TransportError/bodyInterrupted(url:detail:)`` when the connection fails
  ///   mid-body, or whatever `handle` throws.
  public func forEachChunk(_ handle: (UnsafeRawBufferPointer) throws -> Void) async throws {
    var iterator = body.makeAsyncIterator()
    while true {
      let next: ByteBuffer?
      do { next = try await iterator.next() } catch { throw Transport.classify(error, url: url, parts: nil) }
      guard let chunk = next else { return }
      try chunk.withUnsafeReadableBytes { try handle($0) }
    }
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
public final class Transport: Sendable {
  private let client: HTTPClient
  private let configuration: TransportConfiguration
  private let store: CredentialStore
  private let logger: Logger

  private init(configuration: TransportConfiguration, store: CredentialStore, logger: Logger) {
    var pool = HTTPClient.Configuration.ConnectionPool()
    // Connection failures (TLS verification ones included) surface at once; we retry ourselves.
    pool.retryConnectionEstablishment = false
    let seconds = Int64(max(configuration.timeout, 0.001) * 1000)
    var config = HTTPClient.Configuration(
      tlsConfiguration: TLSConfiguration.makeClientConfiguration(),
      redirectConfiguration: .disallow,
      timeout: .init(connect: .milliseconds(seconds), read: .milliseconds(seconds)),
      connectionPool: pool,
      proxy: nil,
      decompression: .disabled)
    config.httpVersion = .automatic
    client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    self.configuration = configuration
    self.store = store
    self.logger = logger
  }

  /// Runs `body` with a transport, and shuts its clients down whatever happens.
  /// - Parameter logger: every hop is logged at `debug` (one line, ``Hop/summary``), with its
  ///   headers, secrets masked, at `trace`.
  public static func with<T: Sendable>(
    configuration: TransportConfiguration, store: CredentialStore,
    logger: Logger = Logger(label: "pyindex.http", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: (Transport) async throws -> T
  ) async throws -> T {
    let transport = Transport(configuration: configuration, store: store, logger: logger)
    do {
      let result = try await body(transport)
      try? await transport.client.shutdown()
      return result
    } catch {
      try? await transport.client.shutdown()
      throw error
    }
  }

  /// GETs `url` (no userinfo), following redirects under the credential policy, retrying
  /// what is worth retrying, and hands the final response to `handle` while its body is open.
  public func get<T: Sendable>(_ url: String, headers: [(String, String)], _ handle: (Response) async throws -> T) async throws -> T {
    var attempt = 0
    while true {
      do {
        return try await once(url, headers: headers, attempt: attempt, handle)
      } catch let retry as RetryableStatus {
        // Only thrown while attempts remain; the last attempt hands its answer over.
        attempt += 1
        try await backoff(attempt: attempt, retryAfter: retry.retryAfter)
      } catch let error as TransportError where error.isRetryable && attempt < configuration.retries {
        attempt += 1
        try await backoff(attempt: attempt, retryAfter: nil)
      }
    }
  }

  private func backoff(attempt: Int, retryAfter: Double?) async throws {
    let exp = configuration.backoffBase * Double(1 << min(attempt - 1, 6))
    let delay = min(retryAfter ?? (exp + Double.random(in: 0...(exp / 2))), 30)
    if delay > 0 { try await Task.sleep(for: .milliseconds(Int(delay * 1000))) }
  }

  /// A status worth retrying (5xx, 408, 429), with the server's `Retry-After` if any.
  private struct RetryableStatus: Error {
    let retryAfter: Double?
  }

  private func once<T: Sendable>(_ start: String, headers: [(String, String)], attempt: Int, _ handle: (Response) async throws -> T) async throws -> T {
    var current = URLReference.stripFragment(start)
    var match = store.lookup(current)
    var hops = 0
    while true {
      let requestURL = Transport.sanitize(current)
      var request = HTTPClientRequest(url: requestURL)
      request.method = .GET
      request.headers.add(name: "User-Agent", value: configuration.userAgent)
      for (n, v) in headers { request.headers.replaceOrAdd(name: n, value: v) }
      if let c = match.credentials { request.headers.replaceOrAdd(name: "Authorization", value: c.authorizationHeader) }
      let parts = URLParts(current)
      var hop = Hop(
        method: "GET", url: Redaction.redact(current), route: "direct", source: match.source,
        credentialShape: Hop.shape(of: match.credentials), authorizationAttached: match.credentials != nil, status: nil, redirect: nil,
        requestHeaders: request.headers.map { ($0.name, Transport.mask(header: $0.name, value: $0.value)) },
        responseHeaders: [], attempt: attempt)
      let response: HTTPClientResponse
      do {
        response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
      } catch {
        log(hop)
        throw Transport.classify(error, url: Redaction.redact(current), parts: parts)
      }
      let status = Int(response.status.code)
      hop.status = status
      let responseHeaders = response.headers.map { ($0.name, $0.value) }
      hop.responseHeaders = responseHeaders.map { ($0.0, Transport.mask(header: $0.0, value: $0.1)) }
      if [301, 302, 303, 307, 308].contains(status), let location = response.headers.first(name: "location") {
        _ = try? await response.body.collect(upTo: 64 * 1024)
        switch RedirectPolicy.decide(current: current, location: location, currentMatch: match, hops: hops, store: store) {
        case .refuse(let reason):
          hop.redirect = "refused: \(reason)"
          log(hop)
          throw TransportError.redirectRefused(url: Redaction.redact(current), reason: reason)
        case .follow(let next, let nextMatch, let note):
          hop.redirect = "→ \(Redaction.redact(next)) (\(note))"
          log(hop)
          current = next
          match = nextMatch
          hops += 1
          continue
        }
      }
      log(hop)
      let final = Response(
        status: status, headers: responseHeaders, finalURL: current, credentialSource: match.source,
        body: ResponseBody(body: response.body, url: Redaction.redact(current)))
      if status >= 500 || status == 408 || status == 429, attempt < configuration.retries {
        _ = try? await response.body.collect(upTo: 64 * 1024)
        throw RetryableStatus(retryAfter: Transport.retryAfter(response.headers.first(name: "retry-after")))
      }
      return try await handle(final)
    }
  }

  private func log(_ hop: Hop) {
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

  static func retryAfter(_ value: String?) -> Double? {
    guard let value, let seconds = Double(value.trimmingCharacters()) else { return nil }
    return min(max(seconds, 0), 30)
  }

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

  /// Percent-encodes what a URL may not hold literally (spaces, non-ASCII), leaving escapes.
  static func sanitize(_ url: String) -> String {
    var out: [UInt8] = []
    let hex = Array("0123456789ABCDEF".utf8)
    for c in url.utf8 {
      if c > 0x20, c < 0x7F, !"\"<>\\^`{|}".utf8.contains(c) { out.append(c) } else {
        out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Maps AsyncHTTPClient, NIO and TLS errors onto ``TransportError``.
  static func classify(_ error: any Error, url: String, parts: URLParts?) -> TransportError {
    if let e = error as? TransportError { return e }
    let host = parts?.host ?? "the server"
    let port = parts?.effectivePort ?? 0
    if let e = error as? HTTPClientError {
      if e == .connectTimeout || e == .readTimeout || e == .deadlineExceeded { return .timeout(url: url) }
      if e == .remoteConnectionClosed { return .bodyInterrupted(url: url, detail: "the server closed the connection") }
      return .other(url: url, detail: "\(e)")
    }
    if let e = error as? NIOConnectionError {
      if e.connectionErrors.isEmpty, e.dnsAError != nil || e.dnsAAAAError != nil { return .dns(host: e.host, url: url) }
      let detail = e.connectionErrors.first.map { f in (f.error as? IOError).map { Transport.errnoText($0.errnoCode) } ?? "\(f.error)" } ?? "no address answered"
      return .connect(host: e.host, port: e.port, url: url, detail: Transport.shorten(detail))
    }
    if let e = error as? NIOSSLError { return .tls(host: host, url: url, detail: Transport.shorten("\(e)")) }
    if error is NIOSSLExtraError { return .tls(host: host, url: url, detail: Transport.shorten("\(error)")) }
    if let e = error as? IOError { return .connect(host: host, port: port, url: url, detail: Transport.errnoText(e.errnoCode)) }
    if error is ChannelError { return .connect(host: host, port: port, url: url, detail: "\(error)") }
    if error is CancellationError { return .other(url: url, detail: "cancelled") }
    let text = "\(error)"
    if text.contains("SSL") || text.contains("certificate") { return .tls(host: host, url: url, detail: Transport.shorten(text)) }
    return .other(url: url, detail: Transport.shorten(text))
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

extension String {
  func trimmingCharacters() -> String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
