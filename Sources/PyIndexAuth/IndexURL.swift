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

  /// Parses an index URL with the contract's rules: the last `@` of the authority ends the
  /// userinfo, its first `:` ends the user name, each is percent-decoded once (`+` stays
  /// `+`); `tok@` is user `tok` with an empty password, `:tok@` an empty user. A plain
  /// path is read as a `file:` index.
  /// - Throws: ``AuthError`` naming the URL redacted, before any request is made.
  public init(_ text: String) throws(AuthError) {
    let raw = text.trimmingASCIIWhitespaceForAuth()
    redacted = Redaction.redact(raw)
    if raw.hasPrefix("/") || raw.hasPrefix("./") || raw.hasPrefix("../") {
      let path = raw.hasSuffix("/") ? raw : raw + "/"
      url = "file://" + path
      filePath = path
      parts = nil
      credentials = nil
      return
    }
    if raw.lowercased().hasPrefix("file://") {
      var path = String(raw.dropFirst(7))
      if path.hasPrefix("localhost/") { path = String(path.dropFirst(9)) }
      guard path.hasPrefix("/") else { throw .invalidURL(redacted: redacted, reason: "a file: URL needs an absolute path") }
      let decoded = URLReference.percentDecode(Substring(path)) ?? path
      filePath = decoded.hasSuffix("/") ? decoded : decoded + "/"
      url = "file://" + (path.hasSuffix("/") ? path : path + "/")
      parts = nil
      credentials = nil
      return
    }
    if URLParts.looksLikeRawSecret(raw) { throw .secretNeedsEncoding(redacted: redacted) }
    guard var p = URLParts(raw) else {
      if raw.contains("://"), raw.contains("@") { throw .secretNeedsEncoding(redacted: redacted) }
      throw .invalidURL(redacted: redacted, reason: "not an absolute http(s) URL")
    }
    guard p.scheme == "http" || p.scheme == "https" else {
      throw .invalidURL(redacted: redacted, reason: "the scheme must be http, https or file")
    }
    if let info = p.userinfo {
      let user: Substring, password: Substring
      if let colon = info.firstIndex(of: ":") {
        user = info[..<colon]
        password = info[info.index(after: colon)...]
      } else {
        user = Substring(info)
        password = ""
      }
      guard let u = URLReference.percentDecode(user), let pw = URLReference.percentDecode(password) else {
        throw .userinfoNotUTF8(redacted: redacted)
      }
      credentials = Credentials(username: u, password: pw)
    } else {
      credentials = nil
    }
    p.userinfo = nil
    if p.rest.isEmpty { p.rest = "/" }
    if !p.path.hasSuffix("/"), !p.rest.contains("?") { p.rest += "/" }
    parts = p
    url = p.withoutUserinfo
    filePath = nil
  }

  public var isFile: Bool { filePath != nil }

  /// The project page URL: `<index>/<normalized-name>/`.
  public func projectURL(_ project: ProjectName) -> String {
    url + project.normalized + "/"
  }
}

extension String {
  func trimmingASCIIWhitespaceForAuth() -> String {
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
    return String(s)
  }
}
