public import PyIndexModel

/// Errors in credential configuration, found before any request is sent.
public enum AuthError: PyIndexError, Equatable {
  public var kind: FailureKind { .usage }

  /// The URL cannot be parsed, most likely because a secret holds a raw `/`, `?` or `#`.
  /// Carries the URL redacted.
  case secretNeedsEncoding(redacted: String)
  /// Userinfo that does not percent-decode to UTF-8.
  case userinfoNotUTF8(redacted: String)
  /// Not an absolute http, https or file URL.
  case invalidURL(redacted: String, reason: String)

  public var description: String {
    switch self {
    case .secretNeedsEncoding(let r): "cannot parse the index URL \(r): its user name or password seems to contain a raw '/', '?' or '#'"
    case .userinfoNotUTF8(let r): "the credentials in the index URL \(r) do not percent-decode to UTF-8"
    case .invalidURL(let r, let reason): "invalid index URL \(r): \(reason)"
    }
  }

  /// What the user can do about it.
  public var hint: String? {
    switch self {
    case .secretNeedsEncoding, .userinfoNotUTF8:
      "percent-encode the user name and password (/ → %2F, ? → %3F, # → %23, @ → %40, % → %25), or put the password in PYINDEX_PASSWORD and the user in PYINDEX_USERNAME, which take raw values"
    case .invalidURL: "index URLs look like https://host/simple/ or file:///path/to/simple/"
    }
  }
}
