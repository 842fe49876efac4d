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

/// Core metadata with CRLF or CR line endings (Windows wheels of cffi and grpcio ship CRLF):
/// every `Requires-Dist` is read, from PEP 658 files, range requests and downloaded wheels alike.
@Suite("download: core metadata with any line ending")
struct LineEndingEndToEndTests {
  @Test("a win_amd64 wheel whose METADATA ends its lines in CRLF (or CR) keeps its dependencies", arguments: ["\r\n", "\r"], [true, false])
  func windowsMetadata(ending: String, pep658: Bool) async throws {
    let app = FixtureFile.wheel("cr-app", "1.0", tag: "cp312-cp312-win_amd64", requires: ["cr-dep>=1", "cr-other ; sys_platform == 'win32'"], lineEnding: ending)
    var profile = FixtureProfile(projects: [
      FixtureProject(name: "cr-app", files: [app]),
      FixtureProject(name: "cr-dep", files: [.wheel("cr-dep", "1.2")]),
      FixtureProject(name: "cr-other", files: [.wheel("cr-other", "0.3")]),
    ])
    profile.coreMetadata = pep658
    profile.ranges = false
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "cr-app", "-d", dir, "-i", index.simpleURL, "--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.12", "--only-binary", ":all:"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == [app.filename, "cr_dep-1.2-py3-none-any.whl", "cr_other-0.3-py3-none-any.whl"], "\(Harness.files(in: dir))")
    }
  }

  @Test("a requirements file and a netrc written with CRLF read as they do with LF")
  func userFiles() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(FixtureProfile.demo(auth: FixtureAuth(username: "crlf-user", password: "Crlf-Secret-2024"))) { index in
      try "# pinned\r\ndemo-pkg==1.3.0 \\\r\n    --hash=sha256:\(FixtureFile.wheel("demo-pkg", "1.3.0").sha256)\r\n".write(toFile: dir + "/req.txt", atomically: true, encoding: .utf8)
      try "machine 127.0.0.1\r\nlogin crlf-user\r\npassword Crlf-Secret-2024\r\n".write(toFile: dir + "/netrc", atomically: true, encoding: .utf8)
      let r = try await Harness.run(
        ["download", "-r", dir + "/req.txt", "--no-deps", "-d", dir + "/dest", "-i", index.simpleURL, "--python-version", "3.11", "--only-binary", ":all:"],
        environment: ["NETRC": dir + "/netrc"], secrets: ["Crlf-Secret-2024"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/dest") == ["demo_pkg-1.3.0-py3-none-any.whl"])
    }
  }
}
