public import PyIndexModel

/// Credentials obtained for an index from the identity the machine already has (a CI job's
/// token, a cloud role), rather than read from a file or variable: the last credential source,
/// tried for a configured index after URL userinfo, variables, netrc and the keyring.
public protocol CredentialMinter: Sendable {
  /// Credentials for requests to `index` (a configured index's URL), or nil when no provider
  /// knows its registry or the provider's inputs are absent.
  func credentials(for index: SafeURL) async -> MintedCredentials?
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
