/// A URL that redacts itself whenever it is printed, as uv's `DisplaySafeUrl` does: string
/// interpolation, `description`, `debugDescription` and `dump` all show it with its userinfo
/// and every query value masked (``Redaction/redact(_:)``). The text with its secrets comes
/// out only through ``revealedForRequest()``, which is called where a request is built or a
/// link is resolved, so a leak needs a deliberate call that `grep revealedForRequest` finds.
///
/// Errors, the `-v` trace, JSON output, serve's log and the final URL of a response carry
/// URLs as this type.
public struct DisplaySafeURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  private let raw: String

  /// Wraps `url` (any text: a URL, or what was meant as one).
  public init(_ url: String) { raw = url }

  /// The URL with its secrets masked.
  public var description: String { Redaction.redact(raw) }
  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: ["url": description]) }

  /// The URL as given, secrets included: only to build a request or to resolve a reference.
  public func revealedForRequest() -> String { raw }
}
