import Crypto
import Foundation
import PyIndexFixtures
import Testing

@Suite("download, end to end")
struct DownloadEndToEndTests {
  static let target = ["--no-deps", "--python-version", "3.11", "--platform", "manylinux_2_17_x86_64"]
  static let user = "ci-bot", password = "dl-S3cret/+="

  func sha256(_ path: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
  }

  @Test("files reach DEST verified, with credentials only where they belong", arguments: [FileHosting.samePath, .otherPath, .otherOrigin])
  func hosting(_ hosting: FileHosting) async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    let secrets = Harness.secretForms(user: Self.user, password: Self.password)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: Self.user, password: Self.password), hosting: hosting)) { index in
      let r = try await Harness.run(
        ["download", "demo-pkg==1.3.0", "-d", dest, "-i", Harness.url(index, user: Self.user, password: Self.password), "-v"] + Self.target,
        secrets: secrets)
      #expect(r.status == 0, "\(r.stderr)")
      let expected = FixtureFile.wheel("demo-pkg", "1.3.0")
      #expect(r.stdout == "Saved \(dest)/\(expected.filename)\nSuccessfully downloaded demo-pkg\n")
      #expect(Harness.files(in: dest) == [expected.filename])
      #expect(try sha256(dest + "/" + expected.filename) == expected.sha256)
      let fileRequests = index.requests.filter { !$0.path.hasPrefix("/simple/") || $0.path.hasSuffix(".whl") }
      #expect(!fileRequests.isEmpty)
      for req in fileRequests {
        if req.serverPort == index.server.port {
          #expect(req.header("Authorization") == Harness.basic(Self.user, Self.password), "\(req.uri)")
        } else {
          #expect(req.header("Authorization") == nil, "credentials leaked to \(req.uri)")
        }
      }
      if hosting == .otherOrigin {
        #expect(index.storage?.requests.count == 1)
        #expect(r.stderr.contains("credentials dropped: other origin"))
        #expect(r.stderr.contains("X-Amz-Signature=****"))
        #expect(!r.stderr.contains("fixture0signature"))
      }
    }
  }

  @Test("an index that gives only md5 (older ones do): the file is checked against it, kept when it matches, refused (exit 4) when not")
  func md5OnlyIndex() async throws {
    for right in [true, false] {
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      var wheel = FixtureFile.wheel("demo-pkg", "1.0")
      wheel.hashName = "md5"
      if !right { wheel.advertisedDigest = String(repeating: "0", count: 32) }
      try await Harness.withIndex(FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [wheel])])) { index in
        let r = try await Harness.run(["download", "demo-pkg", "-d", dest, "-i", index.simpleURL] + Self.target)
        if right {
          #expect(r.status == 0, "\(r.stderr)")
          #expect(Harness.files(in: dest) == [wheel.filename])
        } else {
          #expect(r.status == 4, "\(r.stderr)")
          #expect(r.stderr.contains("does not match its md5 digest"), "\(r.stderr)")
          #expect(Harness.files(in: dest).isEmpty)
        }
      }
    }
  }

  @Test func digestMismatchLeavesNothingInDest() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    var bad = FixtureFile.wheel("demo-pkg", "1.0")
    bad.advertisedDigest = String(repeating: "0", count: 64)
    let profile = FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [bad])])
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "demo-pkg", "-d", dest, "-i", index.simpleURL] + Self.target)
      #expect(r.status == 4)
      #expect(r.stderrLines.first?.contains("does not match its sha256 digest") == true)
      #expect(r.stderr.contains(bad.sha256))
      #expect(Harness.files(in: dest).isEmpty)
    }
  }

  @Test func interruptedDownloadLeavesNothingInDest() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(.demo(hosting: .stalling)) { index in
      let p = Process()
      p.executableURL = URL(fileURLWithPath: Harness.pyindex)
      p.arguments = ["download", "demo-pkg==1.3.0", "-d", dest, "-i", index.simpleURL] + Self.target
      p.environment = Harness.baseEnvironment(home: home)
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      let exited = AsyncStream<Int32>.makeStream()
      p.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
      try p.run()
      // The temporary file is created before the file is requested; the server now holds the body.
      _ = await index.server.request { $0.path.hasPrefix("/files/") }
      #expect(Harness.files(in: dest).contains { $0.hasSuffix(".part") })
      kill(p.processIdentifier, SIGINT)
      var status: Int32? = nil
      for await s in exited.stream { status = s }
      #expect(status == 130)
      #expect(Harness.files(in: dest).isEmpty)
    }
  }

  @Test func jsonOutputAndAlreadyDownloaded() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: Self.user, password: Self.password))) { index in
      let url = Harness.url(index, user: Self.user, password: Self.password)
      let r = try await Harness.run(["download", "demo-pkg", "--json", "-d", dest, "-i", url] + Self.target, secrets: Harness.secretForms(user: Self.user, password: Self.password))
      #expect(r.status == 0)
      let array = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
      let f = try #require(array.first)
      let wheel = "demo_pkg-1.10.0-cp311-cp311-manylinux_2_17_x86_64.whl"
      #expect(f["name"] as? String == "demo-pkg")
      #expect(f["version"] as? String == "1.10.0")
      #expect(f["filename"] as? String == wheel)
      #expect(f["path"] as? String == dest + "/" + wheel)
      #expect(f["sha256"] as? String == (try sha256(dest + "/" + wheel)))
      #expect((f["size"] as? Int ?? 0) > 0)
      #expect(f["url"] as? String == "http://127.0.0.1:\(index.server.port)/files/\(wheel)")
      index.server.clearRequests()
      let again = try await Harness.run(["download", "demo-pkg", "-d", dest, "-i", url] + Self.target)
      #expect(again.status == 0)
      #expect(again.stdout == "File was already downloaded \(dest)/\(wheel)\nSuccessfully downloaded demo-pkg\n")
      #expect(index.requests.map(\.path) == ["/simple/demo-pkg/"])
      let quiet = try await Harness.run(["download", "demo-pkg", "-q", "-d", dest, "-i", url] + Self.target)
      #expect(quiet.status == 0)
      #expect(quiet.stdout == "")
      #expect(quiet.stderr == "")
    }
  }

  @Test func yankedOnlyForAnExactPin() async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    try await Harness.withIndex(.demo()) { index in
      let pinned = try await Harness.run(["download", "demo-pkg==1.2.0", "-d", dest, "-i", index.simpleURL] + Self.target)
      #expect(pinned.status == 0)
      #expect(pinned.stderr.contains("warning: the candidate selected for download is a yanked version"))
      #expect(pinned.stderr.contains("broken build"))
      let range = try await Harness.run(["download", "demo-pkg>=1.2,<1.3", "-d", dest, "-i", index.simpleURL] + Self.target)
      #expect(range.status == 1)
      #expect(range.stderr.contains("error: Ignored the following yanked versions: 1.2.0"))
      #expect(range.stderr.contains("(from versions: 1.0.0, 1.1.0, 1.3.0, 1.5.0, 1.10.0, 2.0.0rc1)"))
      #expect(range.stderr.contains("error: No matching distribution found for demo-pkg>=1.2,<1.3"))
    }
  }

  @Test func targetRulesAndMissingPython() async throws {
    let foreign = try await Harness.run(["download", "demo-pkg", "--platform", "win_amd64"])
    #expect(foreign.status == 64)
    #expect(foreign.stderr.contains("either --no-deps must be set, or --only-binary=:all: must be set"))
    let noPython = try await Harness.run(["download", "demo-pkg", "--no-deps", "-i", "http://127.0.0.1:\(LoopbackPort.refusing)/simple/"], environment: ["PATH": "/nonexistent"])
    #expect(noPython.status == 64)
    #expect(noPython.stderr.contains("--python-version"))
  }
}

extension DownloadEndToEndTests {
  @Test("name @ URL whose server names no file (no Content-Disposition, a path without a file name): the server's fault, exit 4, nothing kept")
  func serverNamesNoFile() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg @ \(index.server.origin)/by-id-none/0", "-d", dir + "/dest", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 4, "\(r.stderr)")
      #expect(r.stderr.contains("names no file"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: name @ URL must point at a distribution file"), "\(r.stderr)")
      #expect(Harness.files(in: dir + "/dest").isEmpty)
    }
  }

  @Test("name @ URL whose path names no file: Content-Disposition names it (filename, filename*, its last component only)", arguments: ["by-id", "by-id-ext", "by-id-path"])
  func contentDisposition(_ route: String) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let dest = dir + "/dest"
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg @ \(index.server.origin)/\(route)/0", "-d", dest, "--json", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dest) == ["demo_pkg-1.0.0-py3-none-any.whl"])
      #expect(Harness.files(in: dir) == ["dest"])
      #expect(r.stdout.contains("\"version\": \"1.0.0\""), "\(r.stdout)")
      // A file of another project, or no usable name: a usage error, nothing kept.
      let other = try await Harness.run(["download", "other-pkg @ \(index.server.origin)/\(route)/0", "-d", dest + "2", "-i", index.simpleURL] + Self.target)
      #expect(other.status == 64)
      #expect(other.stderr.contains("is not a wheel or sdist of other-pkg"), "\(other.stderr)")
      #expect(Harness.files(in: dest + "2").isEmpty)
    }
  }
}
