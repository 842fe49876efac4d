import Crypto
import PyIndexModel
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// AWS Signature Version 4 (AWS4-HMAC-SHA256), as AWS's public test suite defines it and
/// botocore signs: the canonical request, the string to sign, the derived signing key, and the
/// `Authorization` header. The hashing and HMAC come from swift-crypto.
public struct SigV4: Sendable {
  /// Access key id, secret and session token of the identity that signs.
  public struct Key: Sendable, Hashable {
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?
    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
      (self.accessKeyId, self.secretAccessKey, self.sessionToken) = (accessKeyId, secretAccessKey, sessionToken)
    }
  }

  public let region: String
  public let service: String

  public init(region: String, service: String) {
    (self.region, self.service) = (region, service)
  }

  /// The headers to add to a request (`X-Amz-Date`, `X-Amz-Security-Token` when the key has
  /// one, and `Authorization`), signing every header in `headers` (which must hold `Host`)
  /// and those it adds.
  /// - Parameters:
  ///   - path: the request path as sent (percent-encoded or not; dot segments are resolved).
  ///   - query: the query as sent, without `?`.
  ///   - amzDate: `YYYYMMDDTHHMMSSZ`, UTC.
  public func sign(method: String, path: String, query: String, headers: [(String, String)], body: [UInt8], key: Key, amzDate: String) -> [(String, String)] {
    var added = [("X-Amz-Date", amzDate)]
    if let token = key.sessionToken { added.append(("X-Amz-Security-Token", token)) }
    let (canonical, signed) = SigV4.canonicalRequest(method: method, path: path, query: query, headers: headers + added, payloadHash: SigV4.hex(SHA256.hash(data: body)))
    let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
    let signature = self.signature(canonicalRequest: canonical, amzDate: amzDate, secret: key.secretAccessKey)
    return added + [("Authorization", "AWS4-HMAC-SHA256 Credential=\(key.accessKeyId)/\(scope), SignedHeaders=\(signed), Signature=\(signature)")]
  }

  /// The hex signature of a canonical request.
  public func signature(canonicalRequest: String, amzDate: String, secret: String) -> String {
    let date = String(amzDate.prefix(8))
    let scope = "\(date)/\(region)/\(service)/aws4_request"
    let toSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(SigV4.hex(SHA256.hash(data: Array(canonicalRequest.utf8))))"
    var key = SymmetricKey(data: Array(("AWS4" + secret).utf8))
    for part in [date, region, service, "aws4_request"] {
      key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
    }
    return SigV4.hex(HMAC<SHA256>.authenticationCode(for: Array(toSign.utf8), using: key))
  }

  /// The canonical request and the signed header list (`host;x-amz-date`).
  public static func canonicalRequest(method: String, path: String, query: String, headers: [(String, String)], payloadHash: String) -> (String, String) {
    var merged: [String: [String]] = [:]
    for (name, value) in headers {
      merged[name.lowercased(), default: []].append(collapse(value))
    }
    let names = merged.keys.sorted()
    let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
    let signed = names.joined(separator: ";")
    let text = [method.uppercased(), canonicalPath(path), canonicalQuery(query), canonicalHeaders, signed, payloadHash].joined(separator: "\n")
    return (text, signed)
  }

  /// The path with empty and `.` segments dropped and `..` resolved, each segment decoded and
  /// encoded again (only unreserved characters kept).
  static func canonicalPath(_ path: String) -> String {
    var out: [String] = []
    for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
      switch segment {
      case ".": continue
      case "..": if !out.isEmpty { out.removeLast() }
      default: out.append(encode(decode(String(segment))))
      }
    }
    let trailing = path.hasSuffix("/") && !out.isEmpty
    return "/" + out.joined(separator: "/") + (trailing ? "/" : "")
  }

  /// `name=value` pairs, each side decoded and encoded again, sorted by name then value.
  static func canonicalQuery(_ query: String) -> String {
    guard !query.isEmpty else { return "" }
    let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { item -> (String, String) in
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      let name = encode(decode(String(parts[0]), plusIsSpace: false))
      let value = parts.count > 1 ? encode(decode(String(parts[1]), plusIsSpace: false)) : ""
      return (name, value)
    }
    return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
  }

  /// RFC 3986 encoding: every byte but `A-Z a-z 0-9 - . _ ~` as `%XX`.
  public static func encode(_ text: String) -> String { MarkupText.percentEncoded(text) }

  /// Percent-decoding (a malformed escape is kept as it is).
  static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
    var bytes: [UInt8] = []
    var it = Array(text.utf8)[...]
    while let b = it.popFirst() {
      if b == UInt8(ascii: "%"), it.count >= 2, it.prefix(2).allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
        let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16)
      {
        bytes.append(v)
        it = it.dropFirst(2)
      } else {
        bytes.append(plusIsSpace && b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Trimmed, with runs of spaces (and folded lines) made one space.
  static func collapse(_ value: String) -> String {
    value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
  }

  /// The hex SHA-256 of `bytes` (a payload hash).
  public static func hex(sha256 bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

  static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
    digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
  }
}

extension String {
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
