import Crypto
import FoundationEssentials
import _CryptoExtras
import PyIndexModel
import PyIndexSystem
import Synchronization

/// A GitHub-style OIDC ID-token endpoint (`GET /oidc/token`, as Actions'
/// `ACTIONS_ID_TOKEN_REQUEST_URL` with `Authorization: bearer ACTIONS_ID_TOKEN_REQUEST_TOKEN`),
/// answering `{"count": 1, "value": JWT}` with one RS256-signed ID token, which the fixture's
/// Google STS and Entra ID accept as a subject or client assertion.
public final class OIDCIssuer: FixtureEndpoints {
  /// The bearer token the endpoint demands.
  public let requestToken = FixtureProfile.token("", length: 40)
  public let idToken: String

  public init(audience: String = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci/providers/github") throws {
    let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    let header = #"{"alg":"RS256","kid":"fixture","typ":"JWT"}"#
    let claims = "{\"aud\":\"\(audience)\",\"exp\":\(Int(Clock.now()) + 3600),\"iss\":\"https://token.actions.githubusercontent.com\",\"sub\":\"repo:demo/demo:ref:refs/heads/main\"}"
    let input = GoogleTokenService.base64URL(Array(header.utf8)) + "." + GoogleTokenService.base64URL(Array(claims.utf8))
    idToken = input + "." + GoogleTokenService.base64URL(Array(try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5).rawRepresentation))
  }

  func answer(_ request: RecordedRequest) -> FixtureResponse? {
    guard request.method == "GET", request.path == "/oidc/token" else { return nil }
    guard request.header("Authorization")?.lowercased() == "bearer " + requestToken.lowercased() else { return .text(401, "{\"message\": \"Bad credentials\"}", type: "application/json") }
    return .text(200, "{\"count\": 1, \"value\": \"\(idToken)\"}", type: "application/json")
  }
}

/// Token endpoints a fixture answers on its own port, besides the registry.
protocol FixtureEndpoints: Sendable {
  /// The answer for a request to one of its endpoints, nil for any other request.
  func answer(_ request: RecordedRequest) -> FixtureResponse?
}

/// The Google endpoints a `google-token` fixture answers, as Google does: the OAuth token
/// endpoint (`POST /token`: the JWT-bearer grant, its RS256 assertion verified with the
/// service account key's public half; the refresh-token grant), Google STS (`POST /v1/token`,
/// the token exchange of workload identity federation), IAM Credentials'
/// `generateAccessToken`, the metadata server (`/computeMetadata/v1/...`), and a GitHub-style
/// ID-token endpoint (`GET /oidc/token`). The registry accepts only the access tokens it
/// issues, as `oauth2accesstoken`.
public final class GoogleTokenService: FixtureEndpoints {
  public let serviceAccount = "pyindex-ci@demo-project.iam.gserviceaccount.com"
  /// The token the registry accepts after a grant, impersonation or the metadata server.
  public let accessToken = FixtureProfile.token("ya29.c.", length: 120)
  /// The token Google STS issues (used directly when no service account is impersonated).
  public let federatedToken = FixtureProfile.token("ya29.d.", length: 120)
  public let clientId = "764086051850-fixture.apps.googleusercontent.com"
  public let clientSecret = FixtureProfile.token("d-FL95Q", length: 20)
  public let refreshToken = FixtureProfile.token("1//0g", length: 90)
  /// The workload identity provider STS accepts subject tokens for.
  public let audience = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/ci/providers/github"
  /// The OIDC issuer whose ID token STS accepts (a GitHub-style ID-token endpoint).
  public let issuer: OIDCIssuer
  /// The OIDC ID token STS accepts.
  public var idToken: String { issuer.idToken }
  let key: _RSA.Signing.PrivateKey
  private let origin = Mutex<String>("")
  /// Why requests were refused, in order (for tests).
  private let refusals = Mutex<[String]>([])

  public init(issuer: OIDCIssuer) throws {
    key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    self.issuer = issuer
  }

  /// Why requests were refused, in order.
  public var refused: [String] { refusals.withLock { $0 } }

  /// Sets where the fixture serves (the key files name its endpoints).
  func serve(at origin: String) { self.origin.withLock { $0 = origin } }
  var base: String { origin.withLock { $0 } }

  // MARK: The files a client is given

  /// A service account key, as the console downloads it, whose `token_uri` is this fixture.
  public var serviceAccountKey: String {
    """
    {"type": "service_account", "project_id": "demo-project", "private_key_id": "fixture0key0id", "private_key": \(JSONText.quote(key.pkcs8PEMRepresentation)), "client_email": "\(serviceAccount)", "client_id": "100000000000000000001", "token_uri": "\(base)/token"}
    """
  }

  /// gcloud's application default credentials for a user, with `refresh`.
  public func authorizedUser(refreshToken refresh: String? = nil) -> String {
    "{\"type\": \"authorized_user\", \"client_id\": \"\(clientId)\", \"client_secret\": \"\(clientSecret)\", \"refresh_token\": \"\(refresh ?? refreshToken)\", \"token_uri\": \"\(base)/token\"}"
  }

  /// A workload identity federation configuration, as `gcloud iam workload-identity-pools
  /// create-cred-config` writes it: the subject token from `tokenFile`, or from this fixture's
  /// ID-token endpoint (GitHub's form); impersonating the service account or not.
  public func externalAccount(tokenFile: String?, impersonate: Bool) -> String {
    let source = tokenFile.map { "{\"file\": \"\($0)\"}" }
      ?? "{\"url\": \"\(base)/oidc/token?audience=\(audience)\", \"headers\": {\"Authorization\": \"bearer \(issuer.requestToken)\"}, \"format\": {\"type\": \"json\", \"subject_token_field_name\": \"value\"}}"
    let impersonation = impersonate ? ", \"service_account_impersonation_url\": \"\(base)/v1/projects/-/serviceAccounts/\(serviceAccount):generateAccessToken\"" : ""
    return "{\"type\": \"external_account\", \"audience\": \"\(audience)\", \"subject_token_type\": \"urn:ietf:params:oauth:token-type:jwt\", \"token_url\": \"\(base)/v1/token\", \"credential_source\": \(source)\(impersonation)}"
  }

  // MARK: Endpoints

  func answer(_ request: RecordedRequest) -> FixtureResponse? {
    switch (request.method, request.path) {
    case ("POST", "/token"): return token(request)
    case ("POST", "/v1/token"): return exchange(request)
    case ("POST", "/v1/projects/-/serviceAccounts/\(serviceAccount):generateAccessToken"): return impersonate(request)
    case ("GET", let path) where path.hasPrefix("/computeMetadata/v1/instance/service-accounts/default/"):
      guard request.header("Metadata-Flavor") == "Google" else { return .text(403, "Missing Metadata-Flavor:Google header.") }
      var r: FixtureResponse
      switch path.dropFirst("/computeMetadata/v1/instance/service-accounts/default/".count) {
      case "email": r = .text(200, serviceAccount, type: "application/text")
      case "token": r = .text(200, "{\"access_token\": \"\(accessToken)\", \"expires_in\": 3599, \"token_type\": \"Bearer\"}", type: "application/json")
      // google-auth asks for the account's description first (?recursive=true).
      case "": r = .text(200, "{\"aliases\": [\"default\"], \"email\": \"\(serviceAccount)\", \"scopes\": [\"https://www.googleapis.com/auth/cloud-platform\"]}", type: "application/json")
      default: r = .text(404, "Not Found")
      }
      r.headers.append(("Metadata-Flavor", "Google"))
      return r
    default: return nil
    }
  }

  private func oauthError(_ status: Int, _ error: String, _ description: String) -> FixtureResponse {
    refusals.withLock { $0.append("\(error): \(description)") }
    return .text(status, "{\"error\": \"\(error)\", \"error_description\": \"\(description)\"}", type: "application/json")
  }

  private func token(_ request: RecordedRequest) -> FixtureResponse {
    let form = AWSTokenService.form(String(decoding: request.body, as: UTF8.self))
    switch form["grant_type"] {
    case "urn:ietf:params:oauth:grant-type:jwt-bearer":
      if let problem = verify(assertion: form["assertion"] ?? "") { return oauthError(400, "invalid_grant", problem) }
      return .text(200, "{\"access_token\": \"\(accessToken)\", \"expires_in\": 3599, \"token_type\": \"Bearer\"}", type: "application/json")
    case "refresh_token":
      guard form["client_id"] == clientId, form["client_secret"] == clientSecret else { return oauthError(401, "invalid_client", "The OAuth client was not found.") }
      guard form["refresh_token"] == refreshToken else { return oauthError(400, "invalid_grant", "Token has been expired or revoked.") }
      return .text(200, "{\"access_token\": \"\(accessToken)\", \"expires_in\": 3599, \"scope\": \"https://www.googleapis.com/auth/cloud-platform\", \"token_type\": \"Bearer\"}", type: "application/json")
    default:
      return oauthError(400, "unsupported_grant_type", "Invalid grant_type: \(form["grant_type"] ?? "")")
    }
  }

  /// The JWT-bearer assertion: RS256 by the key, for the service account, to this token
  /// endpoint, issued within the last 5 minutes for at most an hour, with a scope.
  func verify(assertion: String) -> String? {
    let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let header = GoogleTokenService.decode(parts[0]), let claimBytes = GoogleTokenService.decode(parts[1]), let signature = GoogleTokenService.decode(parts[2]),
      let claims = try? JSONDecoder().decode(Claims.self, from: Data(claimBytes))
    else { return "Invalid JWT: not a compact JWS." }
    guard String(decoding: header, as: UTF8.self).contains("\"RS256\"") else { return "Invalid JWT: the algorithm must be RS256." }
    let input = Array((parts[0] + "." + parts[1]).utf8)
    guard key.publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5) else {
      return "Invalid JWT Signature."
    }
    guard claims.iss == serviceAccount else { return "Invalid JWT: the issuer is not the service account." }
    // Google's token endpoint takes its own URL as the audience (google-auth always sends
    // it), and the fixture also its.
    guard claims.aud == "https://oauth2.googleapis.com/token" || claims.aud == base + "/token" else { return "Invalid JWT: the audience is not the token endpoint." }
    let now = Clock.now()
    guard let iat = claims.iat, let exp = claims.exp, abs(iat - now) <= 300, exp > now, exp - iat <= 3600 else {
      return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
    }
    guard claims.scope?.isEmpty == false else { return "Invalid JWT: no scope." }
    return nil
  }

  struct Claims: Decodable {
    let iss: String?
    let aud: String?
    let scope: String?
    let iat: Double?
    let exp: Double?
  }

  private func exchange(_ request: RecordedRequest) -> FixtureResponse {
    let form = AWSTokenService.form(String(decoding: request.body, as: UTF8.self))
    guard form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange" else { return oauthError(400, "unsupported_grant_type", "Invalid grant_type.") }
    guard form["audience"] == audience else { return oauthError(400, "invalid_target", "The target service indicated by the \\\"audience\\\" parameters is invalid.") }
    guard form["subject_token"] == idToken else {
      return oauthError(400, "invalid_grant", "The audience in ID Token [\(audience)] does not match the expected audience, or the token's signature is invalid.")
    }
    return .text(200, "{\"access_token\": \"\(federatedToken)\", \"issued_token_type\": \"urn:ietf:params:oauth:token-type:access_token\", \"token_type\": \"Bearer\", \"expires_in\": 3600}", type: "application/json")
  }

  private func impersonate(_ request: RecordedRequest) -> FixtureResponse {
    guard request.header("Authorization") == "Bearer " + federatedToken else {
      refusals.withLock { $0.append("impersonation without the federated token") }
      return .text(403, "{\"error\": {\"code\": 403, \"message\": \"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\", \"status\": \"PERMISSION_DENIED\"}}", type: "application/json")
    }
    return .text(200, "{\"accessToken\": \"\(accessToken)\", \"expireTime\": \"\(AWSTokenService.iso(Clock.now() + 3600))\"}", type: "application/json")
  }

  static func base64URL(_ bytes: [UInt8]) -> String {
    var s = FixtureRouter.base64(bytes).replacingOccurrences("+", "-").replacingOccurrences("/", "_")
    while s.hasSuffix("=") { s.removeLast() }
    return s
  }

  static func decode(_ part: Substring) -> [UInt8]? {
    var s = String(part).replacingOccurrences("-", "+").replacingOccurrences("_", "/")
    while s.count % 4 != 0 { s += "=" }
    return FixtureRouter.base64Decode(s)
  }
}
