/// An absolute URL, parsed once where it enters pyindex (a flag, a file, a page's link, a
/// `Location` header) and carried as this value from then on, as uv's `DisplaySafeUrl` is.
///
/// - The authority ends at the first `/`, `?` or `#`; its last `@` ends the userinfo, whose
///   first `:` ends the user name. The split is made on bytes, so no character fused with a
///   delimiter into one grapheme (U+0600 before `@`) hides where a server would split.
/// - The userinfo is decoded once into ``userinfo`` and kept apart: ``revealedForRequest()``
///   never carries it.
/// - The host is lower-cased in ASCII only (no Unicode case rule can make two hosts one).
/// - It prints only redacted: string interpolation, `description`, `debugDescription` and
///   `dump` show the password (or a lone user name, which is a token) and every query value as
///   `****`. The text with the query's secrets comes out only through ``revealedForRequest()``,
///   called where a request is built, so `grep revealedForRequest` finds every such place.
public struct SafeURL: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// The scheme, lower-cased (`https`, `file`, `git+https`).
  public let scheme: String
  /// The userinfo, decoded; nil when the URL has none.
  public let userinfo: Userinfo?
  /// The host with ASCII letters lower-cased; IPv6 literals keep their brackets; empty for
  /// `file:///…`.
  public let host: String
  /// The port as written, nil when none was.
  public let port: Int?
  /// The path as written (still percent-encoded), `""` when the URL has none.
  public let path: String
  /// The query without its `?`, nil when there is none.
  public let query: String?
  /// The fragment without its `#`, nil when there is none (never sent; pip's `#sha256=…`).
  public let fragment: String?

  /// A URL's userinfo, percent-decoded once (`+` stays `+`). Prints as `****`.
  public struct Userinfo: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The user name (the whole userinfo when it has no `:`).
    public let user: String
    /// The password; nil when the userinfo had no `:` (`token@host`).
    public let password: String?
    /// The user name as written (still encoded): the one part a redacted URL shows, when a
    /// password follows it.
    let writtenUser: String
    /// The userinfo as written, to say which characters should have been encoded.
    public let written: String

    public var description: String { "****" }
    public var debugDescription: String { "****" }
    public var customMirror: Mirror { Mirror(self, children: ["userinfo": "****"]) }
  }

  /// Why a text is not a URL pyindex can use. Never carries the text.
  public enum Problem: Error, Sendable, Hashable {
    /// No `scheme://` (a relative reference, or a typo).
    case notAbsolute
    /// `scheme://` and nothing, or only a userinfo, before the path.
    case noHost
    /// The port is not a number from 0 to 65535.
    case badPort
    /// The host holds a space, a backslash, a control character, or a `:` outside brackets.
    case badHost
    /// The userinfo is not UTF-8 once decoded.
    case userinfoNotUTF8
    /// The authority holds no `@` but one follows later: a secret with a raw `/`, `?` or `#`
    /// (see ``SafeURL/looksLikeRawSecret``; only where a URL is configured is this refused).
    case secretNeedsEncoding

    /// Why, in a few words.
    public var reason: String {
      switch self {
      case .notAbsolute: "not an absolute URL"
      case .noHost: "it names no host"
      case .badPort: "its port is not a number from 0 to 65535"
      case .badHost: "its host holds a space, a backslash, a control character or a second ':'"
      case .userinfoNotUTF8: "its credentials are not UTF-8 once percent-decoded"
      case .secretNeedsEncoding: "its credentials hold a raw '/', '?' or '#'; percent-encode them"
      }
    }
  }

  /// Parses `text` (surrounding ASCII white space ignored).
  /// - Throws: ``Problem`` saying why it is not a URL; the text itself is never in it.
  public init(parsing text: String) throws(Problem) {
    let raw = Array(text.utf8)
    var lo = 0, hi = raw.count
    while lo < hi, SafeURL.isSpace(raw[lo]) { lo += 1 }
    while hi > lo, SafeURL.isSpace(raw[hi - 1]) { hi -= 1 }
    let b = raw[lo..<hi]
    // scheme ":" "//"
    guard let colon = b.firstIndex(of: UInt8(ascii: ":")), colon > lo, ASCII.isLetter(b[lo]),
      b[lo..<colon].allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
      b[(colon + 1)...].starts(with: "//".utf8)
    else { throw .notAbsolute }
    let scheme = SafeURL.lowercased(b[lo..<colon])
    let authStart = colon + 3
    var authEnd = authStart
    while authEnd < hi, b[authEnd] != UInt8(ascii: "/"), b[authEnd] != UInt8(ascii: "?"), b[authEnd] != UInt8(ascii: "#") { authEnd += 1 }
    var hostStart = authStart
    if let at = b[authStart..<authEnd].lastIndex(of: UInt8(ascii: "@")) {
      userinfo = try SafeURL.userinfo(b[authStart..<at])
      hostStart = at + 1
    } else {
      userinfo = nil
    }
    self.scheme = scheme
    (host, port) = try SafeURL.hostAndPort(b[hostStart..<authEnd], scheme: scheme)
    var rest = b[authEnd..<hi]
    if let h = rest.firstIndex(of: UInt8(ascii: "#")) {
      fragment = String(decoding: rest[(h + 1)...], as: UTF8.self)
      rest = rest[..<h]
    } else {
      fragment = nil
    }
    if let q = rest.firstIndex(of: UInt8(ascii: "?")) {
      query = String(decoding: rest[(q + 1)...], as: UTF8.self)
      rest = rest[..<q]
    } else {
      query = nil
    }
    path = String(decoding: rest, as: UTF8.self)
  }

  /// The userinfo between `//` and the authority's last `@`: the user up to the first `:`, each
  /// part percent-decoded once.
  private static func userinfo(_ info: ArraySlice<UInt8>) throws(Problem) -> Userinfo {
    let userEnd = info.firstIndex(of: UInt8(ascii: ":")) ?? info.endIndex
    guard let user = SafeURL.percentDecode(info[..<userEnd]) else { throw .userinfoNotUTF8 }
    var password: String? = nil
    if userEnd < info.endIndex {
      guard let p = SafeURL.percentDecode(info[(userEnd + 1)...]) else { throw .userinfoNotUTF8 }
      password = p
    }
    return Userinfo(user: user, password: password, writtenUser: String(decoding: info[..<userEnd], as: UTF8.self), written: String(decoding: info, as: UTF8.self))
  }

  /// The host (ASCII-lower-cased; brackets kept for IPv6) and the port (nil when it is the
  /// scheme's default) of an authority without its userinfo.
  private static func hostAndPort(_ authority: ArraySlice<UInt8>, scheme: String) throws(Problem) -> (host: String, port: Int?) {
    let (hostStart, authEnd) = (authority.startIndex, authority.endIndex)
    var hostEnd = authEnd
    var portText: ArraySlice<UInt8>? = nil
    if hostStart < authEnd, authority[hostStart] == UInt8(ascii: "[") {
      guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { throw .badHost }
      hostEnd = close + 1
      if hostEnd < authEnd {
        guard authority[hostEnd] == UInt8(ascii: ":") else { throw .badHost }
        portText = authority[(hostEnd + 1)..<authEnd]
      }
    } else if let c = authority.lastIndex(of: UInt8(ascii: ":")) {
      hostEnd = c
      portText = authority[(c + 1)..<authEnd]
    }
    var port: Int? = nil
    if let portText, !portText.isEmpty {
      guard portText.count <= 5, portText.allSatisfy(ASCII.isDigit), let p = Int(String(decoding: portText, as: UTF8.self)), p <= 65535 else { throw .badPort }
      // A default port is left out, as a browser does: `https://h:443/` is `https://h/`, and
      // the Host header (which a presigned URL's signature covers) says `h`.
      port = p == SafeURL.defaultPort(scheme) ? nil : p
    }
    let hostBytes = authority[hostStart..<hostEnd]
    // Non-ASCII hosts parse, so that the outbound policy can refuse them saying why.
    guard hostBytes.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\\") }) else { throw .badHost }
    // A ':' outside brackets ends the host; a second one is no host at all.
    if hostBytes.first != UInt8(ascii: "["), hostBytes.contains(UInt8(ascii: ":")) { throw .badHost }
    var host = SafeURL.lowercased(hostBytes)
    if scheme == "file" {
      if host == "localhost" { host = "" }
    } else if host.isEmpty {
      throw .noHost
    }
    return (host, port)
  }

  /// Parses `text`, or nil when it is not a URL (see ``init(parsing:)``).
  public init?(_ text: String) {
    guard let url = try? SafeURL(parsing: text) else { return nil }
    self = url
  }

  private init(scheme: String, userinfo: Userinfo?, host: String, port: Int?, path: String, query: String?, fragment: String?) {
    (self.scheme, self.userinfo, self.host, self.port, self.path, self.query, self.fragment) = (scheme, userinfo, host, port, path, query, fragment)
  }

  /// A URL made of parts already valid: a scheme, an ASCII host (IPv6 in brackets), a port and
  /// a path (encoded).
  public init(scheme: String, host: String, port: Int?, path: String) {
    let scheme = SafeURL.asciiLowercased(scheme)
    self.init(scheme: scheme, userinfo: nil, host: SafeURL.asciiLowercased(host), port: port == SafeURL.defaultPort(scheme) ? nil : port, path: path, query: nil, fragment: nil)
  }

  /// A `file:` URL for an absolute local path (percent-encoded as a path must be).
  public init(filePath: String) {
    self.init(scheme: "file", userinfo: nil, host: "", port: nil, path: SafeURL.percentEncode(filePath, keeping: .path), query: nil, fragment: nil)
  }

  // MARK: Derived values

  /// The same URL without its userinfo.
  public var withoutUserinfo: SafeURL { with(userinfo: nil) }

  /// The same URL without its fragment.
  public var withoutFragment: SafeURL { fragment == nil ? self : SafeURL(scheme: scheme, userinfo: userinfo, host: host, port: port, path: path, query: query, fragment: nil) }

  /// The same URL with another fragment (`sha256=…` for a file's digest).
  public func with(fragment: String?) -> SafeURL {
    SafeURL(scheme: scheme, userinfo: userinfo, host: host, port: port, path: path, query: query, fragment: fragment)
  }

  /// The same URL with another userinfo.
  public func with(userinfo: Userinfo?) -> SafeURL {
    SafeURL(scheme: scheme, userinfo: userinfo, host: host, port: port, path: path, query: query, fragment: fragment)
  }

  /// The same URL, `suffix` appended to its path, the query kept (PEP 658: `….whl.metadata`).
  public func appendingToPath(_ suffix: String) -> SafeURL { with(path: path + suffix, query: query) }

  /// The same URL with another path (already encoded) and query.
  public func with(path: String, query: String?) -> SafeURL {
    SafeURL(scheme: scheme, userinfo: userinfo, host: host, port: port, path: path, query: query, fragment: nil)
  }

  /// The port, or the scheme's default (80, 443).
  public var effectivePort: Int? { port ?? SafeURL.defaultPort(scheme) }

  /// Scheme, host and port, the default port made explicit.
  public var origin: Origin { Origin(scheme: scheme, host: host, port: effectivePort ?? -1) }

  public var isFile: Bool { scheme == "file" }
  /// Whether the host holds ASCII characters only.
  public var hasASCIIHost: Bool { host.utf8.allSatisfy { $0 < 0x80 } }
  public var isWeb: Bool { scheme == "http" || scheme == "https" }

  /// The local path of a `file:` URL, percent-decoded; nil for any other scheme.
  public var filePath: String? {
    guard isFile else { return nil }
    return SafeURL.percentDecode(Substring(path)) ?? path
  }

  /// The last path segment, percent-decoded once.
  public var lastSegment: String {
    let seg = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
    return SafeURL.percentDecode(seg) ?? String(seg)
  }

  /// Whether the host is `localhost`, an address of 127.0.0.0/8, or `::1`.
  public var isLoopback: Bool { SafeURL.isLoopback(host: host) }

  /// Whether the host is `localhost`, an address of 127.0.0.0/8, or `::1` (brackets allowed).
  public static func isLoopback(host: String) -> Bool {
    var h = Substring(host)
    if h.hasPrefix("["), h.hasSuffix("]") { h = h.dropFirst().dropLast() }
    if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
    let octets = h.split(separator: ".", omittingEmptySubsequences: false)
    guard octets.count == 4, octets.allSatisfy({ o in !o.isEmpty && o.count <= 3 && o.allSatisfy { $0.isASCII && $0.isNumber } && (Int(o) ?? 256) < 256 }) else { return false }
    return octets[0] == "127"
  }

  /// `reference` (a link, a `Location` header, a `<base href>`) resolved against this URL by
  /// RFC 3986, or nil when the result is not a URL.
  public func resolving(_ reference: String) -> SafeURL? {
    SafeURL(URLReference.resolve(reference, against: serialized(userinfo: true, fragment: false, revealQuery: true)))
  }

  /// The URL of a project page under this index URL: `<path>/<name>/`, the query kept after it
  /// (`…/simple/?private_token=…`).
  public func appendingDirectory(_ segment: String) -> SafeURL {
    var p = path
    if !p.hasSuffix("/") { p += "/" }
    return SafeURL(scheme: scheme, userinfo: userinfo, host: host, port: port, path: p + SafeURL.percentEncode(segment, keeping: .segment) + "/", query: query, fragment: nil)
  }

  /// The text to send: `scheme://host[:port]path[?query]`, without userinfo or fragment,
  /// characters a request line may not hold percent-encoded. Holds the query's secrets: only
  /// where a request is built.
  public func revealedForRequest() -> String {
    SafeURL.percentEncode(serialized(userinfo: false, fragment: false, revealQuery: true), keeping: .request)
  }

  /// The text with userinfo and query as given: only to hand a URL to another program that
  /// needs it whole (a keyring helper, pip through serve's configuration).
  public func revealedWithSecrets() -> String { serialized(userinfo: true, fragment: true, revealQuery: true) }

  /// Whether the authority holds no `@` but the path, query or fragment does: what a user meant as a
  /// secret with a raw `/`, `?` or `#` in it (`https://user:pa/ss@host/`). Refused where a URL
  /// is configured; printed with everything up to that `@` masked.
  public var looksLikeRawSecret: Bool {
    userinfo == nil
      && (path.utf8.contains(UInt8(ascii: "@")) || query?.utf8.contains(UInt8(ascii: "@")) == true || fragment?.utf8.contains(UInt8(ascii: "@")) == true)
  }

  /// The URL as it may be printed: userinfo (all of it when it has no password) and every
  /// query value as `****`, a URL nested in the path or query masked likewise.
  public var description: String { serialized(userinfo: true, fragment: true, revealQuery: false) }
  public var debugDescription: String { description }
  public var customMirror: Mirror { Mirror(self, children: ["url": description]) }

  private func serialized(userinfo withUserinfo: Bool, fragment withFragment: Bool, revealQuery: Bool) -> String {
    var s = scheme + "://"
    if !revealQuery {
      let whole = serialized(userinfo: true, fragment: true, revealQuery: true)
      if whole.utf8.contains(where: { $0 >= 0x80 }), URLMasking.isFused(Substring(whole)) {
        // A delimiter fused with a neighbour into one grapheme: what is nested where cannot be
        // told apart, so all but the scheme is masked.
        return s + "****"
      }
    }
    if !revealQuery, looksLikeRawSecret {
      // Where the secret ends cannot be known: everything up to the last `@` is masked.
      let rest = path + (query.map { "?" + $0 } ?? "") + (fragment.map { "#" + $0 } ?? "")
      let at = rest.lastIndex(of: "@") ?? rest.startIndex
      let tail = rest[rest.index(after: at)...]
      let queryBegan = rest[..<at].contains("?")
      return s + "****@" + (queryBegan ? URLMasking.maskItems(tail, continuing: true) : URLMasking.maskQuery(String(tail)))
    }
    if withUserinfo, let userinfo {
      if revealQuery {
        s += userinfo.written + "@"
      } else {
        s += (userinfo.password == nil ? "****" : userinfo.writtenUser + ":****") + "@"
      }
    }
    s += host
    if let port { s += ":\(port)" }
    if revealQuery {
      s += path
      if let query { s += "?" + query }
    } else {
      s += URLMasking.maskNested(path)
      if let query { s += "?" + URLMasking.maskNested(URLMasking.maskItems(Substring(query), continuing: false)) }
    }
    if withFragment, let fragment { s += "#" + fragment }
    return s
  }

  // MARK: Encoding

  /// Which characters ``percentEncode(_:keeping:)`` keeps as they are.
  public enum Keep: Sendable {
    /// One path segment: unreserved characters and sub-delimiters, `:` and `@` (`/` encoded).
    case segment
    /// A path: as a segment, and `/`.
    case path
    /// A whole request URL: every printable ASCII character but `"<>\^`{|}`, escapes left alone.
    case request
  }

  /// `text` with every byte `keep` does not allow written as `%XX`. The one percent-encoder.
  public static func percentEncode(_ text: String, keeping keep: Keep) -> String {
    let hex = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(text.utf8.count)
    for c in text.utf8 {
      let kept: Bool
      switch keep {
      case .request: kept = c > 0x20 && c < 0x7F && !"\"<>\\^`{|}".utf8.contains(c)
      case .segment: kept = isUnreserved(c) || "!$&'()*+,;=:@".utf8.contains(c)
      case .path: kept = isUnreserved(c) || "!$&'()*+,;=:@/".utf8.contains(c)
      }
      if kept { out.append(c) } else { out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]] }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// Percent-decodes once; `+` stays `+`; an invalid escape is kept as written. Nil when the
  /// result is not UTF-8.
  public static func percentDecode(_ s: Substring) -> String? { URLReference.percentDecode(s) }

  static func percentDecode(_ bytes: ArraySlice<UInt8>) -> String? {
    URLReference.percentDecode(Substring(String(decoding: bytes, as: UTF8.self))).flatMap { decoded in
      // Raw bytes that were not UTF-8 were replaced while decoding to a String: refuse them.
      String(validating: bytes, as: UTF8.self) == nil ? nil : decoded
    }
  }

  static func isUnreserved(_ c: UInt8) -> Bool {
    ASCII.isLetter(c) || ASCII.isDigit(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "~")
  }

  static func defaultPort(_ scheme: String) -> Int? {
    switch scheme { case "http": 80; case "https": 443; default: nil }
  }

  private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  /// `bytes` with `A`–`Z` lower-cased and every other byte as it is.
  static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
    String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
  }

  /// `text` with `A`–`Z` lower-cased and every other character as it is.
  public static func asciiLowercased(_ text: some StringProtocol) -> String {
    String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
  }
}

/// A URL origin: scheme, host and port, default ports made explicit so that `https://h` and
/// `https://h:443` are the same origin.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
  public let scheme: String
  public let host: String
  public let port: Int

  public init(scheme: String, host: String, port: Int) {
    self.scheme = SafeURL.asciiLowercased(scheme)
    self.host = SafeURL.asciiLowercased(host)
    self.port = port
  }

  /// Whether going from `self` to `other` is an upgrade from http to https on the same host,
  /// both on default ports.
  public func upgrades(to other: Origin) -> Bool {
    scheme == "http" && port == 80 && other.scheme == "https" && other.port == 443 && host == other.host
  }

  public var description: String {
    port == SafeURL.defaultPort(scheme) ? "\(scheme)://\(host)" : "\(scheme)://\(host):\(port)"
  }
}

/// The masks a printed URL wears: query values, and the userinfo of URLs nested in a path or a
/// query. Shared by ``SafeURL`` and the free-text redaction.
package enum URLMasking {
  /// `@` look-alikes: fullwidth and small commercial at.
  package static let lookAlikeAt: Set<Unicode.Scalar> = ["\u{FF20}", "\u{FE6B}"]

  /// Whether a delimiter of `word` is fused with a neighbour into one grapheme, or an `@`
  /// look-alike is there: where a userinfo ends cannot then be read the way a server reads it.
  package static func isFused(_ word: Substring) -> Bool {
    let delimiters: Set<Unicode.Scalar> = ["@", ":", "/", "?", "#"]
    if word.unicodeScalars.contains(where: { lookAlikeAt.contains($0) }) { return true }
    let scalars = word.unicodeScalars.filter { delimiters.contains($0) }.count
    let alone = word.filter { c in c.unicodeScalars.count == 1 && c.unicodeScalars.first.map(delimiters.contains) == true }.count
    return scalars != alone
  }

  /// URLs nested in a path or query (`/proxy/https://user:pw@host/`, `?next=https://…`,
  /// `//user:pw@host/`) get their userinfo masked.
  package static func maskNested(_ s: String) -> String {
    guard s.contains("//") else { return s }
    var out = ""
    var rest = Substring(s)
    while let sep = rest.firstRange(of: "//") {
      out += rest[..<sep.upperBound]
      let after = rest[sep.upperBound...]
      let end = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" || $0 == "&" }) ?? after.endIndex
      let authority = after[..<end]
      if let at = authority.lastIndex(of: "@") {
        out += mask(userinfo: authority[..<at]) + authority[at...]
      } else {
        out += authority
      }
      rest = after[end...]
    }
    return out + rest
  }

  /// A userinfo as printed: `user:****`, or `****` when there is no password (a token) or the
  /// user name holds a raw separator (a mangled secret).
  package static func mask(userinfo: Substring) -> String {
    guard let colon = userinfo.firstIndex(of: ":") else { return "****" }
    let user = userinfo[..<colon]
    if user.contains(where: { "/?#".contains($0) }) { return "****" }
    return user + ":****"
  }

  /// Every query value masked (`name=****`; an item without `=` is masked whole); names stay.
  package static func maskQuery(_ s: String) -> String {
    let hash = s.firstIndex(of: "#") ?? s.endIndex
    guard let q = s[..<hash].firstIndex(of: "?") else { return s }
    return s[...q] + maskItems(s[s.index(after: q)...], continuing: false)
  }

  /// Query items with their values masked, the fragment kept; when `continuing`, the first item
  /// is the end of a value cut by an earlier mask and is masked whole.
  package static func maskItems(_ query: Substring, continuing: Bool) -> String {
    var query = query
    var fragment = ""
    if let h = query.firstIndex(of: "#") { fragment = String(query[h...]); query = query[..<h] }
    let masked = query.split(separator: "&", omittingEmptySubsequences: false).enumerated().map { k, item -> String in
      if continuing, k == 0 { return "****" }
      if item.isEmpty { return "" }
      guard let eq = item.firstIndex(of: "=") else { return "****" }
      return String(item[..<eq]) + "=****"
    }.joined(separator: "&")
    return masked + fragment
  }
}
