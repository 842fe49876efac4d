#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import _CryptoExtras
import PyIndexModel

/// Compact JWS with RS256 (RSASSA-PKCS1-v1_5 over SHA-256, from swift-crypto's
/// `_CryptoExtras`): the assertions of Google's JWT-bearer grant and of Entra ID's client
/// certificate credential.
enum JWT {
  /// `header.claims.signature`, each part base64url without padding. `header` and `claims`
  /// are JSON objects already encoded.
  static func rs256(header: [UInt8], claims: [UInt8], key: _RSA.Signing.PrivateKey) throws -> String {
    let input = base64URL(header) + "." + base64URL(claims)
    let signature = try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
    return input + "." + base64URL(Array(signature.rawRepresentation))
  }

  static func base64URL(_ bytes: [UInt8]) -> String {
    var s = Data(bytes).base64EncodedString()
    s = String(s.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    while s.hasSuffix("=") { s.removeLast() }
    return s
  }

  /// The JSON of `object`, keys sorted (a stable assertion for tests).
  static func json(_ object: [String: JSONValue]) -> [UInt8] {
    Array(("{" + object.keys.sorted().map { "\(JSONText.quote($0)):\(object[$0]!.text)" }.joined(separator: ",") + "}").utf8)
  }
}

/// A JSON scalar for the claims pyindex writes.
enum JSONValue {
  case string(String)
  case number(Int)

  var text: String {
    switch self {
    case .string(let s): JSONText.quote(s)
    case .number(let n): String(n)
    }
  }

}
