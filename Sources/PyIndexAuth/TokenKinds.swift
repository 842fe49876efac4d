#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexModel

/// The kinds of token pyindex recognizes, each named as messages say it:
///
/// | case | registry and user name | token |
/// |---|---|---|
/// | `googleKeyBase64` | Artifact Registry, `_json_key_base64` | a base64 service-account key |
/// | `googleKey` | Artifact Registry, `_json_key` | the raw JSON key |
/// | `googleAccessToken` | Artifact Registry, `oauth2accesstoken` or `_token` | an OAuth access token |
/// | `gitlabJobToken` | GitLab CI, `gitlab-ci-token` | `$CI_JOB_TOKEN` |
/// | `gitlabDeployToken` | GitLab, `gitlab+deploy-token-N` (or the token's own user name) | `gldt-…` |
/// | `gitlabAccessToken` | GitLab, any user name | a personal, project or group token `glpat-…` |
/// | `pypiToken` | PyPI-style, `__token__` | `pypi-…` |
/// | `codeArtifactToken` | CodeArtifact, `aws` | from `aws codeartifact get-authorization-token` |
/// | `azurePAT` | Azure Artifacts, any non-empty user name | a personal access token |
/// | `jwt` | JFrog and many others | a JSON Web Token |
/// | `tokenAsUser` | any, `tok@` | the token in the user name, an empty password |
/// | `password` | any | a user name and a password |
public enum TokenKind: String, Sendable, Hashable {
  case googleKeyBase64 = "Google service-account key (base64)", googleKey = "Google service-account key (JSON)"
  case googleAccessToken = "Google access token", gitlabJobToken = "GitLab CI job token", gitlabDeployToken = "GitLab deploy token"
  case gitlabAccessToken = "GitLab access token", pypiToken = "PyPI API token", codeArtifactToken = "CodeArtifact token"
  case azurePAT = "Azure DevOps personal access token", jwt = "JSON Web Token", tokenAsUser = "token as user name"
  case password = "user name and password"
}

/// The verdict on one pair of credentials: its kind, and what looks wrong, each problem said
/// without the secret (lengths, positions and field names at most).
public struct TokenReport: Sendable, Hashable {
  public let kind: TokenKind
  public let problems: [String]
}

/// Recognises token kinds and checks them. Pure: the clock is an argument.
public enum TokenInspector {
  /// Inspects `credentials` meant for `host`.
  /// - Parameter now: seconds since 1970, for expiry checks.
  public static func inspect(_ credentials: Credentials, host: String, now: Double) -> TokenReport {
    let user = credentials.username, password = credentials.password
    var problems: [String] = []
    if hasSurroundingWhitespace(user) { problems.append("the user name has surrounding whitespace or a newline") }
    if hasSurroundingWhitespace(password) { problems.append("the password has surrounding whitespace or a newline (a copied line end?)") }
    let pw = password.trimmingASCIIWhitespace()
    let host = host.lowercased()
    let kind = byUser(user, pw, now: now, &problems) ?? byShape(user, pw, host: host, now: now, &problems)
    if host.hasSuffix(".pkg.dev"), ![TokenKind.googleKeyBase64, .googleKey, .googleAccessToken].contains(kind) {
      problems.append("Artifact Registry (\(host)) accepts the user names _json_key_base64, _json_key, oauth2accesstoken and _token only")
    }
    if host.contains(".codeartifact."), user != "aws" {
      problems.append("CodeArtifact (\(host)) wants the user name aws with a token from aws codeartifact get-authorization-token")
    }
    if kind != .googleKeyBase64, kind != .googleKey, let escape = percentEscape(in: pw) {
      problems.append("the password still holds a percent-escape (\(escape)) after decoding: was it percent-encoded twice?")
    }
    return TokenReport(kind: kind, problems: problems)
  }

  /// The kind a reserved user name announces, and its checks; nil for any other user name.
  static func byUser(_ user: String, _ pw: String, now: Double, _ problems: inout [String]) -> TokenKind? {
    switch user {
    case "_json_key_base64":
      problems += checkBase64Key(pw)
      return .googleKeyBase64
    case "_json_key":
      problems += checkKeyJSON(Array(pw.utf8), what: "the password")
      return .googleKey
    case "oauth2accesstoken", "_token":
      if pw.isEmpty { problems.append("user \(user) needs an access token as the password (gcloud auth print-access-token)") }
      if decodeBase64(pw).flatMap({ serviceAccountFields($0) }) != nil {
        problems.append("the password looks like a base64 service-account key; send it with user _json_key_base64, not \(user)")
      } else if pw.hasPrefix("{") {
        problems.append("the password looks like a JSON service-account key; send it with user _json_key, or its base64 with _json_key_base64")
      }
      problems += checkJWTExpiry(pw, now: now)
      return .googleAccessToken
    case "gitlab-ci-token":
      if pw.hasPrefix("gldt-") { problems.append("the password looks like a GitLab deploy token (gldt-), which GitLab checks against its own user name (gitlab+deploy-token-N by default), not gitlab-ci-token") }
      if pw.isEmpty { problems.append("user gitlab-ci-token needs $CI_JOB_TOKEN as the password, and CI_JOB_TOKEN is empty") }
      return .gitlabJobToken
    case "__token__":
      if !pw.hasPrefix("pypi-") { problems.append("user __token__ is for API tokens starting with pypi-; this password does not") }
      return .pypiToken
    case "aws":
      problems += checkCodeArtifactToken(pw, now: now)
      return .codeArtifactToken
    default:
      return nil
    }
  }

  /// The kind the password's shape (or the host) suggests, for any other user name.
  static func byShape(_ user: String, _ pw: String, host: String, now: Double, _ problems: inout [String]) -> TokenKind {
    if isGitLabDeployUser(user) {
      if pw.hasPrefix("glcbt-") { problems.append("the password looks like a CI job token (glcbt-); job tokens go with user gitlab-ci-token") }
      return .gitlabDeployToken
    } else if pw.hasPrefix("gldt-") {
      problems.append("the password looks like a GitLab deploy token (gldt-), but the user name is not gitlab+deploy-token-N; a deploy token only works with its own user name, shown when it was created")
      return .gitlabDeployToken
    } else if pw.hasPrefix("glcbt-") {
      problems.append("the password looks like a GitLab CI job token (glcbt-); job tokens need user gitlab-ci-token")
      return .gitlabJobToken
    } else if pw.hasPrefix("glpat-") {
      return .gitlabAccessToken
    } else if pw.hasPrefix("pypi-") {
      problems.append("the password looks like a PyPI API token (pypi-), which needs user __token__")
      return .pypiToken
    } else if isAzureHost(host) {
      if user.isEmpty { problems.append("Azure Artifacts needs a non-empty user name (any) with the personal access token as the password") }
      return .azurePAT
    } else if pw.isEmpty, !user.isEmpty {
      if user.hasPrefix("glpat-") || user.hasPrefix("gldt-") { problems.append("the token is in the user name with no password; GitLab wants it as the password (https://user:TOKEN@host/…)") }
      return .tokenAsUser
    } else if isJWT(pw) {
      problems += checkJWTExpiry(pw, now: now)
      return .jwt
    }
    return .password
  }

  /// Whether `user` is a GitLab deploy token's default user name, `gitlab+deploy-token-N`.
  static func isGitLabDeployUser(_ user: String) -> Bool {
    guard user.hasPrefix("gitlab+deploy-token-") else { return false }
    let n = user.dropFirst("gitlab+deploy-token-".count)
    return !n.isEmpty && n.allSatisfy { $0.isASCII && $0.isNumber }
  }

  static func isAzureHost(_ host: String) -> Bool {
    host == "pkgs.dev.azure.com" || host.hasSuffix(".pkgs.visualstudio.com")
  }

  // MARK: Google keys

  static func checkBase64Key(_ pw: String) -> [String] {
    if pw.isEmpty { return ["user _json_key_base64 needs the base64 of a service-account key as the password, and it is empty"] }
    if pw.hasPrefix("{") { return ["the password is raw JSON; with user _json_key_base64 it must be base64 (base64 -w0 key.json), or use user _json_key"] }
    if let inner = pw.firstIndex(where: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
      let position = pw.distance(from: pw.startIndex, to: inner) + 1
      return ["the base64 key has whitespace inside (character \(position) of \(pw.count)): was it line-wrapped? Encode it with base64 -w0"]
    }
    if let escape = percentEscape(in: pw) {
      return ["the password still holds a percent-escape (\(escape)) after decoding: was it percent-encoded twice?"]
    }
    switch base64Decode(pw) {
    case .failure(let position):
      return ["the password of user _json_key_base64 is not base64: character \(position) of \(pw.count) is not in the base64 alphabet"]
    case .success(let bytes):
      if bytes.first == UInt8(ascii: "{") { return checkKeyJSON(bytes, what: "the decoded key") }
      if let text = String(validating: bytes, as: UTF8.self), case .success(let again) = base64Decode(text.trimmingASCIIWhitespace()), again.first == UInt8(ascii: "{") {
        return ["the key was base64-encoded twice: it decodes to base64 text, not to JSON"]
      }
      return ["the password of user _json_key_base64 decodes from base64, but not to JSON: is it the base64 of the key file (base64 -w0 key.json)?"]
    }
  }

  static func checkKeyJSON(_ bytes: [UInt8], what: String) -> [String] {
    guard let fields = serviceAccountFields(bytes) else {
      return ["\(what) is not JSON: it should be the content of a service-account key file"]
    }
    var missing: [String] = []
    if fields.type == nil { missing.append("type") }
    if fields.client_email == nil { missing.append("client_email") }
    if fields.private_key == nil { missing.append("private_key") }
    var out: [String] = []
    if !missing.isEmpty { out.append("\(what) is JSON but lacks \(missing.joined(separator: ", ")): it is not a service-account key") }
    if let t = fields.type, t != "service_account" { out.append("\(what) has type \"\(t)\", not \"service_account\" (user credentials from gcloud auth login do not work here)") }
    return out
  }

  struct ServiceAccountFields: Decodable {
    var type: String?
    var client_email: String?
    var private_key: String?
  }

  static func serviceAccountFields(_ bytes: [UInt8]) -> ServiceAccountFields? {
    guard bytes.first == UInt8(ascii: "{") else { return nil }
    return try? JSONDecoder().decode(ServiceAccountFields.self, from: Data(bytes))
  }

  // MARK: expiring tokens

  struct Claims: Decodable {
    var exp: Double?
    var isu: Double?
  }

  static func isJWT(_ s: String) -> Bool {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, s.hasPrefix("eyJ") else { return false }
    guard case .success(let header) = base64Decode(String(parts[0])) else { return false }
    return header.first == UInt8(ascii: "{")
  }

  static func checkJWTExpiry(_ s: String, now: Double) -> [String] {
    guard isJWT(s) else { return [] }
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard case .success(let payload) = base64Decode(String(parts[1])),
      let claims = try? JSONDecoder().decode(Claims.self, from: Data(payload)), let exp = claims.exp
    else { return [] }
    return exp < now ? ["the token expired at \(utc(exp)) (\(ago(now - exp)) ago); get a new one"] : []
  }

  /// CodeArtifact tokens are `<base64url JSON header>.<ciphertext>`; the header carries the
  /// issue time (`isu`) and sometimes the expiry. They live 12 hours at most.
  static func checkCodeArtifactToken(_ s: String, now: Double) -> [String] {
    if s.isEmpty { return ["user aws needs a token from aws codeartifact get-authorization-token as the password, and it is empty"] }
    guard let dot = s.firstIndex(of: "."), case .success(let header) = base64Decode(String(s[..<dot])),
      let claims = try? JSONDecoder().decode(Claims.self, from: Data(header))
    else { return [] }
    if let exp = claims.exp, exp < now { return ["the CodeArtifact token expired at \(utc(exp)) (\(ago(now - exp)) ago); run aws codeartifact get-authorization-token again"] }
    if claims.exp == nil, let isu = claims.isu, isu + 12 * 3600 < now {
      return ["the CodeArtifact token was issued at \(utc(isu)), more than 12 hours ago, the longest a token lives; run aws codeartifact get-authorization-token again"]
    }
    return []
  }

  // MARK: text helpers

  static func hasSurroundingWhitespace(_ s: String) -> Bool {
    guard let f = s.first, let l = s.last else { return false }
    return f.isWhitespace || l.isWhitespace
  }


  /// The first `%XX` escape in `s`, if any (an escape that survived decoding).
  static func percentEscape(in s: String) -> String? {
    let u = Array(s.utf8)
    guard u.count >= 3 else { return nil }
    for i in 0..<(u.count - 2) where u[i] == UInt8(ascii: "%") && isHex(u[i + 1]) && isHex(u[i + 2]) {
      return String(decoding: u[i..<(i + 3)], as: UTF8.self)
    }
    return nil
  }

  static func isHex(_ c: UInt8) -> Bool {
    (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
  }

  static func decodeBase64(_ s: String) -> [UInt8]? {
    if case .success(let b) = base64Decode(s) { return b }
    return nil
  }

  enum Base64Result { case success([UInt8]), failure(position: Int) }

  /// Standard or URL-safe base64, padding optional; a failure names the 1-based position of
  /// the first character outside the alphabet.
  static func base64Decode(_ s: String) -> Base64Result {
    var out: [UInt8] = []
    var acc: UInt32 = 0, bits = 0
    var padding = false
    for (i, c) in s.utf8.enumerated() {
      let v: UInt32
      switch c {
      case 0x41...0x5A: v = UInt32(c - 0x41)
      case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
      case 0x30...0x39: v = UInt32(c - 0x30 + 52)
      case UInt8(ascii: "+"), UInt8(ascii: "-"): v = 62
      case UInt8(ascii: "/"), UInt8(ascii: "_"): v = 63
      case UInt8(ascii: "="): padding = true; continue
      default: return .failure(position: i + 1)
      }
      if padding { return .failure(position: i + 1) }
      acc = acc << 6 | v
      bits += 6
      if bits >= 8 {
        bits -= 8
        out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
      }
    }
    return .success(out)
  }

  /// `2026-11-22 10:04 UTC`, from seconds since 1970.
  static func utc(_ t: Double) -> String {
    let c = CivilTime(secondsSince1970: t)
    return "\(c.date) \(CivilTime.two(c.hour)):\(CivilTime.two(c.minute)) UTC"
  }

  static func ago(_ seconds: Double) -> String {
    let s = Int(seconds)
    if s < 120 { return "\(s) s" }
    if s < 7200 { return "\(s / 60) min" }
    if s < 172_800 { return "\(s / 3600) h" }
    return "\(s / 86400) days"
  }
}

/// A UTC calendar date and time from seconds since 1970 (Howard Hinnant's civil-from-days),
/// without Foundation's calendars.
package struct CivilTime: Sendable, Hashable {
  package let year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

  package init(secondsSince1970 t: Double) {
    let secs = Int(t.rounded(.down))
    let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
    let rem = secs - days * 86400
    let z = days + 719468
    let era = (z >= 0 ? z : z - 146096) / 146097
    let doe = z - era * 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    day = doy - (153 * mp + 2) / 5 + 1
    month = mp < 10 ? mp + 3 : mp - 9
    year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    hour = rem / 3600
    minute = rem % 3600 / 60
    second = rem % 60
  }

  /// `2026-11-22`
  package var date: String { "\(year)-\(CivilTime.two(month))-\(CivilTime.two(day))" }

  /// `2026-11-22 14:05`
  package var minuteText: String { "\(date) \(CivilTime.two(hour)):\(CivilTime.two(minute))" }

  /// `20261122T140503Z`: SigV4's `X-Amz-Date`.
  package var basicText: String {
    "\(year)\(CivilTime.two(month))\(CivilTime.two(day))T\(CivilTime.two(hour))\(CivilTime.two(minute))\(CivilTime.two(second))Z"
  }

  /// `2026-11-22T14:05:03Z`: RFC 3339, as JWT-less token answers and fixtures write expiries.
  package var rfc3339: String { "\(date)T\(CivilTime.two(hour)):\(CivilTime.two(minute)):\(CivilTime.two(second))Z" }

  static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
