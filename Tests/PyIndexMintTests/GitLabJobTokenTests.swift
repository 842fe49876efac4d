import PyIndexAuth
import PyIndexModel
@testable import PyIndexMint
import Testing

@Suite("minted credentials: GitLab CI's job token")
struct GitLabJobTokenTests {
  static let env = ["CI_JOB_TOKEN": "glcbt-64_job-token-secret", "CI_SERVER_HOST": "gitlab.example.com"]

  @Test("for an index on the job's GitLab: gitlab-ci-token and the job token; named without the token")
  func sameHost() async throws {
    let minting = Minting(environment: Self.env)
    let m = try #require(try await minting.credentials(for: SafeURL(stringLiteral: "https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/"), exchange: nil))
    #expect(m.credentials == Credentials(username: "gitlab-ci-token", password: "glcbt-64_job-token-secret"))
    #expect(m.provider == "GitLab CI job token")
    #expect(!m.description.contains("secret"))
  }

  @Test("never for another host, another port, or without the job token or the server", arguments: [
    (["CI_JOB_TOKEN": "t", "CI_SERVER_HOST": "gitlab.example.com"], "https://pypi.org/simple/", false),
    (["CI_JOB_TOKEN": "t", "CI_SERVER_URL": "https://GitLab.Example.com:8443"], "https://gitlab.example.com/api/v4/", false),
    (["CI_JOB_TOKEN": "t", "CI_SERVER_URL": "https://GitLab.Example.com:8443"], "https://gitlab.example.com:8443/api/v4/", true),
    (["CI_JOB_TOKEN": "t", "CI_SERVER_HOST": "gitlab.example.com", "CI_SERVER_PORT": "8443"], "https://gitlab.example.com/api/v4/", false),
    (["CI_SERVER_HOST": "gitlab.example.com"], "https://gitlab.example.com/api/v4/", false),
    (["CI_JOB_TOKEN": " ", "CI_SERVER_HOST": "gitlab.example.com"], "https://gitlab.example.com/api/v4/", false),
    (["CI_JOB_TOKEN": "t"], "https://gitlab.example.com/api/v4/", false),
  ])
  func scope(_ env: [String: String], _ index: String, _ minted: Bool) async throws {
    let m = try await Minting(environment: env).credentials(for: SafeURL(stringLiteral: index), exchange: nil)
    #expect((m != nil) == minted)
  }

  @Test("the credential store asks the minter last, for a configured index's origin only")
  func lastSource() async throws {
    let index = try IndexURL("https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/")
    let minter = Minting(environment: Self.env)
    let store = CredentialStore(indexes: [index], environment: [:], minter: minter)
    let m = await store.lookup("https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/demo/")
    #expect(m.source == .minted)
    #expect(m.minted?.identity == "gitlab-ci-token on gitlab.example.com")
    // A host no configured index is on gets nothing, even on the same GitLab's other origin.
    #expect(await store.lookup("http://gitlab.example.com/x").source == .none)
    // Any other source wins.
    let netrc = CredentialStore(indexes: [index], environment: [:], netrcText: "machine gitlab.example.com login u password p", minter: minter)
    #expect(await netrc.lookup("https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/demo/").source == .netrc)
  }
}
