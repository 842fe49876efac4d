/// A user name and password for HTTP Basic authentication.
///
/// Its `description` never shows the password, so printing one by mistake leaks nothing.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
  public let username: String
  public let password: String

  public init(username: String, password: String) {
    self.username = username
    self.password = password
  }

  /// The `Authorization` header value: `Basic base64(user:password)`.
  public var authorizationHeader: String { "Basic " + Base64.encode(Array("\(username):\(password)".utf8)) }

  public var description: String { "Credentials(user: \(username.isEmpty ? "<empty>" : "…"), password: ****)" }

  /// The secrets a sweep for leaks should look for: the password (and the user when it is
  /// the token, i.e. the password is empty), raw and in the encodings they travel in.
  public var secretForms: [String] {
    var forms: [String] = []
    let secret = password.isEmpty ? username : password
    guard !secret.isEmpty else { return [] }
    forms.append(secret)
    forms.append(Base64.encode(Array("\(username):\(password)".utf8)))
    return forms
  }
}

/// Where the credentials for a request came from (the `-v` trace shows this, never the secret).
public enum CredentialSource: String, Sendable, Hashable {
  case url, env, netrc, keyring, minted, location, none

  /// The source as a hint names it: "the credentials in the index URL".
  public var phrase: String {
    switch self {
    case .url: "the credentials in the index URL"
    case .env: "the credentials in PYINDEX_USERNAME/PYINDEX_PASSWORD"
    case .netrc: "the netrc credentials"
    case .keyring: "the keyring's credentials"
    case .minted: "the credentials minted from this machine's identity"
    case .location: "the credentials in the redirect's Location"
    case .none: "no credentials"
    }
  }
}

/// Standard base64 (RFC 4648) encoding, without Foundation.
enum Base64 {
  private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
  static func encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i + 2 < bytes.count {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
      i += 3
    }
    let rest = bytes.count - i
    if rest == 1 {
      let n = UInt32(bytes[i]) << 16
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
    } else if rest == 2 {
      let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
      out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
    }
    return String(decoding: out, as: UTF8.self)
  }
}

extension Credentials {
  /// The credentials of an `Authorization: Basic …` header (the user name is everything before
  /// the first `:`); nil when it is not one.
  public init?(basicAuthorization header: String) {
    guard header.hasPrefix("Basic "), let bytes = TokenInspector.decodeBase64(String(header.dropFirst(6))),
      let text = String(validating: bytes, as: UTF8.self), let colon = text.firstIndex(of: ":")
    else { return nil }
    self.init(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
  }
}
