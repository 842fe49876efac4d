public import PyIndexModel

/// A configured index (`--index-url`, `--extra-index-url`): its URL without credentials,
/// the credentials its userinfo carried, and how to show it.
public struct IndexURL: Sendable, Hashable {
  /// The URL without userinfo, ending in `/` (what requests are built from).
  public let url: String
  /// The URL as it may be printed.
  public let redacted: String
  /// Percent-decoded userinfo, if the URL had any.
  public let credentials: Credentials?
  /// Parts of ``url``; nil for `file:` URLs.
  public let parts: URLParts?
  /// For `file:` indexes, the local directory.
  public let filePath: String?
  /// Characters of the userinfo that should have been percent-encoded (the URL still parsed,
  /// but the secret may not be what the user meant). Names characters, never the secret.
  public let userinfoProblems: [String]
  /// Whether the userinfo named a user only (`user@`, no `:`): netrc or a keyring may then
  /// supply that user's password; without one the user name is sent as a token.
  public let userOnly: Bool

  /// Parses an index URL with the contract's rules: the last `@` of the authority ends the
  /// userinfo, its first `:` ends the user name, each is percent-decoded once (`+` stays
  /// `+`); `tok@` is user `tok` with an empty password, `:tok@` an empty user. A plain
  /// path is read as a `file:` index.
  /// - Throws: ``AuthError`` naming the URL redacted, before any request is made.
  public init(_ text: String) throws(AuthError) {
    let raw = text.trimmingASCIIWhitespaceForAuth()
    redacted = Redaction.redact(raw)
    if let local = try IndexURL.local(raw, redacted: redacted) {
      (url, filePath, parts) = (local.url, local.path, nil)
      (credentials, userinfoProblems, userOnly) = (nil, [], false)
      return
    }
    var p = try IndexURL.httpParts(raw, redacted: redacted)
    if let info = p.userinfo {
      let (user, password) = info.firstIndex(of: ":").map { (info[..<$0], info[info.index(after: $0)...]) } ?? (Substring(info), "")
      guard let u = URLReference.percentDecode(user), let pw = URLReference.percentDecode(password) else {
        throw .userinfoNotUTF8(redacted: redacted)
      }
      credentials = Credentials(username: u, password: pw)
      userinfoProblems = IndexURL.unencodedCharacters(info)
      userOnly = !info.contains(":")
    } else {
      (credentials, userinfoProblems, userOnly) = (nil, [], false)
    }
    p.userinfo = nil
    if p.rest.isEmpty { p.rest = "/" }
    if !p.path.hasSuffix("/"), !p.rest.contains("?") { p.rest += "/" }
    parts = p
    url = p.withoutUserinfo
    filePath = nil
  }

  /// A plain path or a `file:` URL: its URL and decoded directory path (with a final `/`);
  /// nil for anything else.
  static func local(_ raw: String, redacted: String) throws(AuthError) -> (url: String, path: String)? {
    if raw.hasPrefix("/") || raw.hasPrefix("./") || raw.hasPrefix("../") {
      let path = raw.hasSuffix("/") ? raw : raw + "/"
      return ("file://" + path, path)
    }
    guard raw.lowercased().hasPrefix("file://") else { return nil }
    var path = String(raw.dropFirst(7))
    if path.hasPrefix("localhost/") { path = String(path.dropFirst(9)) }
    guard path.hasPrefix("/") else { throw .invalidURL(redacted: redacted, reason: "a file: URL needs an absolute path") }
    let decoded = URLReference.percentDecode(Substring(path)) ?? path
    return ("file://" + (path.hasSuffix("/") ? path : path + "/"), decoded.hasSuffix("/") ? decoded : decoded + "/")
  }

  /// The parts of an http(s) index URL, or why it is not one.
  static func httpParts(_ raw: String, redacted: String) throws(AuthError) -> URLParts {
    if URLParts.looksLikeRawSecret(raw) { throw .secretNeedsEncoding(redacted: redacted) }
    guard let p = URLParts(raw) else {
      if let sep = raw.firstRange(of: "://") {
        let after = raw[sep.upperBound...]
        let authority = after.prefix(while: { $0 != "/" && $0 != "?" && $0 != "#" })
        if authority.isEmpty || authority.hasSuffix("@") { throw .invalidURL(redacted: redacted, reason: "it names no host") }
      }
      if raw.contains("://"), raw.contains("@") { throw .secretNeedsEncoding(redacted: redacted) }
      throw .invalidURL(redacted: redacted, reason: "not an absolute http(s) URL")
    }
    guard p.scheme == "http" || p.scheme == "https" else {
      throw .invalidURL(redacted: redacted, reason: "the scheme must be http, https or file")
    }
    return p
  }

  public var isFile: Bool { filePath != nil }

  /// RFC 3986 allows unreserved characters, sub-delimiters, `:` and `%XX` escapes in userinfo;
  /// anything else was meant to be percent-encoded.
  static func unencodedCharacters(_ info: String) -> [String] {
    var seen: [Character] = []
    let u = Array(info.utf8)
    var i = 0
    while i < u.count {
      let c = u[i]
      if c == UInt8(ascii: "%") {
        if i + 2 < u.count, TokenInspector.isHex(u[i + 1]), TokenInspector.isHex(u[i + 2]) { i += 3; continue }
        if !seen.contains("%") { seen.append("%") }
      } else if !(c < 0x80 && (isUnreserved(c) || "!$&'()*+,;=:".utf8.contains(c))) {
        let ch: Character = c < 0x80 ? Character(Unicode.Scalar(c)) : "…"
        if !seen.contains(ch) { seen.append(ch) }
      }
      i += 1
    }
    guard !seen.isEmpty else { return [] }
    let shown = seen.map { c -> String in
      switch c {
      case " ": "a space"
      case "…": "non-ASCII characters"
      case "%": "a '%' that starts no %XX escape"
      default: "'\(c)'"
      }
    }
    return ["the credentials in the URL hold \(shown.joined(separator: ", ")) not percent-encoded; encode them (@ → %40, % → %25, space → %20) or use PYINDEX_PASSWORD"]
  }

  private static func isUnreserved(_ c: UInt8) -> Bool {
    (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c) || "-._~".utf8.contains(c)
  }

  /// The project page URL: `<index>/<normalized-name>/`.
  public func projectURL(_ project: ProjectName) -> String {
    // `…/simple/?private_token=…`: the project goes into the path, the query stays after it.
    guard let q = url.firstIndex(where: { $0 == "?" || $0 == "#" }) else { return url + project.normalized + "/" }
    var path = url[..<q]
    if !path.hasSuffix("/") { path += "/" }
    let query = url[q...].prefix { $0 != "#" }
    return path + project.normalized + "/" + query
  }
}

extension String {
  /// Without surrounding spaces, tabs, newlines and carriage returns.
  package func trimmingASCIIWhitespaceForAuth() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
    return String(s)
  }
}
