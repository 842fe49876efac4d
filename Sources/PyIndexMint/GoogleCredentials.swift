#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import _CryptoExtras
import PyIndexAuth
import PyIndexModel

/// Google Artifact Registry (`LOCATION-python.pkg.dev`): an OAuth access token from
/// Application Default Credentials, as google-auth finds them — the file named by
/// `GOOGLE_APPLICATION_CREDENTIALS`, else gcloud's ADC file, else the metadata server — sent
/// as `oauth2accesstoken`.
struct GoogleArtifactRegistry: MintProvider {
  static let provider = "Google Artifact Registry"
  static let scope = "https://www.googleapis.com/auth/cloud-platform"
  let context: MintContext

  /// A service account as pyindex names it: `NAME of DOMAIN` (every line pyindex prints masks
  /// what comes before an `@`, as it would a URL's user name).
  static func account(_ email: String) -> String {
    guard let at = email.lastIndex(of: "@") else { return email }
    return "\(email[..<at]) of \(email[email.index(after: at)...])"
  }

  static func isRegistry(_ host: String) -> Bool {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    return labels.count == 3 && labels[0].hasSuffix("-python") && labels[0].count > "-python".count && labels[1] == "pkg" && labels[2] == "dev"
  }

  func handles(_ index: SafeURL) -> Bool { GoogleArtifactRegistry.isRegistry(index.host) }

  func plan(for index: SafeURL) -> String? {
    guard handles(index) else { return nil }
    return "\(GoogleArtifactRegistry.provider) from " + (adcFile().map { "\($0.type ?? "a credentials file") in \($0.path) (\($0.from))" } ?? "the metadata server (\(metadataHost))")
  }

  func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials? {
    guard GoogleArtifactRegistry.isRegistry(index.host), let exchange else { return nil }
    let token: GoogleToken
    if let file = adcFile() {
      token = try await fromFile(file, exchange)
    } else if let t = try await fromMetadataServer(exchange) {
      token = t
    } else {
      throw fail(
        "no Google credentials found: looked for GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials (\(gcloudFile)), and the metadata server (\(metadataHost) did not answer)",
        hint: "in GitHub Actions, google-github-actions/auth writes a credentials file and sets GOOGLE_APPLICATION_CREDENTIALS; elsewhere run gcloud auth application-default login, or use --credential-provider none and give a token yourself")
    }
    return MintedCredentials(credentials: Credentials(username: "oauth2accesstoken", password: token.accessToken), provider: GoogleArtifactRegistry.provider, identity: token.identity, expiry: token.expiry)
  }

  // MARK: Where the credentials are

  struct ADCFile {
    let path: String
    /// "GOOGLE_APPLICATION_CREDENTIALS", "gcloud's ADC file".
    let from: String
    let text: String?
    /// The file's `type`, when it could be read.
    var type: String? { text.flatMap { try? JSONDecoder().decode(KeyFile.self, from: Data($0.utf8)).type } }
  }

  var gcloudFile: String {
    (context.value("CLOUDSDK_CONFIG") ?? (context.value("HOME").map { $0 + "/.config/gcloud" } ?? "~/.config/gcloud")) + "/application_default_credentials.json"
  }

  var metadataHost: String { context.value("GCE_METADATA_HOST") ?? "metadata.google.internal" }

  /// `GOOGLE_APPLICATION_CREDENTIALS` (even when unreadable: that is an error to say), else
  /// gcloud's file when it exists.
  func adcFile() -> ADCFile? {
    if let path = context.value("GOOGLE_APPLICATION_CREDENTIALS") {
      return ADCFile(path: path, from: "GOOGLE_APPLICATION_CREDENTIALS", text: context.readFile(context.expand(path)))
    }
    let path = gcloudFile
    guard let text = context.readFile(path) else { return nil }
    return ADCFile(path: path, from: "gcloud's application default credentials", text: text)
  }

  /// The key file's members pyindex reads, of every type.
  struct KeyFile: Decodable {
    let type: String?
    let client_email: String?
    let private_key: String?
    let private_key_id: String?
    let token_uri: String?
    let client_id: String?
    let client_secret: String?
    let refresh_token: String?
    let audience: String?
    let subject_token_type: String?
    let token_url: String?
    let credential_source: Source?
    let service_account_impersonation_url: String?

    struct Source: Decodable {
      let file: String?
      let url: String?
      let headers: [String: String]?
      let format: Format?
      let executable: Executable?
      let environment_id: String?
      struct Format: Decodable {
        let type: String?
        let subject_token_field_name: String?
      }
      struct Executable: Decodable { let command: String? }
    }
  }

  struct GoogleToken {
    let accessToken: String
    let identity: String
    let expiry: Double?
  }

  func fromFile(_ file: ADCFile, _ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleToken {
    guard let text = file.text else {
      throw fail("cannot read \(file.path) (\(file.from))", hint: "point GOOGLE_APPLICATION_CREDENTIALS at a readable credentials file")
    }
    guard let key = try? JSONDecoder().decode(KeyFile.self, from: Data(text.utf8)), let type = key.type else {
      let encoded = Data(base64Encoded: text.trimmingASCIIWhitespace()).flatMap { try? JSONDecoder().decode(KeyFile.self, from: $0) }?.type != nil
      throw fail(
        "\(file.path) (\(file.from)) is not a Google credentials file (JSON with a \"type\")",
        hint: encoded
          ? "the file holds the key base64-encoded (as _json_key_base64 takes it): decode it with base64 -d"
          : "give a service account key, gcloud's application default credentials, or a workload identity federation configuration")
    }
    switch type {
    case "service_account": return try await serviceAccount(key, file, exchange)
    case "authorized_user": return try await authorizedUser(key, file, exchange)
    case "external_account": return try await GoogleFederation(context: context, key: key, file: file).token(exchange)
    default:
      throw fail(
        "\(file.path) (\(file.from)) is a credentials file of type '\(ServerText.clean(type).prefix(60))', which pyindex does not read",
        hint: "pyindex reads the types service_account, authorized_user and external_account (workload identity federation)")
    }
  }

  /// The JWT-bearer grant: an RS256 assertion signed with the key, to the key's `token_uri`.
  func serviceAccount(_ key: KeyFile, _ file: ADCFile, _ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleToken {
    guard let email = key.client_email, let pem = key.private_key else {
      throw fail("the service account key \(file.path) has no client_email or private_key", hint: "download a JSON key for the service account again")
    }
    guard let rsa = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) else {
      throw fail("the private_key of \(file.path) is not an RSA private key in PEM", hint: "a service account's JSON key holds one; a P12 key is not read")
    }
    let tokenURI = key.token_uri ?? GoogleOAuth.tokenEndpoint
    let now = Int(context.now())
    var header: [String: JSONValue] = ["alg": .string("RS256"), "typ": .string("JWT")]
    if let kid = key.private_key_id { header["kid"] = .string(kid) }
    // The audience is Google's token endpoint whatever `token_uri` says, as google-auth sends it.
    let claims: [String: JSONValue] = [
      "iss": .string(email), "scope": .string(GoogleArtifactRegistry.scope), "aud": .string(GoogleOAuth.tokenEndpoint), "iat": .number(now), "exp": .number(now + 3600),
    ]
    guard let assertion = try? JWT.rs256(header: JWT.json(header), claims: JWT.json(claims), key: rsa) else {
      throw fail("cannot sign with the private_key of \(file.path)", hint: nil)
    }
    let answer = try await GoogleOAuth.post(
      tokenURI, form: [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion)], exchange, what: "the token endpoint", fail: fail)
    return try GoogleOAuth.token(answer, identity: "service account \(GoogleArtifactRegistry.account(email))", now: context.now(), what: "the token endpoint refused the service account \(email)", fail: fail)
  }

  /// The refresh-token grant of gcloud's user credentials.
  func authorizedUser(_ key: KeyFile, _ file: ADCFile, _ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleToken {
    guard let id = key.client_id, let secret = key.client_secret, let refresh = key.refresh_token else {
      throw fail("the user credentials \(file.path) lack client_id, client_secret or refresh_token", hint: "run gcloud auth application-default login again")
    }
    let answer = try await GoogleOAuth.post(
      key.token_uri ?? GoogleOAuth.tokenEndpoint,
      form: [("grant_type", "refresh_token"), ("client_id", id), ("client_secret", secret), ("refresh_token", refresh)], exchange, what: "the token endpoint", fail: fail)
    return try GoogleOAuth.token(answer, identity: "user credentials of \(file.from)", now: context.now(), what: "the token endpoint refused the refresh token of \(file.path)", fail: fail)
  }

  /// The metadata server's token for the instance's service account; nil when it does not
  /// answer (not on Google Cloud).
  func fromMetadataServer(_ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleToken? {
    let base = "http://\(metadataHost)/computeMetadata/v1/instance/service-accounts/default/"
    guard let tokenURL = SafeURL(base + "token?scopes=" + SigV4.encode(GoogleArtifactRegistry.scope)), let emailURL = SafeURL(base + "email") else {
      throw fail("GCE_METADATA_HOST is not a host", hint: "give it as host or host:port")
    }
    let headers = [("Metadata-Flavor", "Google")]
    guard let answer = try? await exchange.exchange(TokenRequest(method: "GET", url: tokenURL, headers: headers, timeout: 2)) else { return nil }
    guard answer.header("Metadata-Flavor") == "Google" else { return nil }
    let email = (try? await exchange.exchange(TokenRequest(method: "GET", url: emailURL, headers: headers, timeout: 2))).flatMap { $0.succeeded ? String(decoding: $0.body.prefix(320), as: UTF8.self) : nil }
    return try GoogleOAuth.token(
      answer, identity: email.map { "service account \(GoogleArtifactRegistry.account(ServerText.clean($0).trimmingASCIIWhitespace())) (metadata server)" } ?? "the metadata server's service account", now: context.now(),
      what: "the metadata server gave no token", fail: fail)
  }

  func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: GoogleArtifactRegistry.provider, reason: reason, hint: hint) }
}

/// OAuth requests and answers as Google's endpoints speak them.
enum GoogleOAuth {
  typealias Fail = (String, String?) -> MintFailure
  /// Google's OAuth token endpoint.
  static let tokenEndpoint = "https://oauth2.googleapis.com/token"

  /// A form-encoded POST.
  static func post(_ endpoint: String, form: [(String, String)], headers: [(String, String)] = [], _ exchange: any TokenExchanging, what: String, fail: Fail) async throws(MintFailure) -> TokenAnswer {
    let body = Array(form.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&").utf8)
    return try await send(endpoint, body: body, headers: headers + [("Content-Type", "application/x-www-form-urlencoded")], exchange, what: what, fail: fail)
  }

  static func send(_ endpoint: String, body: [UInt8], headers: [(String, String)], _ exchange: any TokenExchanging, what: String, fail: Fail) async throws(MintFailure) -> TokenAnswer {
    guard let url = SafeURL(endpoint) else { throw fail("\(what) \(Redaction.redact(endpoint)) is not a URL", "check the credentials file") }
    do {
      return try await exchange.exchange(TokenRequest(method: "POST", url: url, headers: headers + [("Accept", "application/json")], body: body, secretHeaders: ["Authorization"]))
    } catch {
      throw fail("\(what) at \(url) did not answer: \(error)", (error as? any PyIndexError)?.hint)
    }
  }

  struct Answer: Decodable {
    let access_token: String?
    let expires_in: WireExpiry?
    let error: String?
    let error_description: String?
  }

  /// `access_token` and `expires_in`, or the endpoint's `error` and `error_description`.
  static func token(_ answer: TokenAnswer, identity: String, now: Double, what: String, fail: Fail) throws(MintFailure) -> GoogleArtifactRegistry.GoogleToken {
    let a = try? JSONDecoder().decode(Answer.self, from: Data(answer.body))
    guard answer.succeeded, let token = a?.access_token, !token.isEmpty else {
      let code = a?.error.map { ServerText.clean($0).prefix(80) } ?? "HTTP \(answer.status)"
      let message = a?.error_description.map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail("\(what) (\(code)\(message))", hint(code: String(code), message: a?.error_description ?? ""))
    }
    return GoogleArtifactRegistry.GoogleToken(accessToken: token, identity: identity, expiry: a?.expires_in?.seconds.map { now + $0 })
  }

  static func hint(code: String, message: String) -> String {
    let m = message.lowercased()
    if m.contains("timeframe") || m.contains("clock") || m.contains("iat") || m.contains("expired") && m.contains("jwt") {
      return "the clock here is off: an assertion must be issued within minutes of the server's time"
    }
    if m.contains("audience") { return "the workload identity provider must accept the token's audience: check its allowed audiences and attribute condition" }
    if m.contains("expired or revoked") {
      return "the refresh token expired or was revoked: run gcloud auth application-default login again"
    }
    switch code {
    case "invalid_client", "unauthorized_client": return "the key was deleted or disabled: create a new one for the service account"
    case "invalid_grant": return "the credentials were refused: check that the key or token is current and that the identity may use the workload identity pool"
    default: return "check the credentials file and the identity's roles (Artifact Registry Reader)"
    }
  }
}
