public import PyIndexModel

/// In tests, a URL may be written as a literal (`pageURL: "https://h/simple/p/"`); one that does
/// not parse stops the test at once. Product code parses text with `SafeURL(parsing:)`.
extension SafeURL: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) {
    guard let url = SafeURL(value) else { preconditionFailure("not a URL: \(value)") }
    self = url
  }
}
