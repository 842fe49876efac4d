import Foundation
import PyIndexFixtures
import Testing

/// Minted credentials end to end: the `pyindex` binary with nothing but a cloud identity's
/// inputs in its environment, against the fixture registries that accept only the token
/// their token endpoints issue; pip and uv through `pyindex keyring` and through `serve`.
@Suite("minted credentials end to end")
struct MintedEndToEndTests {
  static let target = RegistryEndToEndTests.target

  // MARK: Installers

  /// pip and uv install demo-pkg 1.3.0 from `url` with `pyindex keyring` as their keyring
  /// program and nothing but `identity` in their environment. uv is given the user name in the
  /// URL (it asks a keyring then); pip too when `pipSendsUser` (it asks only after a 401).
  static func installWithKeyring(url: String, user: String, pipSendsUser: Bool, host: String, identity: [String: String], home: String) async throws {
    let pip = try #require(PeerTests.pip), uv = try #require(InstallerEndToEndTests.uv)
    let wrapper = try InstallerEndToEndTests.wrapper()
    defer { try? FileManager.default.removeItem(atPath: wrapper) }
    let withUser = url.replacingOccurrences(of: "http://", with: "http://\(user)@")
    let hostPort = String(url.dropFirst("http://".count).prefix(while: { $0 != "/" }))
    for (name, tool) in [("pip", pip), ("uv", uv)] {
      var env = ServeEndToEndTests.installerEnvironment(tool, home: home).merging(identity) { $1 }
      env["PATH"] = wrapper + ":" + (env["PATH"] ?? "")
      // pyindex keyring reads the index and the trusted host as pip's variables say them.
      env["PIP_TRUSTED_HOST"] = host
      env["PYINDEX_INDEX_URL"] = url
      let target = home + "/keyring-" + name
      let args = name == "pip"
        ? ["install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", pipSendsUser ? withUser : url, "--trusted-host", hostPort, "--keyring-provider", "subprocess"]
        : ["pip", "install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", withUser, "--keyring-provider", "subprocess"]
      let r = try await Harness.execute(tool, args, environment: env)
      #expect(r.status == 0, "\(name) with pyindex keyring: \(r.stdout)\n\(r.stderr)")
      #expect(FileManager.default.fileExists(atPath: target + "/demo_pkg/__init__.py"))
      #expect(SecretSweep.leaks(in: r.stdout + r.stderr).isEmpty, "a secret in \(name)'s output")
    }
  }

  /// pip and uv install demo-pkg 1.3.0 through `pyindex serve ARGUMENTS` started with
  /// `identity`; serve's whole output once it stopped (exit 0).
  static func installThroughServe(_ arguments: [String], identity: [String: String], home: String) async throws -> String {
    let pip = try #require(PeerTests.pip), uv = try #require(InstallerEndToEndTests.uv)
    var text = ""
    try await ServeEndToEndTests.withShim(arguments, environment: identity, home: home) { shim in
      for (name, tool) in [("pip", pip), ("uv", uv)] {
        let target = home + "/serve-" + name
        let args = name == "pip"
          ? ["install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", shim.url]
          : ["pip", "install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", shim.url]
        let r = try await Harness.execute(tool, args, environment: ServeEndToEndTests.installerEnvironment(tool, home: home))
        #expect(r.status == 0, "\(name) through serve: \(r.stdout)\n\(r.stderr)\nserve: \(shim.text)")
        #expect(FileManager.default.fileExists(atPath: target + "/demo_pkg/__init__.py"))
      }
      #expect(await shim.stop() == 0)
      text = shim.text
    }
    return text
  }

  // MARK: GitLab CI

  @Test("GitLab CI: pip and uv install through serve with the job token, nothing else given")
  func gitlabThroughServe() async throws {
    let profile = try #require(FixtureProfile.named("gitlab"))
    let token = try RegistryEndToEndTests.account(profile, "CI job token").password
    SecretSweep.register(user: "gitlab-ci-token", password: token)
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(profile) { index in
      let ci = ["CI_JOB_TOKEN": token, "CI_SERVER_URL": "http://127.0.0.1:\(index.server.port)"]
      let served = try await Self.installThroughServe(["-i", index.simpleURL, "-v"], identity: ci, home: home)
      #expect(SecretSweep.leaks(in: served).isEmpty, "a secret in serve's output")
      #expect(served.contains("minted (GitLab CI job token for gitlab-ci-token on 127.0.0.1"), "\(served)")
    }
  }

  // MARK: AWS CodeArtifact

  /// The `codeartifact` fixture, the proxy that stands in for its host, the index URL under
  /// the CodeArtifact host name, and the environment that points the AWS endpoints at it.
  struct CodeArtifactSetup {
    let index: FixtureIndex
    let aws: AWSTokenService
    let proxy: FixtureProxy
    var url: String { "http://\(FixtureProfile.codeArtifactHost):\(index.server.port)/pypi/demo-repo/simple/" }
    var base: [String: String] {
      ["HTTP_PROXY": proxy.url, "AWS_ENDPOINT_URL": index.server.origin, "AWS_EC2_METADATA_DISABLED": "true"]
    }
    var secrets: [String] { [aws.secretAccessKey, aws.webIdentityToken, aws.authorizationToken, aws.containerToken] }
  }

  static func withCodeArtifact(_ body: (CodeArtifactSetup) async throws -> Void) async throws {
    let profile = try #require(FixtureProfile.named("codeartifact"))
    let aws = try #require(profile.aws)
    SecretSweep.register([aws.secretAccessKey, aws.webIdentityToken, aws.authorizationToken, aws.containerToken])
    try await Harness.withIndex(profile) { index in
      let proxy = try await FixtureProxy.start(standIns: [FixtureProfile.codeArtifactHost])
      try await Harness.using(proxy, stop: { await $0.stop() }) { proxy in
        try await body(CodeArtifactSetup(index: index, aws: aws, proxy: proxy))
      }
      // Session keys and tokens the fixture issued to pyindex are secrets too: later runs
      // of this process are swept for them.
      SecretSweep.register(aws.issued)
    }
  }

  @Test("CodeArtifact: download with nothing but each identity input of the AWS credential chain")
  func codeArtifactEveryInput() async throws {
    try await Self.withCodeArtifact { s in
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try s.aws.webIdentityToken.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
      let process = dir + "/creds.sh"
      try "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}' '\(s.aws.accessKeyId)' '\(s.aws.secretAccessKey)'\n".write(toFile: process, atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: process)
      try """
        [profile assume]
        role_arn = \(s.aws.roleArn)
        source_profile = keys
        [profile oidc]
        role_arn = \(s.aws.roleArn)
        web_identity_token_file = \(dir)/token
        [profile tool]
        credential_process = \(process)
        """.write(toFile: dir + "/config", atomically: true, encoding: .utf8)
      try "[keys]\naws_access_key_id = \(s.aws.accessKeyId)\naws_secret_access_key = \(s.aws.secretAccessKey)\n".write(toFile: dir + "/credentials", atomically: true, encoding: .utf8)
      let files = ["AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials"]
      let inputs: [(String, [String: String], String)] = [
        ("access keys", ["AWS_ACCESS_KEY_ID": s.aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": s.aws.secretAccessKey], "access key ****\(s.aws.accessKeyId.suffix(4)) from AWS_ACCESS_KEY_ID"),
        ("web identity", ["AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token", "AWS_ROLE_ARN": s.aws.roleArn], "role \(s.aws.roleArn)"),
        ("profile keys", files.merging(["AWS_PROFILE": "keys"]) { $1 }, "access key ****\(s.aws.accessKeyId.suffix(4)) (profile keys)"),
        ("profile role_arn + source_profile", files.merging(["AWS_PROFILE": "assume"]) { $1 }, "role \(s.aws.roleArn)"),
        ("profile web_identity_token_file", files.merging(["AWS_PROFILE": "oidc"]) { $1 }, "role \(s.aws.roleArn)"),
        ("profile credential_process", files.merging(["AWS_PROFILE": "tool"]) { $1 }, "access key ****\(s.aws.accessKeyId.suffix(4)) (credential_process of profile tool)"),
        ("container credentials", ["AWS_CONTAINER_CREDENTIALS_FULL_URI": s.index.server.origin + "/v2/credentials/task", "AWS_CONTAINER_AUTHORIZATION_TOKEN": s.aws.containerToken], "role \(s.aws.roleArn) (container credentials)"),
        ("instance metadata", ["AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": s.index.server.origin, "AWS_METADATA_SERVICE_TIMEOUT": "10"], "instance profile pyindex-ci"),
      ]
      for (name, input, identity) in inputs {
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(
          ["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost, "-v"] + Self.target,
          environment: s.base.merging(input) { $1 }, secrets: s.secrets)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"], "\(name)")
        #expect(r.stderr.contains("credentials: minted (AWS CodeArtifact for \(identity)"), "\(name): \(r.stderr)")
      }
      let pages = s.index.server.requests.filter { $0.path.hasPrefix("/pypi/") }
      #expect(!pages.isEmpty && pages.allSatisfy { $0.header("Authorization") == Harness.basic("aws", s.aws.authorizationToken) })
      #expect(s.aws.refused.isEmpty, "\(s.aws.refused)")
      SecretSweep.register(s.aws.issued)
    }
  }

  @Test("CodeArtifact: auth check names provider, identity and expiry; config names the plan; failures exit 2 with the cause")
  func codeArtifactReports() async throws {
    try await Self.withCodeArtifact { s in
      let keys = s.base.merging(["AWS_ACCESS_KEY_ID": s.aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": s.aws.secretAccessKey]) { $1 }
      let check = try await Harness.run(["auth", "check", "--json", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost], environment: keys, secrets: s.secrets)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.contains("\"credential_source\": \"minted\""), "\(check.stdout)")
      #expect(check.stdout.contains("minted from this machine's identity (AWS CodeArtifact for access key ****\(s.aws.accessKeyId.suffix(4)) from AWS_ACCESS_KEY_ID, expires "), "\(check.stdout)")
      let config = try await Harness.run(["config", "--json", "-i", s.url], environment: keys, secrets: s.secrets)
      #expect(config.stdout.contains("\"credential_provider\": \"AWS CodeArtifact (domain demo, owner 111122223333) from access key ****\(s.aws.accessKeyId.suffix(4)) from AWS_ACCESS_KEY_ID\""), "\(config.stdout)")
      #expect(!s.index.server.requests.contains { $0.path == "/v1/authorization-token" && config.stdout.isEmpty })
      // No identity: exit 2, and what was looked for.
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost], environment: s.base, secrets: s.secrets)
      #expect(none.status == 2)
      #expect(none.stderr.contains("error: cannot obtain a token for AWS CodeArtifact: no AWS identity found: looked for AWS_ACCESS_KEY_ID"), "\(none.stderr)")
      #expect(none.stderr.contains("hint: "))
      // STS refuses the web identity: its code and message, the trust-policy hint.
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try "eyJ.not-the-token".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
      let refused = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost],
        environment: s.base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token", "AWS_ROLE_ARN": s.aws.roleArn]) { $1 }, secrets: s.secrets)
      #expect(refused.status == 2)
      #expect(refused.stderr.contains("STS refused to let the web identity assume \(s.aws.roleArn) (InvalidIdentityToken"), "\(refused.stderr)")
      #expect(refused.stderr.contains("hint: the role's trust policy"), "\(refused.stderr)")
      let failedCheck = try await Harness.run(["auth", "check", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost], environment: s.base, secrets: s.secrets)
      #expect(failedCheck.status == 2, "\(failedCheck.stdout)\(failedCheck.stderr)")
      #expect((failedCheck.stdout + failedCheck.stderr).contains("no AWS identity found"), "\(failedCheck.stdout)\(failedCheck.stderr)")
      // Off: nothing minted, the registry's 401.
      let off = try await Harness.run(["index", "versions", "demo-pkg", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost, "--credential-provider", "none"], environment: keys, secrets: s.secrets)
      #expect(off.status == 2, "\(off.stderr)")
      #expect(off.stderr.contains("no credentials were sent"), "\(off.stderr)")
      SecretSweep.register(s.aws.issued)
    }
  }

  @Test("CodeArtifact: pip and uv install through pyindex keyring and through serve, with only the role's inputs")
  func codeArtifactInstallers() async throws {
    try await Self.withCodeArtifact { s in
      let home = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: home) }
      try s.aws.webIdentityToken.write(toFile: home + "/token", atomically: true, encoding: .utf8)
      let identity = s.base.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": home + "/token", "AWS_ROLE_ARN": s.aws.roleArn]) { $1 }
      try await Self.installWithKeyring(url: s.url, user: "aws", pipSendsUser: false, host: FixtureProfile.codeArtifactHost, identity: identity, home: home)
      // Tokens that expire within the 5-minute margin: serve mints a new one for each upstream
      // request rather than use one about to expire.
      s.aws.lifetime = 200
      let before = s.index.server.requests.filter { $0.path == "/v1/authorization-token" }.count
      let served = try await Self.installThroughServe(["-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost, "-v"], identity: identity, home: home)
      SecretSweep.register(s.aws.issued)
      #expect(SecretSweep.leaks(in: served).isEmpty, "a secret in serve's output")
      #expect(served.contains("minted (AWS CodeArtifact for role \(s.aws.roleArn)"), "\(served)")
      #expect(s.index.server.requests.filter { $0.path == "/v1/authorization-token" }.count - before >= 2, "serve refreshed the token")
      #expect(s.aws.refused.isEmpty, "\(s.aws.refused)")
    }
  }

  // MARK: Google Artifact Registry

  /// The `google-token` fixture, the proxy standing in for `us-python.pkg.dev`, and the
  /// credentials files it gives, written to `dir`.
  struct GoogleSetup {
    let index: FixtureIndex
    let google: GoogleTokenService
    let proxy: FixtureProxy
    let dir: String
    var url: String { "http://\(FixtureProfile.artifactRegistryHost):\(index.server.port)/demo-project/demo-repo/simple/" }
    /// The proxy, and a metadata server that refuses unless a test points at the fixture.
    var base: [String: String] { ["HTTP_PROXY": proxy.url, "GCE_METADATA_HOST": "127.0.0.1:\(LoopbackPort.refusing)"] }
    var secrets: [String] { [google.accessToken, google.federatedToken, google.refreshToken, google.clientSecret, google.idToken, google.issuer.requestToken] }
    var args: [String] { ["-i", url, "--trusted-host", FixtureProfile.artifactRegistryHost] }
  }

  static func withGoogle(_ body: (GoogleSetup) async throws -> Void) async throws {
    let profile = try #require(FixtureProfile.named("google-token"))
    let google = try #require(profile.google)
    try await Harness.withIndex(profile) { index in
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let files = [
        ("service-account.json", google.serviceAccountKey), ("gcloud/application_default_credentials.json", google.authorizedUser()), ("oidc-token", google.idToken),
        ("wif-file.json", google.externalAccount(tokenFile: dir + "/oidc-token", impersonate: false)), ("wif-url.json", google.externalAccount(tokenFile: nil, impersonate: true)),
      ]
      try FileManager.default.createDirectory(atPath: dir + "/gcloud", withIntermediateDirectories: true)
      for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
      let s = try GoogleSetup(index: index, google: google, proxy: await FixtureProxy.start(standIns: [FixtureProfile.artifactRegistryHost]), dir: dir)
      SecretSweep.register(s.secrets)
      try await Harness.using(s.proxy, stop: { await $0.stop() }) { _ in try await body(s) }
    }
  }

  @Test("Artifact Registry: download with nothing but each kind of Application Default Credentials")
  func googleEveryInput() async throws {
    try await Self.withGoogle { s in
      let sa = "service account pyindex-ci of demo-project.iam.gserviceaccount.com"
      let inputs: [(String, [String: String], String)] = [
        ("service_account", ["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/service-account.json"], sa),
        ("authorized_user in gcloud's directory", ["CLOUDSDK_CONFIG": s.dir + "/gcloud"], "user credentials of gcloud's application default credentials"),
        ("external_account, file", ["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/wif-file.json"], "workload identity pool projects/123456789012/locations/global/workloadIdentityPools/ci/providers/github"),
        ("external_account, url, impersonation", ["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/wif-url.json"], sa + " (workload identity federation)"),
        ("metadata server", ["GCE_METADATA_HOST": "127.0.0.1:\(s.index.server.port)"], sa + " (metadata server)"),
      ]
      for (name, input, identity) in inputs {
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-v"] + s.args + Self.target, environment: s.base.merging(input) { $1 }, secrets: s.secrets)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"], "\(name)")
        #expect(r.stderr.contains("credentials: minted (Google Artifact Registry for \(identity), expires "), "\(name): \(r.stderr)")
      }
      #expect(s.google.refused.isEmpty, "\(s.google.refused)")
    }
  }

  @Test("Artifact Registry: auth check names provider and service account; failures exit 2 with cause and hint")
  func googleReports() async throws {
    try await Self.withGoogle { s in
      let key = s.base.merging(["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/service-account.json"]) { $1 }
      let check = try await Harness.run(["auth", "check", "--json"] + s.args, environment: key, secrets: s.secrets)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.contains("minted from this machine's identity (Google Artifact Registry for service account pyindex-ci of demo-project.iam.gserviceaccount.com, expires "), "\(check.stdout)")
      let config = try await Harness.run(["config", "--json", "-i", s.url], environment: key, secrets: s.secrets)
      #expect(config.stdout.contains("\"credential_provider\": \"Google Artifact Registry from service_account in \(s.dir)/service-account.json (GOOGLE_APPLICATION_CREDENTIALS)\""), "\(config.stdout)")
      let none = try await Harness.run(["index", "versions", "demo-pkg"] + s.args, environment: s.base, secrets: s.secrets)
      #expect(none.status == 2)
      #expect(none.stderr.contains("error: cannot obtain a token for Google Artifact Registry: no Google credentials found"), "\(none.stderr)")
      try s.google.authorizedUser(refreshToken: "1//revoked-refresh-token").write(toFile: s.dir + "/revoked.json", atomically: true, encoding: .utf8)
      let revoked = try await Harness.run(["index", "versions", "demo-pkg"] + s.args, environment: s.base.merging(["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/revoked.json"]) { $1 }, secrets: s.secrets)
      #expect(revoked.status == 2)
      #expect(revoked.stderr.contains("(invalid_grant: Token has been expired or revoked.)"), "\(revoked.stderr)")
      #expect(revoked.stderr.contains("hint: the refresh token expired or was revoked: run gcloud auth application-default login again"), "\(revoked.stderr)")
      try Data(s.google.serviceAccountKey.utf8).base64EncodedString().write(toFile: s.dir + "/encoded.json", atomically: true, encoding: .utf8)
      let encoded = try await Harness.run(["index", "versions", "demo-pkg"] + s.args, environment: s.base.merging(["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/encoded.json"]) { $1 }, secrets: s.secrets)
      #expect(encoded.status == 2)
      #expect(encoded.stderr.contains("is not a Google credentials file"), "\(encoded.stderr)")
      #expect(encoded.stderr.contains("base64 -d"), "\(encoded.stderr)")
    }
  }

  @Test("Artifact Registry: pip and uv install through pyindex keyring and through serve, with only a workload identity configuration")
  func googleInstallers() async throws {
    try await Self.withGoogle { s in
      let home = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: home) }
      let identity = s.base.merging(["GOOGLE_APPLICATION_CREDENTIALS": s.dir + "/wif-url.json"]) { $1 }
      // Artifact Registry answers 403 without credentials, after which pip asks no keyring:
      // pip is given the user name, as uv is.
      try await Self.installWithKeyring(url: s.url, user: "oauth2accesstoken", pipSendsUser: true, host: FixtureProfile.artifactRegistryHost, identity: identity, home: home)
      let served = try await Self.installThroughServe(["-v"] + s.args, identity: identity, home: home)
      #expect(SecretSweep.leaks(in: served).isEmpty, "a secret in serve's output")
      #expect(served.contains("minted (Google Artifact Registry for service account pyindex-ci of demo-project.iam.gserviceaccount.com (workload identity federation)"), "\(served)")
      #expect(s.google.refused.isEmpty, "\(s.google.refused)")
    }
  }

  // MARK: Azure Artifacts

  /// The `entra` fixture (with TLS when `tls` names a PKI), the proxy standing in for
  /// `pkgs.dev.azure.com`, and the certificate and federated token written to `dir`.
  struct AzureSetup {
    let index: FixtureIndex
    let entra: EntraTokenService
    let proxy: FixtureProxy
    let dir: String
    var url: String { "http://\(FixtureProfile.azureArtifactsHost):\(index.server.port)/demo-org/_packaging/demo-feed/pypi/simple/" }
    var base: [String: String] {
      ["HTTP_PROXY": proxy.url, "AZURE_AUTHORITY_HOST": index.server.origin, "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(LoopbackPort.refusing)"]
    }
    var app: [String: String] { ["AZURE_TENANT_ID": entra.tenant, "AZURE_CLIENT_ID": entra.clientId] }
    var secrets: [String] { [entra.clientSecret, entra.accessToken, entra.issuer.idToken, entra.identityHeader] }
    var args: [String] { ["-i", url, "--trusted-host", FixtureProfile.azureArtifactsHost] }
  }

  static func withAzure(tls: TestPKI? = nil, _ body: (AzureSetup) async throws -> Void) async throws {
    let profile = try #require(FixtureProfile.named("entra"))
    let entra = try #require(profile.entra)
    let index = try await FixtureIndex.start(profile, tls: try tls.map { FixtureTLS(identity: try $0.server(.valid)) })
    try await Harness.using(index, stop: { await $0.stop() }) { index in
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try entra.certificatePEM.write(toFile: dir + "/cert.pem", atomically: true, encoding: .utf8)
      try entra.issuer.idToken.write(toFile: dir + "/federated-token", atomically: true, encoding: .utf8)
      if let tls { try tls.caPEM.write(toFile: dir + "/ca.pem", atomically: true, encoding: .utf8) }
      let s = try AzureSetup(index: index, entra: entra, proxy: await FixtureProxy.start(standIns: [FixtureProfile.azureArtifactsHost]), dir: dir)
      SecretSweep.register(s.secrets)
      try await Harness.using(s.proxy, stop: { await $0.stop() }) { _ in try await body(s) }
    }
  }

  @Test("Azure Artifacts: download with nothing but each Entra ID input (secret, certificate, workload identity, managed identities)")
  func azureEveryInput() async throws {
    try await Self.withAzure { s in
      let client = "client \(s.entra.clientId) (tenant \(s.entra.tenant))"
      let inputs: [(String, [String: String], String)] = [
        ("client secret", s.app.merging(["AZURE_CLIENT_SECRET": s.entra.clientSecret]) { $1 }, client),
        ("client certificate", s.app.merging(["AZURE_CLIENT_CERTIFICATE_PATH": s.dir + "/cert.pem"]) { $1 }, client),
        ("workload identity", s.app.merging(["AZURE_FEDERATED_TOKEN_FILE": s.dir + "/federated-token"]) { $1 }, "client \(s.entra.clientId) (tenant \(s.entra.tenant), workload identity)"),
        ("App Service", ["IDENTITY_ENDPOINT": s.index.server.origin + "/msi/token", "IDENTITY_HEADER": s.entra.identityHeader], "the managed identity"),
        ("instance metadata", ["AZURE_POD_IDENTITY_AUTHORITY_HOST": s.index.server.origin], "the managed identity"),
      ]
      for (name, input, identity) in inputs {
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-v"] + s.args + Self.target, environment: s.base.merging(input) { $1 }, secrets: s.secrets)
        #expect(r.status == 0, "\(name): \(r.stderr)")
        #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"], "\(name)")
        #expect(r.stderr.contains("credentials: minted (Azure Artifacts for \(identity), expires "), "\(name): \(r.stderr)")
      }
      #expect(s.entra.refused.isEmpty, "\(s.entra.refused)")
    }
  }

  @Test("Azure Artifacts: auth check and config name provider and client; failures exit 2 with Entra ID's code and a hint")
  func azureReports() async throws {
    try await Self.withAzure { s in
      let secret = s.base.merging(s.app) { $1 }.merging(["AZURE_CLIENT_SECRET": s.entra.clientSecret]) { $1 }
      let check = try await Harness.run(["auth", "check", "--json"] + s.args, environment: secret, secrets: s.secrets)
      #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
      #expect(check.stdout.contains("minted from this machine's identity (Azure Artifacts for client \(s.entra.clientId) (tenant \(s.entra.tenant)), expires "), "\(check.stdout)")
      let config = try await Harness.run(["config", "-i", s.url], environment: secret, secrets: s.secrets)
      #expect(config.stdout.contains("credentials: minted (Azure Artifacts from the client secret of client \(s.entra.clientId) (tenant \(s.entra.tenant)))"), "\(config.stdout)")
      let wrong = try await Harness.run(["index", "versions", "demo-pkg"] + s.args, environment: secret.merging(["AZURE_CLIENT_SECRET": "not-the-secret"]) { $1 }, secrets: s.secrets)
      #expect(wrong.status == 2)
      #expect(wrong.stderr.contains("error: cannot obtain a token for Azure Artifacts: Entra ID refused client \(s.entra.clientId) of tenant \(s.entra.tenant) (invalid_client: AADSTS7000215"), "\(wrong.stderr)")
      #expect(wrong.stderr.contains("hint: the client secret is wrong or expired"), "\(wrong.stderr)")
      let none = try await Harness.run(["index", "versions", "demo-pkg"] + s.args, environment: s.base, secrets: s.secrets)
      #expect(none.status == 2)
      #expect(none.stderr.contains("no Azure identity found"), "\(none.stderr)")
    }
  }

  @Test("Azure Artifacts: pip and uv install through pyindex keyring and through serve, with only a workload identity")
  func azureInstallers() async throws {
    try await Self.withAzure { s in
      let home = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: home) }
      let identity = s.base.merging(s.app) { $1 }.merging(["AZURE_FEDERATED_TOKEN_FILE": s.dir + "/federated-token"]) { $1 }
      try await Self.installWithKeyring(url: s.url, user: "azure", pipSendsUser: false, host: FixtureProfile.azureArtifactsHost, identity: identity, home: home)
      let served = try await Self.installThroughServe(["-v"] + s.args, identity: identity, home: home)
      #expect(SecretSweep.leaks(in: served).isEmpty, "a secret in serve's output")
      #expect(served.contains("minted (Azure Artifacts for client \(s.entra.clientId)"), "\(served)")
      #expect(s.entra.refused.isEmpty, "\(s.entra.refused)")
    }
  }

  // MARK: Independent peers

  /// A Python with botocore, google-auth, azure-identity and jsonschema (`scripts/test`
  /// installs them into `.venv` and sets `PYINDEX_PEER_PYTHON`).
  static let python: String? = {
    guard let p = ProcessInfo.processInfo.environment["PYINDEX_PEER_PYTHON"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
    return p
  }()
  static let peers = Harness.root + "/Tests/PyIndexEndToEndTests/peers"

  @Test func pythonPeerIsInstalledWhenRequired() {
    if ProcessInfo.processInfo.environment["PYINDEX_REQUIRE_PEERS"] == "1" {
      #expect(Self.python != nil, "PYINDEX_PEER_PYTHON must name a Python with botocore, google-auth and azure-identity")
    }
  }

  @Test("botocore verifies pyindex's SigV4 signatures (static keys, a session key, STS AssumeRole) and gets its tokens from the same fixture endpoints")
  func botocorePeer() async throws {
    let python = try #require(Self.python)
    try await Self.withCodeArtifact { s in
      let dir = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dir) }
      try s.aws.webIdentityToken.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
      try "[profile assume]\nrole_arn = \(s.aws.roleArn)\nsource_profile = keys\n".write(toFile: dir + "/config", atomically: true, encoding: .utf8)
      try "[keys]\naws_access_key_id = \(s.aws.accessKeyId)\naws_secret_access_key = \(s.aws.secretAccessKey)\n".write(toFile: dir + "/credentials", atomically: true, encoding: .utf8)
      for input in [
        ["AWS_ACCESS_KEY_ID": s.aws.accessKeyId, "AWS_SECRET_ACCESS_KEY": s.aws.secretAccessKey],
        ["AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token", "AWS_ROLE_ARN": s.aws.roleArn],
        ["AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials", "AWS_PROFILE": "assume"],
      ] {
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", s.url, "--trusted-host", FixtureProfile.codeArtifactHost], environment: s.base.merging(input) { $1 }, secrets: s.secrets)
        #expect(r.status == 0, "\(r.stderr)")
      }
      let signed = s.index.server.requests.filter { $0.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256") == true }
      #expect(signed.count == 4, "static, session and source-profile token requests, and AssumeRole: \(signed.map(\.uri))")
      #expect(signed.contains { $0.header("X-Amz-Security-Token") != nil } && signed.contains { $0.path == "/" })
      for request in signed {
        let keyId = try #require(request.header("Authorization")?.split(separator: "=")[1].split(separator: "/").first.map(String.init))
        let session = s.aws.session(keyId)
        let scope = request.path == "/" ? "sts" : "codeartifact"
        let json: [String: Any] = [
          "method": request.method, "url": s.index.server.origin + request.uri, "headers": request.headers.map { [$0.0, $0.1] },
          "body_b64": Data(request.body).base64EncodedString(), "key_id": keyId, "secret": session?.secret ?? s.aws.secretAccessKey,
          "token": session?.token as Any, "region": "us-east-1", "service": scope,
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: dir + "/request.json"))
        let verdict = try await Harness.execute(python, [Self.peers + "/botocore_peer.py", "verify", dir + "/request.json"], environment: Harness.baseEnvironment(home: dir))
        #expect(verdict.stdout == "match\n", "\(request.uri): \(verdict.stdout)\(verdict.stderr)")
      }
      // botocore's own clients against the fixture: the fixture verifies botocore's signing
      // and answers as AWS does.
      let client = try await Harness.execute(
        python, [Self.peers + "/botocore_peer.py", "client", s.index.server.origin, s.aws.accessKeyId, s.aws.secretAccessKey, s.aws.roleArn, dir + "/token"],
        environment: Harness.baseEnvironment(home: dir))
      #expect(client.status == 0, "\(client.stderr)")
      #expect(client.stdout.contains("\"token\": \"\(s.aws.authorizationToken)\""), "\(client.stdout)\(client.stderr)")
      #expect(client.stdout.contains("\"token_via_session\": \"\(s.aws.authorizationToken)\""), "\(client.stdout)")
      #expect(s.aws.refused.isEmpty, "\(s.aws.refused)")
      SecretSweep.register(s.aws.issued)
    }
  }

  @Test("google-auth gets its tokens from the same fixture endpoints as pyindex: service account, user, federation (file and URL), metadata server")
  func googleAuthPeer() async throws {
    let python = try #require(Self.python)
    try await Self.withGoogle { s in
      let runs: [([String], [String: String], String)] = [
        (["service-account", s.dir + "/service-account.json"], [:], s.google.accessToken),
        (["user", s.dir + "/gcloud/application_default_credentials.json"], [:], s.google.accessToken),
        (["federation", s.dir + "/wif-file.json"], [:], s.google.federatedToken),
        (["federation", s.dir + "/wif-url.json"], [:], s.google.accessToken),
        (["metadata"], ["GCE_METADATA_HOST": "127.0.0.1:\(s.index.server.port)"], s.google.accessToken),
      ]
      for (args, env, token) in runs {
        let r = try await Harness.execute(python, [Self.peers + "/google_peer.py"] + args, environment: Harness.baseEnvironment(home: s.dir).merging(env) { $1 })
        #expect(r.status == 0 && r.stdout == token + "\n", "\(args): \(r.stderr.suffix(600))")
      }
      #expect(s.google.refused.isEmpty, "\(s.google.refused)")
    }
  }

  @Test("azure-identity gets its tokens from the same Entra ID fixture as pyindex (over TLS, as MSAL demands): secret, certificate, workload identity, managed identity")
  func azureIdentityPeer() async throws {
    let python = try #require(Self.python)
    try await Self.withAzure(tls: try TestPKI()) { s in
      let runs: [(String, [String: String])] = [
        ("secret", s.app.merging(["AZURE_CLIENT_SECRET": s.entra.clientSecret]) { $1 }),
        ("certificate", s.app.merging(["AZURE_CLIENT_CERTIFICATE_PATH": s.dir + "/cert.pem"]) { $1 }),
        ("workload", s.app.merging(["AZURE_FEDERATED_TOKEN_FILE": s.dir + "/federated-token"]) { $1 }),
        ("managed", ["IDENTITY_ENDPOINT": s.index.server.origin + "/msi/token", "IDENTITY_HEADER": s.entra.identityHeader]),
      ]
      for (mode, env) in runs {
        let environment = Harness.baseEnvironment(home: s.dir).merging(["REQUESTS_CA_BUNDLE": s.dir + "/ca.pem", "AZURE_AUTHORITY_HOST": s.index.server.origin]) { $1 }.merging(env) { $1 }
        let r = try await Harness.execute(python, [Self.peers + "/azure_peer.py", mode], environment: environment)
        #expect(r.status == 0 && r.stdout == s.entra.accessToken + "\n", "\(mode): \(r.stderr.suffix(800))")
      }
      #expect(s.entra.refused.isEmpty, "\(s.entra.refused)")
    }
  }
}
