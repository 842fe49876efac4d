import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PyIndexAuth
@testable import PyIndexClient
import PyIndexFixtures
import PyIndexModel
@testable import PyIndexServe
import PyIndexTransport
import Synchronization
import Testing

/// Upstream for serve: one project page and its wheel, answers changed by `alter`.
struct Upstream: Sendable {
  static let name = "demo-1.0-py3-none-any.whl"
  static let body = WheelBuilder.wheel(name: "demo", version: "1.0", padding: 200_000)
  var digest: String = Upstream.sha256(Upstream.body)
  var alter: @Sendable (RecordedRequest, FixtureResponse) -> FixtureResponse = { $1 }

  static func sha256(_ bytes: [UInt8]) -> String {
    var h = MultiHasher(algorithms: ["sha256"])
    h.update(bytes)
    return h.finalize()["sha256"] ?? ""
  }

  func respond(_ request: RecordedRequest) -> FixtureResponse {
    if request.path == "/simple/demo/" {
      let html = "<html><body><a href=\"/files/\(Self.name)#sha256=\(digest)\">\(Self.name)</a></body></html>"
      return FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(html.utf8))
    }
    guard request.path == "/files/" + Self.name else { return FixtureResponse(status: 404, body: Array("no".utf8)) }
    var r = FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: Self.body)
    if let range = request.header("Range"), let start = Int(range.dropFirst(6).prefix(while: { $0 != "-" })), start < Self.body.count {
      r = FixtureResponse(
        status: 206, headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "bytes \(start)-\(Self.body.count - 1)/\(Self.body.count)")],
        body: Array(Self.body[start...]))
    }
    return alter(request, r)
  }
}

/// serve's log lines.
final class ServeLog: Sendable {
  private let store = Mutex<[String]>([])
  var lines: [String] { store.withLock { $0 } }
  func add(_ line: String) { store.withLock { $0.append(line) } }
}

/// What the installer got for one request.
struct Answer: Sendable {
  var status: Int
  var headers: [(String, String)]
  /// The body, or nil when the connection ended before all of it arrived.
  var body: [UInt8]?
}

/// serve in process: a ``ShimServer`` over the real transport, upstream a loopback server,
/// the installer an HTTP client.
enum Serve {
  static func with(_ upstream: Upstream, cacheDirectory: String? = nil, _ body: (ShimServer, LoopbackServer, ServeLog) async throws -> Void) async throws {
    let server = try await LoopbackServer.start { upstream.respond($0) }
    let log = ServeLog()
    do {
      var configuration = TransportConfiguration()
      configuration.backoffBase = 0.01
      configuration.timeout = 5
      let index = try IndexURL(server.origin + "/simple/")
      try await Transport.with(configuration: configuration, store: CredentialStore(indexes: [index], environment: [:])) { transport in
        let client = IndexClient(transport: transport, settings: IndexSettings(indexes: [index]), warn: { _ in })
        let shim = try await ShimServer.start(host: "127.0.0.1", port: 0, client: client, cacheDirectory: cacheDirectory) { line, _ in log.add(line) }
        let running = Task { await shim.run() }
        do {
          try await body(shim, server, log)
        } catch {
          await shim.stop()
          await running.value
          throw error
        }
        await shim.stop()
        await running.value
      }
    } catch {
      await server.stop()
      throw error
    }
    await server.stop()
  }

  static func get(_ url: String, method: HTTPMethod = .GET, headers: [(String, String)] = []) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (n, v) in headers { request.headers.add(name: n, value: v) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
    let body = try? await response.body.collect(upTo: 16 << 20)
    return Answer(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body.map { Array($0.readableBytesView) })
  }

  /// The file's link on serve's page.
  static func fileURL(_ shim: ShimServer) async throws -> String {
    let page = try await get(shim.url.revealedForRequest() + "demo/")
    let html = String(decoding: page.body ?? [], as: UTF8.self)
    let href = try #require(html.firstRange(of: "href=\"").map { html[$0.upperBound...].prefix(while: { $0 != "\"" && $0 != "#" }) })
    return "http://\(shim.host):\(shim.port)" + href
  }
}

@Suite("serve's file path in process: the one verified fetch")
struct ServeFileTests {
  @Test("a file cut short upstream is resumed with Range: the installer gets all of it, verified")
  func resumed() async throws {
    let counter = Mutex(0)
    var upstream = Upstream()
    upstream.alter = { request, response in
      var r = response
      if counter.withLock({ $0 += 1; return $0 }) == 1 { r.closeAfter = Upstream.body.count / 2 }
      return r
    }
    try await Serve.with(upstream) { shim, server, _ in
      let answer = try await Serve.get(try await Serve.fileURL(shim))
      #expect(answer.status == 200)
      #expect(answer.body == Upstream.body)
      // Resumed from where the cut left it (the fixture cuts where its writes stop).
      let ranges = server.requests.filter { $0.path.hasPrefix("/files/") }.map { $0.header("Range") }
      #expect(ranges.count == 2 && ranges[0] == nil)
      let start = ranges.last.flatMap { $0 }.flatMap { Int($0.dropFirst(6).dropLast()) } ?? 0
      #expect(start > 0 && start < Upstream.body.count)
    }
  }

  @Test("a digest mismatch cuts the response short: the installer never holds the whole file")
  func mismatch() async throws {
    var upstream = Upstream()
    upstream.digest = String(repeating: "0", count: 64)
    try await Serve.with(upstream) { shim, _, log in
      let answer = try await Serve.get(try await Serve.fileURL(shim))
      #expect(answer.body == nil || (answer.body?.count ?? 0) < Upstream.body.count)
      #expect(log.lines.contains { $0.contains("→ cut: the sha256") })
    }
  }

  @Test("HEAD: the head with the length, no body")
  func head() async throws {
    try await Serve.with(Upstream()) { shim, _, _ in
      let answer = try await Serve.get(try await Serve.fileURL(shim), method: .HEAD)
      #expect(answer.status == 200)
      #expect(answer.headers.first { $0.0.lowercased() == "content-length" }?.1 == String(Upstream.body.count))
    }
  }

  @Test("an installer's range is passed upstream and the 206 passed back")
  func range() async throws {
    try await Serve.with(Upstream()) { shim, _, _ in
      let answer = try await Serve.get(try await Serve.fileURL(shim), headers: [("Range", "bytes=100-")])
      #expect(answer.status == 206)
      #expect(answer.body.map { $0 == Array(Upstream.body[100...]) } == true)
    }
  }

  @Test("upstream 404 is a 404 and 401 a 502; the upstream URL is never said", arguments: [(404, 404), (401, 502)])
  func upstreamFailure(_ upstreamStatus: Int, _ expected: Int) async throws {
    var upstream = Upstream()
    upstream.alter = { request, response in
      request.path.hasPrefix("/files/") ? FixtureResponse(status: upstreamStatus, body: Array("no".utf8)) : response
    }
    try await Serve.with(upstream) { shim, server, _ in
      let answer = try await Serve.get(try await Serve.fileURL(shim))
      #expect(answer.status == expected)
      #expect(!String(decoding: answer.body ?? [], as: UTF8.self).contains(server.origin))
    }
  }

  @Test("--cache-dir: a verified file is served from there next time; a damaged one is cut and removed")
  func kept() async throws {
    let dir = NSTemporaryDirectory() + "pyindex-serve-" + UUID().uuidString
    try await Serve.with(Upstream(), cacheDirectory: dir) { shim, server, log in
      let url = try await Serve.fileURL(shim)
      #expect(try await Serve.get(url).body == Upstream.body)
      let kept = FileCache(directory: dir, sha256: Upstream.sha256(Upstream.body))
      #expect(kept.isPresent)
      let fetched = server.requests.count
      #expect(try await Serve.get(url).body == Upstream.body)
      #expect(server.requests.count == fetched)  // not asked again
      try Data("damaged".utf8).write(to: URL(fileURLWithPath: kept.path))
      let damaged = try await Serve.get(url)
      #expect(damaged.body != Upstream.body)
      #expect(!kept.isPresent)
      #expect(log.lines.contains { $0.contains("is damaged; it was removed") })
    }
  }
}

@Suite("serve's token table")
struct TokenTableTests {
  @Test("bounded: past its capacity the oldest tokens are forgotten, a token already held keeps its place")
  func bounded() {
    var table = TokenTable<Int>(capacity: 4)
    for k in 0..<4 { table.insert("t\(k)", k) }
    table.insert("t0", 100)  // refreshed, not re-queued
    #expect(table.count == 4 && table["t0"] == 100)
    for k in 4..<1000 { table.insert("t\(k)", k) }
    #expect(table.count == 4)
    #expect(table["t0"] == nil && table["t995"] == nil)
    let newest = (996..<1000).map { k in table["t\(k)"] }
    #expect(newest == [996, 997, 998, 999])
  }
}
