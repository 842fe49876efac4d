import Foundation
import PyIndexFixtures
import Testing

/// Flaky networks and odd servers, through the binary: what is retried (5xx, 429 with
/// `Retry-After` in both forms, bodies cut short or stalled), what resumes with `Range`, what
/// fails and how (exit code, message), and that DEST never keeps a partial file.
@Suite("faults: retries, resume, timeouts, encodings")
struct FaultEndToEndTests {
  static let target = ["--no-deps", "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64"]
  static let listing = "demo-pkg (1.10.0)\nAvailable versions: 1.10.0, 1.9.0, 1.6.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0\n"

  static func faultIndex(_ index: FixtureIndex, _ kind: String) -> String { "\(index.server.origin)/fault/\(kind)/simple/" }

  @Test("5xx and 429 are retried with backoff; Retry-After (seconds or date) is honoured", arguments: ["503x2", "429x1", "429datex1"])
  func retriedStatuses(_ kind: String) async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Self.faultIndex(index, kind), "-v"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout == Self.listing)
      let status = kind.hasPrefix("503") ? "503" : "429"
      #expect(r.stderr.contains("retry 1/3 of \(index.server.origin)/fault/\(kind)/simple/demo-pkg/ after HTTP \(status)"), "\(r.stderr)")
      if status == "429" {
        #expect(r.stderr.contains("(Retry-After)"), "\(r.stderr)")
        #expect(!r.stderr.contains("in 0.0 s (Retry-After)"), "\(r.stderr)")
      }
      let pageRequests = index.requests.filter { $0.path.hasSuffix("/simple/demo-pkg/") }
      #expect(pageRequests.count == (kind == "503x2" ? 3 : 2))
    }
  }

  @Test("retries run out: the last answer decides (exit 3, HTTP 503, hint)")
  func retriesRunOut() async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Self.faultIndex(index, "503x5"), "--retries", "1"])
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("HTTP 503"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: the server failed; try again later or raise --retries"))
      #expect(index.requests.filter { $0.path.hasSuffix("/simple/demo-pkg/") }.count == 2)
    }
  }

  @Test("a download cut short (FIN or RST mid-body) resumes with Range where the server allows, else starts over", arguments: ["resetx1", "rstx1"], [true, false])
  func resume(_ kind: String, ranges: Bool) async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    var profile = FixtureProfile.demo()
    profile.ranges = ranges
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", Self.faultIndex(index, kind), "-v"] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      let wheel = FixtureFile.wheel("demo-pkg", "1.3.0")
      #expect(Harness.files(in: dest) == [wheel.filename])
      #expect(FileManager.default.contents(atPath: dest + "/" + wheel.filename).map { Array($0) } == wheel.contents)
      let fileRequests = index.requests.filter { $0.path.hasSuffix(wheel.filename) }
      #expect(fileRequests.map { $0.header("Range") } == [nil, "bytes=\(wheel.contents.count / 2)-"], "\(fileRequests.map(\.headers))")
      #expect(r.stderr.contains("after a body cut short"), "\(r.stderr)")
    }
  }

  @Test("a body always reset mid-way (RST): retried, then exit 3 naming the host and port, nothing left in DEST")
  func alwaysReset() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", Self.faultIndex(index, "rst"), "--retries", "2"] + Self.target)
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("was cut short (connection reset by peer from 127.0.0.1:\(index.server.port))"), "\(r.stderr)")
      #expect(!r.stderr.contains("the server:0"), "\(r.stderr)")
      #expect(Harness.files(in: dest).isEmpty)
      #expect(index.requests.filter { $0.path.hasSuffix(".whl") }.count == 3)
    }
  }

  @Test("a body always cut short: exit 3 after the retries, nothing left in DEST")
  func alwaysShort() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", Self.faultIndex(index, "short"), "--retries", "2"] + Self.target)
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("was cut short"), "\(r.stderr)")
      #expect(Harness.files(in: dest).isEmpty)
      #expect(index.requests.filter { $0.path.hasSuffix(".whl") }.count == 3)
    }
  }

  @Test("a stalled body fails after --timeout (per read; 8 s, so that the page before it is never the one timed out on a loaded machine), retried, nothing left in DEST")
  func stalled() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", Self.faultIndex(index, "stall"), "--timeout", "8", "--retries", "1"] + Self.target)
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("timed out"), "\(r.stderr)")
      #expect(Harness.files(in: dest).isEmpty)
      #expect(index.requests.filter { $0.path.hasSuffix(".whl") }.count == 2)
    }
  }

  /// The margins hold on a loaded machine: each gap is a sixteenth of `--timeout`, and the page
  /// before the file has all of it.
  @Test("a slow body that keeps arriving is not a timeout, even past --timeout in total (12 s, 0.6 s gaps, --timeout 10)")
  func slow() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", Self.faultIndex(index, "slow"), "--timeout", "10", "--retries", "0"] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dest) == [FixtureFile.wheel("demo-pkg", "1.3.0").filename])
    }
  }

  @Test("pages: gzip-encoded ones are read; one cut short (FIN or RST) is fetched again (HTML and JSON)", arguments: ["gzip", "resetpagex1", "rstpagex1"], [true, false])
  func pages(_ kind: String, json: Bool) async throws {
    try await Harness.withIndex(.demo(json: json)) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Self.faultIndex(index, kind)])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout == Self.listing)
      #expect(index.requests.filter { $0.path.hasSuffix("/simple/demo-pkg/") }.count == (kind == "gzip" ? 1 : 2))
    }
  }

  @Test("406 Not Acceptable and a redirect loop: exit 3 with what happened")
  func refusals() async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Self.faultIndex(index, "406")])
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("HTTP 406"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: the server cannot serve"), "\(r.stderr)")
      let loop = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.server.origin + "/loop/"])
      #expect(loop.status == 3)
      #expect(loop.stderr.contains("more than 10 redirects"), "\(loop.stderr)")
    }
  }
}

extension FaultEndToEndTests {
  @Test("parallel downloads with faults on some files: complete files are kept, the failed ones leave nothing")
  func parallelWithFaults() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    let projects = (0..<6).map { FixtureProject(name: "par-\($0)", files: [.wheel("par-\($0)", "1.0")]) }
    try await Harness.withIndex(FixtureProfile(projects: projects)) { index in
      // Even ones through a route that always cuts files short, odd ones through one that
      // cuts each file once (they resume).
      let reqs = (0..<6).map { i -> String in
        let file = FixtureFile.wheel("par-\(i)", "1.0")
        return "par-\(i) @ \(index.server.origin)/fault/\(i % 2 == 0 ? "short" : "resetx1")/files/\(file.filename)#sha256=\(file.sha256)"
      }
      let r = try await Harness.run(["download"] + reqs + ["-d", dest, "-j", "4", "--retries", "1"] + Self.target)
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("was cut short"), "\(r.stderr)")
      let kept = Harness.files(in: dest)
      #expect(!kept.contains { $0.hasSuffix(".part") || $0.hasPrefix(".") }, "\(kept)")
      // Whatever finished is whole and verified: only odd ones can have.
      for name in kept {
        let i = Int(name.split(separator: "-")[0].split(separator: "_").last ?? "") ?? -1  // par_3-1.0-…
        #expect(i % 2 == 1, "\(name)")
        let data = try #require(FileManager.default.contents(atPath: dest + "/" + name))
        #expect(Array(data) == FixtureFile.wheel("par-\(i)", "1.0").contents)
      }
    }
  }
}
