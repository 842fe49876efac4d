import Foundation
import PyIndexFixtures
import Testing

/// Dependencies known before the wheel is downloaded: PEP 658 metadata files (checked against
/// their digest) and, where an index has none, `METADATA` read with HTTP range requests; and
/// the full download when the server ignores `Range`.
@Suite("download: dependencies from PEP 658 metadata and range requests")
struct MetadataEndToEndTests {
  static let expected = [
    "app-1.0-py3-none-any.whl", "lib_a-2.0-py3-none-any.whl", "lib_c-1.0-py3-none-any.whl",
    "lib_d-1.5-py3-none-any.whl", "speedups-0.1-py3-none-any.whl",
  ]

  static func profile(coreMetadata: Bool, ranges: Bool, json: Bool = true, padding: Int = 0) -> FixtureProfile {
    var p = ResolverEndToEndTests.profile
    p.coreMetadata = coreMetadata
    p.ranges = ranges
    p.json = json
    if padding > 0 {
      p.projects[0].files = [.wheel("app", "1.0", requires: ["lib-a>=1", "lib-b ; sys_platform == 'win32'", "lib-c[fast]==1.0"], padding: padding)]
    }
    return p
  }

  /// The wheel requests the run made, in order: path and `Range` header.
  static func fileRequests(_ index: FixtureIndex) -> [(path: String, range: String?)] {
    index.requests.filter { $0.path.hasPrefix("/files/") }.map { ($0.path, $0.header("Range")) }
  }

  @Test("PEP 658: each wheel's .metadata is read (HTML and JSON pages) before the wheel, and no Range is sent", arguments: [true, false])
  func pep658(json: Bool) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile(coreMetadata: true, ranges: true, json: json)) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == Self.expected)
      let requests = Self.fileRequests(index)
      for name in Self.expected {
        let meta = requests.firstIndex { $0.path == "/files/\(name).metadata" }
        let file = requests.firstIndex { $0.path == "/files/\(name)" }
        #expect(meta != nil && file != nil && meta! < file!, "\(name): \(requests)")
      }
      #expect(requests.allSatisfy { $0.range == nil })
    }
  }

  @Test("PEP 658: metadata that does not match its digest stops the run (exit 4), nothing kept")
  func pep658Mismatch() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var profile = Self.profile(coreMetadata: true, ranges: false)
    profile.projects[0].files[0].advertisedMetadataSHA256 = String(repeating: "0", count: 64)
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 4, "\(r.stderr)")
      #expect(r.stderr.contains("app-1.0-py3-none-any.whl.metadata"), "\(r.stderr)")
      #expect(Harness.files(in: dir).isEmpty)
    }
  }

  @Test("ranges: one suffix request reads a small wheel's METADATA; the closure is the same")
  func rangesSmall() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile(coreMetadata: false, ranges: true)) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == Self.expected)
      let requests = Self.fileRequests(index)
      for name in Self.expected {
        #expect(requests.filter { $0.path == "/files/\(name)" }.map(\.range) == ["bytes=-65557", nil], "\(name): \(requests)")
      }
    }
  }

  @Test("ranges: a big wheel's METADATA is fetched by a second range after the central directory")
  func rangesBig() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile(coreMetadata: false, ranges: true, padding: 300_000)) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == Self.expected)
      let ranges = Self.fileRequests(index).filter { $0.path == "/files/app-1.0-py3-none-any.whl" }.map(\.range)
      #expect(ranges.count == 3, "\(ranges)")
      #expect(ranges.first == "bytes=-65557")
      #expect(ranges.dropFirst().first??.hasPrefix("bytes=") == true)
      #expect(ranges.last == .some(nil))
    }
  }

  @Test("a server that ignores Range: the whole wheel is downloaded and read, closure unchanged")
  func rangesIgnored() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile(coreMetadata: false, ranges: false, padding: 300_000)) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == Self.expected)
      #expect(Harness.files(in: dir).allSatisfy { !$0.hasSuffix(".part") })
      // The range was asked once, answered with the whole file (not read), then the download.
      #expect(Self.fileRequests(index).filter { $0.path == "/files/app-1.0-py3-none-any.whl" }.map(\.range) == ["bytes=-65557", nil])
    }
  }
}
