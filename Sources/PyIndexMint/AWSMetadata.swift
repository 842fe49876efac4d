#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexModel

/// The AWS metadata services: container credentials (ECS, EKS Pod Identity) and EC2 instance
/// metadata (IMDSv2: a session token from `PUT /latest/api/token`, then the role's
/// credentials). Both answer plain http on a link-local address, which the outbound policy
/// allows for token requests only.
enum AWSMetadata {
  /// The credentials JSON both services answer.
  struct Answer: Decodable {
    let AccessKeyId: String?
    let SecretAccessKey: String?
    let Token: String?
    let Expiration: String?
    let RoleArn: String?
    let Code: String?
    let Message: String?
  }

  /// Container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (from 169.254.170.2) or
  /// `_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `_TOKEN` as
  /// `Authorization`; nil when neither variable is set.
  static func container(_ context: MintContext, _ exchange: any TokenExchanging) async throws(MintFailure) -> AWSIdentity? {
    let text: String
    if let relative = context.value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
      text = "http://169.254.170.2" + (relative.hasPrefix("/") ? relative : "/" + relative)
    } else if let full = context.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
      text = full
    } else {
      return nil
    }
    guard let url = SafeURL(text) else { throw fail("the container credentials URI is not a URL", hint: "check AWS_CONTAINER_CREDENTIALS_FULL_URI") }
    var headers: [(String, String)] = [("Accept", "application/json")]
    if let file = context.value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
      guard let token = context.secretFile(file) else { throw fail("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (\(file))", hint: "the file is mounted by EKS Pod Identity; check the pod's service account") }
      headers.append(("Authorization", token))
    } else if let token = context.value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
      headers.append(("Authorization", token))
    }
    let answer = try await get(url, headers: headers, exchange, what: "the container credentials endpoint", timeout: 2)
    return try identity(answer, from: "container credentials", url: url)
  }

  /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else http://169.254.169.254.
  static func instanceEndpoint(_ context: MintContext) -> String {
    let base = context.value("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254"
    return base.hasSuffix("/") ? String(base.dropLast()) : base
  }

  /// EC2 instance metadata (IMDSv2), asked with a 1-second timeout as botocore does; nil when
  /// it does not answer (not on EC2) or `AWS_EC2_METADATA_DISABLED` is `true`.
  static func instance(_ context: MintContext, _ exchange: any TokenExchanging) async throws(MintFailure) -> AWSIdentity? {
    guard context.value("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" else { return nil }
    let base = instanceEndpoint(context)
    guard let tokenURL = SafeURL(base + "/latest/api/token"), let rolesURL = SafeURL(base + "/latest/meta-data/iam/security-credentials/") else {
      throw fail("AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL", hint: "give it as http://169.254.169.254")
    }
    let tokenAnswer: TokenAnswer
    do {
      tokenAnswer = try await exchange.exchange(TokenRequest(method: "PUT", url: tokenURL, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], timeout: 1))
    } catch {
      return nil  // not on EC2
    }
    guard tokenAnswer.succeeded else { return nil }
    let session = String(decoding: tokenAnswer.body, as: UTF8.self).trimmingASCIIWhitespace()
    let headers = [("X-aws-ec2-metadata-token", session)]
    let roles = try await get(rolesURL, headers: headers, exchange, what: "EC2 instance metadata", timeout: 1)
    guard roles.succeeded, let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map({ $0.trimmingASCIIWhitespace() }),
      !role.isEmpty, !role.contains("/"), let credentialsURL = SafeURL(rolesURL.description + SigV4.encode(role))
    else {
      throw fail("this EC2 instance has no IAM role (instance metadata lists none)", hint: "attach an instance profile with codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken")
    }
    let answer = try await get(credentialsURL, headers: headers, exchange, what: "EC2 instance metadata", timeout: 1)
    return try identity(answer, from: "instance profile \(role)", url: credentialsURL)
  }

  private static func get(_ url: SafeURL, headers: [(String, String)], _ exchange: any TokenExchanging, what: String, timeout: Double) async throws(MintFailure) -> TokenAnswer {
    do {
      return try await exchange.exchange(
        TokenRequest(method: "GET", url: url, headers: headers, timeout: timeout, secretHeaders: ["X-aws-ec2-metadata-token", "Authorization"]))
    } catch {
      throw fail("\(what) at \(url) did not answer: \(error)", hint: (error as? any PyIndexError)?.hint)
    }
  }

  private static func identity(_ answer: TokenAnswer, from source: String, url: SafeURL) throws(MintFailure) -> AWSIdentity {
    let a = try? JSONDecoder().decode(Answer.self, from: Data(answer.body))
    guard answer.succeeded, let a, let id = a.AccessKeyId, let secret = a.SecretAccessKey else {
      let why = a?.Message.map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail("\(url) gave no credentials (HTTP \(answer.status)\(why))", hint: "check the role attached to this container or instance")
    }
    return AWSIdentity(
      key: SigV4.Key(accessKeyId: id, secretAccessKey: secret, sessionToken: a.Token),
      identity: a.RoleArn.map { "role \($0) (\(source))" } ?? source, expiry: a.Expiration.flatMap { Timestamp($0)?.seconds })
  }

  static func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: CodeArtifact.provider, reason: reason, hint: hint) }
}
