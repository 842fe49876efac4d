public import PyIndexAuth
public import PyIndexModel

/// The credential providers pyindex knows, asked in turn for a configured index: the first
/// whose registry the index is on and whose inputs are present answers. Each provider reads
/// the inputs its vendor's SDK or CI system sets, under the same variable names.
public struct Minting: CredentialMinter {
  let providers: [any CredentialMinter]

  /// The providers whose inputs `environment` has; nil when there are none (nothing to ask).
  public init?(environment: [String: String]) {
    var providers: [any CredentialMinter] = []
    if let gitlab = GitLabJobToken(environment: environment) { providers.append(gitlab) }
    guard !providers.isEmpty else { return nil }
    self.providers = providers
  }

  public func credentials(for index: SafeURL) async -> MintedCredentials? {
    for p in providers {
      if let c = await p.credentials(for: index) { return c }
    }
    return nil
  }
}

/// GitLab CI: the job's `CI_JOB_TOKEN`, as `gitlab-ci-token`, for indexes on the job's own
/// GitLab (`CI_SERVER_HOST`, else the host of `CI_SERVER_URL`; `CI_SERVER_PORT` when it is not
/// the scheme's default). Nothing is requested: the token is the job's for its lifetime.
struct GitLabJobToken: CredentialMinter {
  let token: String
  let host: String
  let port: Int?

  init?(environment env: [String: String]) {
    guard let token = env["CI_JOB_TOKEN"]?.trimmingASCIIWhitespace(), !token.isEmpty else { return nil }
    let url = env["CI_SERVER_URL"].flatMap { SafeURL($0) }
    guard let host = env["CI_SERVER_HOST"].map({ $0.trimmingASCIIWhitespace().lowercased() }).flatMap({ $0.isEmpty ? nil : $0 }) ?? url?.host else {
      return nil
    }
    self.token = token
    self.host = host
    port = env["CI_SERVER_PORT"].flatMap { Int($0.trimmingASCIIWhitespace()) } ?? url?.port
  }

  func credentials(for index: SafeURL) async -> MintedCredentials? {
    guard index.host == host, port == nil || index.effectivePort == port else { return nil }
    return MintedCredentials(credentials: Credentials(username: "gitlab-ci-token", password: token), provider: "GitLab CI job token", identity: "gitlab-ci-token on \(host)")
  }
}
