import Foundation
import PyIndexFixtures
import Testing

/// `download -r pylock.toml`: exactly the locked files, for each target of the run.
@Suite("download -r pylock.toml")
struct LockEndToEndTests {
  static let app = FixtureFile.wheel("mx-app", "1.0", requires: ["mx-native>=1", "mx-win-helper ; sys_platform == 'win32'"])
  static let linux = FixtureFile.wheel("mx-native", "1.0", tag: "py3-none-manylinux_2_17_x86_64")
  static let windows = FixtureFile.wheel("mx-native", "1.0", tag: "py3-none-win_amd64")
  static let helper = FixtureFile.wheel("mx-win-helper", "2.0")

  /// A wheel entry of a lock; `sha256` replaces the real digest (to test a mismatch).
  static func wheel(_ f: FixtureFile, _ index: FixtureIndex, sha256: String? = nil) -> String {
    "{ name = \"\(f.filename)\", url = \"http://127.0.0.1:\(index.server.port)/files/\(f.filename)\", size = \(f.contents.count), hashes = { sha256 = \"\(sha256 ?? f.sha256)\" } }"
  }

  static func lock(_ index: FixtureIndex, requiresPython: String = ">=3.10", appSHA: String? = nil, extra: String = "") -> String {
    """
    lock-version = "1.0"
    requires-python = "\(requiresPython)"
    created-by = "pyindex tests"

    [[packages]]
    name = "mx-app"
    version = "1.0"
    wheels = [\(wheel(app, index, sha256: appSHA))]

    [[packages]]
    name = "mx-native"
    version = "1.0"
    wheels = [\(wheel(linux, index)), \(wheel(windows, index))]

    [[packages]]
    name = "mx-win-helper"
    version = "2.0"
    marker = "sys_platform == 'win32'"
    wheels = [\(wheel(helper, index))]
    \(extra)
    """
  }

  static let two = ["--python-platform", "x86_64-manylinux_2_28", "--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.12"]

  @Test("two targets from one lock: each its best wheel and its markers; no page is read, every file once")
  func matrix() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(MatrixEndToEndTests.profile) { index in
      try Self.lock(index).write(toFile: dir + "/pylock.toml", atomically: true, encoding: .utf8)
      let r = try await Harness.run(["download", "-r", dir + "/pylock.toml", "-d", dir + "/wheelhouse", "-i", index.simpleURL] + Self.two)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/wheelhouse") == [Self.app, Self.linux, Self.windows, Self.helper].map(\.filename).sorted())
      #expect(index.requests.filter { $0.path.contains("/simple/") }.isEmpty, "an index page was read")
      let fetched = index.requests.filter { $0.header("Range") == nil }.map(\.path)
      #expect(fetched.count == 4 && Set(fetched).count == 4, "\(fetched)")
    }
  }

  @Test("a wrong hash: exit 4, DEST untouched")
  func wrongHash() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(MatrixEndToEndTests.profile) { index in
      try Self.lock(index, appSHA: String(repeating: "0", count: 64)).write(toFile: dir + "/pylock.toml", atomically: true, encoding: .utf8)
      try FileManager.default.createDirectory(atPath: dir + "/wheelhouse", withIntermediateDirectories: true)
      let r = try await Harness.run(["download", "-r", dir + "/pylock.toml", "-d", dir + "/wheelhouse", "--python-platform", "linux", "--python-version", "3.12"])
      #expect(r.status == 4, "\(r.stderr)")
      #expect(r.stderr.contains("mx_app-1.0-py3-none-any.whl"))
      #expect(Harness.files(in: dir + "/wheelhouse").filter { $0.hasPrefix("mx_app") }.isEmpty)
    }
  }

  @Test("requires-python that excludes the target: exit 1 before any request")
  func requiresPython() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(MatrixEndToEndTests.profile) { index in
      try Self.lock(index, requiresPython: ">=3.13").write(toFile: dir + "/pylock.toml", atomically: true, encoding: .utf8)
      let r = try await Harness.run(["download", "-r", dir + "/pylock.toml", "-d", dir + "/wheelhouse", "--python-platform", "linux", "--python-version", "3.12"])
      #expect(r.status == 1)
      #expect(r.stderr.contains("error: pylock.toml requires Python >=3.13; the target's is 3.12"), "\(r.stderr)")
      #expect(index.requests.isEmpty)
      #expect(!FileManager.default.fileExists(atPath: dir + "/wheelhouse"))
    }
  }

  @Test("a path entry is read relative to the lock; a vcs entry is a usage error")
  func pathAndVCS() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/locked/wheels", withIntermediateDirectories: true)
    try Data(Self.helper.contents).write(to: URL(fileURLWithPath: dir + "/locked/wheels/" + Self.helper.filename))
    let local = """
      lock-version = "1.0"
      [[packages]]
      name = "mx-win-helper"
      version = "2.0"
      wheels = [{ path = "wheels/\(Self.helper.filename)", size = \(Self.helper.contents.count), hashes = { sha256 = "\(Self.helper.sha256)" } }]
      """
    try local.write(toFile: dir + "/locked/pylock.local.toml", atomically: true, encoding: .utf8)
    let r = try await Harness.run(["download", "-r", dir + "/locked/pylock.local.toml", "-d", dir + "/out", "--python-version", "3.12", "--python-platform", "linux"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(Harness.files(in: dir + "/out") == [Self.helper.filename])
    let vcs = local + "\n\n[[packages]]\nname = \"from-git\"\nversion = \"0.1\"\n[packages.vcs]\ntype = \"git\"\nurl = \"https://example.invalid/x.git\"\ncommit-id = \"abc\"\n"
    try vcs.write(toFile: dir + "/locked/pylock.toml", atomically: true, encoding: .utf8)
    let refused = try await Harness.run(["download", "-r", dir + "/locked/pylock.toml", "-d", dir + "/out2", "--python-version", "3.12", "--python-platform", "linux"])
    #expect(refused.status == 64)
    #expect(refused.stderr.contains("from-git is locked as a vcs source"), "\(refused.stderr)")
  }

  @Test("a lock made by the real uv export --format pylock.toml is downloaded exactly", .enabled(if: InstallerEndToEndTests.uv != nil))
  func uvExport() async throws {
    let uv = try #require(InstallerEndToEndTests.uv)
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/proj", withIntermediateDirectories: true)
    try """
      [project]
      name = "proj"
      version = "0.1"
      requires-python = ">=3.11"
      dependencies = ["demo-pkg"]
      """.write(toFile: dir + "/proj/pyproject.toml", atomically: true, encoding: .utf8)
    try await Harness.withIndex(.demo()) { index in
      var env = Harness.baseEnvironment(home: dir)
      // uv finds the peer's Python next to it; it never downloads one.
      env["PATH"] = URL(fileURLWithPath: uv).deletingLastPathComponent().path + ":/usr/bin:/bin"
      (env["UV_CACHE_DIR"], env["UV_PYTHON_DOWNLOADS"], env["UV_DEFAULT_INDEX"]) = (dir + "/uv-cache", "never", index.simpleURL)
      let export = try await Harness.execute(uv, ["export", "--project", dir + "/proj", "--format", "pylock.toml", "-o", dir + "/proj/pylock.toml", "--no-emit-project", "-q"], environment: env)
      #expect(export.status == 0, "\(export.stderr)")
      let lock = try String(contentsOfFile: dir + "/proj/pylock.toml", encoding: .utf8)
      #expect(lock.contains("created-by = \"uv\""))
      let r = try await Harness.run(
        ["download", "-r", dir + "/proj/pylock.toml", "-d", dir + "/wh", "--json", "--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.11", "--python-version", "3.12"])
      #expect(r.status == 0, "\(r.stderr)")
      let files = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
      // Each file is one the lock names, with the lock's digest; nothing else.
      for f in files {
        let name = f["filename"] as? String ?? "", sha = f["sha256"] as? String ?? ""
        #expect(lock.contains("/files/\(name)\"") && lock.contains(sha), "\(name) is not in the lock with that digest")
      }
      #expect(Set(files.map { $0["filename"] as? String ?? "" }) == ["demo_pkg-1.10.0-cp311-cp311-manylinux_2_17_x86_64.whl", "demo_pkg-1.10.0-py3-none-any.whl"])
    }
  }

  @Test("--extra and --group choose what the lock's markers see; the lock's default-groups otherwise")
  func extrasAndGroups() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(MatrixEndToEndTests.profile) { index in
      let text = """
        lock-version = "1.0"
        default-groups = ["dev"]
        [[packages]]
        name = "mx-app"
        version = "1.0"
        marker = "'docs' in extras"
        wheels = [\(Self.wheel(Self.app, index))]
        [[packages]]
        name = "mx-win-helper"
        version = "2.0"
        marker = "'dev' in dependency_groups"
        wheels = [\(Self.wheel(Self.helper, index))]
        """
      try text.write(toFile: dir + "/pylock.toml", atomically: true, encoding: .utf8)
      let target = ["--python-platform", "linux", "--python-version", "3.12", "--dry-run", "--json"]
      func chosen(_ flags: [String]) async throws -> [String] {
        let r = try await Harness.run(["download", "-r", dir + "/pylock.toml", "-d", dir + "/wh"] + target + flags)
        #expect(r.status == 0, "\(flags): \(r.stderr)")
        let files = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
        return files.compactMap { $0["name"] as? String }.sorted()
      }
      #expect(try await chosen([]) == ["mx-win-helper"])
      #expect(try await chosen(["--extra", "docs"]) == ["mx-app", "mx-win-helper"])
      #expect(try await chosen(["--group", "test"]) == [])
      let misuse = try await Harness.run(["download", "x", "--extra", "docs", "--no-deps", "--python-version", "3.12"])
      #expect(misuse.status == 64)
    }
  }
}
