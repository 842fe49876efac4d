/// The one way pyindex shows a URL: never with a secret in it.
public enum Redaction {
  /// `scheme://user:****@host/...`; a user name with no password is itself treated as the
  /// secret (`scheme://****@host/...`, as pip does for token-only URLs). Query strings that
  /// carry signatures or tokens are masked too.
  public static func redact(_ url: String) -> String {
    // Nothing to hide without a userinfo separator or a query (the common case: file URLs).
    guard url.utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "?") }) else { return url }
    guard let sep = url.firstRange(of: "://") else { return maskQuery(url) }
    let head = String(url[..<sep.upperBound])
    let after = url[sep.upperBound...]
    if URLParts(url) == nil || URLParts.looksLikeRawSecret(url), let at = after.lastIndex(of: "@") {
      // Unparseable, or a secret with a raw '/', '?' or '#': hide everything up to the last '@'.
      return head + mask(userinfo: after[..<at]) + "@" + maskQuery(String(after[after.index(after: at)...]))
    }
    let authEnd = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
    let authority = after[..<authEnd]
    let tail = maskQuery(maskNested(String(after[authEnd...])))
    guard let at = authority.lastIndex(of: "@") else { return head + authority + tail }
    return head + mask(userinfo: authority[..<at]) + "@" + authority[authority.index(after: at)...] + tail
  }

  /// `url` without its userinfo (nothing else changed).
  public static func withoutUserinfo(_ url: String) -> String {
    guard let sep = url.firstRange(of: "://") else { return url }
    let after = url[sep.upperBound...]
    let authEnd = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
    guard let at = after[..<authEnd].lastIndex(of: "@") else { return url }
    return String(url[..<sep.upperBound]) + after[after.index(after: at)...]
  }

  /// URLs nested in a path or query (`/proxy/https://user:pw@host/`, `?next=https://…`,
  /// `//user:pw@host/`) get their userinfo masked too.
  static func maskNested(_ s: String) -> String {
    guard s.contains("//") else { return s }
    var out = ""
    var rest = Substring(s)
    // `//` starts an authority, with a scheme before it or not (`//user:pw@host/`).
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

  private static func mask(userinfo: Substring) -> String {
    guard let colon = userinfo.firstIndex(of: ":") else { return "****" }
    let user = userinfo[..<colon]
    // A user name that itself holds a raw separator is part of a mangled secret: hide it all.
    if user.contains(where: { "/?#".contains($0) }) { return "****" }
    return user + ":****"
  }

  /// Query parameters whose names mark them as credentials (presigned storage URLs, tokens).
  static let secretQueryNames: Set<String> = [
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "signature", "sig", "token", "access_token",
    "x-goog-signature", "x-goog-credential", "googleaccessid", "se", "sp", "sv", "skoid", "sktid", "key", "password",
  ]

  private static func maskQuery(_ s: String) -> String {
    guard let q = s.firstIndex(of: "?") else { return s }
    var query = s[s.index(after: q)...]
    var fragment = ""
    if let h = query.firstIndex(of: "#") { fragment = String(query[h...]); query = query[..<h] }
    let masked = query.split(separator: "&", omittingEmptySubsequences: false).map { item -> String in
      guard let eq = item.firstIndex(of: "=") else { return String(item) }
      let name = item[..<eq].lowercased()
      return secretQueryNames.contains(name) ? item[..<eq] + "=****" : String(item)
    }.joined(separator: "&")
    return s[...q] + masked + fragment
  }
}
