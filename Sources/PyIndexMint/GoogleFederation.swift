#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexModel

/// Workload identity federation (`external_account`), as google-auth does it: the subject
/// token from the `credential_source` (a file, or a URL such as GitHub's ID-token endpoint;
/// text or a JSON member), exchanged at the STS `token_url` (RFC 8693), then, when the file
/// names `service_account_impersonation_url`, a service account's token from IAM Credentials.
struct GoogleFederation {
  let context: MintContext
  let key: GoogleArtifactRegistry.KeyFile
  let file: GoogleArtifactRegistry.ADCFile

  func token(_ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleArtifactRegistry.GoogleToken {
    guard let audience = key.audience, let tokenURL = key.token_url ?? Optional("https://sts.googleapis.com/v1/token"), let source = key.credential_source else {
      throw fail("the workload identity configuration \(file.path) lacks audience or credential_source", hint: "create it again with gcloud iam workload-identity-pools create-cred-config")
    }
    let subject = try await subjectToken(source, exchange)
    let answer = try await GoogleOAuth.post(
      tokenURL,
      form: [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"), ("audience", audience), ("scope", GoogleArtifactRegistry.scope),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:access_token"), ("subject_token", subject),
        ("subject_token_type", key.subject_token_type ?? "urn:ietf:params:oauth:token-type:jwt"),
      ], exchange, what: "Google STS", fail: fail)
    let pool = "workload identity pool \(GoogleFederation.poolName(audience))"
    let federated = try GoogleOAuth.token(answer, identity: pool, now: context.now(), what: "Google STS refused the subject token", fail: fail)
    guard let impersonation = key.service_account_impersonation_url else { return federated }
    return try await impersonate(impersonation, with: federated.accessToken, exchange)
  }

  /// `projects/N/locations/global/workloadIdentityPools/POOL/providers/P` from the audience.
  static func poolName(_ audience: String) -> String {
    guard let r = audience.firstRange(of: "projects/") else { return audience }
    return String(audience[r.lowerBound...])
  }

  /// The subject token: a file's text or a URL's answer, whole (`text`) or one member of a
  /// JSON object (`json`, `subject_token_field_name`).
  func subjectToken(_ source: GoogleArtifactRegistry.KeyFile.Source, _ exchange: any TokenExchanging) async throws(MintFailure) -> String {
    let raw: String
    if let path = source.file {
      guard let text = context.readFile(context.expand(path)) else {
        throw fail("cannot read the subject token file \(path) named by \(file.path)", hint: "the CI job must write its OIDC ID token there before pyindex runs")
      }
      raw = text
    } else if let text = source.url {
      guard let url = SafeURL(text) else { throw fail("the credential_source url of \(file.path) is not a URL", hint: nil) }
      let headers = (source.headers ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
      let answer: TokenAnswer
      do {
        answer = try await exchange.exchange(TokenRequest(method: "GET", url: url, headers: headers, secretHeaders: Set(headers.map(\.0))))
      } catch {
        throw fail("the subject token URL \(url) did not answer: \(error)", hint: (error as? any PyIndexError)?.hint)
      }
      guard answer.succeeded else {
        throw fail("the subject token URL \(url) answered HTTP \(answer.status)", hint: "in GitHub Actions the job needs permissions: id-token: write")
      }
      raw = String(decoding: answer.body, as: UTF8.self)
    } else if source.executable != nil || source.environment_id != nil {
      throw fail(
        "\(file.path) takes its subject token from \(source.executable != nil ? "an executable" : "AWS"), which pyindex does not run",
        hint: "use a credential_source with a file or a url (the form GitHub's and GitLab's OIDC setups write)")
    } else {
      throw fail("the credential_source of \(file.path) names neither a file nor a url", hint: nil)
    }
    guard source.format?.type == "json" else {
      let token = raw.trimmingASCIIWhitespace()
      guard !token.isEmpty else { throw fail("the subject token is empty", hint: "the CI job must write its OIDC ID token before pyindex runs") }
      return token
    }
    let field = source.format?.subject_token_field_name ?? "value"
    /// A member of any JSON type; only strings are kept.
    struct Member: Decodable {
      let string: String?
      init(from decoder: any Decoder) throws { string = try? decoder.singleValueContainer().decode(String.self) }
    }
    guard let object = try? JSONDecoder().decode([String: Member].self, from: Data(raw.utf8)), let token = object[field]?.string, !token.isEmpty else {
      throw fail("the subject token answer has no string member '\(field)'", hint: "check credential_source.format.subject_token_field_name")
    }
    return token
  }

  /// IAM Credentials' `generateAccessToken` for the service account, with the federated token.
  func impersonate(_ endpoint: String, with federated: String, _ exchange: any TokenExchanging) async throws(MintFailure) -> GoogleArtifactRegistry.GoogleToken {
    let account = endpoint.firstRange(of: "serviceAccounts/").map { String(endpoint[$0.upperBound...].prefix(while: { $0 != ":" })) } ?? "a service account"
    let body = Array("{\"scope\": [\(JSONText.quote(GoogleArtifactRegistry.scope))], \"lifetime\": \"3600s\"}".utf8)
    let answer = try await GoogleOAuth.send(
      endpoint, body: body, headers: [("Content-Type", "application/json"), ("Authorization", "Bearer " + federated)], exchange, what: "service account impersonation", fail: fail)
    struct Answer: Decodable {
      let accessToken: String?
      let expireTime: String?
      let error: Failure?
      struct Failure: Decodable {
        let status: String?
        let message: String?
      }
    }
    let a = try? JSONDecoder().decode(Answer.self, from: Data(answer.body))
    guard answer.succeeded, let token = a?.accessToken, !token.isEmpty else {
      let status = a?.error?.status.map { String(ServerText.clean($0).prefix(60)) } ?? "HTTP \(answer.status)"
      let message = a?.error?.message.map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail(
        "IAM refused to let the workload identity impersonate \(GoogleArtifactRegistry.account(account)) (\(status)\(message))",
        hint: "grant the workload identity pool's principal roles/iam.workloadIdentityUser (or Service Account Token Creator) on the service account \(GoogleArtifactRegistry.account(account))")
    }
    return GoogleArtifactRegistry.GoogleToken(accessToken: token, identity: "service account \(GoogleArtifactRegistry.account(account)) (workload identity federation)", expiry: a?.expireTime.flatMap { Timestamp($0)?.seconds })
  }

  func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: GoogleArtifactRegistry.provider, reason: reason, hint: hint) }
}
