/// A link as a page wrote it (entity-decoded): a relative or absolute reference, not yet a
/// URL. It becomes a ``SafeURL`` when it is resolved against the page's base
/// (``resolved(against:)``), which happens only for the files a command uses, so that a page of
/// 100,000 links is not run through a URL parser 100,000 times when only a listing is wanted.
/// Prints redacted, as a URL does.
///
/// Its static functions are the RFC 3986 reference resolution and the few string operations
/// index pages need.
public struct URLReference: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
  /// The reference as the page gave it: only to derive the file name and digests, and to
  /// resolve it.
  public let text: String

  public init(_ text: String) { self.text = text }

  /// The absolute URL this reference names against `base`, without its fragment; nil when the
  /// result is not a URL.
  public func resolved(against base: SafeURL) -> SafeURL? { base.resolving(text)?.withoutFragment }

  /// The reference's scheme (lower-cased), nil when it is relative.
  public var scheme: String? { URLReference.scheme(of: text) }

  public var description: String { SafeURL(text)?.description ?? (text.contains("@") || text.contains("?") ? "****" : text) }
  public var debugDescription: String { description }

  /// Resolves `reference` against the absolute URL `base` (RFC 3986, section 5.2).
  public static func resolve(_ reference: String, against base: String) -> String {
    let ref = reference.trimmingASCIIWhitespace()
    if scheme(of: ref) != nil { return removeDotSegmentsInPath(ref) }
    guard let baseScheme = scheme(of: base) else { return ref }
    let b = split(base)
    if ref.hasPrefix("//") { return removeDotSegmentsInPath(baseScheme + ":" + ref) }
    if ref.isEmpty { return b.prefix + b.path + b.query }
    if ref.hasPrefix("#") { return b.prefix + b.path + b.query + ref }
    if ref.hasPrefix("?") { return b.prefix + b.path + ref }
    let r = split("x:" + ref)  // reuse the splitter for path/query/fragment of the reference
    let path: String
    if r.path.hasPrefix("/") {
      path = removeDotSegments(r.path)
    } else {
      let merged: String
      if b.path.isEmpty && !b.authorityEmpty {
        merged = "/" + r.path
      } else if let slash = b.path.lastIndex(of: "/") {
        merged = String(b.path[...slash]) + r.path
      } else {
        merged = r.path
      }
      path = removeDotSegments(merged)
    }
    return b.prefix + path + r.query + r.fragment
  }

  /// The fragment without `#`, or nil.
  public static func fragment(of reference: String) -> Substring? {
    guard let i = reference.utf8.firstIndex(of: UInt8(ascii: "#")) else { return nil }
    return reference[reference.utf8.index(after: i)...]
  }

  /// Digests in a URL fragment (`#sha256=…&md5=…`): known algorithms with non-empty values,
  /// and the names of hash algorithms pyindex cannot verify.
  public static func fragmentDigests(_ reference: String) -> (known: [String: String], unknown: [String]) {
    guard let fragment = fragment(of: reference), !fragment.isEmpty else { return ([:], []) }
    var known: [String: String] = [:], unknown: [String] = []
    for itemBytes in fragment.utf8.split(separator: UInt8(ascii: "&")) {
      let item = Substring(itemBytes)
      guard let eq = item.utf8.firstIndex(of: UInt8(ascii: "=")) else { continue }
      let name = item[..<eq].asciiLowercased(), value = item[item.utf8.index(after: eq)...].asciiLowercased()
      if HashAlgorithm(rawValue: name) != nil {
        if !value.isEmpty, known[name] == nil { known[name] = value }
      } else if unverifiable.contains(name) {
        unknown.append(name)
      }
    }
    return (known, unknown)
  }

  static let unverifiable: Set<String> = ["sha224", "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"]

  /// The last path segment of a URL or reference, percent-decoded once (never a separator:
  /// `a%252Fb.whl` gives `a%2Fb.whl`).
  public static func filename(of reference: String) -> String {
    // Fast path: contiguous bytes and nothing to percent-decode.
    let fast: String?? = reference.utf8.withContiguousStorageIfAvailable { b -> String? in
      var end = b.count
      for k in 0..<b.count where b[k] == UInt8(ascii: "#") || b[k] == UInt8(ascii: "?") { end = k; break }
      var start = end
      while start > 0, b[start - 1] != UInt8(ascii: "/") { start -= 1 }
      for k in start..<end where b[k] == UInt8(ascii: "%") { return nil }
      return String(decoding: UnsafeBufferPointer(rebasing: b[start..<end]), as: UTF8.self)
    }
    if let done = fast ?? nil { return done }
    let u = reference.utf8
    var end = u.endIndex
    if let i = u.firstIndex(where: { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") }) { end = i }
    var start = u.startIndex
    if let i = u[..<end].lastIndex(of: UInt8(ascii: "/")) { start = u.index(after: i) }
    let s = reference[start..<end]
    return percentDecode(s) ?? String(s)
  }

  /// The last path segment of `reference` as a slice of it, when it holds no `%` escape
  /// (nothing to decode); nil otherwise.
  public static func plainFilename(of reference: String) -> Substring? {
    let bounds: (Int, Int)?? = reference.utf8.withContiguousStorageIfAvailable { b -> (Int, Int)? in
      var end = b.count
      for k in 0..<b.count where b[k] == UInt8(ascii: "#") || b[k] == UInt8(ascii: "?") { end = k; break }
      var start = end
      while start > 0, b[start - 1] != UInt8(ascii: "/") { start -= 1 }
      for k in start..<end where b[k] == UInt8(ascii: "%") { return nil }
      return (start, end)
    }
    guard let found = bounds, let (start, end) = found else { return nil }
    let u = reference.utf8
    return reference[u.index(u.startIndex, offsetBy: start)..<u.index(u.startIndex, offsetBy: end)]
  }

  /// Percent-decodes once; `+` stays `+`; an invalid escape is kept as written.
  /// Returns nil when the result is not valid UTF-8.
  public static func percentDecode(_ s: Substring) -> String? {
    guard s.utf8.contains(UInt8(ascii: "%")) else { return String(s) }
    let utf8 = Array(s.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count)
    var i = 0
    while i < utf8.count {
      if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count, let h = hex(utf8[i + 1]), let l = hex(utf8[i + 2]) {
        out.append(h << 4 | l); i += 3
      } else { out.append(utf8[i]); i += 1 }
    }
    return String(validating: out, as: UTF8.self)
  }

  private static func hex(_ c: UInt8) -> UInt8? {
    switch c {
    case 0x30...0x39: c - 0x30
    case 0x41...0x46: c - 0x41 + 10
    case 0x61...0x66: c - 0x61 + 10
    default: nil
    }
  }

  /// The scheme of an absolute URL (lower-cased), or nil for a relative reference.
  public static func scheme(of s: String) -> String? {
    guard let colon = s.firstIndex(of: ":") else { return nil }
    let sc = s[..<colon]
    guard let f = sc.utf8.first, ASCII.isLetter(f),
      sc.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
    else { return nil }
    return sc.lowercased()
  }

  private struct Parts { var prefix: String; var path: String; var query: String; var fragment: String; var authorityEmpty: Bool }

  /// Splits `scheme:[//authority]path[?query][#fragment]`; prefix is `scheme:[//authority]`.
  private static func split(_ s: String) -> Parts {
    var rest = Substring(s)
    var fragment = "", query = ""
    if let i = rest.firstIndex(of: "#") { fragment = String(rest[i...]); rest = rest[..<i] }
    if let i = rest.firstIndex(of: "?") { query = String(rest[i...]); rest = rest[..<i] }
    guard let colon = rest.firstIndex(of: ":") else { return Parts(prefix: "", path: String(rest), query: query, fragment: fragment, authorityEmpty: true) }
    var prefix = String(rest[...colon])
    var after = rest[rest.index(after: colon)...]
    var authorityEmpty = true
    if after.hasPrefix("//") {
      let authStart = after.index(after.startIndex, offsetBy: 2)
      let authEnd = after[authStart...].firstIndex(of: "/") ?? after.endIndex
      prefix += String(after[..<authEnd])
      authorityEmpty = authStart == authEnd
      after = after[authEnd...]
    }
    return Parts(prefix: prefix, path: String(after), query: query, fragment: fragment, authorityEmpty: authorityEmpty)
  }

  private static func removeDotSegmentsInPath(_ s: String) -> String {
    let p = split(s)
    return p.prefix + removeDotSegments(p.path) + p.query + p.fragment
  }

  /// RFC 3986 section 5.2.4.
  static func removeDotSegments(_ path: String) -> String {
    guard path.contains(".") else { return path }
    var output: [Substring] = []
    let absolute = path.hasPrefix("/")
    let segments = path.split(separator: "/", omittingEmptySubsequences: false)
    let body = absolute ? segments.dropFirst() : segments[...]
    var trailingSlash = false
    for (k, seg) in body.enumerated() {
      let last = k == body.count - 1
      if seg == "." { trailingSlash = last; continue }
      if seg == ".." { if !output.isEmpty { output.removeLast() }; trailingSlash = last; continue }
      output.append(seg)
      trailingSlash = false
    }
    var result = (absolute ? "/" : "") + output.joined(separator: "/")
    if trailingSlash, !result.hasSuffix("/") { result += "/" }
    return result
  }
}

/// The file name a `Content-Disposition` header gives (RFC 6266): `filename*=UTF-8''…`
/// (percent-decoded) preferred over `filename="…"`, reduced to its last path component as pip
/// does; nil when there is none.
public enum ContentDisposition {
  public static func filename(_ header: String) -> String? {
    var plain: String?
    var extended: String?
    for part in splitParameters(header).dropFirst() {
      guard let eq = part.firstIndex(of: "=") else { continue }
      let key = part[..<eq].trimmingASCIIWhitespace().lowercased()
      var value = Substring(part[part.index(after: eq)...].trimmingASCIIWhitespace())
      switch key {
      case "filename":
        if value.count >= 2, value.first == "\"", value.last == "\"" {
          value = value.dropFirst().dropLast()
          plain = String(value.replacing("\\\"", with: "\"").replacing("\\\\", with: "\\"))
        } else {
          plain = String(value)
        }
      case "filename*":
        // charset'language'percent-encoded
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { continue }
        extended = URLReference.percentDecode(pieces[2])
      default: continue
      }
    }
    guard let name = extended ?? plain else { return nil }
    let base = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
    return base.isEmpty || base == "." || base == ".." ? nil : base
  }

  /// `;`-separated parts, quotes respected.
  static func splitParameters(_ header: String) -> [Substring] {
    var parts: [Substring] = []
    var start = header.startIndex
    var quoted = false
    var i = header.startIndex
    while i < header.endIndex {
      let c = header[i]
      if c == "\"" { quoted.toggle() } else if c == "\\", quoted, header.index(after: i) < header.endIndex { i = header.index(after: i) } else if c == ";", !quoted {
        parts.append(header[start..<i])
        start = header.index(after: i)
      }
      i = header.index(after: i)
    }
    parts.append(header[start...])
    return parts
  }
}
