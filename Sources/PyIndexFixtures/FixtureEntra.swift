import Crypto
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import _CryptoExtras
import PyIndexModel
import SwiftASN1
import Synchronization
import X509

/// The Microsoft Entra ID endpoints an `entra` fixture answers, as Entra ID does for Azure
/// DevOps: OpenID discovery for the tenant (`GET /TENANT/v2.0/.well-known/openid-configuration`,
/// which MSAL reads), the token endpoint (`POST /TENANT/oauth2/v2.0/token`: the client
/// credentials grant with the client secret, a certificate's RS256 or PS256 assertion verified
/// with the certificate, or the OIDC issuer's ID token as a federated assertion), App Service's
/// managed identity endpoint (`GET /msi/token`, `X-IDENTITY-HEADER`) and the instance metadata
/// service (`GET /metadata/identity/oauth2/token`, `Metadata: true`). The registry accepts only
/// the access token it issues, as the password of any user.
public final class EntraTokenService: FixtureEndpoints {
  public let tenant = "8f1b3c5e-2d4a-4e6f-9a0b-1c2d3e4f5a6b"
  public let clientId = "0d7e4f2a-6b1c-4d3e-8f9a-5b6c7d8e9f01"
  public let clientSecret = FixtureProfile.token("Fx8Q~", length: 34)
  /// What App Service puts in `IDENTITY_HEADER`.
  public let identityHeader = FixtureProfile.token("", length: 36)
  public let accessToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + FixtureProfile.token("", length: 160)
  /// The client certificate and its key, PEM, as `AZURE_CLIENT_CERTIFICATE_PATH` holds them.
  public let certificatePEM: String
  /// The OIDC issuer whose ID token is accepted as a federated client assertion.
  public let issuer: OIDCIssuer
  let certificateKey: _RSA.Signing.PublicKey
  let thumbprints: Set<String>
  private let origin = Mutex<String>("")
  private let refusals = Mutex<[String]>([])

  public init(issuer: OIDCIssuer) throws {
    self.issuer = issuer
    let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    let name = try DistinguishedName { CommonName("pyindex-ci") }
    let now = Date()
    let certificate = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
      notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 30),
      issuer: name, subject: name, signatureAlgorithm: .sha256WithRSAEncryption, extensions: Certificate.Extensions(), issuerPrivateKey: .init(key))
    var serializer = DER.Serializer()
    try serializer.serialize(certificate)
    let der = serializer.serializedBytes
    certificatePEM = try certificate.serializeAsPEM().pemString + "\n" + key.pkcs8PEMRepresentation + "\n"
    certificateKey = key.publicKey
    thumbprints = [
      GoogleTokenService.base64URL(Array(Insecure.SHA1.hash(data: der))), GoogleTokenService.base64URL(Array(SHA256.hash(data: der))),
    ]
  }

  /// Why requests were refused, in order.
  public var refused: [String] { refusals.withLock { $0 } }
  func serve(at origin: String) { self.origin.withLock { $0 = origin } }
  var base: String { origin.withLock { $0 } }
  var tokenEndpoint: String { "\(base)/\(tenant)/oauth2/v2.0/token" }

  func answer(_ request: RecordedRequest) -> FixtureResponse? {
    switch (request.method, request.path) {
    case ("GET", "/\(tenant)/v2.0/.well-known/openid-configuration"):
      return .text(
        200,
        "{\"token_endpoint\": \"\(tokenEndpoint)\", \"authorization_endpoint\": \"\(base)/\(tenant)/oauth2/v2.0/authorize\", \"issuer\": \"\(base)/\(tenant)/v2.0\", \"token_endpoint_auth_methods_supported\": [\"client_secret_post\", \"private_key_jwt\"]}",
        type: "application/json")
    case ("POST", "/\(tenant)/oauth2/v2.0/token"): return token(request)
    case ("POST", let p) where p.hasSuffix("/oauth2/v2.0/token"):
      return error(400, "invalid_request", "AADSTS90002: Tenant '\(p.split(separator: "/").first ?? "")' not found.")
    case ("GET", "/msi/token"):
      guard request.header("X-IDENTITY-HEADER") == identityHeader else { return error(401, "invalid_request", "Missing or invalid X-IDENTITY-HEADER.") }
      return managed(request)
    case ("GET", "/metadata/identity/oauth2/token"):
      guard request.header("Metadata") == "true" else { return error(400, "invalid_request", "Required metadata header not specified") }
      return managed(request)
    default: return nil
    }
  }

  private func error(_ status: Int, _ code: String, _ description: String) -> FixtureResponse {
    refusals.withLock { $0.append(description) }
    return .text(status, "{\"error\": \"\(code)\", \"error_description\": \"\(description)\\r\\nTrace ID: 0\\r\\nTimestamp: 2026-12-07 00:00:00Z\", \"error_codes\": [0]}", type: "application/json")
  }

  private func issued() -> FixtureResponse {
    .text(200, "{\"token_type\": \"Bearer\", \"expires_in\": 3599, \"ext_expires_in\": 3599, \"access_token\": \"\(accessToken)\"}", type: "application/json")
  }

  private func managed(_ request: RecordedRequest) -> FixtureResponse {
    let query = AWSTokenService.form(String(request.uri.drop(while: { $0 != "?" }).dropFirst()))
    guard query["resource"] == "499b84ac-1321-427f-aa17-267ca6975798" else { return error(400, "invalid_resource", "AADSTS500011: The resource principal was not found.") }
    let expires = Int(Clock.now()) + 3600
    return .text(200, "{\"access_token\": \"\(accessToken)\", \"expires_on\": \"\(expires)\", \"expires_in\": \"3600\", \"resource\": \"499b84ac-1321-427f-aa17-267ca6975798\", \"token_type\": \"Bearer\", \"client_id\": \"\(clientId)\"}", type: "application/json")
  }

  private func token(_ request: RecordedRequest) -> FixtureResponse {
    let form = AWSTokenService.form(String(decoding: request.body, as: UTF8.self))
    guard form["grant_type"] == "client_credentials" else { return error(400, "unsupported_grant_type", "AADSTS70003: The app requested an unsupported grant type.") }
    guard form["client_id"] == clientId else { return error(400, "unauthorized_client", "AADSTS700016: Application with identifier '\(form["client_id"] ?? "")' was not found in the directory.") }
    guard form["scope"]?.split(separator: " ").contains("499b84ac-1321-427f-aa17-267ca6975798/.default") == true else {
      return error(400, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
    }
    if let secret = form["client_secret"] {
      return secret == clientSecret ? issued() : error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
    }
    guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", let assertion = form["client_assertion"] else {
      return error(401, "invalid_client", "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
    }
    if assertion == issuer.idToken { return issued() }
    if let problem = verify(assertion: assertion) { return error(401, "invalid_client", problem) }
    return issued()
  }

  /// A certificate's client assertion: RS256 (or PS256) by the certificate's key, named by its
  /// thumbprint, for this client, to this token endpoint, within its time range.
  func verify(assertion: String) -> String? {
    let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, let headerBytes = GoogleTokenService.decode(parts[0]), let claimBytes = GoogleTokenService.decode(parts[1]),
      let signature = GoogleTokenService.decode(parts[2]), let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)),
      let claims = try? JSONDecoder().decode(Claims.self, from: Data(claimBytes))
    else { return "AADSTS70021: No matching federated identity record found for presented assertion." }
    // MSAL pads the thumbprint's base64url; Entra ID reads it either way.
    guard let thumbprint = (header.x5t ?? header.x5tS256).map({ String($0.prefix(while: { $0 != "=" })) }), thumbprints.contains(thumbprint) else {
      return "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
    }
    let input = Array((parts[0] + "." + parts[1]).utf8)
    let rsa = _RSA.Signing.RSASignature(rawRepresentation: signature)
    let valid = header.alg == "PS256"
      ? certificateKey.isValidSignature(rsa, for: input, padding: .PSS) : header.alg == "RS256" && certificateKey.isValidSignature(rsa, for: input, padding: .insecurePKCS1v1_5)
    guard valid else { return "AADSTS700027: Client assertion failed signature validation." }
    guard claims.iss == clientId, claims.sub == clientId else { return "AADSTS700021: Client assertion application identifier doesn't match 'client_id' parameter." }
    guard claims.aud == tokenEndpoint || claims.aud == "\(base)/\(tenant)/v2.0" else { return "AADSTS700212: No matching federated identity record found for presented assertion audience." }
    let now = Clock.now()
    guard let exp = claims.exp, exp > now, (claims.nbf ?? claims.iat ?? now) <= now + 300 else {
      return "AADSTS700024: Client assertion is not within its valid time range."
    }
    return nil
  }

  struct Header: Decodable {
    let alg: String?
    let x5t: String?
    let x5tS256: String?
    enum CodingKeys: String, CodingKey {
      case alg, x5t
      case x5tS256 = "x5t#S256"
    }
  }

  struct Claims: Decodable {
    let iss: String?
    let sub: String?
    let aud: String?
    let exp: Double?
    let nbf: Double?
    let iat: Double?
  }
}
