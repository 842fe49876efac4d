import Foundation
import PyIndexAuth
import PyIndexFixtures
import PyIndexModel
import PyIndexTransport
@testable import PyIndexMint
import Testing

/// What the provider suites share: a token fixture with a real ``Transport`` before it, and a
/// provider asked through a ``MintContext`` of the test's own environment, files and clock.
enum MintSupport {
  /// Runs `body` with the fixture of profile `name`, its token service (`service` picks it),
  /// and a transport; stops the fixture whatever happens.
  static func withFixture<Service>(
    _ name: String, service: (FixtureProfile) -> Service?, _ body: (FixtureIndex, Service, Transport) async throws -> Void
  ) async throws {
    let profile = try #require(FixtureProfile.named(name))
    let endpoints = try #require(service(profile))
    let fixture = try await FixtureIndex.start(profile)
    do {
      try await Transport.with(configuration: TransportConfiguration(), store: CredentialStore(indexes: [], environment: [:])) { transport in
        try await body(fixture, endpoints, transport)
      }
    } catch {
      await fixture.stop()
      throw error
    }
    await fixture.stop()
  }

  /// The inputs a provider reads: `environment`, `files` (then the real file system when
  /// `realFiles`), and a clock stopped at `now` when given.
  static func context(_ environment: [String: String], files: [String: String], now: Double?, realFiles: Bool = false) -> MintContext {
    var clock: (@Sendable () -> Double)? = nil
    if let now { clock = { now } }
    let read: @Sendable (String) -> String? = { files[$0] ?? (realFiles ? try? String(contentsOfFile: $0, encoding: .utf8) : nil) }
    return MintContext(environment: environment, readFile: read, now: clock)
  }

  /// The failure `mint` throws, nil when it mints.
  static func failure(_ mint: () async throws(MintFailure) -> MintedCredentials?) async -> MintFailure? {
    do {
      _ = try await mint()
      return nil
    } catch {
      return error
    }
  }
}
