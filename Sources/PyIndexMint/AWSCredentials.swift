#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexModel
import PyIndexParsing

/// An AWS identity ready to sign: the key, who it is (for `-v`), and when it expires.
struct AWSIdentity: Sendable {
  let key: SigV4.Key
  /// "access key …WXYZ from AWS_ACCESS_KEY_ID", "role arn:aws:iam::1:role/ci (web identity)".
  let identity: String
  let expiry: Double?
}

/// The AWS credential chain, in the contract's (and botocore's) order: the access-key
/// variables; web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`, STS
/// `AssumeRoleWithWebIdentity`); the profile (`AWS_PROFILE`, default `default`) in the shared
/// files — `role_arn` with `web_identity_token_file` or `source_profile` (STS `AssumeRole`),
/// static keys, `credential_process`; container credentials; EC2 instance metadata (IMDSv2).
struct AWSCredentialChain: Sendable {
  let context: MintContext
  /// STS's region: `AWS_REGION`, `AWS_DEFAULT_REGION`, else the registry's.
  let region: String
  let files: AWSSharedFiles

  init(context: MintContext, region: String) {
    self.context = context
    self.region = context.value("AWS_REGION") ?? context.value("AWS_DEFAULT_REGION") ?? region
    files = AWSSharedFiles(context: context)
  }

  /// The profile named by `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`), else `default`.
  var profileName: String { context.value("AWS_PROFILE") ?? context.value("AWS_DEFAULT_PROFILE") ?? "default" }
  var profileIsExplicit: Bool { context.value("AWS_PROFILE") != nil || context.value("AWS_DEFAULT_PROFILE") != nil }

  /// Where the identity would come from, without any request.
  func plan() -> String {
    if let id = context.value("AWS_ACCESS_KEY_ID"), context.value("AWS_SECRET_ACCESS_KEY") != nil { return "access key \(AWSCredentialChain.masked(id)) from AWS_ACCESS_KEY_ID" }
    if context.value("AWS_WEB_IDENTITY_TOKEN_FILE") != nil, let role = context.value("AWS_ROLE_ARN") { return "role \(role) (web identity from AWS_WEB_IDENTITY_TOKEN_FILE)" }
    if let p = files.profile(profileName) {
      if let role = p["role_arn"] { return "role \(role) (profile \(profileName))" }
      if let id = p["aws_access_key_id"] { return "access key \(AWSCredentialChain.masked(id)) (profile \(profileName))" }
      if p["credential_process"] != nil { return "credential_process of profile \(profileName)" }
    }
    if context.value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != nil || context.value("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil { return "container credentials" }
    return "EC2 instance metadata"
  }

  /// The identity, from the first source whose inputs are present.
  func resolve(_ exchange: any TokenExchanging) async throws(MintFailure) -> AWSIdentity {
    if let id = context.value("AWS_ACCESS_KEY_ID") {
      guard let secret = context.value("AWS_SECRET_ACCESS_KEY") else {
        throw fail("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not", hint: "set both, or neither")
      }
      return AWSIdentity(
        key: SigV4.Key(accessKeyId: id, secretAccessKey: secret, sessionToken: context.value("AWS_SESSION_TOKEN")),
        identity: "access key \(AWSCredentialChain.masked(id)) from AWS_ACCESS_KEY_ID", expiry: nil)
    }
    if let file = context.value("AWS_WEB_IDENTITY_TOKEN_FILE") {
      guard let role = context.value("AWS_ROLE_ARN") else {
        throw fail("AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not", hint: "set AWS_ROLE_ARN to the role the job's identity may assume")
      }
      return try await webIdentity(role: role, tokenFile: file, session: context.value("AWS_ROLE_SESSION_NAME"), exchange, source: "AWS_WEB_IDENTITY_TOKEN_FILE")
    }
    if let profile = files.profile(profileName) {
      if let identity = try await fromProfile(profileName, profile, exchange, depth: 0) { return identity }
    } else if profileIsExplicit {
      throw fail(
        "the profile '\(profileName)' (AWS_PROFILE) is in neither \(files.configPath) nor \(files.credentialsPath)",
        hint: "set AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE to the files that define it, or unset AWS_PROFILE")
    }
    if let identity = try await AWSMetadata.container(context, exchange) { return identity }
    if let identity = try await AWSMetadata.instance(context, exchange, profile: files.profile(profileName)) { return identity }
    throw fail(
      "no AWS identity found: looked for AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, the profile '\(profileName)' in \(files.configPath) and \(files.credentialsPath), container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI), and EC2 instance metadata (\(context.value("AWS_EC2_METADATA_DISABLED")?.lowercased() == "true" ? "off: AWS_EC2_METADATA_DISABLED" : "\(AWSMetadata.instanceEndpoint(context)) did not answer"))",
      hint: "in GitHub Actions, aws-actions/configure-aws-credentials with role-to-assume sets AWS_ACCESS_KEY_ID; in GitLab CI, set AWS_ROLE_ARN and write the job's ID token to AWS_WEB_IDENTITY_TOKEN_FILE; or use --credential-provider none and give a token yourself")
  }

  /// A profile's identity: `role_arn` (with `web_identity_token_file`, or assumed from
  /// `source_profile`'s keys), static keys, `credential_process`; nil when it has none.
  private func fromProfile(_ name: String, _ p: [String: String], _ exchange: any TokenExchanging, depth: Int) async throws(MintFailure) -> AWSIdentity? {
    guard depth < 5 else { throw fail("the profiles' source_profile chain is longer than 5 (a loop?)", hint: "check source_profile in \(files.configPath)") }
    if let role = p["role_arn"] {
      if let file = p["web_identity_token_file"] {
        return try await webIdentity(role: role, tokenFile: file, session: p["role_session_name"], exchange, source: "profile \(name)")
      }
      guard let sourceName = p["source_profile"] else {
        throw fail("the profile '\(name)' has role_arn but neither source_profile nor web_identity_token_file", hint: "pyindex assumes roles from a source_profile or a web identity token")
      }
      let sourceProfile = sourceName == name ? p.filter { $0.key != "role_arn" } : files.profile(sourceName)
      guard let sourceProfile, let source = try await fromProfile(sourceName, sourceProfile, exchange, depth: depth + 1) else {
        throw fail("the source_profile '\(sourceName)' of profile '\(name)' has no credentials", hint: "give it aws_access_key_id and aws_secret_access_key")
      }
      return try await assumeRole(role, session: p["role_session_name"], signedBy: source, exchange)
    }
    if let id = p["aws_access_key_id"] {
      guard let secret = p["aws_secret_access_key"] else {
        throw fail("the profile '\(name)' has aws_access_key_id but no aws_secret_access_key", hint: "add aws_secret_access_key to \(files.credentialsPath)")
      }
      return AWSIdentity(key: SigV4.Key(accessKeyId: id, secretAccessKey: secret, sessionToken: p["aws_session_token"]), identity: "access key \(AWSCredentialChain.masked(id)) (profile \(name))", expiry: nil)
    }
    if let command = p["credential_process"] { return try process(command, profile: name) }
    return nil
  }

  /// STS `AssumeRoleWithWebIdentity` with the token in `tokenFile` (unsigned, as the SDKs send it).
  func webIdentity(role: String, tokenFile: String, session: String?, _ exchange: any TokenExchanging, source: String) async throws(MintFailure) -> AWSIdentity {
    guard let token = context.secretFile(tokenFile) else {
      throw fail("cannot read the web identity token file \(tokenFile) (\(source))", hint: "the CI job must write its OIDC ID token there before pyindex runs")
    }
    let params = [
      ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", role),
      ("RoleSessionName", session ?? "pyindex-\(Int(context.now()))"), ("WebIdentityToken", token),
    ]
    return try await sts(params, signedBy: nil, role: role, what: "the web identity", exchange)
  }

  /// STS `AssumeRole`, signed by `source`.
  func assumeRole(_ role: String, session: String?, signedBy source: AWSIdentity, _ exchange: any TokenExchanging) async throws(MintFailure) -> AWSIdentity {
    let params = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", role), ("RoleSessionName", session ?? "pyindex-\(Int(context.now()))")]
    return try await sts(params, signedBy: source.key, role: role, what: source.identity, exchange)
  }

  /// One STS query-protocol call (form-encoded POST), its XML answer read for the credentials
  /// or the error code and message.
  private func sts(_ params: [(String, String)], signedBy key: SigV4.Key?, role: String, what: String, _ exchange: any TokenExchanging) async throws(MintFailure) -> AWSIdentity {
    let endpoint = AWSEndpoints.url(service: "sts", region: region, context: context)
    guard let url = SafeURL(endpoint) else { throw fail("the STS endpoint \(Redaction.redact(endpoint)) is not a URL", hint: "check AWS_ENDPOINT_URL_STS and AWS_ENDPOINT_URL") }
    let body = Array(params.map { "\(SigV4.encode($0.0))=\(SigV4.encode($0.1))" }.joined(separator: "&").utf8)
    var headers = [("Host", AWSEndpoints.hostHeader(url)), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
    if let key {
      headers += SigV4(region: region, service: "sts").sign(method: "POST", path: url.path, query: url.query ?? "", headers: headers, body: body, key: key, amzDate: CivilTime(secondsSince1970: context.now()).basicText)
    }
    let answer: TokenAnswer
    do {
      answer = try await exchange.exchange(TokenRequest(method: "POST", url: url, headers: headers, body: body, secretHeaders: ["X-Amz-Security-Token"]))
    } catch {
      throw fail("STS at \(url) did not answer: \(error)", hint: (error as? any PyIndexError)?.hint)
    }
    let fields = XMLFields.read(answer.body, names: ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration", "Arn", "Code", "Message"]) ?? [:]
    guard answer.succeeded, let id = fields["AccessKeyId"], let secret = fields["SecretAccessKey"] else {
      let code = fields["Code"] ?? "HTTP \(answer.status)"
      let message = fields["Message"].map { ": " + Redaction.redactText(String(ServerText.clean($0).prefix(300))) } ?? ""
      throw fail("STS refused to let \(what) assume \(role) (\(code)\(message))", hint: AWSCredentialChain.stsHint(code))
    }
    let expiry = fields["Expiration"].flatMap { Timestamp($0)?.seconds }
    return AWSIdentity(key: SigV4.Key(accessKeyId: id, secretAccessKey: secret, sessionToken: fields["SessionToken"]), identity: "role \(role)", expiry: expiry)
  }

  static func stsHint(_ code: String, otherwise: String = "check the role ARN and its trust policy") -> String {
    switch code {
    case "InvalidIdentityToken", "IDPRejectedClaim":
      "the role's trust policy must name the OIDC provider and accept the token's audience (aud) and subject (sub); GitHub's audience is sts.amazonaws.com"
    case "ExpiredTokenException", "ExpiredToken": "the ID token expired: have the job write a fresh one just before pyindex runs"
    case "AccessDenied": "the role's trust policy does not allow this identity: check its Principal and Condition"
    case "SignatureDoesNotMatch", "InvalidClientTokenId", "UnrecognizedClientException", "InvalidSignatureException": "the access key id or secret is wrong, or the clock here is off by more than 5 minutes"
    case "RequestExpired": "the clock here is off by more than 5 minutes: check the machine's time"
    default: otherwise
    }
  }

  /// `credential_process`: the program's JSON (`Version` 1, `AccessKeyId`, `SecretAccessKey`,
  /// `SessionToken`, `Expiration`).
  private func process(_ command: String, profile: String) throws(MintFailure) -> AWSIdentity {
    guard let (status, stdout) = context.runProgram(command, context.environment) else {
      throw fail("cannot run the credential_process of profile '\(profile)'", hint: "check that its program exists and is executable")
    }
    guard status == 0 else { throw fail("the credential_process of profile '\(profile)' exited with status \(status)", hint: "run it by hand to see why") }
    struct Answer: Decodable {
      let Version: Int?
      let AccessKeyId: String
      let SecretAccessKey: String
      let SessionToken: String?
      let Expiration: String?
    }
    guard let a = try? JSONDecoder().decode(Answer.self, from: Data(stdout.utf8)), a.Version == nil || a.Version == 1 else {
      throw fail("the credential_process of profile '\(profile)' did not print credentials as JSON (Version 1, AccessKeyId, SecretAccessKey)", hint: "see the AWS CLI's documentation of credential_process")
    }
    return AWSIdentity(
      key: SigV4.Key(accessKeyId: a.AccessKeyId, secretAccessKey: a.SecretAccessKey, sessionToken: a.SessionToken),
      identity: "access key \(AWSCredentialChain.masked(a.AccessKeyId)) (credential_process of profile \(profile))",
      expiry: a.Expiration.flatMap { Timestamp($0)?.seconds })
  }

  func fail(_ reason: String, hint: String?) -> MintFailure { MintFailure(provider: CodeArtifact.provider, reason: reason, hint: hint) }

  /// An access key id as `aws configure list` shows it: its last 4 characters, in ASCII (JSON output keeps it as it is).
  static func masked(_ id: String) -> String { "****" + id.suffix(4) }
}

/// Where AWS services are, with the SDKs' endpoint overrides.
enum AWSEndpoints {
  /// `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else `https://SERVICE.REGION.amazonaws.com`.
  static func url(service: String, region: String, context: MintContext) -> String {
    let base = context.value("AWS_ENDPOINT_URL_" + service.uppercased()) ?? context.value("AWS_ENDPOINT_URL") ?? "https://\(service).\(region).amazonaws.com"
    return base.hasSuffix("/") ? base : base + "/"
  }

  /// The `Host` header signed and sent: the port only when it is not the scheme's default.
  static func hostHeader(_ url: SafeURL) -> String { url.host + (url.port.map { ":\($0)" } ?? "") }
}
