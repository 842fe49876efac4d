public import PyIndexModel

/// A configured index (`--index-url`, `--extra-index-url`): its URL without credentials,
/// the credentials its userinfo carried, and how to show it.
public struct IndexURL: Sendable, Hashable {
  /// The URL without userinfo, its path ending in `/` (what requests are built from).
  public let url: SafeURL
  /// The URL as it may be printed.
  public let redacted: String
  /// Percent-decoded userinfo, if the URL had any.
  public let credentials: Credentials?
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
    let raw = text.trimmingASCIIWhitespace()
    let redacted = Redaction.redact(raw)
    if let local = try IndexURL.local(raw, redacted: redacted) {
      self.init(local: local.url, path: local.path, redacted: redacted)
      return
    }
    try self.init(web: IndexURL.httpURL(raw, redacted: redacted), redacted: redacted)
  }

  /// The credential route of an http(s) URL already parsed (`name @ URL`'s userinfo).
  /// - Throws: ``AuthError`` when it is not http(s) or its secret was not encoded.
  public init(_ parsed: SafeURL) throws(AuthError) {
    let redacted = parsed.description
    guard parsed.isWeb else { throw .invalidURL(redacted: redacted, reason: "the scheme must be http, https or file") }
    if parsed.looksLikeRawSecret { throw .secretNeedsEncoding(redacted: redacted) }
    try self.init(web: parsed, redacted: redacted)
  }

  private init(local url: SafeURL, path: String, redacted: String) {
    (self.url, filePath, self.redacted) = (url, path, redacted)
    (credentials, userinfoProblems, userOnly) = (nil, [], false)
  }

  private init(web parsed: SafeURL, redacted: String) throws(AuthError) {
    self.redacted = redacted
    if let info = parsed.userinfo {
      credentials = Credentials(username: info.user, password: info.password ?? "")
      userinfoProblems = IndexURL.unencodedCharacters(info.written)
      userOnly = info.password == nil
    } else {
      (credentials, userinfoProblems, userOnly) = (nil, [], false)
    }
    var path = parsed.path
    if path.isEmpty { path = "/" }
    if !path.hasSuffix("/"), parsed.query == nil { path += "/" }
    url = parsed.withoutUserinfo.with(path: path, query: parsed.query)
    filePath = nil
  }

  /// A plain path or a `file:` URL: its URL and decoded directory path (with a final `/`);
  /// nil for anything else.
  static func local(_ raw: String, redacted: String) throws(AuthError) -> (url: SafeURL, path: String)? {
    if raw.hasPrefix("/") || raw.hasPrefix("./") || raw.hasPrefix("../") {
      let path = raw.hasSuffix("/") ? raw : raw + "/"
      return (SafeURL(filePath: path), path)
    }
    guard raw.lowercased().hasPrefix("file://") else { return nil }
    guard let parsed = SafeURL(raw), parsed.host.isEmpty, parsed.path.hasPrefix("/") else {
      throw .invalidURL(redacted: redacted, reason: "a file: URL needs an absolute path")
    }
    let dir = parsed.path.hasSuffix("/") ? parsed.path : parsed.path + "/"
    let decoded = SafeURL.percentDecode(Substring(dir)) ?? dir
    return (parsed.with(path: dir, query: nil), decoded)
  }

  /// An http(s) index URL, or why it is not one.
  static func httpURL(_ raw: String, redacted: String) throws(AuthError) -> SafeURL {
    let parsed: SafeURL
    do {
      parsed = try SafeURL(parsing: raw)
    } catch {
      switch error {
      case .noHost: throw .invalidURL(redacted: redacted, reason: "it names no host")
      case .userinfoNotUTF8: throw .userinfoNotUTF8(redacted: redacted)
      default:
        if raw.contains("://"), raw.contains("@") { throw .secretNeedsEncoding(redacted: redacted) }
        throw .invalidURL(redacted: redacted, reason: "not an absolute http(s) URL")
      }
    }
    if parsed.looksLikeRawSecret { throw .secretNeedsEncoding(redacted: redacted) }
    guard parsed.isWeb else {
      throw .invalidURL(redacted: redacted, reason: "the scheme must be http, https or file")
    }
    return parsed
  }

  public var isFile: Bool { filePath != nil }

  /// The URL when the index is on the web (http or https); nil for a `file:` index.
  public var web: SafeURL? { isFile ? nil : url }

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

  /// The project page URL: `<index>/<normalized-name>/` (`…/simple/?private_token=…`: the
  /// project goes into the path, the query stays after it).
  public func projectURL(_ project: ProjectName) -> SafeURL { url.appendingDirectory(project.normalized) }
}

