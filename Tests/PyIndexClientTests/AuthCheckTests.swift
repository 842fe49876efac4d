import PyIndexAuth
@testable import PyIndexClient
import PyIndexModel
import PyIndexTransport
import Synchronization
import Testing

/// A transport that answers from a table by URL, through a pretend proxy: the seam lets the
/// checklist be tested for hosts a loopback server cannot be (an https GitLab behind a proxy,
/// which DNS and a certificate would otherwise have to name).
struct ScriptedTransport: HTTPTransport {
  let answers: [String: (status: Int, type: String, body: String)]
  let store: CredentialStore
  private let asked = Log()

  init(_ answers: [String: (status: Int, type: String, body: String)], store: CredentialStore) {
    self.answers = answers
    self.store = store
  }

  var requested: [String] { asked.lines }

  func get<T: Sendable>(_ url: SafeURL, headers: [(String, String)], _ handle: (Response) async throws -> T) async throws -> T {
    asked.add(url.revealedForRequest())
    let a = answers[url.revealedForRequest()] ?? (404, "text/plain", "Not Found")
    let match = await store.lookup(url)
    return try await handle(
      Response(
        status: a.status, headers: [("Content-Type", a.type), ("Content-Length", String(a.body.utf8.count))], finalURL: url,
        credentialSource: match.source, body: ResponseBody(chunks: [Array(a.body.utf8)], url: url)))
  }
  func pause(beforeRetry attempt: Int, of url: SafeURL, reason: String) async throws {}
  func note(_ message: String) {}
  var retries: Int { 0 }
  func credentials(for url: SafeURL) async -> CredentialStore.Match { await store.lookup(url) }
  func allowsPlainHTTP(to url: SafeURL) -> Bool { url.isLoopback }
  func skipsVerification(for url: SafeURL) -> Bool { false }
  func route(for url: SafeURL) -> String { "proxy http://proxy.example:3128 (--proxy)" }
  func usesProxy(for url: SafeURL) -> Bool { true }
  var trustSummary: String { "the system roots" }
  func certificateSummary(host: String, port: Int) async -> String? { nil }
}

/// Lines appended from any task.
final class Log: Sendable {
  private let store = Mutex<[String]>([])
  var lines: [String] { store.withLock { $0 } }
  func add(_ line: String) { store.withLock { $0.append(line) } }
}

@Suite("auth check's judgement, over the transport seam")
struct AuthCheckTests {
  static let gitlab = "https://gitlab.example.com/api/v4/projects/42/packages/pypi/simple/"

  static func check(_ index: String, answers: [String: (status: Int, type: String, body: String)], project: String? = nil) async throws -> AuthCheckReport {
    let url = try IndexURL(index)
    let store = CredentialStore(indexes: [url], environment: [:])
    let transport = ScriptedTransport(answers, store: store)
    let client = IndexClient(transport: transport, settings: IndexSettings(indexes: [url]), warn: { _ in })
    let reports = await AuthChecker(client: client, routes: transport, now: 1_795_348_800).check(project: try project.map { try ProjectName($0) })
    return try #require(reports.first)
  }

  @Test("GitLab's 404 without credentials: probably missing credentials, exit 1")
  func gitlabWithoutCredentials() async throws {
    let r = try await Self.check(Self.gitlab, answers: [:])
    #expect(r.outcome == .notFound)
    #expect(r.cause?.contains("missing credentials") == true)
    #expect(r.steps.map(\.name) == ["credentials", "dns", "connection", "tls", "index root"])
    #expect(r.steps[1].detail.contains("resolved by the proxy"))
  }

  @Test("GitLab's 404 with a deploy token sent as a CI job token: an authentication failure, exit 2, no secret said")
  func gitlabMalformed() async throws {
    let r = try await Self.check("https://gitlab-ci-token:gldt-SECRETSECRET@gitlab.example.com/api/v4/projects/42/packages/pypi/simple/", answers: [:])
    #expect(r.outcome == .auth)
    #expect(r.outcome.exitCode == 2)
    #expect(r.cause?.contains("credentials look malformed") == true)
    let said = ([r.cause, r.hint] + r.steps.map(\.detail)).compactMap { $0 }.joined(separator: "\n")
    #expect(!said.contains("SECRETSECRET"))
  }

  @Test("401 and 403 with credentials: wrong or expired, or lacking permission", arguments: [(401, "credentials wrong or expired"), (403, "credentials lack permission")])
  func refused(_ status: Int, _ cause: String) async throws {
    let index = "https://user:pw-123456@pkgs.example.com/simple/"
    let r = try await Self.check(index, answers: ["https://pkgs.example.com/simple/": (status, "text/plain", "no")])
    #expect(r.outcome == .auth)
    #expect(r.cause?.hasPrefix(cause) == true)
    #expect(r.httpStatus == status)
  }

  @Test("a root that answers, then the project page")
  func projectPage() async throws {
    let page = "<html><body><a href=\"/f/demo-1.0-py3-none-any.whl\">demo-1.0-py3-none-any.whl</a></body></html>"
    let r = try await Self.check(
      "https://pkgs.example.com/simple/",
      answers: ["https://pkgs.example.com/simple/": (200, "text/html", "<html><body><a href=\"demo/\">demo</a></body></html>"), "https://pkgs.example.com/simple/demo/": (200, "text/html", page)],
      project: "demo")
    #expect(r.outcome == .ok)
    #expect(r.steps.dropLast().last?.detail == "200, 1 distribution file")
    // What the page showed of the index: a PEP 503 page of API version 1.0 (no range probe:
    // the scripted file answers 404).
    #expect(r.steps.last?.name == "capabilities" && r.steps.last?.detail == "API version 1.0")
  }
}
