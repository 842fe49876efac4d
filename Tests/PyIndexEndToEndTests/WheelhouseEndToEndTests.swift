import Crypto
import Foundation
import PyIndexFixtures
import Testing

/// `download --layout index`: a wheelhouse that is an index. Built from a fixture for two
/// platforms and two Pythons; then, with the fixture stopped, real pip and uv install from the
/// folder (`--index-url file://…/simple`); its JSON pages read by pip over http as PEP 691
/// pages; grown by one more target with the old files and pages kept right.
@Suite("download --layout index: a wheelhouse pip and uv install from offline")
struct WheelhouseEndToEndTests {
  static let provenance = "https://index.example/integrity/wh-util/2.0/wh_util-2.0-py3-none-any.whl/provenance"

  static let profile: FixtureProfile = {
    var util = FixtureFile.wheel("wh-util", "2.0", requiresPython: ">=3.8")
    util.provenance = provenance
    return FixtureProfile(projects: [
      FixtureProject(name: "wh-app", files: [FixtureFile.wheel("wh-app", "1.0", requires: ["wh-native>=1", "wh-util"]).uploaded("2026-01-02T03:04:05Z")]),
      FixtureProject(name: "wh-native", files: [
        .wheel("wh-native", "1.0", tag: "py3-none-manylinux_2_17_x86_64"), .wheel("wh-native", "1.0", tag: "py3-none-win_amd64"),
        .wheel("wh-native", "1.0", tag: "py3-none-macosx_11_0_arm64"),
      ]),
      FixtureProject(name: "wh-util", files: [.wheel("wh-util", "1.0"), util]),
    ])
  }()

  static let matrix = [
    "--python-platform", "x86_64-manylinux_2_28", "--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.11", "--python-version", "3.12", "--only-binary", ":all:",
  ]

  static func sha256(_ path: String) throws -> String {
    SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
  }

  /// A project's JSON page, with what PEP 691 (and 700, for API 1.1) requires checked.
  static func page(_ dest: String, _ project: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: "\(dest)/simple/\(project)/index.json"))
    let page = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((page["meta"] as? [String: Any])?["api-version"] as? String == "1.1")
    #expect(page["name"] as? String == project)
    #expect(page["versions"] is [String])
    for file in (page["files"] as? [[String: Any]]) ?? [] {
      #expect(file["filename"] is String && file["url"] is String && file["hashes"] is [String: String] && file["size"] is Int, "\(file)")
      #expect((file["url"] as? String)?.hasPrefix("../../") == true)
    }
    return page
  }

  @Test("2 Pythons × 2 platforms with --layout index; pip and uv install from the folder with no index running; pages right; grown by a target")
  func wheelhouse() async throws {
    let pip = try #require(PeerTests.pip), uv = try #require(InstallerEndToEndTests.uv)
    let dest = try Harness.temporaryDirectory()
    let home = try Harness.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(atPath: dest)
      try? FileManager.default.removeItem(atPath: home)
    }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "wh-app", "-d", dest, "-i", index.simpleURL, "--layout", "index", "--lock-output", dest + "/pylock.toml"] + Self.matrix)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("Wrote the index \(dest)/simple/: 3 projects, 4 files"), "\(r.stdout)")
    }
    // One lock per target, whose path entries lead into the wheelhouse; read back (the index
    // stopped), it gives the same files and digests.
    let locks = Harness.files(in: dest).filter { $0.hasPrefix("pylock.") }
    #expect(locks == ["pylock.x86_64-manylinux_2_28-py3.11.toml", "pylock.x86_64-manylinux_2_28-py3.12.toml", "pylock.x86_64-pc-windows-msvc-py3.11.toml", "pylock.x86_64-pc-windows-msvc-py3.12.toml"])
    let windowsLock = try String(contentsOfFile: dest + "/pylock.x86_64-pc-windows-msvc-py3.12.toml", encoding: .utf8)
    #expect(windowsLock.contains("environments = [ \"python_version == '3.12' and sys_platform == 'win32' and platform_machine == 'AMD64'\" ]"), "\(windowsLock)")
    #expect(windowsLock.contains("path = 'wh_native-1.0-py3-none-win_amd64.whl'") && !windowsLock.contains("url ="), "\(windowsLock)")
    let again = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: again) }
    let replay = try await Harness.run(
      ["download", "-r", dest + "/pylock.x86_64-pc-windows-msvc-py3.12.toml", "-d", again, "--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.12", "--only-binary", ":all:"])
    #expect(replay.status == 0, "\(replay.stderr)")
    let replayed = Harness.files(in: again)
    #expect(replayed == ["wh_app-1.0-py3-none-any.whl", "wh_native-1.0-py3-none-win_amd64.whl", "wh_util-2.0-py3-none-any.whl"])
    for name in replayed { #expect(try Self.sha256(again + "/" + name) == (try Self.sha256(dest + "/" + name))) }
    for lock in locks { try FileManager.default.removeItem(atPath: dest + "/" + lock) }
    let wheels = ["wh_app-1.0-py3-none-any.whl", "wh_native-1.0-py3-none-manylinux_2_17_x86_64.whl", "wh_native-1.0-py3-none-win_amd64.whl", "wh_util-2.0-py3-none-any.whl"]
    #expect(Harness.files(in: dest) == (wheels + wheels.map { $0 + ".metadata" } + ["simple"]).sorted())
    // Every file on its project's page with its digest, size and metadata digest; what the
    // index said (upload-time, requires-python, provenance) kept.
    for (project, names) in [("wh-app", [wheels[0]]), ("wh-native", [wheels[1], wheels[2]]), ("wh-util", [wheels[3]])] {
      let files = try #require(try Self.page(dest, project)["files"] as? [[String: Any]])
      #expect(files.map { $0["filename"] as? String ?? "" } == names)
      for f in files {
        let name = try #require(f["filename"] as? String)
        #expect((f["hashes"] as? [String: String])?["sha256"] == (try Self.sha256(dest + "/" + name)))
        #expect(f["size"] as? Int == (try FileManager.default.attributesOfItem(atPath: dest + "/" + name)[.size] as? Int))
        #expect((f["core-metadata"] as? [String: String])?["sha256"] == (try Self.sha256(dest + "/" + name + ".metadata")))
      }
    }
    let app = try #require((try Self.page(dest, "wh-app")["files"] as? [[String: Any]])?.first)
    #expect(app["upload-time"] as? String == "2026-01-02T03:04:05Z")
    let util = try #require((try Self.page(dest, "wh-util")["files"] as? [[String: Any]])?.first)
    #expect(util["requires-python"] as? String == ">=3.8")
    #expect(util["provenance"] as? String == Self.provenance)
    let metadata = try String(contentsOfFile: dest + "/" + wheels[0] + ".metadata", encoding: .utf8)
    #expect(metadata.contains("Name: wh-app") && metadata.contains("Requires-Dist: wh-native>=1"))
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dest + "/simple/index.json"))) as? [String: Any])
    #expect((root["projects"] as? [[String: String]])?.map { $0["name"] ?? "" } == ["wh-app", "wh-native", "wh-util"])
    // Every JSON page against PEP 691's schema (with 700, 714, 740 and 792), by jsonschema.
    let python = try #require(MintedEndToEndTests.python)
    let pages = ["index.json", "wh-app/index.json", "wh-native/index.json", "wh-util/index.json"].map { dest + "/simple/" + $0 }
    let schema = try await Harness.execute(python, [MintedEndToEndTests.peers + "/validate_pages.py"] + pages, environment: Harness.baseEnvironment(home: home))
    #expect(schema.status == 0 && schema.stdout == "valid 4\n", "\(schema.stdout)\(schema.stderr)")
    let html = try String(contentsOfFile: dest + "/simple/wh-util/index.html", encoding: .utf8)
    #expect(html.contains("data-requires-python=\"&gt;=3.8\"") && html.contains("data-provenance=\"\(Self.provenance)\""))

    // Offline: the fixture is stopped; pip and uv read the HTML pages from the folder.
    let indexURL = "file://\(dest)/simple"
    for (name, tool) in [("pip", pip), ("uv", uv)] {
      let target = home + "/" + name
      let args = name == "pip"
        ? ["install", "--target", target, "wh-app", "--index-url", indexURL]
        : ["pip", "install", "--offline", "--target", target, "wh-app", "--index-url", indexURL]
      let r = try await Harness.execute(tool, args, environment: ServeEndToEndTests.installerEnvironment(tool, home: home))
      #expect(r.status == 0, "\(name): \(r.stdout)\n\(r.stderr)")
      for module in ["wh_app", "wh_native", "wh_util"] { #expect(FileManager.default.fileExists(atPath: "\(target)/\(module)/__init__.py"), "\(name): \(module)") }
    }
    // pyindex's own parser, on the folder; pip over http, where it asks for PEP 691 JSON.
    let versions = try await Harness.run(["index", "versions", "wh-util", "-i", indexURL])
    #expect(versions.stdout.hasPrefix("wh-util (2.0)"), "\(versions.stdout)\(versions.stderr)")
    try await Harness.withIndex(FixtureProfile(staticRoot: dest)) { served in
      let target = home + "/pip-json"
      let r = try await Harness.execute(pip, ["install", "--target", target, "wh-app", "--index-url", served.server.origin + "/simple/"], environment: ServeEndToEndTests.installerEnvironment(pip, home: home))
      #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
      #expect(served.requests.contains { $0.path == "/simple/wh-app/" && ($0.header("Accept") ?? "").contains("application/vnd.pypi.simple.v1+json") })
    }

    // Grown by one more target: the new file joins; the old files, digests and what the
    // index said stay (read back from the earlier pages).
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(
        ["download", "wh-app", "-d", dest, "-i", index.simpleURL, "--layout", "index", "--python-platform", "aarch64-apple-darwin", "--python-version", "3.12", "--only-binary", ":all:"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("3 projects, 5 files"), "\(r.stdout)")
    }
    let native = try #require(try Self.page(dest, "wh-native")["files"] as? [[String: Any]])
    #expect(native.map { $0["filename"] as? String ?? "" } == ["wh_native-1.0-py3-none-macosx_11_0_arm64.whl", wheels[1], wheels[2]])
    let kept = try #require((try Self.page(dest, "wh-app")["files"] as? [[String: Any]])?.first)
    #expect(kept["upload-time"] as? String == "2026-01-02T03:04:05Z")
    // A file removed from DEST leaves the pages at the next run.
    try FileManager.default.removeItem(atPath: dest + "/" + wheels[2])
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "wh-util", "-d", dest, "-i", index.simpleURL, "--layout", "index", "--no-deps"])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let after = try #require(try Self.page(dest, "wh-native")["files"] as? [[String: Any]])
    #expect(!after.contains { $0["filename"] as? String == wheels[2] })
  }

  @Test("a lock of url entries holds no credential and no query; read back with credentials from the usual sources, it gives the same files")
  func lockWithoutSecrets() async throws {
    let profile = try #require(FixtureProfile.named("storage-redirect"))
    let account = try #require(profile.auth?.accounts.first)
    SecretSweep.register(user: account.sampleUser, password: account.password)
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(profile) { index in
      let withCredentials = Harness.url(index, user: account.sampleUser, password: account.password)
      let r = try await Harness.run(
        ["download", "demo-pkg==1.3.0", "--no-deps", "-d", dir + "/first", "-i", withCredentials, "--lock-output", dir + "/pylock.toml"] + RegistryEndToEndTests.target,
        secrets: [account.password])
      #expect(r.status == 0, "\(r.stderr)")
      let lock = try String(contentsOfFile: dir + "/pylock.toml", encoding: .utf8)
      #expect(lock.contains("url = '\(index.server.origin)/files/demo_pkg-1.3.0-py3-none-any.whl'"), "\(lock)")
      #expect(!lock.contains("?") && !lock.contains("@") && SecretSweep.leaks(in: lock).isEmpty, "\(lock)")
      let again = try await Harness.run(
        ["download", "-r", dir + "/pylock.toml", "-d", dir + "/again", "-i", withCredentials] + RegistryEndToEndTests.target, secrets: [account.password])
      #expect(again.status == 0, "\(again.stderr)")
      #expect(Harness.files(in: dir + "/again") == ["demo_pkg-1.3.0-py3-none-any.whl"])
      #expect(try Self.sha256(dir + "/again/demo_pkg-1.3.0-py3-none-any.whl") == (try Self.sha256(dir + "/first/demo_pkg-1.3.0-py3-none-any.whl")))
    }
    let bad = try await Harness.run(["download", "x", "--lock-output", dir + "/lock.toml"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("a PEP 751 lock is named pylock.toml or pylock.NAME.toml"), "\(bad.stderr)")
  }
}
