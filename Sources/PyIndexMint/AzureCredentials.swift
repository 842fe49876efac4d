#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Crypto
import _CryptoExtras
import PyIndexAuth
import PyIndexModel
import SwiftASN1

/// Azure Artifacts (`pkgs.dev.azure.com`, `*.pkgs.visualstudio.com`): a Microsoft Entra ID
/// token for Azure DevOps, found as azure-identity's `DefaultAzureCredential` finds one — the
/// environment's service principal (client secret or certificate), workload identity
/// (`AZURE_FEDERATED_TOKEN_FILE`), then a managed identity — sent as the password of any user.
struct AzureArtifacts: MintProvider {
  static let provider = "Azure Artifacts"
  /// Azure DevOps' application id: the resource, and the scope with `/.default`.
  static let resource = "499b84ac-1321-427f-aa17-267ca6975798"
  static let scope = resource + "/.default"
  let context: MintContext

  static func isRegistry(_ host: String) -> Bool {
    host == "pkgs.dev.azure.com" || (host.hasSuffix(".pkgs.visualstudio.com") && !host.dropLast(".pkgs.visualstudio.com".count).contains("."))
  }

  /// `AZURE_AUTHORITY_HOST`, else Entra ID's public cloud.
  var authority: String {
    let a = context.value("AZURE_AUTHORITY_HOST") ?? "https://login.microsoftonline.com"
    return a.hasSuffix("/") ? String(a.dropLast()) : a
  }

  /// Which input answers, in azure-identity's order.
  enum Source {
    case secret(tenant: String, client: String, secret: String)
    case certificate(tenant: String, client: String, path: String)
    case workloadIdentity(tenant: String, client: String, file: String)
    case appService(endpoint: String, header: String)
    case imds
  }

  var source: Source {
    let tenant = context.value("AZURE_TENANT_ID"), client = context.value("AZURE_CLIENT_ID")
    if let tenant, let client {
      if let secret = context.value("AZURE_CLIENT_SECRET") { return .secret(tenant: tenant, client: client, secret: secret) }
      if let path = context.value("AZURE_CLIENT_CERTIFICATE_PATH") { return .certificate(tenant: tenant, client: client, path: path) }
      if let file = context.value("AZURE_FEDERATED_TOKEN_FILE") { return .workloadIdentity(tenant: tenant, client: client, file: file) }
    }
    if let endpoint = context.value("IDENTITY_ENDPOINT"), let header = context.value("IDENTITY_HEADER") { return .appService(endpoint: endpoint, header: header) }
    return .imds
  }

  func handles(_ index: SafeURL) -> Bool { AzureArtifacts.isRegistry(index.host) }

  func plan(for index: SafeURL) -> String? {
    guard handles(index) else { return nil }
    return "\(AzureArtifacts.provider) from " + describe(source)
  }

  func describe(_ source: Source) -> String {
    switch source {
    case .secret(let t, let c, _): "the client secret of client \(c) (tenant \(t))"
    case .certificate(let t, let c, _): "the client certificate of client \(c) (tenant \(t))"
    case .workloadIdentity(let t, let c, _): "workload identity of client \(c) (tenant \(t))"
    case .appService: "the managed identity (IDENTITY_ENDPOINT)"
    case .imds: "the managed identity (instance metadata)"
    }
  }

  func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials? {
    guard AzureArtifacts.isRegistry(index.host), let exchange else { return nil }
    let source = self.source
    let token: (String, Double?)
    switch source {
    case .secret(let tenant, let client, let secret):
      token = try await clientCredentials(tenant: tenant, client: client, proof: [("client_secret", secret)], exchange)
    case .certificate(let tenant, let client, let path):
      let assertion = try certificateAssertion(tenant: tenant, client: client, path: path)
      token = try await clientCredentials(tenant: tenant, client: client, proof: AzureArtifacts.assertion(assertion), exchange)
    case .workloadIdentity(let tenant, let client, let file):
      guard let federated = context.secretFile(file) else {
        throw fail("cannot read AZURE_FEDERATED_TOKEN_FILE (\(file))", hint: "the workload identity webhook (or the CI job) must write the federated token there")
      }
      token = try await clientCredentials(tenant: tenant, client: client, proof: AzureArtifacts.assertion(federated), exchange)
    case .appService(let endpoint, let header):
      token = try await managedIdentity(endpoint, version: "2019-08-01", headers: [("X-IDENTITY-HEADER", header)], exchange, timeout: nil)
    case .imds:
      let host = context.value("AZURE_POD_IDENTITY_AUTHORITY_HOST").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 } ?? "http://169.254.169.254"
      do {
        token = try await managedIdentity(host + "/metadata/identity/oauth2/token", version: "2018-02-01", headers: [("Metadata", "true")], exchange, timeout: 1)
      } catch let failure where failure.reason.hasSuffix(AzureArtifacts.noAnswer) {
        throw fail(
          "no Azure identity found: looked for AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_FEDERATED_TOKEN_FILE, IDENTITY_ENDPOINT with IDENTITY_HEADER, and the instance metadata service (\(host) did not answer)",
          hint: "in GitHub Actions, azure/login with a federated credential sets nothing pyindex reads: write the job's ID token to a file and set AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID and AZURE_TENANT_ID; or use --credential-provider none and give a personal access token")
      }
    }
    return MintedCredentials(credentials: Credentials(username: "azure", password: token.0), provider: AzureArtifacts.provider, identity: identity(source), expiry: token.1)
  }

  func identity(_ source: Source) -> String {
    switch source {
    case .secret(let t, let c, _), .certificate(let t, let c, _): "client \(c) (tenant \(t))"
    case .workloadIdentity(let t, let c, _): "client \(c) (tenant \(t), workload identity)"
    case .appService, .imds: "the managed identity" + (context.value("AZURE_CLIENT_ID").map { " (client \($0))" } ?? "")
    }
  }

  static let noAnswer = "did not answer"

  static func assertion(_ jwt: String) -> [(String, String)] {
    [("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"), ("client_assertion", jwt)]
  }

  /// The client-credentials grant at `AUTHORITY/TENANT/oauth2/v2.0/token`.
  func clientCredentials(tenant: String, client: String, proof: [(String, String)], _ exchange: any TokenExchanging) async throws(MintFailure) -> (String, Double?) {
    let endpoint = "\(authority)/\(SigV4.encode(tenant))/oauth2/v2.0/token"
    let answer = try await GoogleOAuth.post(
      endpoint, form: [("grant_type", "client_credentials"), ("client_id", client), ("scope", AzureArtifacts.scope)] + proof, exchange, what: "Entra ID", fail: fail)
    return try AzureArtifacts.token(answer, now: context.now(), what: "Entra ID refused client \(client) of tenant \(tenant)", fail: fail)
  }

  /// An RS256 client assertion signed with the certificate's key, naming the certificate by its
  /// SHA-1 thumbprint (`x5t`), as MSAL sends it.
  func certificateAssertion(tenant: String, client: String, path: String) throws(MintFailure) -> String {
    guard let text = context.readFile(context.expand(path)) else {
      throw fail("cannot read AZURE_CLIENT_CERTIFICATE_PATH (\(path))", hint: "give a PEM file with the certificate and its private key")
    }
    guard let documents = try? PEMDocument.parseMultiple(pemString: text),
      let certificate = documents.first(where: { $0.discriminator == "CERTIFICATE" }),
      let keyDocument = documents.first(where: { $0.discriminator == "PRIVATE KEY" || $0.discriminator == "RSA PRIVATE KEY" }),
      let key = try? _RSA.Signing.PrivateKey(pemRepresentation: keyDocument.pemString)
    else {
      throw fail(
        "AZURE_CLIENT_CERTIFICATE_PATH (\(path)) is not a PEM file with a certificate and its RSA private key",
        hint: "convert a PFX with openssl pkcs12 -in cert.pfx -out cert.pem -nodes")
    }
    let thumbprint = Array(Insecure.SHA1.hash(data: certificate.derBytes))
    let now = Int(context.now())
    let header: [String: JSONValue] = ["alg": .string("RS256"), "typ": .string("JWT"), "x5t": .string(JWT.base64URL(thumbprint))]
    let claims: [String: JSONValue] = [
      "aud": .string("\(authority)/\(tenant)/oauth2/v2.0/token"), "iss": .string(client), "sub": .string(client),
      "jti": .string(UUID().uuidString.lowercased()), "nbf": .number(now), "iat": .number(now), "exp": .number(now + 600),
    ]
    do {
      return try JWT.rs256(header: JWT.json(header), claims: JWT.json(claims), key: key)
    } catch {
      throw fail("cannot sign with the key of \(path)", hint: nil)
    }
  }

  /// A managed identity's token: App Service's `IDENTITY_ENDPOINT`, or the instance metadata
  /// service.
  func managedIdentity(_ endpoint: String, version: String, headers: [(String, String)], _ exchange: any TokenExchanging, timeout: Double?) async throws(MintFailure) -> (String, Double?) {
    var query = "api-version=\(version)&resource=\(SigV4.encode(AzureArtifacts.resource))"
    if let client = context.value("AZURE_CLIENT_ID") { query += "&client_id=\(SigV4.encode(client))" }
    guard let url = SafeURL(endpoint + (endpoint.contains("?") ? "&" : "?") + query) else {
      throw fail("the managed identity endpoint \(Redaction.redact(endpoint)) is not a URL", hint: "check IDENTITY_ENDPOINT")
    }
    let answer: TokenAnswer
    do {
      answer = try await exchange.exchange(TokenRequest(method: "GET", url: url, headers: headers, timeout: timeout, secretHeaders: ["X-IDENTITY-HEADER"]))
    } catch {
      throw fail("the managed identity endpoint \(url) \(AzureArtifacts.noAnswer)", hint: (error as? any PyIndexError)?.hint)
    }
    return try AzureArtifacts.token(answer, now: context.now(), what: "the managed identity endpoint gave no token", fail: fail)
  }

  struct Answer: Decodable {
    let access_token: String?
    let expires_in: WireExpiry?
    let expires_on: WireExpiry?
    let error: String?
    let error_description: String?
  }

  /// `access_token` with `expires_on` (epoch seconds, as a number or text) or `expires_in`; or
  /// Entra ID's `error` and the first line of `error_description` (its AADSTS code).
  static func token(_ answer: TokenAnswer, now: Double, what: String, fail: GoogleOAuth.Fail) throws(MintFailure) -> (String, Double?) {
    let a = try? JSONDecoder().decode(Answer.self, from: Data(answer.body))
    guard answer.succeeded, let token = a?.access_token, !token.isEmpty else {
      let code = a?.error.map { String(ServerText.clean($0).prefix(80)) } ?? "HTTP \(answer.status)"
      let line = a?.error_description.flatMap { $0.split(whereSeparator: \.isNewline).first.map(String.init) }
      let message = line.map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail("\(what) (\(code)\(message))", hint(line ?? ""))
    }
    let expiry = a?.expires_on?.seconds ?? a?.expires_in?.seconds.map { now + $0 }
    return (token, expiry)
  }

  static func hint(_ description: String) -> String {
    let code = description.prefix(while: { $0 != ":" })
    switch code {
    case "AADSTS7000215", "AADSTS7000222": return "the client secret is wrong or expired: create a new one for the app registration"
    case "AADSTS700016": return "no such application in the tenant: check AZURE_CLIENT_ID and AZURE_TENANT_ID"
    case "AADSTS90002": return "no such tenant: check AZURE_TENANT_ID"
    case "AADSTS70021", "AADSTS700211", "AADSTS700213":
      return "the app registration's federated credential must match the token's issuer, subject and audience (api://AzureADTokenExchange)"
    case "AADSTS700024", "AADSTS700025": return "the clock here is off: the assertion must be within the server's valid time range"
    case "AADSTS700027", "AADSTS700023": return "the certificate is not registered on the app registration, or the key does not match it"
    default: return "check the app registration and that it is allowed into the Azure DevOps organization (Azure DevOps' Entra ID connection)"
    }
  }

  func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: AzureArtifacts.provider, reason: reason, hint: hint) }
}
