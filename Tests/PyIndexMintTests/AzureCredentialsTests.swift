import Foundation
import PyIndexAuth
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
@testable import PyIndexMint
import Testing

/// Entra ID tokens for Azure Artifacts, in process, against the `entra` fixture (tenant
/// discovery, token endpoint, App Service and IMDS managed identity on one loopback port)
/// through a real ``Transport``.
@Suite("minted credentials: Azure Artifacts and Microsoft Entra ID")
struct AzureCredentialsTests {
  static let index: SafeURL = "https://pkgs.dev.azure.com/demo-org/_packaging/demo-feed/pypi/simple/"

  static func withFixture(_ body: (FixtureIndex, EntraTokenService, Transport, [String: String]) async throws -> Void) async throws {
    try await MintSupport.withFixture("entra", service: \.entra) { fixture, entra, transport in
      try await body(fixture, entra, transport, ["AZURE_AUTHORITY_HOST": fixture.server.origin, "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(LoopbackPort.refusing)"])
    }
  }

  static func mint(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async throws(MintFailure) -> MintedCredentials? {
    try await AzureArtifacts(context: MintSupport.context(env, files: files, now: now)).credentials(for: index, exchange: transport)
  }

  static func failure(_ env: [String: String], _ transport: Transport, files: [String: String] = [:], now: Double? = nil) async -> MintFailure? {
    await MintSupport.failure { () async throws(MintFailure) in try await mint(env, transport, files: files, now: now) }
  }

  @Test("Azure Artifacts' hosts, and nothing else")
  func hosts() {
    #expect(AzureArtifacts.isRegistry("pkgs.dev.azure.com"))
    #expect(AzureArtifacts.isRegistry("contoso.pkgs.visualstudio.com"))
    for h in ["dev.azure.com", "pkgs.dev.azure.com.evil.example", "a.b.pkgs.visualstudio.com", "pkgs.visualstudio.com"] {
      #expect(!AzureArtifacts.isRegistry(h), "\(h)")
    }
  }

  @Test("a client secret, a certificate's assertion, a federated token, App Service's and the instance's managed identity")
  func everyInput() async throws {
    try await Self.withFixture { fixture, entra, transport, base in
      let app = ["AZURE_TENANT_ID": entra.tenant, "AZURE_CLIENT_ID": entra.clientId]
      let runs: [([String: String], String)] = [
        (app.merging(["AZURE_CLIENT_SECRET": entra.clientSecret]) { $1 }, "client \(entra.clientId) (tenant \(entra.tenant))"),
        (app.merging(["AZURE_CLIENT_CERTIFICATE_PATH": "/cert.pem"]) { $1 }, "client \(entra.clientId) (tenant \(entra.tenant))"),
        (app.merging(["AZURE_FEDERATED_TOKEN_FILE": "/token"]) { $1 }, "client \(entra.clientId) (tenant \(entra.tenant), workload identity)"),
        (["IDENTITY_ENDPOINT": fixture.server.origin + "/msi/token", "IDENTITY_HEADER": entra.identityHeader], "the managed identity"),
        (["AZURE_POD_IDENTITY_AUTHORITY_HOST": fixture.server.origin], "the managed identity"),
      ]
      for (env, identity) in runs {
        let m = try #require(try await Self.mint(base.merging(env) { $1 }, transport, files: ["/cert.pem": entra.certificatePEM, "/token": entra.issuer.idToken]))
        #expect(m.credentials == Credentials(username: "azure", password: entra.accessToken), "\(env.keys.sorted())")
        #expect(m.identity == identity)
        #expect((m.expiry ?? 0) > Date().timeIntervalSince1970 + 3000)
      }
      #expect(entra.refused.isEmpty, "\(entra.refused)")
      let token = try #require(fixture.server.requests.first { $0.path.hasSuffix("/oauth2/v2.0/token") })
      #expect(String(decoding: token.body, as: UTF8.self).contains("scope=499b84ac-1321-427f-aa17-267ca6975798%2F.default"))
    }
  }

  @Test("failures: no identity, a wrong secret, no such tenant, a federated token no credential matches, a certificate file without a key, clock skew")
  func failures() async throws {
    try await Self.withFixture { _, entra, transport, base in
      let app = base.merging(["AZURE_TENANT_ID": entra.tenant, "AZURE_CLIENT_ID": entra.clientId]) { $1 }
      let none = try #require(await Self.failure(base, transport))
      #expect(none.description.contains("no Azure identity found: looked for AZURE_TENANT_ID and AZURE_CLIENT_ID"))
      #expect(none.kind == .authentication)
      let secret = try #require(await Self.failure(app.merging(["AZURE_CLIENT_SECRET": "wrong"]) { $1 }, transport))
      #expect(secret.description.contains("(invalid_client: AADSTS7000215: Invalid client secret provided.)"), "\(secret.description)")
      #expect(secret.hint?.contains("client secret is wrong or expired") == true)
      let tenant = try #require(await Self.failure(app.merging(["AZURE_TENANT_ID": "nope", "AZURE_CLIENT_SECRET": entra.clientSecret]) { $1 }, transport))
      #expect(tenant.hint?.contains("AZURE_TENANT_ID") == true, "\(tenant.description)")
      let federated = try #require(await Self.failure(app.merging(["AZURE_FEDERATED_TOKEN_FILE": "/t"]) { $1 }, transport, files: ["/t": "eyJ.not.it"]))
      #expect(federated.hint?.contains("federated credential") == true, "\(federated.description)")
      let certificateOnly = try #require(entra.certificatePEM.firstRange(of: "-----BEGIN PRIVATE KEY-----").map { String(entra.certificatePEM[..<$0.lowerBound]) })
      let keyless = try #require(await Self.failure(app.merging(["AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem"]) { $1 }, transport, files: ["/c.pem": certificateOnly]))
      #expect(keyless.description.contains("is not a PEM file with a certificate and its RSA private key"), "\(keyless.description)")
      let skew = try #require(
        await Self.failure(app.merging(["AZURE_CLIENT_CERTIFICATE_PATH": "/c.pem"]) { $1 }, transport, files: ["/c.pem": entra.certificatePEM], now: Date().timeIntervalSince1970 - 7200))
      #expect(skew.hint?.contains("clock") == true, "\(skew.description)")
      for f in [none, secret, tenant, federated, keyless, skew] {
        for s in [entra.clientSecret, entra.accessToken, entra.issuer.idToken, entra.identityHeader] {
          #expect(!"\(f.description) \(f.hint ?? "")".contains(s))
        }
      }
    }
  }
}
