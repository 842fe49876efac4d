import Foundation
import PyIndexFixtures
import Testing

/// Resolution scenarios in the manner of uv's packse catalogue, each on a fixture index with pip
/// 26 beside pyindex: the same files downloaded, or both failing. Each scenario's projects carry
/// its prefix, so one index serves them all.
@Suite("the resolver beside pip: scenarios")
struct ResolverScenarioTests {
  static let linux = ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--only-binary", ":all:"]
  static let windows = ["--python-version", "3.11", "--platform", "win_amd64", "--only-binary", ":all:"]

  static let profile = FixtureProfile(projects: [
    // A release train: the newest sibling pins an older parent (fastapi[standard], opentelemetry).
    FixtureProject(name: "rt-app", files: [.wheel("rt-app", "1.0", requires: ["rt-api", "rt-sdk"])]),
    FixtureProject(name: "rt-api", files: [.wheel("rt-api", "1.1"), .wheel("rt-api", "1.2"), .wheel("rt-api", "1.3")]),
    FixtureProject(name: "rt-sdk", files: [.wheel("rt-sdk", "1.1", requires: ["rt-api==1.1"]), .wheel("rt-sdk", "1.2", requires: ["rt-api==1.2"])]),
    // A pin read after its project was wanted from a wider range (boto3==1.28.0 botocore>=1.31).
    FixtureProject(name: "pl-boto", files: [.wheel("pl-boto", "1.0", requires: ["pl-core>=1.31,<1.32"])]),
    FixtureProject(name: "pl-core", files: [.wheel("pl-core", "1.30"), .wheel("pl-core", "1.31.1"), .wheel("pl-core", "1.31.2"), .wheel("pl-core", "1.32")]),
    // The newest parent needs what the user excludes (numpy<1.25 scipy).
    FixtureProject(name: "op-np", files: [.wheel("op-np", "1.24"), .wheel("op-np", "1.26"), .wheel("op-np", "2.0")]),
    FixtureProject(
      name: "op-sci",
      files: [.wheel("op-sci", "1.10", requires: ["op-np>=1.19,<1.27"]), .wheel("op-sci", "1.15", requires: ["op-np>=1.23"]), .wheel("op-sci", "1.16", requires: ["op-np>=1.26"])]),
    // The newest release needs a sibling that is not on the index yet.
    FixtureProject(name: "ms-pkg", files: [.wheel("ms-pkg", "1.0", requires: ["ms-core==1.0"]), .wheel("ms-pkg", "2.0", requires: ["ms-core==2.0"])]),
    FixtureProject(name: "ms-core", files: [.wheel("ms-core", "1.0")]),
    // Only an sdist of the sibling's newest version, under --only-binary.
    FixtureProject(name: "sd-pkg", files: [.wheel("sd-pkg", "1.0", requires: ["sd-core==1.0"]), .wheel("sd-pkg", "2.0", requires: ["sd-core==2.0"])]),
    FixtureProject(name: "sd-core", files: [.wheel("sd-core", "1.0"), FixtureFile(filename: "sd_core-2.0.tar.gz", contents: Array("not built".utf8))]),
    // Extras and markers, per target.
    FixtureProject(name: "em-app", files: [.wheel("em-app", "1.0", requires: ["em-win ; sys_platform == 'win32'", "em-lib[fast]>=1"])]),
    FixtureProject(name: "em-win", files: [.wheel("em-win", "1.0")]),
    FixtureProject(name: "em-lib", files: [.wheel("em-lib", "1.0", requires: ["em-speed ; extra == 'fast'", "em-doc ; extra == 'doc'"])]),
    FixtureProject(name: "em-speed", files: [.wheel("em-speed", "0.5"), .wheel("em-speed", "0.6", tag: "cp311-cp311-win_amd64")]),
    FixtureProject(name: "em-doc", files: [.wheel("em-doc", "1.0")]),
    // Pre-releases: named by the specifier, or the only versions.
    FixtureProject(name: "pr-a", files: [.wheel("pr-a", "1.0", requires: ["pr-b>=2.0b1", "pr-c"])]),
    FixtureProject(name: "pr-b", files: [.wheel("pr-b", "1.0"), .wheel("pr-b", "2.0b1")]),
    FixtureProject(name: "pr-c", files: [.wheel("pr-c", "0.1rc1")]),
    // Yanked: never for a range, only for an exact pin.
    FixtureProject(name: "yk-a", files: [.wheel("yk-a", "1.0", requires: ["yk-b"])]),
    FixtureProject(name: "yk-b", files: [.wheel("yk-b", "1.0"), .wheel("yk-b", "1.1", yanked: "broken")]),
    // Requires-Python of a dependency.
    FixtureProject(name: "rp-a", files: [.wheel("rp-a", "1.0", requires: ["rp-b"])]),
    FixtureProject(name: "rp-b", files: [.wheel("rp-b", "1.0", requires: ["rp-c>=2"]), .wheel("rp-b", "2.0", requiresPython: ">=3.12", requires: ["rp-c<2"])]),
    FixtureProject(name: "rp-c", files: [.wheel("rp-c", "1.0"), .wheel("rp-c", "2.0")]),
    // A diamond whose newest versions disagree.
    FixtureProject(name: "dm-top", files: [.wheel("dm-top", "1.0", requires: ["dm-left", "dm-right"])]),
    FixtureProject(name: "dm-left", files: [.wheel("dm-left", "1.0", requires: ["dm-base<2"]), .wheel("dm-left", "2.0", requires: ["dm-base>=2"])]),
    FixtureProject(name: "dm-right", files: [.wheel("dm-right", "1.0", requires: ["dm-base>=2"]), .wheel("dm-right", "2.0", requires: ["dm-base<2"])]),
    FixtureProject(name: "dm-base", files: [.wheel("dm-base", "1.0"), .wheel("dm-base", "2.0"), .wheel("dm-base", "3.0")]),
    // A target that has no wheel of the newest version resolves to an older one.
    FixtureProject(name: "tg-app", files: [.wheel("tg-app", "1.0", requires: ["tg-lib"])]),
    FixtureProject(name: "tg-lib", files: [.wheel("tg-lib", "1.0"), .wheel("tg-lib", "2.0", tag: "cp311-cp311-win_amd64")]),
    // pip decides an upper-bounded requirement first (cryptography pyopenssl<23).
    FixtureProject(name: "ub-crypto", files: [.wheel("ub-crypto", "38.0"), .wheel("ub-crypto", "51.0")]),
    FixtureProject(name: "ub-ossl", files: [.wheel("ub-ossl", "22.0", requires: ["ub-crypto>=35"]), .wheel("ub-ossl", "22.1", requires: ["ub-crypto>=38,<39"])]),
    // No solution at all.
    FixtureProject(name: "un-a", files: [.wheel("un-a", "1.0", requires: ["un-c>=2", "un-b"])]),
    FixtureProject(name: "un-b", files: [.wheel("un-b", "1.0", requires: ["un-c<2"]), .wheel("un-b", "0.9", requires: ["un-c<1"])]),
    FixtureProject(name: "un-c", files: [.wheel("un-c", "1.0"), .wheel("un-c", "2.0")]),
  ])

  static let scenarios: [(String, [String], [String])] = [
    ("release train", ["rt-app"], linux),
    ("pin read later", ["pl-boto==1.0", "pl-core>=1.31"], linux),
    ("older parent", ["op-np<1.25", "op-sci"], linux),
    ("missing sibling", ["ms-pkg"], linux),
    ("sibling only as an sdist", ["sd-pkg"], linux),
    ("extras and markers, linux", ["em-app"], linux),
    ("pre-releases", ["pr-a"], linux),
    ("yanked", ["yk-a"], linux),
    ("yanked, pinned", ["yk-a", "yk-b==1.1"], linux),
    ("Requires-Python", ["rp-a"], linux),
    ("diamond", ["dm-top"], linux),
    ("per target, linux", ["tg-app"], linux),
    ("per target, windows", ["tg-app"], windows),
    ("constraint", ["rt-app", "-c", "CONSTRAINTS"], linux),
    ("upper bound first", ["ub-crypto", "ub-ossl<23"], linux),
    ("unsatisfiable", ["un-a"], linux),
  ]

  @Test("pip and pyindex download the same closure, or both fail", .enabled(if: PeerTests.pip != nil), arguments: Self.scenarios.indices)
  func scenario(_ k: Int) async throws {
    let (name, requirements, target) = Self.scenarios[k]
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "rt-api<1.2\n".write(toFile: home + "/c.txt", atomically: true, encoding: .utf8)
    let args = requirements.map { $0 == "CONSTRAINTS" ? home + "/c.txt" : $0 }
    try await Harness.withIndex(Self.profile) { index in
      let flags = target + ["-i", index.simpleURL]
      let pip = try await PeerTests.runPip(["download"] + args + ["-d", home + "/pip"] + flags, home: home)
      let r = try await Harness.run(["download"] + args + ["-d", home + "/ours"] + flags)
      #expect(r.status == (pip.status == 0 ? 0 : 1), "\(name): pip \(pip.status): \(pip.stderr)\npyindex: \(r.stderr)")
      #expect(Harness.files(in: home + "/ours") == Harness.files(in: home + "/pip"), "\(name): pip: \(pip.stdout)\npyindex: \(r.stdout)\(r.stderr)")
      if pip.status != 0 {
        #expect(r.stderr.contains("error: dependency conflict: no set of versions satisfies the requirements:"), "\(name): \(r.stderr)")
        #expect(!r.stderr.contains("No matching distribution"), "\(name): \(r.stderr)")
      }
    }
  }

  /// pip evaluates markers for the interpreter it runs on even with `--platform`; pyindex
  /// evaluates them for the target (as uv does with `--python-platform`), so this one is checked
  /// against its own answer.
  @Test("extras and markers for a Windows target: the marker holds there")
  func markersForTheTarget() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "em-app", "-d", home, "-i", index.simpleURL] + Self.windows)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: home) == ["em_app-1.0-py3-none-any.whl", "em_lib-1.0-py3-none-any.whl", "em_speed-0.6-cp311-cp311-win_amd64.whl", "em_win-1.0-py3-none-any.whl"])
    }
  }

  @Test("an unsatisfiable set is explained: the requirement, then each dependency that excludes a choice")
  func explanation() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "un-a", "-d", home, "-i", index.simpleURL] + Self.linux)
      #expect(r.status == 1)
      #expect(r.stderr.contains("  you require un-a\n"), "\(r.stderr)")
      #expect(r.stderr.contains("  un-a 1.0 depends on un-c>=2\n"), "\(r.stderr)")
      #expect(r.stderr.contains("  un-b 1.0 depends on un-c<2\n"), "\(r.stderr)")
      #expect(r.stderr.contains("  un-b 0.9 depends on un-c<1\n"), "\(r.stderr)")
      #expect(Harness.files(in: home).isEmpty)
    }
  }
}
