public import PyIndexAuth
public import PyIndexModel

/// The network as the client layer fetches through it: GET with redirects, credentials and
/// retries handled below. ``Transport`` is the one that goes to the network; tests of the
/// client's logic may script another, with these five requirements only.
public protocol HTTPFetching: Sendable {
  /// GETs `url` (no userinfo), following redirects under the credential policy and retrying
  /// what is worth retrying, and hands the final response to `handle` while its body is open.
  func get<T: Sendable>(_ url: SafeURL, headers: [(String, String)], _ handle: (Response) async throws -> T) async throws -> T

  /// Waits before retry `attempt` (1-based), for callers that retry themselves.
  func pause(beforeRetry attempt: Int, of url: SafeURL, reason: String) async throws

  /// A line for the `-v` trace that is not a hop.
  func note(_ message: String)

  /// How many retries `--retries` allows.
  var retries: Int { get }

  /// Whether plain http to this host is allowed (loopback, `--trusted-host`).
  func allowsPlainHTTP(to url: SafeURL) -> Bool
}

/// What `auth check` asks about the way to an index, besides fetching: the credentials a
/// request would carry, the route, and TLS trust.
public protocol RouteInspecting: Sendable {
  /// The credentials the first request to `url` would carry, and where they came from.
  func credentials(for url: SafeURL) async -> CredentialStore.Match

  /// Whether https to this host skips certificate verification (`--trusted-host`).
  func skipsVerification(for url: SafeURL) -> Bool

  /// How a request to `url` would travel: `direct` or `proxy URL (SOURCE)`, redacted.
  func route(for url: SafeURL) -> String

  /// Whether a request to `url` would go through a proxy (which then resolves the host).
  func usesProxy(for url: SafeURL) -> Bool

  /// The trust sources read, as TLS hints say them.
  var trustSummary: String { get }

  /// Who issued the certificate `host:port` presents and until when it is valid.
  func certificateSummary(host: String, port: Int) async -> String?
}

/// Both: what ``Transport`` is.
public typealias HTTPTransport = HTTPFetching & RouteInspecting
