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

  /// How long a metadata service is waited for and how often it is asked, as botocore does.
  struct Patience: Sendable, Equatable {
    /// Seconds per request.
    var timeout: Double
    /// Requests before giving up (a failed connection, a timeout or a status other than 200).
    var attempts: Int
    /// Seconds between attempts.
    var pause: Double

    /// Container credentials: 2 seconds, 3 attempts a second apart (botocore's
    /// `ContainerMetadataFetcher`): the agent answers on the task's own network.
    static let container = Patience(timeout: 2, attempts: 3, pause: 1)

    /// Instance metadata: `AWS_METADATA_SERVICE_TIMEOUT` and `AWS_METADATA_SERVICE_NUM_ATTEMPTS`,
    /// else the profile's `metadata_service_timeout` and `metadata_service_num_attempts`, else
    /// 1 second and one attempt (most machines have no such service, and asking must not slow
    /// them down).
    static func instance(_ context: MintContext, profile: [String: String]?) throws(MintFailure) -> Patience {
      let timeout = try setting(context, "AWS_METADATA_SERVICE_TIMEOUT", profile, "metadata_service_timeout", in: 1...300) ?? 1
      let attempts = try setting(context, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", profile, "metadata_service_num_attempts", in: 1...10) ?? 1
      return Patience(timeout: Double(timeout), attempts: attempts, pause: 0)
    }

    private static func setting(_ context: MintContext, _ variable: String, _ profile: [String: String]?, _ key: String, in range: ClosedRange<Int>) throws(MintFailure) -> Int? {
      let text: String, source: String
      if let v = context.value(variable) {
        (text, source) = (v, variable)
      } else if let v = profile?[key] {
        (text, source) = (v, key + " of the AWS profile")
      } else {
        return nil
      }
      guard let value = Int(text.trimmingASCIIWhitespace()), range.contains(value) else {
        throw fail("\(source) is '\(String(ServerText.clean(text).prefix(40)))', not a whole number from \(range.lowerBound) to \(range.upperBound)", hint: "set it to a number like 5, or unset it")
      }
      return value
    }
  }

  /// Container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (from 169.254.170.2) or
  /// `_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or `_TOKEN` as
  /// `Authorization`; nil when neither variable is set.
  static func container(_ context: MintContext, _ exchange: any TokenExchanging, patience: Patience = .container) async throws(MintFailure) -> AWSIdentity? {
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
    let answer = try await get(url, headers: headers, exchange, what: "the container credentials endpoint", patience: patience)
    return try identity(answer, from: "container credentials", url: url)
  }

  /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else http://169.254.169.254.
  static func instanceEndpoint(_ context: MintContext) -> String {
    let base = context.value("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254"
    return base.hasSuffix("/") ? String(base.dropLast()) : base
  }

  /// EC2 instance metadata (IMDSv2), waited for as ``Patience/instance(_:profile:)`` says
  /// (1 second, once, by default, as botocore); nil when it does not answer (not on EC2) or
  /// `AWS_EC2_METADATA_DISABLED` is `true`.
  static func instance(_ context: MintContext, _ exchange: any TokenExchanging, profile: [String: String]? = nil) async throws(MintFailure) -> AWSIdentity? {
    guard context.value("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" else { return nil }
    let patience = try Patience.instance(context, profile: profile)
    let base = instanceEndpoint(context)
    guard let tokenURL = SafeURL(base + "/latest/api/token"), let rolesURL = SafeURL(base + "/latest/meta-data/iam/security-credentials/") else {
      throw fail("AWS_EC2_METADATA_SERVICE_ENDPOINT is not a URL", hint: "give it as http://169.254.169.254")
    }
    let tokenAnswer: TokenAnswer
    do {
      tokenAnswer = try await ask(TokenRequest(method: "PUT", url: tokenURL, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]), exchange, patience)
    } catch {
      return nil  // not on EC2
    }
    guard tokenAnswer.succeeded else { return nil }
    let session = String(decoding: tokenAnswer.body, as: UTF8.self).trimmingASCIIWhitespace()
    let headers = [("X-aws-ec2-metadata-token", session)]
    let roles = try await get(rolesURL, headers: headers, exchange, what: "EC2 instance metadata", patience: patience)
    guard roles.succeeded, let role = String(decoding: roles.body, as: UTF8.self).split(whereSeparator: \.isNewline).first.map({ $0.trimmingASCIIWhitespace() }),
      !role.isEmpty, !role.contains("/"), let credentialsURL = SafeURL(rolesURL.description + SigV4.encode(role))
    else {
      throw fail("this EC2 instance has no IAM role (instance metadata lists none)", hint: "attach an instance profile with codeartifact:GetAuthorizationToken and sts:GetServiceBearerToken")
    }
    let answer = try await get(credentialsURL, headers: headers, exchange, what: "EC2 instance metadata", patience: patience)
    return try identity(answer, from: "instance profile \(role)", url: credentialsURL)
  }

  private static func get(_ url: SafeURL, headers: [(String, String)], _ exchange: any TokenExchanging, what: String, patience: Patience) async throws(MintFailure) -> TokenAnswer {
    do {
      return try await ask(TokenRequest(method: "GET", url: url, headers: headers, secretHeaders: ["X-aws-ec2-metadata-token", "Authorization"]), exchange, patience)
    } catch {
      let tries = patience.attempts > 1 ? " (\(patience.attempts) attempts)" : ""
      throw fail("\(what) at \(url) did not answer\(tries): \(error)", hint: (error as? any PyIndexError)?.hint)
    }
  }

  /// The request with the patience's timeout, asked again after a failure or a status other
  /// than 200 while attempts remain; the last answer or error stands.
  private static func ask(_ request: TokenRequest, _ exchange: any TokenExchanging, _ patience: Patience) async throws -> TokenAnswer {
    var request = request
    request.timeout = patience.timeout
    for _ in 1..<max(1, patience.attempts) {
      if let answer = try? await exchange.exchange(request), answer.succeeded { return answer }
      if patience.pause > 0 { try await Task.sleep(for: .seconds(patience.pause)) }
    }
    return try await exchange.exchange(request)
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
