import PyIndexAuth
@testable import PyIndexClient
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
import Testing

/// An index of wheels on a loopback server: `/simple/NAME/` pages, `/files/FILE` bodies;
/// `alter` may change any answer (cut it, ignore Range, lie about a digest).
struct WheelIndex: Sendable {
  let wheels: [String: [(name: String, body: [UInt8])]]  // by project
  var alter: @Sendable (RecordedRequest, FixtureResponse) -> FixtureResponse = { $1 }
  var digest: String? = nil

  init(_ wheels: [(project: String, version: String, requires: [String])]) {
    var byProject: [String: [(name: String, body: [UInt8])]] = [:]
    for w in wheels {
      byProject[w.project, default: []].append(("\(w.project)-\(w.version)-py3-none-any.whl", WheelBuilder.wheel(name: w.project, version: w.version, requires: w.requires)))
    }
    self.wheels = byProject
  }

  func respond(_ request: RecordedRequest) -> FixtureResponse {
    let parts = request.path.split(separator: "/").map(String.init)
    var response = Support.text(404, "Not Found")
    if parts.count == 2, parts[0] == "simple", let w = wheels[parts[1]] {
      response = Support.page(w, digest: digest)
    } else if parts.count == 2, parts[0] == "files", let w = wheels.values.joined().first(where: { $0.name == parts[1] }) {
      response = FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: w.body)
      if let range = request.header("Range"), let start = Int(range.dropFirst(6).prefix(while: { $0 != "-" })), start < w.body.count {
        response = FixtureResponse(
          status: 206, headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "bytes \(start)-\(w.body.count - 1)/\(w.body.count)")],
          body: Array(w.body[start...]))
      }
    }
    return alter(request, response)
  }
}

@Suite("download in process: the resolver and the verified fetch")
struct DownloaderTests {
  static let target = Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 12], implementation: "cp")

  static func download(_ requirements: [String], index: WheelIndex, dest: String, deps: Bool = true) async throws -> (Result<[DownloadedFile], ClientError>, [RecordedRequest]) {
    try await Support.withServer({ index.respond($0) }) { server in
      var options = DownloadOptions(destination: dest, target: target)
      options.resolveDependencies = deps
      let parsed = try requirements.map { try Requirement($0) }
      let result = try await Support.withClient([server.origin + "/simple/"]) { client in
        do throws(ClientError) {
          return Result<[DownloadedFile], ClientError>.success(try await Downloader(client: client, warn: { _ in }).download(parsed, options: options))
        } catch {
          return .failure(error)
        }
      }
      return (result, server.requests)
    }
  }

  @Test("dependencies are followed wave by wave, from the wheels' METADATA")
  func closure() async throws {
    let dest = try Support.temporaryDirectory()
    let index = WheelIndex([("app", "1.0", ["lib>=2", "winonly; sys_platform == 'win32'"]), ("lib", "2.1", ["base"]), ("base", "0.3", [])])
    let (result, _) = try await Self.download(["app"], index: index, dest: dest)
    let files = try result.get()
    #expect(files.map(\.filename).sorted() == ["app-1.0-py3-none-any.whl", "base-0.3-py3-none-any.whl", "lib-2.1-py3-none-any.whl"])
    #expect(Support.files(in: dest) == files.map(\.filename).sorted())
    for f in files { #expect(f.sha256 == Support.sha256(index.wheels[f.project]?.first?.body ?? [])) }
  }

  @Test("requirements that exclude each other: a conflict naming both, DEST as it was")
  func conflict() async throws {
    let dest = try Support.temporaryDirectory()
    let index = WheelIndex([("a", "1.0", ["c<2"]), ("b", "1.0", ["c>=2"]), ("c", "1.5", []), ("c", "2.0", [])])
    let (result, _) = try await Self.download(["a", "b"], index: index, dest: dest)
    guard case .failure(let e) = result, case .dependencyConflict(let text) = e.code else {
      Issue.record("\(result)")
      return
    }
    #expect(text.contains("c<2") && text.contains("c>=2"))
    #expect(Support.files(in: dest).isEmpty)
  }

  @Test("a body cut short is resumed with Range, then verified whole")
  func resumed() async throws {
    let dest = try Support.temporaryDirectory()
    let counter = Counter()
    var index = WheelIndex([("demo", "1.0", [])])
    index.alter = { request, response in
      var r = response
      if request.path.hasPrefix("/files/"), counter.next(request.path) == 1 { r.closeAfter = 100 }
      return r
    }
    let (result, requests) = try await Self.download(["demo"], index: index, dest: dest, deps: false)
    #expect(try result.get().map(\.filename) == ["demo-1.0-py3-none-any.whl"])
    #expect(requests.filter { $0.path.hasPrefix("/files/") }.map { $0.header("Range") } == [nil, "bytes=100-"])
  }

  @Test("a server that ignores Range on the resume: the file starts over, verified")
  func restarted() async throws {
    let dest = try Support.temporaryDirectory()
    let counter = Counter()
    var index = WheelIndex([("demo", "1.0", [])])
    let body = index.wheels["demo"]?.first?.body ?? []
    index.alter = { request, response in
      guard request.path.hasPrefix("/files/") else { return response }
      var whole = FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: body)
      if counter.next(request.path) == 1 { whole.resetAfter = 100 }
      return whole
    }
    let (result, _) = try await Self.download(["demo"], index: index, dest: dest, deps: false)
    #expect(try result.get().first?.sha256 == Support.sha256(body))
  }

  @Test("a digest mismatch: exit 4 and nothing kept in DEST")
  func mismatch() async throws {
    let dest = try Support.temporaryDirectory()
    var index = WheelIndex([("demo", "1.0", [])])
    index.digest = String(repeating: "0", count: 64)
    let (result, _) = try await Self.download(["demo"], index: index, dest: dest, deps: false)
    guard case .failure(let e) = result, case .digestMismatch(let name, _, "sha256", _, _) = e.code else {
      Issue.record("\(result)")
      return
    }
    #expect(name == "demo-1.0-py3-none-any.whl")
    #expect(e.exitCode == 4)
    #expect(Support.files(in: dest).isEmpty)
  }
}
