public import PyIndexModel
public import PyIndexAuth
public import PyIndexTransport

extension ResponseMeaning {
  /// The error a response with this meaning is, where the caller wanted content; nil for
  /// 200, 206 and 304, whose handling depends on what was asked.
  public func failure(url: SafeURL, source: CredentialSource) -> ClientError? {
    switch self {
    case .content, .partialContent, .notModified: nil
    case .refused(let status): .authentication(url: url, status: status, loginPage: false, source: source)
    case .missing(let status), .unavailable(let status), .unexpected(let status): .httpStatus(url: url, status: status)
    }
  }
}

/// What a refusal (401 or 403) says about the credentials that went with it: the one place
/// the difference between the two statuses is written.
public struct Refusal: Sendable, Equatable {
  /// One sentence for `auth check`'s outcome.
  public let cause: String
  /// What to do about it.
  public let hint: String

  public init(status: Int, source: CredentialSource) {
    if source == .none {
      cause = "credentials missing: the index answered \(status) and no credentials were sent"
      hint = "no credentials were sent; " + Refusal.addCredentials
    } else if ResponseMeaning(status: status).isUnauthorized {
      cause = "credentials wrong or expired: \(source.phrase) were refused (\(status))"
      hint = "\(source.phrase) were refused; check the user name this kind of token needs (\(Registries.userNamesFor401)), the token itself, and that it has not expired"
    } else {
      cause = "credentials lack permission, or are unknown to the server: \(source.phrase) were refused (\(status))"
      hint = "\(source.phrase) were refused (\(status)): \(Registries.meaningOf403)"
    }
  }

  /// How to give credentials, from the contract's sources.
  public static let addCredentials = "add credentials to the index URL (percent-encoded), set PYINDEX_USERNAME and PYINDEX_PASSWORD, add a netrc entry, or use --keyring-provider subprocess"
}

/// What pyindex knows about registries that answer unlike PyPI, in one table.
public enum Registries {
  /// A registry that answers 404, not 401, to requests it will not serve.
  struct Hiding404: Sendable {
    let name: String
    /// Lower-cased fragments of an index URL that identify it.
    let markers: [String]
    /// The user names its tokens go with.
    let userNames: String
  }

  static let hiding404: [Hiding404] = [
    Hiding404(name: "GitLab", markers: ["/api/v4/", "gitlab"], userNames: "deploy tokens: gitlab+deploy-token-N; CI: gitlab-ci-token"),
    Hiding404(name: "CodeArtifact", markers: [".codeartifact."], userNames: "CodeArtifact: aws"),
  ]

  /// "GitLab and CodeArtifact".
  static var hiding404Names: String { hiding404.map(\.name).joined(separator: " and ") }

  /// Whether the index is on a registry that answers 404 to requests it will not serve.
  public static func hides401Behind404(_ indexURL: SafeURL) -> Bool {
    let url = indexURL.revealedForRequest().lowercased()
    return hiding404.contains { r in r.markers.contains { url.contains($0) } }
  }

  /// The hint for a 404 with credentials sent, on any index.
  static func wrong404(sent: CredentialSource) -> String {
    "\(hiding404Names) answer 404, not 401, when a token is wrong, expired, lacks read access or goes with the wrong user name (\(hiding404.map(\.userNames).joined(separator: "; "))): check \(sent.phrase), then the project name and index URL"
  }

  /// The hint for a 404 without credentials on a remote index.
  static var missing404: String {
    "no credentials were sent, and private registries such as \(hiding404Names) answer 404 without them"
  }

  static let userNamesFor401 = "Artifact Registry: _json_key_base64 or oauth2accesstoken; GitLab: gitlab+deploy-token-N or gitlab-ci-token; PyPI tokens: __token__"
  static let meaningOf403 = "the server does not know this user or password (pypiserver), or the account may not read this repository (Artifact Registry needs roles/artifactregistry.reader)"
}
