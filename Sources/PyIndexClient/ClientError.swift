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

/// Everything that can stop `index versions`, `download` or `serve`: a struct over an internal
/// code (after async-http-client's `HTTPClientError`), each carrying what the user needs to fix
/// it. URLs redact themselves when printed (``SafeURL``); the
/// exit code follows from ``kind`` (``FailureKind/exitCode``, the one table).
public struct ClientError: PyIndexError {
  /// What happened, with what its words need. Internal: callers ask ``kind``, ``description``,
  /// ``hint`` and the accessors below, so a new case changes this file only.
  enum Code: Sendable {
    /// The project is on no index.
    case projectNotFound(ProjectName, searched: [SearchedLocation])
    /// PEP 792: an index says the project is quarantined and lists none of its files.
    case quarantined(ProjectName, index: String, reason: String?)
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
    /// What a server sent cannot be used (a `Content-Disposition` naming another file, a link
    /// that is no URL): it is the server's fault, not the user's.
    case badAnswer(String, hint: String?)
    /// A fault of pyindex itself (a state that should not happen), said rather than trapped.
    case internalFault(String)
  }

  /// What happened.
  let code: Code

  init(_ code: Code) { self.code = code }

  /// The project is on no index.
  public static func projectNotFound(_ project: ProjectName, searched: [SearchedLocation]) -> ClientError { .init(.projectNotFound(project, searched: searched)) }
  public static func quarantined(_ project: ProjectName, index: String, reason: String?) -> ClientError { .init(.quarantined(project, index: index, reason: reason)) }
  /// No file satisfies the requirement and target.
  public static func noMatchingDistribution(requirement: String, versions: [String], yanked: [String], wrongPython: [String]) -> ClientError {
    .init(.noMatchingDistribution(requirement: requirement, versions: versions, yanked: yanked, wrongPython: wrongPython))
  }
  /// 401, 403, or a sign-in page instead of an index.
  public static func authentication(url: SafeURL, status: Int, loginPage: Bool, source: CredentialSource) -> ClientError {
    .init(.authentication(url: url, status: status, loginPage: loginPage, source: source))
  }
  /// DNS, connection, TLS, timeout, refused redirect, body cut short.
  public static func network(_ error: TransportError) -> ClientError { .init(.network(error)) }
  /// A status that is neither success, not-found nor an auth failure (after retries).
  public static func httpStatus(url: SafeURL, status: Int) -> ClientError { .init(.httpStatus(url: url, status: status)) }
  /// The page answered but could not be read.
  public static func unreadablePage(url: SafeURL, _ error: ParseError) -> ClientError { .init(.unreadablePage(url: url, error)) }
  /// More usable files or versions of a project than pyindex keeps.
  public static func tooManyFiles(project: ProjectName, what: String, limit: Int) -> ClientError { .init(.tooManyFiles(project: project, what: what, limit: limit)) }
  /// A digest did not match; nothing was written under the final name.
  public static func digestMismatch(filename: String, url: SafeURL, algorithm: String, expected: String, actual: String) -> ClientError {
    .init(.digestMismatch(filename: filename, url: url, algorithm: algorithm, expected: expected, actual: actual))
  }
  /// `--require-hashes`: requirements without a hash, or without an `==` pin.
  public static func hashesRequired(missing: [String], unpinned: Bool) -> ClientError { .init(.hashesRequired(missing: missing, unpinned: unpinned)) }
  /// No set of versions satisfies the requirements; the text names the chains.
  public static func dependencyConflict(_ text: String) -> ClientError { .init(.dependencyConflict(text)) }
  /// A dependency declared by a distribution names a `file:` location.
  public static func localDependency(shown: String) -> ClientError { .init(.localDependency(shown: shown)) }
  /// A local file or directory problem.
  public static func fileSystem(path: String, detail: String) -> ClientError { .init(.fileSystem(path: path, detail: detail)) }
  /// Bad input found before any request: what the user typed or configured (exit 64).
  public static func usage(_ message: String, hint: String?) -> ClientError { .init(.usage(message, hint: hint)) }
  /// What a server sent cannot be used (exit 4, as an untrustworthy answer).
  public static func badAnswer(_ message: String, hint: String?) -> ClientError { .init(.badAnswer(message, hint: hint)) }
  /// A fault of pyindex itself.
  public static func internalFault(_ message: String) -> ClientError { .init(.internalFault(message)) }
  /// Another module's error, kept whole (its kind, text and hint are its own).
  public static func wrapped(_ error: any PyIndexError) -> ClientError { .init(.wrapped(error)) }

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
    switch code {
    case .projectNotFound, .quarantined, .noMatchingDistribution, .dependencyConflict, .localDependency: .resolution
    case .authentication: .authentication
    case .network, .httpStatus: .network
    case .unreadablePage, .digestMismatch, .hashesRequired, .tooManyFiles, .badAnswer: .integrity
    // Exit 1, as an error pyindex has no words for (``UnexpectedError``).
    case .fileSystem, .internalFault: .fileSystem
    case .usage: .usage
    case .wrapped(let e): e.kind
    }
  }

  public var underlying: (any Error)? {
    switch code {
    case .network(let e): e
    case .unreadablePage(_, let e): e
    case .wrapped(let e): e
    default: nil
    }
  }

  public var description: String {
    switch code {
    case .projectNotFound(let p, _): "No matching distribution found for \(p.typed)"
    case .quarantined(let p, let index, let reason):
      "\(p.typed) is quarantined on \(index)\(reason.map { " (\(ServerText.clean($0).prefix(300)))" } ?? ""): the index offers none of its files"
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
    case .usage(let m, _), .badAnswer(let m, _): m
    case .internalFault(let m): "\(m) (a fault of pyindex itself)"
    case .wrapped(let e): e.description
    }
  }

  /// The project is on no index.
  public var isProjectNotFound: Bool {
    if case .projectNotFound = code { return true }
    return false
  }

  /// Nothing of the project fits: it is on no index, or no file satisfies the requirement
  /// (`serve` answers 404).
  public var isNotFound: Bool {
    switch code {
    case .projectNotFound, .quarantined, .noMatchingDistribution: true
    default: false
    }
  }

  /// The status an index answered with, when that is the failure.
  public var httpFailure: (url: SafeURL, status: Int)? {
    if case .httpStatus(let url, let status) = code { return (url, status) }
    return nil
  }

  /// What pip prints before "No matching distribution found": the requirement, the versions
  /// there are, and those left out as yanked or for another Python.
  public var noMatch: (requirement: String, versions: [String], yanked: [String], wrongPython: [String])? {
    if case .noMatchingDistribution(let r, let v, let y, let w) = code { return (r, v, y, w) }
    return nil
  }

  /// Whether the run failed to resolve (nothing fits, or requirements conflict): such a run
  /// leaves DEST as it was.
  public var isResolutionFailure: Bool { kind == .resolution }

  /// Whether wrong credentials could explain this failure: an authentication failure with
  /// credentials sent, or a 404 (GitLab, CodeArtifact) with credentials sent.
  public var credentialsMayBeTheCause: Bool {
    switch code {
    case .authentication(_, _, _, let source): source != .none
    case .projectNotFound(_, let searched): searched.contains { $0.meaning.isNotFound && $0.source != .none }
    default: false
    }
  }

  /// What to try next, when known.
  public var hint: String? {
    switch code {
    case .tooManyFiles: "a page this large is broken or hostile: ask the index's operator, or name the file with a direct URL (name @ URL)"
    case .projectNotFound(_, let searched): Self.notFoundHint(searched)
    case .quarantined: "a quarantined project is considered unsafe to use (malware, say, PEP 792); its files come back only if the index lifts the quarantine"
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
    case .usage(_, let hint), .badAnswer(_, let hint): hint
    case .internalFault: "please report it, with the command that was run"
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
