import PyIndexAuth
@testable import PyIndexClient
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
import Testing

/// The index client against loopback servers, in process: what each answer to a project page
/// means (``ResponseMeaning``), and how a page cut short is fetched again.
@Suite("project pages in process: each answer's meaning")
struct IndexClientTests {
  static let wheel = (name: "demo-1.0-py3-none-any.whl", body: WheelBuilder.wheel(name: "demo", version: "1.0"))

  /// The file names listed for `demo`, or the error.
  static func list(_ indexes: [String], retries: Int = 2) async throws -> Result<[String], ClientError> {
    let project = try ProjectName("demo")
    return try await Support.withClient(indexes, retries: retries) { client in
      var names: [String] = []
      do throws(ClientError) {
        try await client.files(for: project) { file, _ in names.append(file.filename) }
        return .success(names)
      } catch {
        return .failure(error)
      }
    }
  }

  @Test("200: the page's files")
  func found() async throws {
    try await Support.withServer({ _ in Support.page([Self.wheel]) }) { server in
      let names = try await Self.list([server.origin + "/simple/"]).get()
      #expect(names == [Self.wheel.name])
    }
  }

  @Test("404 on every index: not found, each location said with its status")
  func notFound() async throws {
    try await Support.withServer({ _ in Support.text(404, "no") }) { server in
      guard case .failure(let failure) = try await Self.list([server.origin + "/a/", server.origin + "/b/"]), case .projectNotFound(_, let searched) = failure.code else {
        Issue.record("found")
        return
      }
      #expect(searched.map(\.status) == [404, 404])
    }
  }

  @Test("401 and 403 stop the search: an authentication failure", arguments: [401, 403])
  func refused(_ status: Int) async throws {
    try await Support.withServer({ _ in Support.text(status, "no") }) { server in
      guard case .failure(let failure) = try await Self.list([server.origin + "/simple/", server.origin + "/other/"]), case .authentication(_, status, false, .none) = failure.code else {
        Issue.record("not an authentication failure")
        return
      }
      #expect(server.requests.count == 1)  // the second index was not asked
    }
  }

  @Test("a sign-in page (a password field and no distribution) is an authentication failure")
  func signInPage() async throws {
    let form = "<html><form><input type=\"password\" name=\"p\"><a href=\"/help\">help</a></form></html>"
    try await Support.withServer({ _ in Support.text(200, form, type: "text/html") }) { server in
      guard case .failure(let failure) = try await Self.list([server.origin + "/simple/"]), case .authentication(_, 200, true, _) = failure.code else {
        Issue.record("not a sign-in page")
        return
      }
    }
  }

  @Test("a page cut short (closed or reset) is fetched again", arguments: [false, true])
  func cutShort(_ reset: Bool) async throws {
    let counter = Counter()
    let respond: @Sendable (RecordedRequest) -> FixtureResponse = { request in
      var page = Support.page([Self.wheel])
      if counter.next(request.path) == 1 {
        if reset { page.resetAfter = 20 } else { page.closeAfter = 20 }
      }
      return page
    }
    try await Support.withServer(respond) { server in
      let names = try await Self.list([server.origin + "/simple/"]).get()
      #expect(names == [Self.wheel.name])
      #expect(server.requests.count == 2)
    }
  }

  @Test("5xx after the retries: a network failure naming the status")
  func serverError() async throws {
    try await Support.withServer({ _ in Support.text(503, "busy") }) { server in
      guard case .failure(let e) = try await Self.list([server.origin + "/simple/"], retries: 1) else {
        Issue.record("found")
        return
      }
      guard case .httpStatus(_, 503) = e.code else {
        Issue.record("\(e)")
        return
      }
      #expect(e.exitCode == 3)
      #expect(server.requests.count == 2)
    }
  }

  @Test("a Content-Type that is not a simple-API page is unreadable (exit 4)")
  func notAPage() async throws {
    try await Support.withServer({ _ in Support.text(200, "{}", type: "application/json") }) { server in
      guard case .failure(let e) = try await Self.list([server.origin + "/simple/"]) else {
        Issue.record("found")
        return
      }
      guard case .unreadablePage = e.code else {
        Issue.record("\(e)")
        return
      }
      #expect(e.exitCode == 4)
      #expect(e.hint?.contains("/simple/") == true)
    }
  }
}
