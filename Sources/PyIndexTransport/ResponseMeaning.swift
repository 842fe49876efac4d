/// What an HTTP status means to pyindex, decided here once, below every caller: the transport
/// follows redirects (``isRedirect(_:)``) and retries what is ``isRetryable``; the client,
/// `serve` and `auth check` act on the rest. The only file in the product's modules that
/// names status codes.
public enum ResponseMeaning: Sendable, Equatable {
  /// 200: the page or file.
  case content
  /// 206: the part of a file asked for with `Range`.
  case partialContent
  /// 304: the cached page is still good.
  case notModified
  /// 404, 410: not on this index (on some registries, also: not for these credentials).
  case missing(status: Int)
  /// 401, 403: the credentials were missing, wrong, or not allowed to read this.
  case refused(status: Int)
  /// 408, 429, 5xx: worth retrying; still failing after the transport's retries.
  case unavailable(status: Int)
  /// Anything else (a redirect without a `Location`, 400, 406, …).
  case unexpected(status: Int)

  public init(status: Int) {
    switch status {
    case 200: self = .content
    case 206: self = .partialContent
    case 304: self = .notModified
    case 404, 410: self = .missing(status: status)
    case 401, 403: self = .refused(status: status)
    case 408, 429, 500...599: self = .unavailable(status: status)
    default: self = .unexpected(status: status)
    }
  }

  /// A redirect the transport follows when it names a `Location`: 301, 302, 303, 307, 308.
  public static func isRedirect(_ status: Int) -> Bool { [301, 302, 303, 307, 308].contains(status) }

  /// The status a missing local directory is reported with, as an index would answer.
  public static let notFoundStatus = 404
  /// The status of a local file read as if an index had answered it, and of a sign-in page.
  public static let contentStatus = 200

  /// Any 2xx: a token endpoint's success (STS answers 200, an IMDS token PUT too, some
  /// endpoints 201).
  public var isSuccess: Bool {
    if case .content = self { return true }
    if case .partialContent = self { return true }
    if case .unexpected(let status) = self { return (200..<300).contains(status) }
    return false
  }

  /// 408, 429 and 5xx: the transport retries them within `--retries`.
  public var isRetryable: Bool {
    if case .unavailable = self { return true }
    return false
  }

  /// 404 itself (not 410): what registries that hide refusals answer.
  public var isNotFound: Bool { self == .missing(status: 404) }

  /// 401: the credentials were refused as wrong (403: as lacking permission).
  public var isUnauthorized: Bool { self == .refused(status: 401) }

  /// 5xx: the server failed.
  public var isServerFailure: Bool {
    if case .unavailable(let s) = self { return s >= 500 }
    return false
  }

  /// 429: the server is rate limiting.
  public var isRateLimited: Bool { self == .unavailable(status: 429) }

  /// 406: the server has none of the formats asked for.
  public var isNotAcceptable: Bool { self == .unexpected(status: 406) }

  /// The reason phrase of a refusal: "Unauthorized" or "Forbidden".
  public var refusalPhrase: String { isUnauthorized ? "Unauthorized" : "Forbidden" }
}
