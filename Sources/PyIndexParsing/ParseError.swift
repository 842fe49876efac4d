public import PyIndexModel

/// Why an index page could not be read.
public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The page declares an API major version this client does not speak.
  case unsupportedAPIVersion(String)
  /// The JSON body is not valid JSON or not a PEP 691 project page.
  case malformedJSON(offset: Int, reason: String)
  /// The body could not be read from its file.
  case unreadable(String)
  /// The page's `Content-Type` is not one of the simple-API types.
  case unsupportedContentType(String)

  public var description: String {
    switch self {
    case .unsupportedAPIVersion(let v): "the page declares repository API version \(v); pyindex reads 1.x"
    case .malformedJSON(let offset, let reason): "malformed PEP 691 JSON at byte \(offset): \(reason)"
    case .unreadable(let why): "could not read the page: \(why)"
    case .unsupportedContentType(let t): "unsupported Content-Type '\(t)'; expected application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html or text/html"
    }
  }
}

extension ParseError: PyIndexError {
  public var kind: FailureKind { .integrity }
  public var hint: String? {
    if case .unsupportedContentType = self { return "the URL may not be a simple index; check that it ends in /simple/ (or the registry's equivalent)" }
    return nil
  }
}

/// How much of each file entry a parser decodes.
public enum PageDetail: Sendable, Equatable {
  /// Everything the page model holds.
  case full
  /// What a version listing reads (file name, yanked, Requires-Python); digests, metadata, size
  /// and upload time are skipped, and the URL is kept only when the file name is missing.
  case listing
}

/// The page formats of the simple repository API.
public enum PageFormat: Sendable, Equatable {
  case html(charset: String?)
  case json

  /// The `Accept` header pyindex sends for project pages (JSON preferred, HTML accepted).
  public static let acceptHeader = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01"

  /// The format a `Content-Type` value announces.
  /// - Throws: ``ParseError/unsupportedContentType(_:)`` for anything else (`application/json` included).
  public init(contentType: String?) throws(ParseError) {
    let value = contentType ?? ""
    let parts = value.split(separator: ";").map { $0.trimmingCharacters(in: " \t").asciiLowercased() }
    let mime = parts.first ?? ""
    var charset: String? = nil
    for p in parts.dropFirst() where p.hasPrefix("charset=") {
      charset = String(p.dropFirst(8)).trimmingCharacters(in: "\"' ")
    }
    switch mime {
    case "application/vnd.pypi.simple.v1+json": self = .json
    case "application/vnd.pypi.simple.v1+html", "text/html": self = .html(charset: charset)
    default: throw .unsupportedContentType(value)
    }
  }
}

extension StringProtocol {
  /// Trims the ASCII characters of `set` from both ends, byte by byte.
  func trimmingCharacters(in set: StaticString) -> String {
    let chars = UnsafeBufferPointer(start: set.utf8Start, count: set.utf8CodeUnitCount)
    let whole = Substring(self)
    let u = whole.utf8
    var start = u.startIndex, end = u.endIndex
    while start < end, chars.contains(u[start]) { start = u.index(after: start) }
    while end > start, chars.contains(u[u.index(before: end)]) { end = u.index(before: end) }
    return String(whole[start..<end])
  }
}

/// Shared reading of hash fragments, yanked and metadata values.
enum LinkAttributes {
  /// A PEP 792 status as pyindex keeps it: lower-cased, nil for `active` or nothing; an
  /// unknown value is kept (cleaned, at most 40 characters) and treated as no status.
  static func projectStatus(_ text: String) -> String? {
    let s = ServerText.clean(text.trimmingCharacters(in: " ")).lowercased()
    return s.isEmpty || s == "active" ? nil : String(s.prefix(40))
  }

  static let knownAlgorithms = Set(HashAlgorithm.allCases.map(\.rawValue))

  /// `data-core-metadata` / `data-dist-info-metadata` values: `true`, `alg=hex`, or nil.
  static func metadata(_ value: String?) -> [String: String]? {
    guard let value else { return nil }
    let v = value.trimmingCharacters(in: " \t\n")
    if v.asciiLowercased() == "false" { return nil }
    if let eq = v.utf8.firstIndex(of: UInt8(ascii: "=")) {
      let alg = v[..<eq].asciiLowercased(), hex = v[v.utf8.index(after: eq)...].asciiLowercased()
      if knownAlgorithms.contains(alg), !hex.isEmpty { return [alg: hex] }
    }
    return [:]
  }

  /// Checks a declared repository version: a major above 1 is refused, a newer minor warned.
  static func checkAPIVersion(_ v: String, warnings: inout [String]) throws(ParseError) {
    let parts = v.split(separator: ".")
    guard let major = parts.first.flatMap({ Int($0) }) else { return }
    if major > 1 { throw .unsupportedAPIVersion(v) }
    if parts.count > 1, let minor = Int(parts[1]), minor > 4 {
      warnings.append("the index speaks repository API \(v), newer than the 1.4 pyindex knows; reading it as 1.4")
    }
  }
}
