import Foundation
import PyIndexFixtures
import Testing

/// Several targets in one run: `--python-platform` and `--python-version` repeated, every
/// combination resolved on its own, pages fetched once, shared files downloaded once.
@Suite("download: a matrix of targets in one run")
struct MatrixEndToEndTests {
  /// A pure app that needs a platform wheel everywhere, and a helper only on Windows.
  static let profile = FixtureProfile(projects: [
    FixtureProject(name: "mx-app", files: [.wheel("mx-app", "1.0", requires: ["mx-native>=1", "mx-win-helper ; sys_platform == 'win32'"])]),
    FixtureProject(name: "mx-native", files: [
      .wheel("mx-native", "1.0", tag: "py3-none-manylinux_2_17_x86_64"), .wheel("mx-native", "1.0", tag: "py3-none-win_amd64"),
    ]),
    FixtureProject(name: "mx-win-helper", files: [.wheel("mx-win-helper", "2.0")]),
  ])

  static let matrix = [
    "--python-platform", "x86_64-manylinux_2_28", "--python-platform", "x86_64-pc-windows-msvc",
    "--python-version", "3.11", "--python-version", "3.12", "--python-version", "3.13", "--only-binary", ":all:",
  ]

  @Test("2 platforms × 3 Pythons: each target resolved on its own, every page asked once, every file downloaded once")
  func twoByThree() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "mx-app", "-d", dir, "-i", index.simpleURL, "--json", "--no-cache"] + Self.matrix)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == [
        "mx_app-1.0-py3-none-any.whl", "mx_native-1.0-py3-none-manylinux_2_17_x86_64.whl", "mx_native-1.0-py3-none-win_amd64.whl",
        "mx_win_helper-2.0-py3-none-any.whl",
      ])
      let entries = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
      let served = Dictionary(uniqueKeysWithValues: entries.map { ($0["filename"] as? String ?? "", Set($0["targets"] as? [String] ?? [])) })
      let linux = Set(["3.11", "3.12", "3.13"].map { "x86_64-manylinux_2_28, Python \($0)" })
      let windows = Set(["3.11", "3.12", "3.13"].map { "x86_64-pc-windows-msvc, Python \($0)" })
      #expect(served["mx_app-1.0-py3-none-any.whl"] == linux.union(windows))
      #expect(served["mx_native-1.0-py3-none-manylinux_2_17_x86_64.whl"] == linux)
      #expect(served["mx_native-1.0-py3-none-win_amd64.whl"] == windows)
      #expect(served["mx_win_helper-2.0-py3-none-any.whl"] == windows)
      for project in ["mx-app", "mx-native", "mx-win-helper"] {
        #expect(index.requests.filter { $0.path.hasSuffix("/simple/\(project)/") }.count == 1, "\(project)'s page")
      }
      // Whole-file GETs (the resolver reads METADATA with Range requests first, once per file).
      let wheels = index.requests.filter { $0.method == "GET" && $0.path.hasSuffix(".whl") && $0.header("Range") == nil }.map(\.path)
      #expect(wheels.count == 4 && Set(wheels).count == 4, "a file downloaded twice: \(wheels)")
      let ranged = index.requests.filter { $0.path.hasSuffix(".whl") && $0.header("Range") != nil }.map(\.path)
      // mx-app serves six targets, mx-win-helper three: read as often, so once each.
      let reads = { (name: String) in ranged.filter { $0.contains(name) }.count }
      #expect(reads("mx_app-") > 0 && reads("mx_app-") == reads("mx_win_helper-"), "metadata read again per target: \(ranged)")
    }
  }

  @Test("a target nothing fits fails the run (exit 1) naming it; the others' files are reported and kept")
  func failingTarget() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(
        ["download", "mx-app", "-d", dir, "-i", index.simpleURL, "--python-platform", "linux", "--python-platform", "aarch64-apple-darwin", "--python-version", "3.12", "--only-binary", ":all:"])
      #expect(r.status == 1)
      #expect(r.stderr.contains("error: target aarch64-apple-darwin, Python 3.12: "), "\(r.stderr)")
      #expect(r.stdout.contains("Target linux, Python 3.12: 2 files"), "\(r.stdout)")
      #expect(Harness.files(in: dir) == ["mx_app-1.0-py3-none-any.whl", "mx_native-1.0-py3-none-manylinux_2_17_x86_64.whl"])
    }
  }

  @Test("a platform uv does not spell is a usage error; index versions takes one target")
  func usage() async throws {
    let bad = try await Harness.run(["download", "x", "--python-platform", "amiga-os", "--python-version", "3.12", "--no-deps"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("'amiga-os' is not a platform pyindex knows"))
    let two = try await Harness.run(["index", "versions", "x", "--python-version", "3.11", "--python-version", "3.12"])
    #expect(two.status == 64)
    #expect(two.stderr.contains("this command takes one target"))
  }
}

/// `--uploaded-prior-to`: the index as it was at a time, from PEP 700 `upload-time`.
@Suite("download --uploaded-prior-to")
struct UploadedPriorToEndToEndTests {
  static let projects = [
    FixtureProject(name: "dated", files: [
      FixtureFile.wheel("dated", "1.0").uploaded("2024-01-10T08:00:00.000000Z"),
      FixtureFile.wheel("dated", "2.0").uploaded("2024-06-01T12:00:00.123456Z"),
    ])
  ]

  @Test("files uploaded at or after the time are ignored; a date means midnight UTC; a page without times is a usage error naming it")
  func cutoff() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(FixtureProfile(projects: Self.projects)) { index in
      for (when, expected) in [("2024-06-01T12:00:00.123456Z", "1.0"), ("2024-06-01T14:00:00.2+02:00", "2.0"), ("2024-06-02", "2.0"), ("2024-01-01", nil)] {
        let r = try await Harness.run(["download", "dated", "--no-deps", "-d", dir, "-i", index.simpleURL, "--uploaded-prior-to", when, "--json", "--no-cache"])
        if let expected {
          #expect(r.status == 0, "\(when): \(r.stderr)")
          #expect(r.stdout.contains("\"version\": \"\(expected)\""), "\(when): \(r.stdout)")
        } else {
          #expect(r.status == 1, "\(when): \(r.stderr)")
        }
      }
    }
    try await Harness.withIndex(FixtureProfile(projects: Self.projects, json: false)) { index in
      let r = try await Harness.run(["download", "dated", "--no-deps", "-d", dir, "-i", index.simpleURL, "--uploaded-prior-to", "2024-06-02"])
      #expect(r.status == 64)
      #expect(r.stderr.contains("--uploaded-prior-to: http://127.0.0.1:\(index.server.port)/simple/dated/ gives no upload time"), "\(r.stderr)")
    }
    let bad = try await Harness.run(["download", "dated", "--uploaded-prior-to", "last week"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("is not an RFC 3339 time"))
  }
}
