import Foundation
import Synchronization
import PyIndexAuth
import PyIndexFixtures
import PyIndexModel
import PyIndexParsing
import PyIndexTransport
@testable import PyIndexMint
import Testing

/// The AWS credential chain and CodeArtifact's token API, in process, against the
/// `codeartifact` fixture (STS, the token API, container credentials and instance metadata on
/// one loopback port) through a real ``Transport``.
@Suite("minted credentials: AWS CodeArtifact and the AWS credential chain")
struct AWSCredentialChainTests {
  static let index: SafeURL = "https://demo-111122223333.d.codeartifact.us-east-1.amazonaws.com/pypi/demo-repo/simple/"

  /// Runs `body` with the fixture, a transport, and an environment pointing every AWS
  /// endpoint at the fixture (instance metadata off unless a test turns it on).
  static func withFixture(_ body: (FixtureIndex, AWSTokenService, Transport, [String: String]) async throws -> Void) async throws {
    try await MintSupport.withFixture("codeartifact", service: \.aws) { fixture, aws, transport in
      try await body(fixture, aws, transport, ["AWS_ENDPOINT_URL": fixture.server.origin, "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"])
    }
  }

  static func mint(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async throws(MintFailure) -> MintedCredentials? {
    try await CodeArtifact(context: MintSupport.context(env, files: files, now: now, realFiles: true)).credentials(for: index, exchange: transport)
  }

  static func failure(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async -> MintFailure? {
    await MintSupport.failure { () async throws(MintFailure) in try await mint(env, transport, files: files, now: now) }
  }

  @Test("CodeArtifact hosts: domain, owner and region; anything else is not one")
  func hosts() {
    #expect(CodeArtifact.registry("my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com")! == ("my-domain", "111122223333", "eu-west-1"))
    for h in ["demo-11112222333.d.codeartifact.us-east-1.amazonaws.com", "demo-111122223333.codeartifact.us-east-1.amazonaws.com", "-111122223333.d.codeartifact.us-east-1.amazonaws.com",
      "demo-111122223333.d.codeartifact.us-east-1.amazonaws.com.evil.example", "pypi.org"]
    {
      #expect(CodeArtifact.registry(h) == nil, "\(h)")
    }
  }

  @Test("access keys from the environment: a SigV4-signed token request, the token as aws")
  func environmentKeys() async throws {
    try await Self.withFixture { fixture, aws, transport, base in
      let env = base.merging(["AWS_ACCESS_KEY_ID": aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": aws.secretAccessKey]) { $1 }
      let m = try #require(try await Self.mint(env, transport))
      #expect(m.credentials == Credentials(username: "aws", password: aws.authorizationToken))
      #expect(m.identity == "access key ****\(aws.accessKeyId.suffix(4)) from AWS_ACCESS_KEY_ID")
      #expect(m.provider == "AWS CodeArtifact")
      #expect((m.expiry ?? 0) > Date().timeIntervalSince1970 + 3600)
      let request = try #require(fixture.server.requests.first { $0.path == "/v1/authorization-token" })
      #expect(request.uri.hasSuffix("?domain=demo&domain-owner=111122223333"))
      #expect(request.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=\(aws.accessKeyId)/") == true)
      #expect(aws.refused.isEmpty)
    }
  }

  @Test("web identity: STS AssumeRoleWithWebIdentity with the token file, then the session key signs")
  func webIdentity() async throws {
    try await Self.withFixture { fixture, aws, transport, base in
      let env = base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": "/ci/token", "AWS_ROLE_ARN": aws.roleArn, "AWS_ROLE_SESSION_NAME": "job-7"]) { $1 }
      let m = try #require(try await Self.mint(env, transport, files: ["/ci/token": aws.webIdentityToken + "\n"]))
      #expect(m.credentials.password == aws.authorizationToken)
      #expect(m.identity == "role \(aws.roleArn)")
      let sts = try #require(fixture.server.requests.first { $0.path == "/" })
      let form = String(decoding: sts.body, as: UTF8.self)
      #expect(form.contains("Action=AssumeRoleWithWebIdentity") && form.contains("RoleSessionName=job-7"))
      #expect(sts.header("Authorization") == nil)
      let token = try #require(fixture.server.requests.first { $0.path == "/v1/authorization-token" })
      #expect(token.header("X-Amz-Security-Token") != nil)
      #expect(token.header("Authorization")?.contains("Credential=ASIA") == true)
    }
  }

  @Test("profiles: static keys in the credentials file, role_arn with source_profile, web_identity_token_file, credential_process")
  func profiles() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pyindex-aws-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Self.withFixture { _, aws, transport, base in
      let process = dir + "/creds.sh"
      try "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}' \"$FIXTURE_ID\" \"$FIXTURE_SECRET\"\n".write(toFile: process, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: process)
      let files = [
        "/aws/config": """
          [default]
          region = us-east-1
          [profile ci]
          role_arn = \(aws.roleArn)
          source_profile = keys
          [profile oidc]
          role_arn = \(aws.roleArn)
          web_identity_token_file = /ci/token
          [profile tool]
          credential_process = \(process) --json  # the helper
          [sso-session ignored]
          sso_region = us-east-1
          """,
        "/aws/credentials": "[keys]\naws_access_key_id = \(aws.accessKeyId)\naws_secret_access_key = \(aws.secretAccessKey)\n",
        "/ci/token": aws.webIdentityToken,
      ]
      let env = base.merging(["AWS_CONFIG_FILE": "/aws/config", "AWS_SHARED_CREDENTIALS_FILE": "/aws/credentials", "FIXTURE_ID": aws.accessKeyId, "FIXTURE_SECRET": aws.secretAccessKey, "PATH": "/usr/bin:/bin"]) { $1 }
      let expected = [
        "keys": "access key ****\(aws.accessKeyId.suffix(4)) (profile keys)", "ci": "role \(aws.roleArn)", "oidc": "role \(aws.roleArn)",
        "tool": "access key ****\(aws.accessKeyId.suffix(4)) (credential_process of profile tool)",
      ]
      for (profile, identity) in expected.sorted(by: { $0.key < $1.key }) {
        let m = try await Self.mint(env.merging(["AWS_PROFILE": profile]) { $1 }, transport, files: files)
        #expect(m?.credentials.password == aws.authorizationToken, "\(profile)")
        #expect(m?.identity == identity, "\(profile)")
      }
      #expect(aws.refused.isEmpty, "\(aws.refused)")
    }
  }

  @Test("container credentials (FULL_URI with its authorization token) and EC2 instance metadata (IMDSv2)")
  func metadataServices() async throws {
    try await Self.withFixture { fixture, aws, transport, base in
      let container = base.merging([
        "AWS_CONTAINER_CREDENTIALS_FULL_URI": fixture.server.origin + "/v2/credentials/task-1", "AWS_CONTAINER_AUTHORIZATION_TOKEN": aws.containerToken,
      ]) { $1 }
      let c = try #require(try await Self.mint(container, transport))
      #expect(c.credentials.password == aws.authorizationToken)
      #expect(c.identity == "role \(aws.roleArn) (container credentials)")
      var imds = base
      imds["AWS_EC2_METADATA_DISABLED"] = nil
      imds["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = fixture.server.origin
      imds["AWS_METADATA_SERVICE_TIMEOUT"] = "10"  // a loaded CI machine may miss IMDS's 1 second on loopback
      let i = try #require(try await Self.mint(imds, transport))
      #expect(i.credentials.password == aws.authorizationToken)
      #expect(i.identity == "instance profile pyindex-ci")
      let put = try #require(fixture.server.requests.first { $0.method == "PUT" })
      #expect(put.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600")
    }
  }

  @Test("failures name what was looked for and why, with a hint; never a secret")
  func failures() async throws {
    try await Self.withFixture { _, aws, transport, base in
      let none = try #require(await Self.failure(base, transport))
      #expect(none.description.contains("no AWS identity found: looked for AWS_ACCESS_KEY_ID, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, the profile 'default'"))
      #expect(none.description.contains("off: AWS_EC2_METADATA_DISABLED"))
      #expect(none.kind == .authentication)
      let refused = try #require(await Self.failure(base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": aws.roleArn]) { $1 }, transport, files: ["/t": "not-the-token"]))
      #expect(refused.description.contains("STS refused to let the web identity assume \(aws.roleArn) (InvalidIdentityToken"))
      #expect(refused.hint?.contains("trust policy") == true)
      let skew = try #require(
        await Self.failure(
          base.merging(["AWS_ACCESS_KEY_ID": aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": aws.secretAccessKey]) { $1 }, transport, now: Date().timeIntervalSince1970 - 3600))
      #expect(skew.description.contains("InvalidSignatureException: Signature expired"))
      #expect(skew.hint?.contains("clock") == true)
      let wrong = try #require(await Self.failure(base.merging(["AWS_ACCESS_KEY_ID": aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": "wrong"]) { $1 }, transport))
      #expect(wrong.description.contains("does not match"))
      let half = try #require(await Self.failure(base.merging(["AWS_ACCESS_KEY_ID": aws.accessKeyId]) { $1 }, transport))
      #expect(half.description.contains("AWS_SECRET_ACCESS_KEY is not"))
      let profile = try #require(await Self.failure(base.merging(["AWS_PROFILE": "nope"]) { $1 }, transport))
      #expect(profile.description.contains("the profile 'nope' (AWS_PROFILE) is in neither"))
      let noFile = try #require(await Self.failure(base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": "/missing", "AWS_ROLE_ARN": aws.roleArn]) { $1 }, transport))
      #expect(noFile.description.contains("cannot read the web identity token file /missing"))
      for f in [none, refused, skew, wrong, half, profile, noFile] {
        for secret in [aws.secretAccessKey, aws.webIdentityToken, aws.authorizationToken] {
          #expect(!"\(f.description) \(f.hint ?? "")".contains(secret))
        }
      }
    }
  }

  @Test("tokens are kept in memory: one request for concurrent askers, reused until 5 minutes before they expire")
  func cache() async throws {
    try await Self.withFixture { fixture, aws, transport, base in
      let env = base.merging(["AWS_ACCESS_KEY_ID": aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": aws.secretAccessKey]) { $1 }
      let minting = Minting(context: MintContext(environment: env))
      let tokenRequests = { fixture.server.requests.filter { $0.path == "/v1/authorization-token" }.count }
      // A token that expires in less than the margin is asked for again each time.
      aws.lifetime = 200
      try await withThrowingTaskGroup(of: MintedCredentials?.self) { group in
        for _ in 0..<8 { group.addTask { try await minting.credentials(for: Self.index, exchange: transport) } }
        for try await m in group { #expect(m?.credentials.password == aws.authorizationToken) }
      }
      #expect(tokenRequests() == 1)
      _ = try await minting.credentials(for: Self.index, exchange: transport)
      #expect(tokenRequests() == 2)
      aws.lifetime = 3600
      _ = try await minting.credentials(for: Self.index, exchange: transport)
      #expect(tokenRequests() == 3)
      for _ in 0..<3 { _ = try await minting.credentials(for: Self.index, exchange: transport) }
      #expect(tokenRequests() == 3)
    }
  }

  @Test("expiration as epoch seconds or ISO 8601 text; out of range or not finite is none")
  func expiry() throws {
    struct Box: Decodable { let e: WireExpiry }
    let decode = { (s: String) in try JSONDecoder().decode(Box.self, from: Data("{\"e\": \(s)}".utf8)).e.seconds }
    #expect(try decode("1796670206") == 1_796_670_206)
    #expect(try decode("1796670206.5") == 1_796_670_206.5)
    #expect(try decode("\"2026-12-08T06:03:26Z\"") == 1_796_709_806)
    #expect(try decode("\"soon\"") == nil)
    // A server's number never reaches a conversion that could trap.
    for hostile in ["1e300", "-5", "\"inf\"", "\"nan\"", "\"1e300\"", "99999999999999"] { #expect(try decode(hostile) == nil, "\(hostile)") }
  }

  @Test("XML answers: the named elements' text; no entity expanded, no DTD fetched")
  func xml() {
    let ok = Array("<R><Credentials><AccessKeyId>AK</AccessKeyId><SessionToken><![CDATA[a&b]]></SessionToken></Credentials><Arn/></R>".utf8)
    #expect(XMLFields.read(ok, names: ["AccessKeyId", "SessionToken", "Arn", "Missing"]) == ["AccessKeyId": "AK", "SessionToken": "a&b", "Arn": ""])
    let hostile = Array("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r><Code>&x;</Code></r>".utf8)
    #expect(XMLFields.read(hostile, names: ["Code"])?["Code"]?.contains("root:") != true)
    #expect(XMLFields.read(Array("not xml".utf8), names: ["Code"])?["Code"] == nil)
  }
}

/// The requests of the providers whose endpoints only a cloud machine has (ECS's
/// 169.254.170.2, EC2's 169.254.169.254): no loopback server can stand there, so a recording
/// exchanger answers as they do.
@Suite("minted credentials: the AWS metadata addresses")
struct AWSMetadataAddressTests {
  /// Answers by path, records every request; the first `failures` requests fail as a
  /// timeout does.
  final class Recorder: TokenExchanging {
    let answers: [String: (Int, String)]
    let failures: Int
    let seen = Mutex<[TokenRequest]>([])
    init(_ answers: [String: (Int, String)], failures: Int = 0) { (self.answers, self.failures) = (answers, failures) }
    struct TimedOut: Error {}
    func exchange(_ request: TokenRequest) async throws -> TokenAnswer {
      let count = seen.withLock { $0.append(request); return $0.count }
      if count <= failures { throw TimedOut() }
      let (status, body) = answers[request.url.path] ?? (404, "")
      return TokenAnswer(status: status, headers: [], body: Array(body.utf8), succeeded: status == 200)
    }
    var requests: [TokenRequest] { seen.withLock { $0 } }
  }

  static let credentials = "{\"AccessKeyId\": \"ASIAEXAMPLE\", \"SecretAccessKey\": \"s\", \"Token\": \"t\", \"Expiration\": \"2099-01-01T00:00:00Z\"}"

  @Test("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI goes to 169.254.170.2 with the token file's Authorization; IMDS to 169.254.169.254 with its session token")
  func addresses() async throws {
    let recorder = Recorder([
      "/v2/credentials/task-7": (200, Self.credentials), "/latest/api/token": (200, "imds-session"),
      "/latest/meta-data/iam/security-credentials/": (200, "ci-role\n"), "/latest/meta-data/iam/security-credentials/ci-role": (200, Self.credentials),
    ])
    let container = MintContext(
      environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task-7", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/var/run/token"],
      readFile: { $0 == "/var/run/token" ? "pod-token\n" : nil })
    let c = try #require(try await AWSMetadata.container(container, recorder))
    #expect(c.key.accessKeyId == "ASIAEXAMPLE")
    let first = try #require(recorder.requests.first)
    #expect(first.url.description == "http://169.254.170.2/v2/credentials/task-7")
    #expect(first.headers.contains { $0.0 == "Authorization" && $0.1 == "pod-token" })
    let instance = try #require(try await AWSMetadata.instance(MintContext(environment: [:]), recorder))
    #expect(instance.identity == "instance profile ci-role")
    let imds = recorder.requests.dropFirst()
    #expect(imds.map(\.url.host) == ["169.254.169.254", "169.254.169.254", "169.254.169.254"])
    #expect(imds.first?.method == "PUT" && imds.first?.timeout == 1)
    #expect(imds.dropFirst().allSatisfy { $0.headers.contains { $0.0 == "X-aws-ec2-metadata-token" && $0.1 == "imds-session" } })
  }

  @Test("the container endpoint is asked 3 times, 2 seconds each, a second apart (botocore); a failure says how often")
  func containerPatience() async throws {
    #expect(AWSMetadata.Patience.container == AWSMetadata.Patience(timeout: 2, attempts: 3, pause: 1))
    let quick = AWSMetadata.Patience(timeout: 2, attempts: 3, pause: 0)
    let context = MintContext(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/task-7"])
    let flaky = Recorder(["/v2/credentials/task-7": (200, Self.credentials)], failures: 2)
    let c = try #require(try await AWSMetadata.container(context, flaky, patience: quick))
    #expect(c.key.accessKeyId == "ASIAEXAMPLE")
    #expect(flaky.requests.map(\.timeout) == [2, 2, 2])
    let down = Recorder([:], failures: 3)
    do {
      _ = try await AWSMetadata.container(context, down, patience: quick)
      Issue.record("no credentials from a silent endpoint")
    } catch {
      #expect(error.reason.contains("the container credentials endpoint at http://169.254.170.2/v2/credentials/task-7 did not answer (3 attempts)"), "\(error.reason)")
    }
    #expect(down.requests.count == 3)
    let refusing = Recorder(["/v2/credentials/task-7": (500, "")])
    do {
      _ = try await AWSMetadata.container(context, refusing, patience: quick)
      Issue.record("credentials from a 500")
    } catch {
      #expect(error.reason.contains("gave no credentials (HTTP 500)"), "\(error.reason)")
    }
    #expect(refusing.requests.count == 3)
  }

  @Test("instance metadata: 1 second once by default; AWS_METADATA_SERVICE_TIMEOUT and _NUM_ATTEMPTS, else the profile's keys; a bad value is an error naming it")
  func instancePatience() async throws {
    typealias Patience = AWSMetadata.Patience
    #expect(try Patience.instance(MintContext(environment: [:]), profile: nil) == Patience(timeout: 1, attempts: 1, pause: 0))
    let profile = ["metadata_service_timeout": "4", "metadata_service_num_attempts": "2"]
    #expect(try Patience.instance(MintContext(environment: [:]), profile: profile) == Patience(timeout: 4, attempts: 2, pause: 0))
    let variables = MintContext(environment: ["AWS_METADATA_SERVICE_TIMEOUT": "7", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "3"])
    #expect(try Patience.instance(variables, profile: profile) == Patience(timeout: 7, attempts: 3, pause: 0))
    for (variable, value) in [("AWS_METADATA_SERVICE_TIMEOUT", "0"), ("AWS_METADATA_SERVICE_TIMEOUT", "1.5"), ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "11"), ("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "x")] {
      #expect(throws: MintFailure.self, "\(variable)=\(value)") { try Patience.instance(MintContext(environment: [variable: value]), profile: nil) }
    }
    do {
      _ = try Patience.instance(MintContext(environment: [:]), profile: ["metadata_service_timeout": "soon"])
      Issue.record("accepted a timeout of 'soon'")
    } catch {
      #expect(error.reason == "metadata_service_timeout of the AWS profile is 'soon', not a whole number from 1 to 300")
    }
    // Two attempts of 5 seconds: the session token's first request times out, the second answers.
    let recorder = Recorder(
      ["/latest/api/token": (200, "imds-session"), "/latest/meta-data/iam/security-credentials/": (200, "ci-role\n"), "/latest/meta-data/iam/security-credentials/ci-role": (200, Self.credentials)],
      failures: 1)
    let context = MintContext(environment: ["AWS_METADATA_SERVICE_TIMEOUT": "5", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"])
    let instance = try #require(try await AWSMetadata.instance(context, recorder))
    #expect(instance.identity == "instance profile ci-role")
    #expect(recorder.requests.map(\.method) == ["PUT", "PUT", "GET", "GET"])
    #expect(recorder.requests.allSatisfy { $0.timeout == 5 })
  }

  @Test("a token endpoint the policy refuses (plain http to a remote host) is a failure that says so")
  func refusedEndpoint() async throws {
    let profile = try #require(FixtureProfile.named("codeartifact"))
    let aws = try #require(profile.aws)
    try await Transport.with(configuration: TransportConfiguration(), store: CredentialStore(indexes: [], environment: [:])) { transport in
      let context = MintContext(environment: ["AWS_ACCESS_KEY_ID": aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": aws.secretAccessKey, "AWS_ENDPOINT_URL": "http://codeartifact.example.com"])
      do {
        _ = try await CodeArtifact(context: context).credentials(for: AWSCredentialChainTests.index, exchange: transport)
        Issue.record("minted through plain http")
      } catch {
        #expect("\(error)".contains("a token is requested over https only"), "\(error)")
      }
    }
  }
}
