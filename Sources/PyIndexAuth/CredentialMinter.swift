public import PyIndexModel

/// Credentials obtained for an index from the identity the machine already has (a CI job's
/// token, a cloud role), rather than read from a file or variable: the last credential source,
/// tried for a configured index after URL userinfo, variables, netrc and the keyring.
public protocol CredentialMinter: Sendable {
  /// Credentials for requests to `index` (a configured index's URL), or nil when no provider
  /// knows its registry or the provider's inputs are absent. Token requests go through
  /// `exchange` (the transport); with none, only providers that need no request answer.
  /// - Throws: ``MintFailure`` when a provider's inputs are present and minting failed.
  func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials?

  /// What would be used for `index`, without any request: "AWS CodeArtifact from
  /// AWS_ACCESS_KEY_ID (AKIA…1234)", for `pyindex config`. Nil when no provider answers.
  func plan(for index: SafeURL) -> String?
}

/// What a minter obtained, and what may be said about it: the provider, the identity and the
/// expiry, never the token.
public struct MintedCredentials: Sendable, Hashable {
  public let credentials: Credentials
  /// "GitLab CI job token", "AWS CodeArtifact".
  public let provider: String
  /// Who the token is for: a user name, a role ARN, a client id, a service account.
  public let identity: String
  /// Seconds since 1970 when the token stops working; nil when the registry does not say.
  public let expiry: Double?

  public init(credentials: Credentials, provider: String, identity: String, expiry: Double? = nil) {
    (self.credentials, self.provider, self.identity, self.expiry) = (credentials, provider, identity, expiry)
  }

  /// How `-v` and `auth check` name it: provider and identity, and the expiry when known.
  public var description: String {
    "\(provider) for \(identity)" + (expiry.map { ", expires \(CivilTime(secondsSince1970: $0).minuteText) UTC" } ?? "")
  }
}

/// A provider's inputs were present and no token came of them: an authentication failure
/// (exit 2) that names the provider, what was tried and why it failed, never a secret.
public struct MintFailure: PyIndexError, Hashable {
  /// "AWS CodeArtifact".
  public let provider: String
  /// What went wrong: "STS refused the web identity token (AccessDenied: Not authorized to
  /// perform sts:AssumeRoleWithWebIdentity)".
  public let reason: String
  public let hint: String?
  public var kind: FailureKind { .authentication }

  public init(provider: String, reason: String, hint: String? = nil) {
    (self.provider, self.reason, self.hint) = (provider, reason, hint)
  }

  public var description: String { "cannot obtain a token for \(provider): \(reason)" }
}

/// One request to a token endpoint (STS, an OAuth token endpoint, a metadata server): sent as
/// given, no credential source asked, no redirect followed.
public struct TokenRequest: Sendable {
  public var method: String
  public var url: SafeURL
  public var headers: [(String, String)]
  public var body: [UInt8]
  /// Seconds to wait for the answer; nil: `--timeout`. Metadata servers, which are absent
  /// on most machines, get a short one.
  public var timeout: Double?
  /// Header values that are secrets besides `Authorization` (a metadata token, a container
  /// authorization token): masked in the `-v` trace.
  public var secretHeaders: Set<String>

  public init(method: String, url: SafeURL, headers: [(String, String)] = [], body: [UInt8] = [], timeout: Double? = nil, secretHeaders: Set<String> = []) {
    (self.method, self.url, self.headers, self.body, self.timeout, self.secretHeaders) = (method, url, headers, body, timeout, secretHeaders)
  }
}

/// A token endpoint's answer, its body read whole (bounded).
public struct TokenAnswer: Sendable {
  public let status: Int
  public let headers: [(String, String)]
  public let body: [UInt8]
  /// Whether the status says success (2xx), as the transport's table of meanings reads it.
  public let succeeded: Bool

  public init(status: Int, headers: [(String, String)], body: [UInt8], succeeded: Bool) {
    (self.status, self.headers, self.body, self.succeeded) = (status, headers, body, succeeded)
  }

  public func header(_ name: String) -> String? {
    let lower = name.lowercased()
    return headers.first { $0.0.lowercased() == lower }?.1
  }
}

/// Sends token requests: the transport, under the outbound policy for token endpoints (https,
/// or plain http to a loopback address or a cloud metadata address only).
public protocol TokenExchanging: Sendable {
  /// - Throws: a ``PyIndexError`` when the request is refused or gets no answer.
  func exchange(_ request: TokenRequest) async throws -> TokenAnswer
}
