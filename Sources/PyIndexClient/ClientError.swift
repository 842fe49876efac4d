public import PyIndexModel
public import PyIndexParsing
public import PyIndexTransport
public import PyIndexAuth

/// One place a project was looked for, and what it answered.
public struct SearchedLocation: Sendable, CustomStringConvertible {
  /// The index or `--find-links` location, redacted.
  public let shown: String
  /// The HTTP status (404 for a missing local directory), nil when it failed or had no files.
  public let status: Int?
  /// Credentials sent with the request.
  public let source: CredentialSource
  public let isRemote: Bool
  let note: String?

  public var description: String {
    var detail = note ?? status.map(String.init) ?? "failed"
    if source != .none { detail += ", \(source.rawValue) credentials sent" }
    return "\(shown) (\(detail))"
  }
}

/// Everything that can stop `index versions` or `download`, each case carrying what the
/// user needs to fix it. URLs redact themselves when printed (``DisplaySafeURL``). ``exitCode``
/// follows the contract's table.
public enum ClientError: Error, Sendable, CustomStringConvertible {
  /// The project is on no index.
  case projectNotFound(ProjectName, searched: [SearchedLocation])
  /// No file satisfies the requirement and target.
  case noMatchingDistribution(requirement: String, versions: [String], yanked: [String], wrongPython: [String])
  /// 401, 403, or a sign-in page instead of an index.
  case authentication(url: DisplaySafeURL, status: Int, loginPage: Bool, source: CredentialSource)
  /// DNS, connection, TLS, timeout, refused redirect, body cut short.
  case network(TransportError)
  /// A status that is neither success, not-found nor an auth failure (after retries).
  case httpStatus(url: DisplaySafeURL, status: Int)
  /// The page answered but could not be read.
  case unreadablePage(url: DisplaySafeURL, ParseError)
  /// A digest did not match; nothing was written under the final name.
  case digestMismatch(filename: String, url: DisplaySafeURL, algorithm: String, expected: String, actual: String)
  /// `--require-hashes`: requirements without a hash (`missing` holds the lines to add, with
  /// the digests the files had) or, when `unpinned`, without an `==` pin.
  case hashesRequired(missing: [String], unpinned: Bool)
  /// Two requirements of the closure exclude each other (no backtracking); the text names both chains.
  case dependencyConflict(String)
  /// A local file or directory problem.
  case fileSystem(path: String, detail: String)
  /// Bad input found before any request.
  case usage(String, hint: String?)

  /// The contract's exit code.
  public var exitCode: Int32 {
    switch self {
    case .projectNotFound, .noMatchingDistribution, .dependencyConflict: 1
    case .authentication: 2
    case .network, .httpStatus: 3
    case .unreadablePage, .digestMismatch, .hashesRequired: 4
    case .fileSystem: 1
    case .usage: 64
    }
  }

  public var description: String {
    switch self {
    case .projectNotFound(let p, _): "No matching distribution found for \(p.typed)"
    case .noMatchingDistribution(let req, _, _, _): "No matching distribution found for \(req)"
    case .authentication(let url, let status, let login, _):
      login ? "\(url) answered with a sign-in page instead of a package index (HTTP \(status))"
        : "HTTP \(status) \(status == 401 ? "Unauthorized" : "Forbidden") from \(url)"
    case .network(let e): e.description
    case .httpStatus(let url, let status): "HTTP \(status) from \(url)"
    case .unreadablePage(let url, let e): "cannot read the index page \(url): \(e)"
    case .digestMismatch(let f, let url, let alg, let expected, let actual):
      "\(f) from \(url) does not match its \(alg) digest: expected \(expected), got \(actual)"
    case .fileSystem(let path, let detail): "\(path): \(detail)"
    case .dependencyConflict(let text): "dependency conflict: \(text)"
    case .hashesRequired(let missing, let unpinned):
      unpinned
        ? "in --require-hashes mode every requirement must be pinned with ==; these are not: \(missing.joined(separator: ", "))"
        : "hashes are required in --require-hashes mode, but some requirements have none; nothing unverified was kept. Add these lines (the digests of the files the index served):\n" + missing.map { "    " + $0 }.joined(separator: "\n")
    case .usage(let m, _): m
    }
  }

  /// Whether the run failed to resolve (nothing fits, or requirements conflict): such a run
  /// leaves DEST as it was.
  public var isResolutionFailure: Bool {
    switch self {
    case .projectNotFound, .noMatchingDistribution, .dependencyConflict: true
    default: false
    }
  }

  /// Whether wrong credentials could explain this failure: an authentication failure with
  /// credentials sent, or a 404 (GitLab, CodeArtifact) with credentials sent.
  public var credentialsMayBeTheCause: Bool {
    switch self {
    case .authentication(_, _, _, let source): source != .none
    case .projectNotFound(_, let searched): searched.contains { $0.status == 404 && $0.source != .none }
    default: false
    }
  }

  /// What to try next, when known.
  public var hint: String? {
    switch self {
    case .projectNotFound(_, let searched):
      let list = "searched " + searched.map(\.description).joined(separator: ", ")
      if let sent = searched.first(where: { $0.status == 404 && $0.source != .none })?.source {
        return "\(list); GitLab and CodeArtifact answer 404, not 401, when a token is wrong, expired, lacks read access or goes with the wrong user name (deploy tokens: gitlab+deploy-token-N; CI: gitlab-ci-token; CodeArtifact: aws): check \(sent.phrase), then the project name and index URL"
      }
      if searched.contains(where: { $0.status == 404 && $0.isRemote }) {
        return "\(list); check the project name and the index URL; no credentials were sent, and private registries such as GitLab and CodeArtifact answer 404 without them"
      }
      return "\(list); check the project name and the index URL"
    case .noMatchingDistribution(_, let versions, _, _):
      return versions.isEmpty ? "no file fits the target; check --platform, --python-version and --only-binary" : nil
    case .authentication(_, let status, let login, let source):
      if login { return "the URL points at a web sign-in page; use the index's simple API URL and pass credentials in the URL, PYINDEX_USERNAME/PYINDEX_PASSWORD or ~/.netrc" }
      if source == .none { return "no credentials were sent; add them to the index URL (percent-encoded), set PYINDEX_USERNAME and PYINDEX_PASSWORD, add a netrc entry, or use --keyring-provider subprocess" }
      return status == 401 ? "\(source.phrase) were refused; check the user name this kind of token needs (Artifact Registry: _json_key_base64 or oauth2accesstoken; GitLab: gitlab+deploy-token-N or gitlab-ci-token; PyPI tokens: __token__), the token itself, and that it has not expired"
        : "\(source.phrase) were refused (403): the server does not know this user or password (pypiserver), or the account may not read this repository (Artifact Registry needs roles/artifactregistry.reader)"
    case .network(let e): return e.hint
    case .httpStatus(_, let status):
      switch status {
      case 500...: return "the server failed; try again later or raise --retries"
      case 406: return "the server cannot serve the simple API formats pyindex asks for (PEP 691 JSON or HTML); check that the URL is the index's simple API"
      case 429: return "the server is rate limiting; try again later or raise --retries"
      default: return nil
      }
    case .unreadablePage(_, let e):
      if case .unsupportedContentType = e { return "the URL may not be a simple index; check that it ends in /simple/ (or the registry's equivalent)" }
      return nil
    case .digestMismatch: return "the file changed on the server or was tampered with; check the index, then retry"
    case .hashesRequired(_, let unpinned):
      return unpinned ? "pin each requirement (name==version) and give its --hash, or drop --require-hashes and every --hash" : "check that these digests are the ones you expect before adding them"
    case .fileSystem: return nil
    case .dependencyConflict: return "pin the project to a version both accept (a -c constraints file), or download with --no-deps; pyindex does not backtrack"
    case .usage(_, let hint): return hint
    }
  }
}
