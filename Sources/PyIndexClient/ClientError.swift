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

  /// What its status means; `.unexpected(status: 0)` when there was none.
  var meaning: ResponseMeaning { ResponseMeaning(status: status ?? 0) }

  public var description: String {
    var detail = note ?? status.map(String.init) ?? "failed"
    if source != .none { detail += ", \(source.rawValue) credentials sent" }
    return "\(shown) (\(detail))"
  }
}

/// Everything that can stop `index versions`, `download` or `serve`, each case carrying what
/// the user needs to fix it. URLs redact themselves when printed (``SafeURL``); the
/// exit code follows from ``kind`` (``FailureKind/exitCode``, the one table).
public enum ClientError: PyIndexError {
  /// The project is on no index.
  case projectNotFound(ProjectName, searched: [SearchedLocation])
  /// No file satisfies the requirement and target.
  case noMatchingDistribution(requirement: String, versions: [String], yanked: [String], wrongPython: [String])
  /// 401, 403, or a sign-in page instead of an index.
  case authentication(url: SafeURL, status: Int, loginPage: Bool, source: CredentialSource)
  /// DNS, connection, TLS, timeout, refused redirect, body cut short.
  case network(TransportError)
  /// A status that is neither success, not-found nor an auth failure (after retries).
  case httpStatus(url: SafeURL, status: Int)
  /// The page answered but could not be read.
  case unreadablePage(url: SafeURL, ParseError)
  /// The indexes list more usable files or versions of a project than pyindex keeps: a page
  /// that large is broken or hostile, and reading on would take gigabytes.
  case tooManyFiles(project: ProjectName, what: String, limit: Int)
  /// A digest did not match; nothing was written under the final name.
  case digestMismatch(filename: String, url: SafeURL, algorithm: String, expected: String, actual: String)
  /// `--require-hashes`: requirements without a hash (`missing` holds the lines to add, with
  /// the digests the files had) or, when `unpinned`, without an `==` pin.
  case hashesRequired(missing: [String], unpinned: Bool)
  /// Two requirements of the closure exclude each other (no backtracking); the text names both chains.
  case dependencyConflict(String)
  /// A dependency a distribution's metadata declared names a `file:` location (`shown` is its
  /// chain): pyindex reads local files only where the user configured them.
  case localDependency(shown: String)
  /// A local file or directory problem.
  case fileSystem(path: String, detail: String)
  /// Bad input found before any request.
  case usage(String, hint: String?)
  /// Another module's error, kept whole (its kind, text and hint are its own).
  case wrapped(any PyIndexError)

  /// `error` as a ``ClientError``: itself, a transport failure, another module's error kept
  /// whole, or (for an error pyindex does not know) a file-system failure at `path` that keeps it.
  public init(_ error: any Error, at path: String) {
    switch error {
    case let e as ClientError: self = e
    case let e as TransportError: self = .network(e)
    case let e as any PyIndexError: self = .wrapped(e)
    default: self = .wrapped(UnexpectedError(path: path, cause: error))
    }
  }

  public var kind: FailureKind {
    switch self {
    case .projectNotFound, .noMatchingDistribution, .dependencyConflict, .localDependency: .resolution
    case .authentication: .authentication
    case .network, .httpStatus: .network
    case .unreadablePage, .digestMismatch, .hashesRequired, .tooManyFiles: .integrity
    case .fileSystem: .fileSystem
    case .usage: .usage
    case .wrapped(let e): e.kind
    }
  }

  public var underlying: (any Error)? {
    switch self {
    case .network(let e): e
    case .unreadablePage(_, let e): e
    case .wrapped(let e): e
    default: nil
    }
  }

  public var description: String {
    switch self {
    case .projectNotFound(let p, _): "No matching distribution found for \(p.typed)"
    case .noMatchingDistribution(let req, _, _, _): "No matching distribution found for \(req)"
    case .authentication(let url, let status, let login, _):
      login ? "\(url) answered with a sign-in page instead of a package index (HTTP \(status))"
        : "HTTP \(status) \(ResponseMeaning(status: status).refusalPhrase) from \(url)"
    case .network(let e): e.description
    case .httpStatus(let url, let status): "HTTP \(status) from \(url)"
    case .unreadablePage(let url, let e): "cannot read the index page \(url): \(e)"
    case .tooManyFiles(let project, let what, let limit): "the indexes list more than \(limit) \(what) of \(project.typed); pyindex reads no more"
    case .digestMismatch(let f, let url, let alg, let expected, let actual):
      "\(f) from \(url) does not match its \(alg) digest: expected \(expected), got \(actual)"
    case .fileSystem(let path, let detail): "\(path): \(detail)"
    case .dependencyConflict(let text): "dependency conflict: \(text)"
    case .localDependency(let shown): "\(shown) names a local file, and a distribution's metadata may not make pyindex read this machine's files"
    case .hashesRequired(let missing, let unpinned):
      unpinned
        ? "in --require-hashes mode every requirement must be pinned with ==; these are not: \(missing.joined(separator: ", "))"
        : "hashes are required in --require-hashes mode, but some requirements have none; nothing unverified was kept. Add these lines (the digests of the files the index served):\n" + missing.map { "    " + $0 }.joined(separator: "\n")
    case .usage(let m, _): m
    case .wrapped(let e): e.description
    }
  }

  /// Whether the run failed to resolve (nothing fits, or requirements conflict): such a run
  /// leaves DEST as it was.
  public var isResolutionFailure: Bool { kind == .resolution }

  /// Whether wrong credentials could explain this failure: an authentication failure with
  /// credentials sent, or a 404 (GitLab, CodeArtifact) with credentials sent.
  public var credentialsMayBeTheCause: Bool {
    switch self {
    case .authentication(_, _, _, let source): source != .none
    case .projectNotFound(_, let searched): searched.contains { $0.meaning.isNotFound && $0.source != .none }
    default: false
    }
  }

  /// What to try next, when known.
  public var hint: String? {
    switch self {
    case .tooManyFiles: "a page this large is broken or hostile: ask the index's operator, or name the file with a direct URL (name @ URL)"
    case .projectNotFound(_, let searched): Self.notFoundHint(searched)
    case .noMatchingDistribution(_, let versions, _, _):
      versions.isEmpty ? "no file fits the target; check --platform, --python-version and --only-binary" : nil
    case .authentication(_, let status, let login, let source):
      login
        ? "the URL points at a web sign-in page; use the index's simple API URL and pass credentials in the URL, PYINDEX_USERNAME/PYINDEX_PASSWORD or ~/.netrc"
        : Refusal(status: status, source: source).hint
    case .network(let e): e.hint
    case .httpStatus(_, let status): Self.statusHint(status)
    case .unreadablePage(_, let e): e.hint
    case .digestMismatch: "the file changed on the server or was tampered with; check the index, then retry"
    case .hashesRequired(_, let unpinned):
      unpinned ? "pin each requirement (name==version) and give its --hash, or drop --require-hashes and every --hash" : "check that these digests are the ones you expect before adding them"
    case .fileSystem: nil
    case .localDependency:
      "pyindex reads file: locations only where you configured them (a local index, --find-links, a requirement or lock you give); if you trust the file, give it yourself as NAME @ file:///PATH"
    case .dependencyConflict: "relax one of the requirements above, or pin a version all of them accept (a -c constraints file); --no-deps downloads the requirements alone"
    case .usage(_, let hint): hint
    case .wrapped(let e): e.hint
    }
  }

  private static func notFoundHint(_ searched: [SearchedLocation]) -> String {
    let list = "searched " + searched.map(\.description).joined(separator: ", ")
    if let sent = searched.first(where: { $0.meaning.isNotFound && $0.source != .none })?.source {
      return "\(list); \(Registries.wrong404(sent: sent))"
    }
    if searched.contains(where: { $0.meaning.isNotFound && $0.isRemote }) {
      return "\(list); check the project name and the index URL; \(Registries.missing404)"
    }
    return "\(list); check the project name and the index URL"
  }

  private static func statusHint(_ status: Int) -> String? {
    let meaning = ResponseMeaning(status: status)
    if meaning.isRateLimited { return "the server is rate limiting; try again later or raise --retries" }
    if meaning.isServerFailure { return "the server failed; try again later or raise --retries" }
    if meaning.isNotAcceptable {
      return "the server cannot serve the simple API formats pyindex asks for (PEP 691 JSON or HTML); check that the URL is the index's simple API"
    }
    return nil
  }
}

/// An error pyindex has no words of its own for (from the system or a library), met while
/// working on `path`: reported as a local failure, its text kept.
public struct UnexpectedError: PyIndexError {
  public let path: String
  public let cause: any Error
  public var kind: FailureKind { .fileSystem }
  public var underlying: (any Error)? { cause }
  public var description: String { "\(path): \(cause)" }
}
