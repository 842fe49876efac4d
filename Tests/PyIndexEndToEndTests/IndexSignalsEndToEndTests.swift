import Foundation
import PyIndexFixtures
import Testing

/// What an index says besides its files: PEP 792 project status, PEP 740 provenance, and a
/// project found on several indexes under unsafe-best-match.
@Suite("index signals: project status, provenance, shadowing")
struct IndexSignalsEndToEndTests {
  static func profile(status: String, reason: String?, json: Bool, files: [FixtureFile] = [.wheel("sig-pkg", "1.0")]) -> FixtureProfile {
    FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: files, status: status, statusReason: reason)], json: json)
  }

  @Test("archived and deprecated: a warning with the reason; --json says status and status_reason (HTML and JSON pages)", arguments: [true, false])
  func archived(_ json: Bool) async throws {
    for status in ["archived", "deprecated"] {
      try await Harness.withIndex(Self.profile(status: status, reason: "moved to sig-pkg2", json: json)) { index in
        let r = try await Harness.run(["index", "versions", "sig-pkg", "-i", index.simpleURL, "--json", "--no-cache"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"status\": \"\(status)\", \"status_reason\": \"moved to sig-pkg2\""), "\(r.stdout)")
        #expect(r.stderr.contains("warning: sig-pkg is \(status) on \(index.simpleURL): moved to sig-pkg2 (PEP 792)"), "\(r.stderr)")
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let d = try await Harness.run(["download", "sig-pkg", "-d", dest, "-i", index.simpleURL, "--no-cache"] + RegistryEndToEndTests.target + ["--no-deps"])
        #expect(d.status == 0, "\(d.stderr)")
        #expect(d.stderr.contains("warning: sig-pkg is \(status) on"), "\(d.stderr)")
      }
    }
  }

  @Test("quarantined: exit 1 with the reason, not 'no matching distribution'; the same for download (HTML and JSON pages)", arguments: [true, false])
  func quarantined(_ json: Bool) async throws {
    try await Harness.withIndex(Self.profile(status: "quarantined", reason: "malware reported", json: json, files: [])) { index in
      let r = try await Harness.run(["index", "versions", "sig-pkg", "-i", index.simpleURL, "--no-cache"])
      #expect(r.status == 1)
      #expect(r.stderr.contains("error: sig-pkg is quarantined on \(index.simpleURL) (malware reported): the index offers none of its files"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: a quarantined project is considered unsafe"), "\(r.stderr)")
      #expect(!r.stderr.contains("No matching distribution"))
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let d = try await Harness.run(["download", "sig-pkg", "-d", dest, "-i", index.simpleURL, "--no-cache"] + RegistryEndToEndTests.target + ["--no-deps"])
      #expect(d.status == 1)
      #expect(d.stderr.contains("is quarantined on"), "\(d.stderr)")
    }
  }

  @Test("provenance (PEP 740) in download --json and --report, from HTML and JSON pages", arguments: [true, false])
  func provenance(_ json: Bool) async throws {
    var file = FixtureFile.wheel("sig-pkg", "1.0")
    file.provenance = "https://index.example/integrity/sig-pkg/1.0/sig_pkg-1.0-py3-none-any.whl/provenance"
    let profile = FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: [file])], json: json)
    try await Harness.withIndex(profile) { index in
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let r = try await Harness.run(["download", "sig-pkg", "-d", dest, "-i", index.simpleURL, "--json", "--report", dest + "/report.json", "--no-cache"] + RegistryEndToEndTests.target + ["--no-deps"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("\"provenance\": \"\(file.provenance ?? "")\""), "\(r.stdout)")
      let report = try String(contentsOfFile: dest + "/report.json", encoding: .utf8)
      #expect(report.contains("\"provenance\": \"\(file.provenance ?? "")\""))
    }
  }

  @Test("a project on two indexes: a warning naming both under unsafe-best-match; none under first-index")
  func shadowing() async throws {
    try await Harness.withIndex(FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: [.wheel("sig-pkg", "1.0")])])) { private_ in
      try await Harness.withIndex(FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: [.wheel("sig-pkg", "99.0")])])) { public_ in
        let args = ["index", "versions", "sig-pkg", "-i", private_.simpleURL, "--extra-index-url", public_.simpleURL, "--no-cache"]
        let unsafe = try await Harness.run(args + ["--index-strategy", "unsafe-best-match"])
        #expect(unsafe.status == 0, "\(unsafe.stderr)")
        #expect(unsafe.stderr.contains("warning: sig-pkg is on more than one index: \(private_.simpleURL), \(public_.simpleURL)"), "\(unsafe.stderr)")
        let first = try await Harness.run(args)
        #expect(!first.stderr.contains("more than one index"), "\(first.stderr)")
      }
    }
  }

  @Test("auth check --project lists what the index showed it supports: JSON API, metadata files, upload times, provenance, status, range requests")
  func capabilities() async throws {
    var file = FixtureFile.wheel("sig-pkg", "1.0").uploaded("2026-01-02T03:04:05Z")
    file.provenance = "https://index.example/provenance"
    var full = FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: [file], status: "deprecated")])
    (full.coreMetadata, full.ranges) = (true, true)
    try await Harness.withIndex(full) { index in
      let r = try await Harness.run(["auth", "check", "-i", index.simpleURL, "--project", "sig-pkg"])
      #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
      #expect(
        r.stdout.contains("capabilities     JSON API (PEP 691), API version 1.4, metadata files (PEP 658/714), upload times (PEP 700), provenance (PEP 740), project status deprecated (PEP 792), range requests"),
        "\(r.stdout)")
    }
    try await Harness.withIndex(FixtureProfile(projects: [FixtureProject(name: "sig-pkg", files: [.wheel("sig-pkg", "1.0")])], json: false)) { index in
      let r = try await Harness.run(["auth", "check", "-i", index.simpleURL, "--project", "sig-pkg", "--json"])
      #expect(r.stdout.contains("{\"name\": \"capabilities\", \"passed\": null, \"detail\": \"API version 1.1\"}"), "\(r.stdout)")
    }
  }
}
