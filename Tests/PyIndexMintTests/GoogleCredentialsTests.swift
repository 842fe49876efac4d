import Foundation
import PyIndexAuth
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
@testable import PyIndexMint
import Testing

/// Application Default Credentials for Google Artifact Registry, in process, against the
/// `google-token` fixture (OAuth token endpoint, STS, IAM impersonation, metadata server and an
/// ID-token endpoint on one loopback port) through a real ``Transport``.
@Suite("minted credentials: Google Artifact Registry and Application Default Credentials")
struct GoogleCredentialsTests {
  static let index: SafeURL = "https://us-python.pkg.dev/demo-project/demo-repo/simple/"

  static func withFixture(_ body: (FixtureIndex, GoogleTokenService, Transport) async throws -> Void) async throws {
    try await MintSupport.withFixture("google-token", service: \.google, body)
  }

  /// Mints with `files` as the file system and, unless given, a metadata host that refuses.
  static func mint(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async throws(MintFailure) -> MintedCredentials? {
    let environment = ["GCE_METADATA_HOST": "127.0.0.1:\(LoopbackPort.refusing)", "HOME": "/home/ci"].merging(env) { $1 }
    return try await GoogleArtifactRegistry(context: MintSupport.context(environment, files: files, now: now)).credentials(for: index, exchange: transport)
  }

  static func failure(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async -> MintFailure? {
    await MintSupport.failure { () async throws(MintFailure) in try await mint(env, transport, files: files, now: now) }
  }

  @Test("Artifact Registry's Python hosts, and nothing else")
  func hosts() {
    #expect(GoogleArtifactRegistry.isRegistry("us-python.pkg.dev"))
    #expect(GoogleArtifactRegistry.isRegistry("europe-west1-python.pkg.dev"))
    for h in ["python.pkg.dev", "-python.pkg.dev", "us-docker.pkg.dev", "us-python.pkg.dev.evil.example", "x.us-python.pkg.dev"] {
      #expect(!GoogleArtifactRegistry.isRegistry(h), "\(h)")
    }
  }

  @Test("service account key: an RS256 assertion the token endpoint verifies; user credentials: the refresh-token grant")
  func keyFiles() async throws {
    try await Self.withFixture { _, google, transport in
      let sa = try #require(try await Self.mint(["GOOGLE_APPLICATION_CREDENTIALS": "/k.json"], transport, files: ["/k.json": google.serviceAccountKey]))
      #expect(sa.credentials == Credentials(username: "oauth2accesstoken", password: google.accessToken))
      #expect(sa.identity == "service account pyindex-ci of demo-project.iam.gserviceaccount.com")
      #expect((sa.expiry ?? 0) > Date().timeIntervalSince1970 + 3000)
      // gcloud's ADC file when no variable names one.
      let user = try #require(try await Self.mint([:], transport, files: ["/home/ci/.config/gcloud/application_default_credentials.json": google.authorizedUser()]))
      #expect(user.credentials.password == google.accessToken)
      #expect(user.identity == "user credentials of gcloud's application default credentials")
      let cloudsdk = try await Self.mint(["CLOUDSDK_CONFIG": "/cfg"], transport, files: ["/cfg/application_default_credentials.json": google.authorizedUser()])
      #expect(cloudsdk?.credentials.password == google.accessToken)
      #expect(google.refused.isEmpty, "\(google.refused)")
    }
  }

  @Test("workload identity federation: a subject token from a file or from an ID-token URL (JSON), exchanged at STS, with or without impersonation")
  func federation() async throws {
    try await Self.withFixture { fixture, google, transport in
      let direct = try #require(
        try await Self.mint(
          ["GOOGLE_APPLICATION_CREDENTIALS": "/wif.json"], transport, files: ["/wif.json": google.externalAccount(tokenFile: "/oidc", impersonate: false), "/oidc": google.idToken + "\n"]))
      #expect(direct.credentials.password == google.federatedToken)
      #expect(direct.identity.hasPrefix("workload identity pool projects/123456789012/locations/global/workloadIdentityPools/ci"))
      let viaURL = try #require(try await Self.mint(["GOOGLE_APPLICATION_CREDENTIALS": "/wif.json"], transport, files: ["/wif.json": google.externalAccount(tokenFile: nil, impersonate: true)]))
      #expect(viaURL.credentials.password == google.accessToken)
      #expect(viaURL.identity == "service account pyindex-ci of demo-project.iam.gserviceaccount.com (workload identity federation)")
      let oidc = try #require(fixture.server.requests.first { $0.path == "/oidc/token" })
      #expect(oidc.header("Authorization") == "bearer \(google.issuer.requestToken)")
      let sts = try #require(fixture.server.requests.first { $0.path == "/v1/token" })
      #expect(String(decoding: sts.body, as: UTF8.self).contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange"))
      #expect(google.refused.isEmpty, "\(google.refused)")
    }
  }

  @Test("the metadata server (GCE_METADATA_HOST): the instance's token and service account")
  func metadataServer() async throws {
    try await Self.withFixture { fixture, google, transport in
      let m = try #require(try await Self.mint(["GCE_METADATA_HOST": "127.0.0.1:\(fixture.server.port)"], transport))
      #expect(m.credentials.password == google.accessToken)
      #expect(m.identity == "service account pyindex-ci of demo-project.iam.gserviceaccount.com (metadata server)")
      #expect(fixture.server.requests.allSatisfy { $0.header("Metadata-Flavor") == "Google" })
    }
  }

  @Test("failures: nothing found, a key of the wrong type or encoding, an expired refresh token, clock skew, a refused audience, an executable source")
  func failures() async throws {
    try await Self.withFixture { _, google, transport in
      let none = try #require(await Self.failure([:], transport))
      #expect(none.description.contains("no Google credentials found: looked for GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials (/home/ci/.config/gcloud/application_default_credentials.json), and the metadata server (127.0.0.1:\(LoopbackPort.refusing) did not answer)"))
      #expect(none.kind == .authentication)
      let env = ["GOOGLE_APPLICATION_CREDENTIALS": "/k.json"]
      let missing = try #require(await Self.failure(env, transport))
      #expect(missing.description.contains("cannot read /k.json (GOOGLE_APPLICATION_CREDENTIALS)"))
      let other = try #require(await Self.failure(env, transport, files: ["/k.json": "{\"type\": \"impersonated_service_account\"}"]))
      #expect(other.description.contains("of type 'impersonated_service_account', which pyindex does not read"))
      let encoded = try #require(await Self.failure(env, transport, files: ["/k.json": Data(google.serviceAccountKey.utf8).base64EncodedString()]))
      #expect(encoded.hint?.contains("base64 -d") == true)
      let badKey = try #require(await Self.failure(env, transport, files: ["/k.json": "{\"type\": \"service_account\", \"client_email\": \"a@b\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}"]))
      #expect(badKey.description.contains("is not an RSA private key in PEM"))
      let expired = try #require(await Self.failure(env, transport, files: ["/k.json": google.authorizedUser(refreshToken: "1//revoked")]))
      #expect(expired.description.contains("(invalid_grant: Token has been expired or revoked.)"))
      #expect(expired.hint?.contains("gcloud auth application-default login") == true)
      let skew = try #require(await Self.failure(env, transport, files: ["/k.json": google.serviceAccountKey], now: Date().timeIntervalSince1970 - 7200))
      #expect(skew.description.contains("reasonable timeframe"))
      #expect(skew.hint?.contains("clock") == true)
      let audience = try #require(
        await Self.failure(env, transport, files: ["/k.json": google.externalAccount(tokenFile: "/oidc", impersonate: false), "/oidc": "eyJ.other.token"]))
      #expect(audience.description.contains("Google STS refused the subject token (invalid_grant: The audience in ID Token"))
      #expect(audience.hint?.contains("audience") == true)
      let executable = try #require(
        await Self.failure(env, transport, files: ["/k.json": "{\"type\": \"external_account\", \"audience\": \"a\", \"credential_source\": {\"executable\": {\"command\": \"/bin/x\"}}}"]))
      #expect(executable.description.contains("an executable, which pyindex does not run"))
      for f in [none, missing, other, encoded, badKey, expired, skew, audience, executable] {
        for secret in [google.refreshToken, google.clientSecret, google.accessToken, google.idToken] {
          #expect(!"\(f.description) \(f.hint ?? "")".contains(secret))
        }
      }
    }
  }
}
