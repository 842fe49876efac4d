import Foundation
import PyIndexFixtures
import Testing

/// pip as the reference: same fixture, same flags, same answer. `scripts/test` installs pip
/// 26 into `.venv` and sets `PYINDEX_PEER_PIP` and `PYINDEX_REQUIRE_PEERS=1`; a plain
/// `swift test` without pip runs only `peersAreInstalledWhenRequired`.
@Suite("pip as a peer")
struct PeerTests {
  static let pip: String? = {
    guard let p = ProcessInfo.processInfo.environment["PYINDEX_PEER_PIP"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
    return p
  }()

  @Test func peersAreInstalledWhenRequired() {
    if ProcessInfo.processInfo.environment["PYINDEX_REQUIRE_PEERS"] == "1" {
      #expect(PeerTests.pip != nil, "PYINDEX_PEER_PIP must name a pip executable")
    }
  }

  /// pip with nothing of this machine's configuration.
  static func runPip(_ args: [String], home: String) async throws -> Harness.Result {
    let pip = try #require(PeerTests.pip)
    let bin = URL(fileURLWithPath: pip).deletingLastPathComponent().path
    var env = Harness.baseEnvironment(home: home)
    env["PATH"] = bin + ":/usr/bin:/bin"
    env["PIP_CONFIG_FILE"] = "/dev/null"
    env["PIP_NO_CACHE_DIR"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return try await Harness.execute(pip, args, environment: env)
  }

  /// The platform tags pip's interpreter accepts on this machine, to give pyindex the same target.
  static func hostPlatformFlags(home: String) async throws -> [String] {
    let pip = try #require(PeerTests.pip)
    let python = URL(fileURLWithPath: pip).deletingLastPathComponent().path + "/python"
    let r = try await Harness.execute(python, ["-c", "from pip._vendor.packaging import tags; print('\\n'.join(tags.platform_tags()))"], environment: Harness.baseEnvironment(home: home))
    return r.stdout.split(separator: "\n").flatMap { ["--platform", String($0)] }
  }

  @Test(.enabled(if: PeerTests.pip != nil), arguments: [
    [], ["--pre"], ["--json"], ["--python-version", "3.12", "--platform", "win_amd64", "--only-binary", ":all:"],
    ["--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--only-binary", ":all:", "--ignore-requires-python"],
  ])
  func indexVersionsIsByteForByte(_ flags: [String]) async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    for json in [false, true] {
      try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "peer-pw-1"), json: json)) { index in
        let url = Harness.url(index, user: "u", password: "peer-pw-1")
        let pip = try await PeerTests.runPip(["index", "versions", "Demo_Pkg", "--index-url", url] + flags, home: home)
        #expect(pip.status == 0, "\(pip.stderr)")
        // pip filters by its own interpreter when no target is given; give pyindex that target.
        var ours = flags
        if flags.isEmpty || flags == ["--pre"] || flags == ["--json"] {
          ours += ["--python-version", "3.11"] + (try await PeerTests.hostPlatformFlags(home: home))
        }
        let r = try await Harness.run(["index", "versions", "Demo_Pkg", "--index-url", url] + ours, secrets: ["peer-pw-1"])
        #expect(r.status == 0)
        // --json: pip's object, then the keys pyindex adds (PEP 792's status) before its end.
        let expected = flags == ["--json"] ? String(pip.stdout.dropLast(2)) + ", \"status\": \"active\"}\n" : pip.stdout
        #expect(r.stdout == expected, "pip: \(pip.stdout) pyindex: \(r.stdout)")
      }
    }
  }

  @Test(.enabled(if: PeerTests.pip != nil), arguments: [
    ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--only-binary", ":all:"],
    ["--python-version", "3.12", "--platform", "win_amd64", "--only-binary", ":all:"],
    ["--python-version", "3.12", "--platform", "macosx_11_0_arm64", "--only-binary", ":all:"],
    ["--no-deps"],
  ])
  func downloadPicksTheSameFile(_ flags: [String]) async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "peer-pw-2"))) { index in
      let url = Harness.url(index, user: "u", password: "peer-pw-2")
      let pipDest = home + "/pip", ourDest = home + "/ours"
      let pip = try await PeerTests.runPip(["download", "demo-pkg", "-d", pipDest, "--index-url", url] + flags, home: home)
      #expect(pip.status == 0, "\(pip.stderr)")
      // Without target flags both use the machine: pyindex asks the same python3 pip runs on.
      let pipBin = URL(fileURLWithPath: try #require(PeerTests.pip)).deletingLastPathComponent().path
      let r = try await Harness.run(["download", "demo-pkg", "-d", ourDest, "--index-url", url] + flags, environment: ["PATH": pipBin + ":/usr/bin:/bin"], secrets: ["peer-pw-2"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: ourDest) == Harness.files(in: pipDest))
      #expect(!Harness.files(in: ourDest).isEmpty)
    }
  }
}

/// The selection matrix: one project with files for many targets (abi3 and abi3t, free-threaded
/// builds, legacy manylinux aliases, musllinux, macOS versions and universal2, 32-bit Windows,
/// PyPy), Requires-Python gates at minor and patch level, a yanked version and a pre-release;
/// pip and pyindex must download the same file for each target and requirement.
extension PeerTests {
  static let matrix = FixtureProject(name: "matrix-pkg", files: [
    FixtureFile(filename: "matrix_pkg-1.0.tar.gz", contents: Array("sdist 1.0\n".utf8)),
    .wheel("matrix-pkg", "1.1", tag: "py2.py3-none-any"),
    .wheel("matrix-pkg", "1.2", tag: "cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64"),
    .wheel("matrix-pkg", "1.2", tag: "cp39-abi3-win_amd64"),
    .wheel("matrix-pkg", "1.2", tag: "cp39-abi3-macosx_10_9_universal2"),
    .wheel("matrix-pkg", "1.3", tag: "cp311-cp311-manylinux_2_28_aarch64"),
    .wheel("matrix-pkg", "1.3", tag: "cp311-cp311-manylinux1_x86_64"),
    .wheel("matrix-pkg", "1.3", tag: "cp312-cp312-musllinux_1_1_x86_64"),
    .wheel("matrix-pkg", "1.3", tag: "pp310-pypy310_pp73-manylinux_2_17_x86_64"),
    .wheel("matrix-pkg", "1.3", tag: "cp310-cp310-macosx_11_0_arm64"),
    .wheel("matrix-pkg", "1.3", tag: "cp311-cp311-win32"),
    .wheel("matrix-pkg", "1.4", requiresPython: ">=3.12"),
    .wheel("matrix-pkg", "1.4.1", requiresPython: ">=3.11.5"),
    .wheel("matrix-pkg", "1.6", tag: "cp37-abi3-manylinux_2_28_x86_64"),
    .wheel("matrix-pkg", "1.6", tag: "cp313-cp313t-manylinux_2_28_x86_64"),
    .wheel("matrix-pkg", "1.6", tag: "cp315-abi3t-manylinux_2_28_x86_64"),
    .wheel("matrix-pkg", "1.5", yanked: "bad release"),
    .wheel("matrix-pkg", "2.0rc1"),
  ])

  static let matrixTargets: [[String]] = [
    ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64"],
    ["--python-version", "3.11", "--platform", "manylinux_2_28_aarch64"],
    ["--python-version", "3.10", "--platform", "manylinux_2_17_x86_64"],
    ["--python-version", "3.12", "--platform", "win_amd64"],
    ["--python-version", "311", "--platform", "win32"],
    ["--python-version", "3.12", "--platform", "musllinux_1_2_x86_64"],
    ["--python-version", "3.11", "--platform", "musllinux_1_2_x86_64"],
    ["--python-version", "3.10", "--platform", "macosx_12_0_arm64"],
    ["--python-version", "3.10", "--platform", "macosx_10_15_x86_64"],
    ["--python-version", "3.9", "--platform", "macosx_10_9_x86_64"],
    ["--implementation", "pp", "--python-version", "3.10", "--abi", "pypy310_pp73", "--platform", "manylinux_2_17_x86_64"],
    ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--platform", "win32"],
    ["--python-version", "3.11", "--platform", "win_amd64", "--ignore-requires-python"],
    ["--python-version", "3.11.7", "--platform", "manylinux_2_17_x86_64"],
    ["--python-version", "3.11.4", "--platform", "manylinux_2_17_x86_64"],
    ["--python-version", "3.13", "--abi", "cp313t", "--platform", "manylinux_2_28_x86_64"],
    ["--python-version", "3.14", "--abi", "cp314t", "--platform", "manylinux_2_28_x86_64"],
    ["--python-version", "3.15", "--abi", "cp315t", "--platform", "manylinux_2_28_x86_64"],
  ]

  @Test(
    "pip and pyindex pick the same file across targets and requirements",
    .enabled(if: PeerTests.pip != nil),  // at most ProcessSlots.width processes run at once
    arguments: PeerTests.matrixTargets, ["matrix-pkg", "matrix-pkg<1.3", "matrix-pkg==1.5", "matrix-pkg~=1.1", "matrix-pkg>=2.0rc1"])
  func selectionMatrix(_ target: [String], _ requirement: String) async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(FixtureProfile(projects: [Self.matrix])) { index in
      let flags = target + ["--only-binary", ":all:", "-i", index.simpleURL]
      let pip = try await PeerTests.runPip(["download", requirement, "-d", home + "/pip"] + flags, home: home)
      let r = try await Harness.run(["download", requirement, "-d", home + "/ours"] + flags)
      #expect(r.status == (pip.status == 0 ? 0 : 1), "pip: \(pip.stderr)\npyindex: \(r.stderr)")
      #expect(Harness.files(in: home + "/ours") == Harness.files(in: home + "/pip"), "pip: \(pip.stdout)\(pip.stderr)\npyindex: \(r.stderr)")
      #expect(pip.stderr.contains("yanked") == r.stderr.contains("yanked"), "pip: \(pip.stderr)\npyindex: \(r.stderr)")
    }
  }
}
