import Foundation
import PyIndexAuth
@testable import PyIndexClient
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
import Synchronization

/// In-process helpers: the real ``Transport`` against loopback servers of `PyIndexFixtures`,
/// with no environment of the machine (no CA, proxy or credential variable is read).
enum Support {
  /// Runs `body` with an index client for `indexes`; retries are quick.
  static func withClient<T: Sendable>(
    _ indexes: [String], retries: Int = 2, timeout: Double = 5, environment: [String: String] = [:], _ body: (IndexClient) async throws -> T
  ) async throws -> T {
    var configuration = TransportConfiguration()
    configuration.retries = retries
    configuration.backoffBase = 0.01
    configuration.timeout = timeout
    let urls = try indexes.map { try IndexURL($0) }
    let store = CredentialStore(indexes: urls, environment: environment)
    return try await Transport.with(configuration: configuration, store: store) { transport in
      try await body(IndexClient(transport: transport, settings: IndexSettings(indexes: urls), warn: { _ in }))
    }
  }

  /// A fresh, empty directory.
  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pyindex-client-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  static func files(in dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
  }

  static func sha256(_ bytes: [UInt8]) -> String {
    var h = MultiHasher(algorithms: ["sha256"])
    h.update(bytes)
    return h.finalize()["sha256"] ?? ""
  }

  /// An HTML project page linking each file, with its sha256 (`digest` overrides it).
  static func page(_ files: [(name: String, body: [UInt8])], digest: String? = nil) -> FixtureResponse {
    let links = files.map { "<a href=\"/files/\($0.name)#sha256=\(digest ?? sha256($0.body))\">\($0.name)</a><br>" }.joined(separator: "\n")
    return FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<!DOCTYPE html><html><body>\n\(links)\n</body></html>\n".utf8))
  }

  static func text(_ status: Int, _ body: String = "", type: String = "text/plain") -> FixtureResponse {
    FixtureResponse(status: status, headers: [("Content-Type", type)], body: Array(body.utf8))
  }
}

/// Counts requests by path, for responses that change on the second try.
final class Counter: Sendable {
  private let counts = Mutex<[String: Int]>([:])
  /// The 1-based number of this request to `path`.
  func next(_ path: String) -> Int { counts.withLock { $0[path, default: 0] += 1; return $0[path] ?? 0 } }
}

extension Support {
  /// Runs `body` with a loopback server answering with `respond`, stopped afterwards.
  static func withServer<T: Sendable>(
    _ respond: @escaping @Sendable (RecordedRequest) -> FixtureResponse, _ body: (LoopbackServer) async throws -> T
  ) async throws -> T {
    let server = try await LoopbackServer.start(respond: respond)
    do {
      let result = try await body(server)
      await server.stop()
      return result
    } catch {
      await server.stop()
      throw error
    }
  }
}
