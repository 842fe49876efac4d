#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexModel

/// AWS CodeArtifact: for an index on `DOMAIN-OWNER.d.codeartifact.REGION.amazonaws.com`, an
/// authorization token from a SigV4-signed `POST /v1/authorization-token` (the API
/// `aws codeartifact get-authorization-token` calls), signed by the identity the AWS
/// credential chain finds; sent as `aws:TOKEN`.
struct CodeArtifact: MintProvider {
  static let provider = "AWS CodeArtifact"
  let context: MintContext

  /// Domain, owner (12 digits) and region from a CodeArtifact repository host.
  static func registry(_ host: String) -> (domain: String, owner: String, region: String)? {
    let labels = host.split(separator: ".", omittingEmptySubsequences: false)
    guard labels.count == 6, labels[1] == "d", labels[2] == "codeartifact", labels[4] == "amazonaws", labels[5] == "com",
      let dash = labels[0].lastIndex(of: "-")
    else { return nil }
    let domain = labels[0][..<dash], owner = labels[0][labels[0].index(after: dash)...]
    guard !domain.isEmpty, owner.count == 12, owner.allSatisfy({ $0.isASCII && $0.isNumber }), !labels[3].isEmpty else { return nil }
    return (String(domain), String(owner), String(labels[3]))
  }

  func handles(_ index: SafeURL) -> Bool { CodeArtifact.registry(index.host) != nil }

  func plan(for index: SafeURL) -> String? {
    guard let r = CodeArtifact.registry(index.host) else { return nil }
    return "\(CodeArtifact.provider) (domain \(r.domain), owner \(r.owner)) from \(AWSCredentialChain(context: context, region: r.region).plan())"
  }

  func credentials(for index: SafeURL, exchange: (any TokenExchanging)?) async throws(MintFailure) -> MintedCredentials? {
    guard let r = CodeArtifact.registry(index.host), let exchange else { return nil }
    let identity = try await AWSCredentialChain(context: context, region: r.region).resolve(exchange)
    let endpoint = AWSEndpoints.url(service: "codeartifact", region: r.region, context: context)
    let query = "domain=\(SigV4.encode(r.domain))&domain-owner=\(r.owner)"
    guard let url = SafeURL(endpoint + "v1/authorization-token?" + query) else {
      throw fail("the CodeArtifact endpoint \(Redaction.redact(endpoint)) is not a URL", hint: "check AWS_ENDPOINT_URL_CODEARTIFACT and AWS_ENDPOINT_URL")
    }
    var headers = [("Host", AWSEndpoints.hostHeader(url))]
    headers += SigV4(region: r.region, service: "codeartifact").sign(
      method: "POST", path: url.path, query: query, headers: headers, body: [], key: identity.key, amzDate: CivilTime(secondsSince1970: context.now()).basicText)
    let answer: TokenAnswer
    do {
      answer = try await exchange.exchange(TokenRequest(method: "POST", url: url, headers: headers, secretHeaders: ["X-Amz-Security-Token"]))
    } catch {
      throw fail("CodeArtifact at \(url) did not answer: \(error)", hint: (error as? any PyIndexError)?.hint)
    }
    struct Answer: Decodable {
      let authorizationToken: String?
      let expiration: WireExpiry?
      let message: String?
      let Message: String?
    }
    let a = try? JSONDecoder().decode(Answer.self, from: Data(answer.body))
    guard answer.succeeded, let token = a?.authorizationToken, !token.isEmpty else {
      let type = answer.header("x-amzn-ErrorType").map { $0.split(separator: ":").first.map(String.init) ?? $0 } ?? "HTTP \(answer.status)"
      let message = (a?.message ?? a?.Message).map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail(
        "CodeArtifact refused \(identity.identity) a token for domain \(r.domain) owned by \(r.owner) (\(ServerText.clean(type))\(message))",
        hint: AWSCredentialChain.stsHint(type, otherwise: "the identity needs codeartifact:GetAuthorizationToken on the domain and sts:GetServiceBearerToken"))
    }
    return MintedCredentials(credentials: Credentials(username: "aws", password: token), provider: CodeArtifact.provider, identity: identity.identity, expiry: a?.expiration?.seconds)
  }

  func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: CodeArtifact.provider, reason: reason, hint: hint) }
}

/// An expiry or a lifetime as token APIs write it: seconds (CodeArtifact's `expiration` and
/// Azure's `expires_on` since 1970, Google's and Azure's `expires_in` from now), as a JSON
/// number or text, or RFC 3339 text. A value that is not finite, is negative, or lies beyond
/// year 5000 is no value: a server's number never reaches a conversion that could trap.
struct WireExpiry: Decodable, Sendable {
  let seconds: Double?
  /// 5000-01-01T00:00:00Z.
  static let limit = 95_617_584_000.0

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    let value: Double?
    if let n = try? c.decode(Double.self) {
      value = n
    } else if let text = try? c.decode(String.self) {
      value = Timestamp(text)?.seconds ?? Double(text)
    } else {
      value = nil
    }
    seconds = value.flatMap { $0.isFinite && $0 >= 0 && $0 < WireExpiry.limit ? $0 : nil }
  }
}
