/// The classes of failure, each with its exit code. Every error pyindex reports names
/// one, and ``exitCode`` is the only table from a failure to an exit code.
public enum FailureKind: String, Sendable, Hashable, CaseIterable {
  /// Nothing fits: the project is on no index, no file satisfies the requirement, or the
  /// requirements exclude each other.
  case resolution
  /// A local file or directory could not be read or written.
  case fileSystem
  /// 401, 403, a sign-in page, or credentials that are certainly wrong.
  case authentication
  /// DNS, connection, TLS, proxy, timeout, a refused redirect, a server that kept failing.
  case network
  /// An answer that cannot be trusted or read: a digest mismatch, a missing hash, a page
  /// that is not a simple-API page.
  case integrity
  /// Bad input found before any request.
  case usage

  /// The exit code (`docs/exit-codes.md` lists them).
  public var exitCode: Int32 {
    switch self {
    case .resolution, .fileSystem: 1
    case .authentication: 2
    case .network: 3
    case .integrity: 4
    case .usage: 64
    }
  }
}

/// An error pyindex reports to its user: it says what happened (``description``), what to try
/// (``hint``), which class of failure it is (``kind``, hence the exit code), and keeps the error
/// it was caused by (``underlying``). Every module's error adopts it, so the command line has
/// one `catch` and one exit-code table — after async-http-client's `HTTPClientError` and
/// hummingbird's `HTTPResponseError`.
public protocol PyIndexError: Error, Sendable, CustomStringConvertible {
  /// The class of failure; the exit code follows from it.
  var kind: FailureKind { get }
  /// What to try next, when known.
  var hint: String? { get }
  /// The error this one was caused by, when it wraps one.
  var underlying: (any Error)? { get }
}

extension PyIndexError {
  public var hint: String? { nil }
  public var underlying: (any Error)? { nil }
  /// The contract's exit code for this error.
  public var exitCode: Int32 { kind.exitCode }
}

extension ModelError: PyIndexError {
  public var kind: FailureKind { .usage }
  public var hint: String? {
    switch self {
    case .invalidProjectName: "project names are letters, digits, '.', '-' and '_', starting and ending with a letter or digit (PEP 508)"
    case .invalidVersion, .invalidSpecifier: "versions and specifiers follow PEP 440: 1.2, 1.2.3rc1, >=1,<2, ~=1.4, ==1.*"
    case .invalidRequirement: "requirements follow PEP 508: name, name[extra]>=1,<2; python_version < \"3.12\", or name @ https://…/file.whl"
    case .invalidPythonVersion: nil
    }
  }
}

extension RequirementsFile.ParseError: PyIndexError {
  public var kind: FailureKind { .usage }
  public var hint: String? { "requirements files follow pip's format: https://pip.pypa.io/en/stable/reference/requirements-file-format/" }
}
