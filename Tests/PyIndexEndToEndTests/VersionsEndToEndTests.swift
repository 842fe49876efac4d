import Foundation
import PyIndexFixtures
import PyIndexModel
import Testing

@Suite("index versions, end to end")
struct VersionsEndToEndTests {
  static let expected = "demo-pkg (1.10.0)\nAvailable versions: 1.10.0, 1.9.0, 1.6.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0\n"

  @Test func htmlListingIsPipShaped() async throws {
    try await Harness.withIndex(.demo(json: false)) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(r.status == 0)
      #expect(r.stdout == VersionsEndToEndTests.expected)
      #expect(r.stderr == "")
      let page = try #require(index.requests.first)
      #expect(page.path == "/simple/demo-pkg/")
      #expect(page.header("Accept")?.hasPrefix("application/vnd.pypi.simple.v1+json") == true)
    }
  }

  @Test func jsonPageGivesTheSameListing() async throws {
    try await Harness.withIndex(.demo(json: true)) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(r.status == 0)
      #expect(r.stdout == VersionsEndToEndTests.expected)
    }
  }

  @Test func preJSONAndNameAsTyped() async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "Demo_Pkg", "--pre", "--json", "-i", index.simpleURL])
      #expect(r.status == 0)
      #expect(r.stdout == #"{"name": "Demo_Pkg", "versions": ["2.0.0rc1", "1.10.0", "1.9.0", "1.6.0", "1.5.0", "1.3.0", "1.1.0", "1.0.0"], "latest": "2.0.0rc1", "status": "active"}"# + "\n")
      #expect(index.requests.map(\.path) == ["/simple/demo-pkg/"])
    }
  }

  @Test("target flags filter as pip does", arguments: [
    (["--python-version", "3.12", "--platform", "win_amd64"], "1.10.0, 1.6.0, 1.3.0, 1.1.0, 1.0.0"),
    (["--python-version", "312", "--platform", "win_amd64", "--ignore-requires-python"], "1.10.0, 1.9.0, 1.6.0, 1.3.0, 1.1.0, 1.0.0"),
    (["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64"], "1.10.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0"),
    (["--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--only-binary", ":all:"], "1.10.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0"),
    (["--no-binary", ":all:"], "1.10.0"),
  ])
  func targets(_ flags: [String], _ versions: String) async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL] + flags)
      #expect(r.status == 0)
      #expect(r.stdout == "demo-pkg (1.10.0)\nAvailable versions: \(versions)\n")
    }
  }

  @Test func yankedAndDevReleases() async throws {
    let profile = FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [
      .wheel("demo-pkg", "1.0", yanked: "bad wheel"), FixtureFile(filename: "demo-pkg-1.0.tar.gz", contents: Array("s".utf8)),
      .wheel("demo-pkg", "2.0", yanked: ""), .wheel("demo-pkg", "2.0", tag: "cp312-cp312-win_amd64", yanked: "all gone"),
      .wheel("demo-pkg", "3.0.dev1"), .wheel("demo-pkg", "1.5.post1"),
    ])])
    for json in [false, true] {
      var p = profile
      p.json = json
      try await Harness.withIndex(p) { index in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
        #expect(r.stdout == "demo-pkg (1.5.post1)\nAvailable versions: 1.5.post1, 1.0\n")
        let pre = try await Harness.run(["index", "versions", "demo-pkg", "--pre", "-i", index.simpleURL])
        #expect(pre.stdout == "demo-pkg (3.0.dev1)\nAvailable versions: 3.0.dev1, 1.5.post1, 1.0\n")
      }
    }
  }

  @Test func missingProjectExitsOne() async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "nope-pkg", "-i", index.simpleURL])
      #expect(r.status == 1)
      #expect(r.stdout == "")
      #expect(r.stderrLines.first == "error: No matching distribution found for nope-pkg")
      #expect(r.stderrLines.contains { $0.hasPrefix("hint: ") })
    }
  }

  static func single(_ version: String) -> FixtureProfile {
    FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [.wheel("demo-pkg", version)])])
  }

  @Test func indexStrategies() async throws {
    try await Harness.withIndex(Self.single("1.0")) { a in
      try await Harness.withIndex(Self.single("2.0")) { b in
        let first = try await Harness.run(["index", "versions", "demo-pkg", "-i", a.simpleURL, "--extra-index-url", b.simpleURL])
        #expect(first.stdout == "demo-pkg (1.0)\nAvailable versions: 1.0\n")
        #expect(b.requests.isEmpty)
        let merged = try await Harness.run(["index", "versions", "demo-pkg", "-i", a.simpleURL, "--extra-index-url", b.simpleURL, "--index-strategy", "unsafe-best-match"])
        #expect(merged.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0, 1.0\n")
      }
    }
  }

  @Test func versionsAreDeduplicatedAcrossIndexes() async throws {
    let both = FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [.wheel("demo-pkg", "1.0"), .wheel("demo-pkg", "2.0"), .wheel("demo-pkg", "2.0", tag: "cp312-cp312-win_amd64")])])
    try await Harness.withIndex(Self.single("1.0.0")) { a in
      try await Harness.withIndex(both) { b in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", a.simpleURL, "--extra-index-url", b.simpleURL, "--index-strategy", "unsafe-best-match"])
        #expect(r.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0, 1.0.0\n")
      }
    }
  }

  @Test func notFoundPassesToTheNextIndex() async throws {
    let empty = FixtureProfile(projects: [])
    try await Harness.withIndex(empty) { a in
      try await Harness.withIndex(Self.single("2.0")) { b in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", a.simpleURL, "--extra-index-url", b.simpleURL])
        #expect(r.status == 0)
        #expect(r.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0\n")
      }
    }
  }

  @Test func authFailureStopsTheSearch() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "s3cr3t-pw"))) { a in
      try await Harness.withIndex(Self.single("2.0")) { b in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", a.simpleURL, "--extra-index-url", b.simpleURL])
        #expect(r.status == 2)
        #expect(b.requests.isEmpty)
        #expect(r.stderrLines.first?.hasPrefix("error: HTTP 401") == true)
      }
    }
  }

  @Test func networkFailureIsReportedAndTheSearchGoesOn() async throws {
    // A port held bound but not listening: refused, and never reused by a server another
    // test starts meanwhile (a stopped server's port could be).
    let deadURL = "http://127.0.0.1:\(LoopbackPort.refusing)/simple/"
    try await Harness.withIndex(Self.single("2.0")) { b in
      let ok = try await Harness.run(["index", "versions", "demo-pkg", "-i", deadURL, "--extra-index-url", b.simpleURL, "--retries", "0"])
      #expect(ok.status == 0)
      #expect(ok.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0\n")
      #expect(ok.stderr.contains("warning: skipped \(deadURL)"))
      let failed = try await Harness.run(["index", "versions", "other-pkg", "-i", deadURL, "--extra-index-url", b.simpleURL, "--retries", "0"])
      #expect(failed.status == 3)
      #expect(failed.stderrLines.first?.contains("connection refused") == true)
    }
  }

  @Test func environmentDefaults() async throws {
    try await Harness.withIndex(Self.single("1.0")) { a in
      try await Harness.withIndex(Self.single("2.0")) { b in
        let pip = try await Harness.run(["index", "versions", "demo-pkg"], environment: ["PIP_INDEX_URL": a.simpleURL])
        #expect(pip.stdout == "demo-pkg (1.0)\nAvailable versions: 1.0\n")
        let ours = try await Harness.run(["index", "versions", "demo-pkg"], environment: ["PIP_INDEX_URL": a.simpleURL, "PYINDEX_INDEX_URL": b.simpleURL])
        #expect(ours.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0\n")
        let extra = try await Harness.run(
          ["index", "versions", "demo-pkg", "--index-strategy", "unsafe-best-match"],
          environment: ["PIP_INDEX_URL": a.simpleURL, "PIP_EXTRA_INDEX_URL": "  \(b.simpleURL)  \(b.simpleURL) "])
        #expect(extra.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0, 1.0\n")
        b.server.clearRequests()
        let ourExtra = try await Harness.run(
          ["index", "versions", "demo-pkg", "--index-strategy", "unsafe-best-match", "-i", a.simpleURL],
          environment: ["PYINDEX_EXTRA_INDEX_URL": b.simpleURL, "PIP_EXTRA_INDEX_URL": a.simpleURL])
        #expect(ourExtra.stdout == "demo-pkg (2.0)\nAvailable versions: 2.0, 1.0\n")
        #expect(b.requests.count == 1)
      }
    }
  }

  @Test func fileIndexTree() async throws {
    let root = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try FileManager.default.createDirectory(atPath: root + "/simple/demo-pkg", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: root + "/files", withIntermediateDirectories: true)
    let wheel = FixtureFile.wheel("demo-pkg", "3.1")
    _ = FileManager.default.createFile(atPath: root + "/files/" + wheel.filename, contents: Data(wheel.contents))
    try "<a href='../../files/\(wheel.filename)#sha256=\(wheel.sha256)'>w</a>".write(toFile: root + "/simple/demo-pkg/index.html", atomically: true, encoding: .utf8)
    for index in ["file://" + root + "/simple/", root + "/simple"] {
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index])
      #expect(r.stdout == "demo-pkg (3.1)\nAvailable versions: 3.1\n")
    }
    let dest = root + "/out"
    let d = try await Harness.run(["download", "demo-pkg", "--no-deps", "--python-version", "3.12", "-d", dest, "-i", root + "/simple"])
    #expect(d.status == 0)
    #expect(Harness.files(in: dest) == [wheel.filename])
  }

  @Test("usage errors exit 64", arguments: [
    ["index", "versions"], ["index", "versions", "bad name!"], ["index", "versions", "x", "--index-strategy", "nope"],
    ["index", "versions", "x", "--bogus"], ["index", "versions", "x", "--python-version", "three"],
    ["index", "versions", "x", "-i", "ftp://h/simple/"], ["index", "versions", "x", "-i", "http://u:%FF%FE@127.0.0.1:\(LoopbackPort.refusing)/simple/"],
    ["download"], ["download", "demo-pkg==="], ["download", "demo-pkg", "--retries", "-1"],
  ])
  func usage(_ args: [String]) async throws {
    let r = try await Harness.run(args)
    #expect(r.status == 64)
    #expect(r.stderr.contains("rror"))
  }

  @Test func versionAndHelp() async throws {
    let v = try await Harness.run(["--version"])
    #expect(v.status == 0)
    #expect(v.stdout == "pyindex \(PyIndexVersion.current)\nLicense: Apache-2.0\n")
    for args in [["--help"], ["index", "versions", "--help"], ["download", "--help"]] {
      let h = try await Harness.run(args)
      #expect(h.status == 0)
      #expect(h.stdout.contains("USAGE"))
    }
  }

  @Test("bad pages and refused redirects", arguments: [
    ("/badtype/", Int32(4), "Content-Type"), ("/badjson/", 4, "malformed"), ("/to-file/", 3, "file"),
    ("/loop/", 3, "more than 10 redirects"), ("/status/500/", 3, "HTTP 500"), ("/status/418/", 3, "HTTP 418"),
  ])
  func faults(_ path: String, _ status: Int32, _ message: String) async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.server.origin + path, "--retries", "0"])
      #expect(r.status == status)
      #expect(r.stderrLines.first?.contains(message) == true, "\(r.stderr)")
      if path == "/loop/" { #expect(index.requests.count == 11) }
    }
  }

  @Test func serverErrorsAreRetried() async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.server.origin + "/status/503/", "--retries", "2", "-v"])
      #expect(r.status == 3)
      #expect(index.requests.count == 3)
      #expect(r.stderr.contains("retry 2"))
    }
  }
}

@Suite("--find-links and --no-index, end to end")
struct FindLinksEndToEndTests {
  @Test func directoryOfDistributions() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    for f in [FixtureFile.wheel("demo-pkg", "4.0"), .wheel("demo-pkg", "4.1", tag: "cp312-cp312-win_amd64"), .wheel("other", "9.0")] {
      _ = FileManager.default.createFile(atPath: dir + "/" + f.filename, contents: Data(f.contents))
    }
    _ = FileManager.default.createFile(atPath: dir + "/README.txt", contents: Data("x".utf8))
    let r = try await Harness.run(["index", "versions", "demo-pkg", "--no-index", "-f", dir])
    #expect(r.status == 0)
    #expect(r.stdout == "demo-pkg (4.1)\nAvailable versions: 4.1, 4.0\n")
    let dest = dir + "/out"
    let d = try await Harness.run(["download", "demo-pkg", "--no-index", "--find-links", "file://" + dir, "--no-deps", "--python-version", "3.11", "-d", dest])
    #expect(d.status == 0, "\(d.stderr)")
    #expect(Harness.files(in: dest) == ["demo_pkg-4.0-py3-none-any.whl"])
  }

  @Test func pageOfLinksWithCredentialsAndAnIndexBesideIt() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "links-pw-3"))) { links in
      try await Harness.withIndex(VersionsEndToEndTests.single("7.0")) { index in
        let page = Harness.url(links, user: "u", password: "links-pw-3", path: "/simple/demo-pkg/")
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-f", page], secrets: ["links-pw-3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "demo-pkg (7.0)\nAvailable versions: 7.0, 1.10.0, 1.9.0, 1.6.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0\n")
        #expect(links.requests.first?.header("Authorization") == Harness.basic("u", "links-pw-3"))
        let none = try await Harness.run(["index", "versions", "demo-pkg", "--no-index", "-f", links.server.origin + "/simple/demo-pkg/"])
        #expect(none.status == 2)
      }
    }
  }

  @Test func noIndexNeedsFindLinks() async throws {
    let r = try await Harness.run(["index", "versions", "demo-pkg", "--no-index"])
    #expect(r.status == 64)
  }
}
