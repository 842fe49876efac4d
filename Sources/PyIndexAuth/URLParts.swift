/// The pieces of an absolute URL, split as the contract says: the authority ends at the
/// first `/`, `?` or `#`; its last `@` ends the userinfo; the userinfo's first `:` ends
/// the user name.
public struct URLParts: Sendable, Hashable {
  public var scheme: String
  /// Raw (still percent-encoded) userinfo, nil when the URL has none.
  public var userinfo: String?
  /// The host with ASCII letters lower-cased (nothing else: a Unicode case rule could make two
  /// hosts one); IPv6 literals keep their brackets.
  public var host: String
  public var port: Int?
  /// Path, query and fragment as written (`/simple/?x=1`).
  public var rest: String

  /// Splits `url`; nil when it has no `scheme://` or its authority is malformed.
  public init?(_ url: String) {
    guard let sep = url.firstRange(of: "://") else { return nil }
    let sc = url[..<sep.lowerBound]
    guard let f = sc.first, f.isLetter, sc.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else { return nil }
    scheme = sc.lowercased()
    let afterScheme = url[sep.upperBound...]
    let authEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
    var authority = afterScheme[..<authEnd]
    rest = String(afterScheme[authEnd...])
    if let at = authority.lastIndex(of: "@") {
      userinfo = String(authority[..<at])
      authority = authority[authority.index(after: at)...]
    } else {
      userinfo = nil
    }
    var hostPart = authority
    var portText: Substring? = nil
    if authority.hasPrefix("[") {
      guard let close = authority.firstIndex(of: "]") else { return nil }
      hostPart = authority[...close]
      let after = authority[authority.index(after: close)...]
      if !after.isEmpty {
        guard after.hasPrefix(":") else { return nil }
        portText = after.dropFirst()
      }
    } else if let colon = authority.lastIndex(of: ":") {
      hostPart = authority[..<colon]
      portText = authority[authority.index(after: colon)...]
    }
    if let portText, !portText.isEmpty {
      guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let p = Int(portText), p <= 65535 else { return nil }
      port = p
    } else {
      port = nil
    }
    host = URLParts.asciiLowercased(hostPart)
    if scheme != "file", host.isEmpty { return nil }
    if host.contains(where: { $0 == " " || $0 == "\\" }) { return nil }
  }

  /// `text` with `A`–`Z` lower-cased and every other character as it is.
  static func asciiLowercased(_ text: Substring) -> String {
    String(decoding: text.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
  }

  /// Whether `url` looks like one whose userinfo holds a raw `/`, `?` or `#`: its authority
  /// has no `@`, but an `@` follows later.
  public static func looksLikeRawSecret(_ url: String) -> Bool {
    guard let sep = url.firstRange(of: "://") else { return false }
    let after = url[sep.upperBound...]
    let authEnd = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
    return !after[..<authEnd].contains("@") && after[authEnd...].contains("@")
  }

  /// The port, or the scheme's default (80, 443).
  public var effectivePort: Int? { port ?? URLParts.defaultPort(scheme) }

  static func defaultPort(_ scheme: String) -> Int? {
    switch scheme { case "http": 80; case "https": 443; default: nil }
  }

  /// The path alone (no query or fragment).
  public var path: String {
    var p = Substring(rest)
    if let i = p.firstIndex(where: { $0 == "?" || $0 == "#" }) { p = p[..<i] }
    return String(p)
  }

  /// `scheme://host[:port]rest`, without userinfo; a default port is left out.
  public var withoutUserinfo: String {
    var s = "\(scheme)://\(host)"
    if let port, port != URLParts.defaultPort(scheme) { s += ":\(port)" }
    return s + rest
  }

  public var origin: Origin { Origin(scheme: scheme, host: host, port: effectivePort ?? -1) }
}

/// A URL origin: scheme, host and port, default ports made explicit so that
/// `https://h` and `https://h:443` are the same origin.
public struct Origin: Sendable, Hashable, CustomStringConvertible {
  public let scheme: String
  public let host: String
  public let port: Int

  public init(scheme: String, host: String, port: Int) {
    self.scheme = URLParts.asciiLowercased(Substring(scheme))
    self.host = URLParts.asciiLowercased(Substring(host))
    self.port = port
  }

  /// The origin of an absolute URL string, or nil.
  public init?(url: String) {
    guard let p = URLParts(url) else { return nil }
    self = p.origin
  }

  /// Whether going from `self` to `other` is an upgrade from http to https on the same host,
  /// both on default ports.
  public func upgrades(to other: Origin) -> Bool {
    scheme == "http" && port == 80 && other.scheme == "https" && other.port == 443 && host == other.host
  }

  public var description: String {
    let d = URLParts.defaultPort(scheme)
    return port == d ? "\(scheme)://\(host)" : "\(scheme)://\(host):\(port)"
  }
}
