public import PyIndexAuth
public import PyIndexModel

/// The credential providers pyindex knows, asked in turn for a configured index: the first
/// whose registry the index is on and whose inputs are present answers. Each provider reads
/// the inputs its vendor's SDK or CI system sets, under the same variable names. Tokens are
/// kept in memory only, reused until 5 minutes before they expire, one request at a time per
/// registry (``TokenCache``).
public struct Minting: CredentialMinter {
  let providers: [any MintProvider]
  let cache: TokenCache
  let context: MintContext

  /// Every provider, reading its inputs through `context`.
  public init(context: MintContext) {
    self.context = context
    var providers: [any MintProvider] = [CodeArtifact(context: context), GoogleArtifactRegistry(context: context), AzureArtifacts(context: context)]
    if let gitlab = GitLabJobToken(environment: context.environment) { providers.append(gitlab) }
    self.providers = providers
    cache = TokenCache()
  }

  /// Every provider, with the process's files, clock and programs.
  public init(environment: [String: String]) {
    self.init(context: MintContext(environment: environment))
  }

  public func plan(for index: SafeURL) -> String? {
    providers.lazy.compactMap { $0.plan(for: index) }.first
  }

  public func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials? {
    // Asked for every request: the host decides, no file is read until a token is minted.
    for p in providers where p.handles(index) {
      let key = "\(type(of: p))|\(index.origin)"
      return try await cache.token(for: key, now: context.now) { () async throws(MintFailure) -> MintedCredentials? in
        try await p.credentials(for: index, exchange: exchange)
      }
    }
    return nil
  }
}

/// One registry's provider, as ``Minting`` asks it.
protocol MintProvider: CredentialMinter {
  /// Whether `index` is on this provider's registry: its host alone decides (nothing read).
  func handles(_ index: SafeURL) -> Bool
}

/// Minted tokens in memory, per provider and origin: reused until 5 minutes before they
/// expire (forever when the registry gives no expiry), a failure for 30 seconds; concurrent
/// askers share one request (single-flight).
actor TokenCache {
  private struct Entry {
    let task: Task<Result<MintedCredentials?, MintFailure>, Never>
    var settled: (result: Result<MintedCredentials?, MintFailure>, at: Double)?
  }
  private var entries: [String: Entry] = [:]
  /// Refreshed this long before the expiry.
  static let margin = 300.0
  /// A failure is answered again for this long before a new request.
  static let failureHold = 30.0

  func token(
    for key: String, now: @Sendable () -> Double, mint: @escaping @Sendable () async throws(MintFailure) -> MintedCredentials?
  ) async throws(MintFailure) -> MintedCredentials? {
    if let entry = entries[key] {
      guard let settled = entry.settled else { return try await entry.task.value.get() }
      if fresh(settled, now: now()) { return try settled.result.get() }
    }
    let task = Task { () async -> Result<MintedCredentials?, MintFailure> in
      do throws(MintFailure) { return .success(try await mint()) } catch { return .failure(error) }
    }
    entries[key] = Entry(task: task, settled: nil)
    let result = await task.value
    entries[key]?.settled = (result, now())
    return try result.get()
  }

  private func fresh(_ settled: (result: Result<MintedCredentials?, MintFailure>, at: Double), now: Double) -> Bool {
    switch settled.result {
    case .failure: return now - settled.at < TokenCache.failureHold
    case .success(let m): return m?.expiry.map { now < $0 - TokenCache.margin } ?? true
    }
  }
}

/// GitLab CI: the job's `CI_JOB_TOKEN`, as `gitlab-ci-token`, for indexes on the job's own
/// GitLab (`CI_SERVER_HOST`, else the host of `CI_SERVER_URL`; `CI_SERVER_PORT` when it is not
/// the scheme's default). Nothing is requested: the token is the job's for its lifetime.
struct GitLabJobToken: MintProvider {
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

  func handles(_ index: SafeURL) -> Bool { index.host == host && (port == nil || index.effectivePort == port) }

  func plan(for index: SafeURL) -> String? {
    handles(index) ? "GitLab CI job token (CI_JOB_TOKEN) for gitlab-ci-token on \(host)" : nil
  }

  func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials? {
    guard handles(index) else { return nil }
    return MintedCredentials(credentials: Credentials(username: "gitlab-ci-token", password: token), provider: "GitLab CI job token", identity: "gitlab-ci-token on \(host)")
  }
}
