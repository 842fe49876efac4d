public import PyIndexModel

/// A configuration file or value pyindex cannot use: a usage error (exit 64) naming the file
/// and line, or the variable, it came from. A value that may hold a secret is never repeated.
public struct ConfigError: PyIndexError, Hashable {
  /// What went wrong, without the place.
  public let reason: String
  /// Where: a file and line, a variable.
  public let source: SettingSource
  public let hint: String?

  public init(_ reason: String, at source: SettingSource, hint: String? = nil) {
    self.reason = reason
    self.source = source
    self.hint = hint
  }

  public var kind: FailureKind { .usage }
  public var description: String { "\(source): \(reason)" }
}

/// An error of another module about a configured value (an index URL that cannot be parsed),
/// said with the place the value came from; its kind and hint are kept.
public struct SourcedError: PyIndexError {
  public let source: SettingSource
  public let error: any PyIndexError
  public init(_ error: any PyIndexError, from source: SettingSource) {
    self.error = error
    self.source = source
  }
  public var kind: FailureKind { error.kind }
  public var hint: String? { error.hint }
  public var underlying: (any Error)? { error }
  public var description: String { "\(error.description) (from \(source))" }
}
