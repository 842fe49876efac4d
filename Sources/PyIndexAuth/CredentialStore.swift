public import PyIndexModel

/// Every credential source of the contract, and the rule that picks the credentials for a
/// URL (first match wins):
/// 1. the userinfo of the configured index on the request's origin (longest segment-wise
///    path prefix among several; else the first configured);
/// 2. the environment: variables bound to one configured index (uv's
///    `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD`), then `PYINDEX_USERNAME` / `PYINDEX_PASSWORD`
///    for the origin of `--index-url`;
/// 3. netrc, by host (its `login` must match a user name the URL or environment gave);
/// 4. the keyring, when one is configured (asked once per origin and user in a run);
/// 5. a token minted from the machine's identity, for a configured index's origin only;
/// 6. none.
/// A user name given alone (`https://user@host/`, or only `PYINDEX_USERNAME`) asks netrc and
/// the keyring for that user's password, and is sent as a token with an empty password when
/// neither has one. An http index's credentials also cover https on the same host (default
/// ports), never the reverse.
public struct CredentialStore: Sendable {
  /// Credentials chosen for a request, and where they came from.
  public struct Match: Sendable, Hashable {
    public let credentials: Credentials?
    public let source: CredentialSource
    /// For minted credentials: the provider, identity and expiry (never the token).
    public let minted: MintedCredentials?
    /// A provider's inputs were present and minting failed: the request is not sent, and
    /// this is the error.
    public let mintFailure: MintFailure?
    public init(credentials: Credentials?, source: CredentialSource, minted: MintedCredentials? = nil, mintFailure: MintFailure? = nil) {
      (self.credentials, self.source, self.minted, self.mintFailure) = (credentials, source, minted, mintFailure)
    }
    public static let none = Match(credentials: nil, source: .none)
  }

  private let indexes: [IndexURL]
  /// The http(s) indexes with their origins and path segments, worked out once: every
  /// request and redirect hop asks, and a requirements file of `name @ URL` lines makes
  /// hundreds of them.
  private let routes: [Route]
  private struct Route: Sendable {
    let index: IndexURL
    let origin: Origin
    let segments: [String]
  }
  /// Credentials variables give one index (uv's `UV_INDEX_<NAME>_USERNAME`/`_PASSWORD`).
  public struct Bound: Sendable {
    public let index: IndexURL
    public let credentials: Credentials
    /// Only a user name was given: netrc and the keyring are asked for the password.
    public let userOnly: Bool
    /// The variables, for messages.
    public let variables: String
    public init(index: IndexURL, credentials: Credentials, userOnly: Bool, variables: String) {
      (self.index, self.credentials, self.userOnly, self.variables) = (index, credentials, userOnly, variables)
    }
  }
  private let bound: [Bound]
  private let envCredentials: Credentials?
  private let envUserOnly: Bool
  private let envOrigin: Origin?
  private let netrc: Netrc?
  private let keyring: KeyringMemo?
  private let minter: (any CredentialMinter)?
  /// Notes for the user about how sources were read (stripped whitespace, unreadable netrc).
  public let warnings: [String]

  /// - Parameters:
  ///   - indexes: configured indexes, `--index-url` first.
  ///   - environment: the process environment (tests pass a scrubbed one).
  ///   - bound: credentials variables give one index each.
  ///   - netrcText: the netrc file's text when one was read.
  ///   - keyring: the keyring to ask (`--keyring-provider subprocess`), nil when disabled.
  ///   - minter: obtains credentials from the machine's identity for a configured index, after
  ///     every other source; nil with `--credential-provider none`.
  ///   - warn: receives what goes wrong while asking the keyring, once per reason.
  public init(
    indexes: [IndexURL], environment: [String: String], bound: [Bound] = [], netrcText: String? = nil,
    keyring: (any KeyringProvider)? = nil, minter: (any CredentialMinter)? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.minter = minter
    self.indexes = indexes
    self.bound = bound
    routes = indexes.compactMap { idx in
      idx.web.map { Route(index: idx, origin: $0.origin, segments: CredentialStore.segments($0.path)) }
    }
    var warnings: [String] = []
    func read(_ name: String) -> String? {
      guard let raw = environment[name] else { return nil }
      let trimmed = raw.trimmingASCIIWhitespace()
      if trimmed != raw { warnings.append("\(name) had surrounding whitespace or a newline; it was stripped") }
      return trimmed
    }
    let user = read("PYINDEX_USERNAME"), password = read("PYINDEX_PASSWORD")
    if user != nil || password != nil {
      envCredentials = Credentials(username: user ?? "", password: password ?? "")
      envUserOnly = password == nil
      envOrigin = indexes.first?.web?.origin
      if envOrigin == nil { warnings.append("PYINDEX_USERNAME/PYINDEX_PASSWORD are set but --index-url is not an http(s) URL; they are not used") }
    } else {
      envCredentials = nil
      envUserOnly = false
      envOrigin = nil
    }
    netrc = netrcText.map(Netrc.init)
    self.keyring = keyring.map { KeyringMemo(provider: $0, warn: warn) }
    self.warnings = warnings
  }

  /// The credentials for a request to `url` (no userinfo in it), and where they come from.
  /// Asks the keyring (single-flight per origin and user, off the cooperative pool) only when
  /// no earlier source answers; mints (through `exchange`, the transport) only when none does.
  public func lookup(_ url: SafeURL, exchange: (any TokenExchanging)? = nil) async -> Match {
    let parts = url
    guard parts.isWeb else { return .none }
    let origin = parts.origin
    let index = bestIndex(for: parts)
    var userHint: Match? = nil
    if let index, let c = index.credentials {
      if !index.userOnly { return Match(credentials: c, source: .url) }
      userHint = Match(credentials: c, source: .url)
    }
    if userHint == nil, let index, let b = bound.first(where: { $0.index.url == index.url }) {
      if !b.userOnly { return Match(credentials: b.credentials, source: .env) }
      userHint = Match(credentials: b.credentials, source: .env)
    }
    if userHint == nil, let envCredentials, let envOrigin, envOrigin == origin || envOrigin.upgrades(to: origin) {
      if !envUserOnly { return Match(credentials: envCredentials, source: .env) }
      userHint = Match(credentials: envCredentials, source: .env)
    }
    let username = userHint?.credentials?.username
    // A `default` entry answers for the configured indexes' origins only, never for a host a
    // page or a redirect named.
    let configured = routes.contains { $0.origin == origin || $0.origin.upgrades(to: origin) }
    if let entry = netrc?.machineEntry(host: parts.host) ?? (configured ? netrc?.defaultEntry : nil),
      let password = entry.password ?? (entry.login != nil ? "" : nil)
    {
      if username == nil || entry.login == nil || entry.login == username {
        return Match(credentials: Credentials(username: entry.login ?? username ?? "", password: password), source: .netrc)
      }
    }
    if let keyring {
      // The keyring program's argv is visible to every process of the machine: the index URL
      // goes without its query (a token may ride there) and fragment.
      let indexService = (index?.url).map { $0.with(path: $0.path, query: nil).revealedForRequest() }
      let services = [(indexService ?? origin.description + "/"), origin.host + (parts.port.map { ":\($0)" } ?? "")]
      if let c = await keyring.credentials(origin: origin, services: services, username: username) {
        return Match(credentials: c, source: .keyring)
      }
    }
    // Minted only for a configured index, and sent only to its origin.
    if userHint == nil, let minter, let index = index?.web {
      do {
        if let m = try await minter.credentials(for: index, exchange: exchange) {
          return Match(credentials: m.credentials, source: .minted, minted: m)
        }
      } catch {
        return Match(credentials: nil, source: .none, mintFailure: error)
      }
    }
    return userHint ?? .none
  }

  /// The configured index whose origin is the request's (or its http form, for an upgrade)
  /// and whose path is the longest segment-wise prefix of the request's; else the first on
  /// that origin.
  private func bestIndex(for parts: SafeURL) -> IndexURL? {
    let origin = parts.origin
    var requestSegments: [String]? = nil
    var first: IndexURL? = nil
    var best: IndexURL? = nil
    var bestLength = -1
    for route in routes where route.origin == origin || route.origin.upgrades(to: origin) {
      if first == nil { first = route.index }
      let request = requestSegments ?? CredentialStore.segments(parts.path)
      requestSegments = request
      if route.segments.count > bestLength, request.starts(with: route.segments) {
        best = route.index
        bestLength = route.segments.count
      }
    }
    return best ?? first
  }

  /// What looks wrong with the credentials known before any request (URL userinfo, the
  /// environment, netrc entries for the indexes' hosts), one line each, never a secret.
  /// Keyring credentials are checked when they are fetched.
  public func inspect(now: Double) -> [String] {
    var out: [String] = []
    var seen: Set<String> = []
    func add(_ what: String, _ credentials: Credentials, host: String) {
      for p in TokenInspector.inspect(credentials, host: host, now: now).problems where seen.insert(what + p).inserted {
        out.append("\(what): \(p)")
      }
    }
    for index in indexes {
      guard !index.isFile else { continue }
      let parts = index.url
      for p in index.userinfoProblems where seen.insert(index.redacted + p).inserted { out.append("\(index.redacted): \(p)") }
      if let c = index.credentials, !index.userOnly { add("credentials in \(index.redacted)", c, host: parts.host) }
      if let entry = netrc?.entry(host: parts.host), let pw = entry.password {
        add("netrc credentials for \(parts.host)", Credentials(username: entry.login ?? "", password: pw), host: parts.host)
      }
    }
    for b in bound where !b.userOnly {
      if !b.index.isFile { add(b.variables, b.credentials, host: b.index.url.host) }
    }
    if let envCredentials, !envUserOnly, let envOrigin {
      add("PYINDEX_USERNAME/PYINDEX_PASSWORD", envCredentials, host: envOrigin.host)
    }
    return out
  }

  static func segments(_ path: String) -> [String] {
    path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
  }
}
