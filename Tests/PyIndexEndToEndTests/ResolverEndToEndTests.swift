import Foundation
import PyIndexFixtures
import Testing

/// The resolver through the binary: dependencies from each wheel's METADATA (deflated, as real
/// wheels have it), markers for the target, extras, constraints merged, and a conflict.
@Suite("download: the dependency closure")
struct ResolverEndToEndTests {
  static let target = ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--only-binary", ":all:"]

  static let profile = FixtureProfile(projects: [
    FixtureProject(name: "app", files: [.wheel("app", "1.0", requires: ["lib-a>=1", "lib-b ; sys_platform == 'win32'", "lib-c[fast]==1.0"])]),
    FixtureProject(name: "lib-a", files: [.wheel("lib-a", "1.0"), .wheel("lib-a", "2.0", requires: ["lib-d<2"])]),
    FixtureProject(name: "lib-b", files: [.wheel("lib-b", "1.0")]),
    FixtureProject(name: "lib-c", files: [.wheel("lib-c", "1.0", requires: ["lib-d>=1", "speedups ; extra == 'fast'", "docs-only ; extra == 'docs'"])]),
    FixtureProject(name: "lib-d", files: [.wheel("lib-d", "1.5"), .wheel("lib-d", "2.5")]),
    FixtureProject(name: "speedups", files: [.wheel("speedups", "0.1")]),
    FixtureProject(name: "docs-only", files: [.wheel("docs-only", "9.9")]),
    FixtureProject(name: "bad-app", files: [.wheel("bad-app", "1.0", requires: ["lib-a==1.0", "lib-e"])]),
    FixtureProject(name: "lib-e", files: [.wheel("lib-e", "1.0", requires: ["lib-a>=2"])]),
  ])

  @Test("the closure: markers for the target, extras followed, one version per project")
  func closure() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "app", "-d", dir, "-i", index.simpleURL] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir) == [
        "app-1.0-py3-none-any.whl", "lib_a-2.0-py3-none-any.whl", "lib_c-1.0-py3-none-any.whl",
        "lib_d-1.5-py3-none-any.whl", "speedups-0.1-py3-none-any.whl",
      ])
      #expect(r.stdout.hasSuffix("Successfully downloaded app lib-a lib-c lib-d speedups\n"), "\(r.stdout)")
      let windows = try await Harness.run(["download", "app", "-d", dir + "/win", "-i", index.simpleURL, "--python-version", "3.11", "--platform", "win_amd64", "--only-binary", ":all:"])
      #expect(windows.status == 0, "\(windows.stderr)")
      #expect(Harness.files(in: dir + "/win").contains("lib_b-1.0-py3-none-any.whl"))
      let noDeps = try await Harness.run(["download", "app", "--no-deps", "-d", dir + "/alone", "-i", index.simpleURL] + Self.target)
      #expect(noDeps.status == 0)
      #expect(Harness.files(in: dir + "/alone") == ["app-1.0-py3-none-any.whl"])
    }
  }

  @Test("constraints reach dependencies too")
  func constraintsOnDependencies() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "lib-a<2\n".write(toFile: dir + "/c.txt", atomically: true, encoding: .utf8)
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "app", "-c", dir + "/c.txt", "-d", dir + "/out", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/out").contains("lib_a-1.0-py3-none-any.whl"))
      #expect(!Harness.files(in: dir + "/out").contains("lib_a-2.0-py3-none-any.whl"))
    }
  }

  @Test("an unsatisfiable closure: exit 1 and the facts that exclude every choice, the user's requirement first")
  func conflict() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile) { index in
      let r = try await Harness.run(["download", "bad-app", "-d", dir, "-i", index.simpleURL] + Self.target)
      #expect(r.status == 1)
      #expect(
        r.stderr.hasPrefix("""
          error: dependency conflict: no set of versions satisfies the requirements:
            you require bad-app
            bad-app 1.0 depends on lib-e
            bad-app 1.0 depends on lib-a==1.0
            lib-e 1.0 depends on lib-a>=2

          """), "\(r.stderr)")
      #expect(r.stderr.contains("hint: relax one of the requirements above"))
      #expect(!r.stderr.contains("backtrack"))
      #expect(Harness.files(in: dir).isEmpty, "a run that fails to resolve keeps nothing")
    }
  }
}

/// A run that fails to resolve leaves DEST exactly as it was, whichever downloads finished
/// first; requirements on one project that cannot all hold are a conflict naming each of
/// them, never "no matching distribution (from versions: …)" listing a version that fits one.
extension ResolverEndToEndTests {
  static let conflicts = FixtureProfile(projects: [
    FixtureProject(name: "cfa", files: [.wheel("cfa", "1.0", requires: ["cfc>=2", "cfb"])]),
    FixtureProject(name: "cfb", files: [.wheel("cfb", "1.0", requires: ["cfc<2"])]),
    FixtureProject(name: "cfc", files: [.wheel("cfc", "1.0"), .wheel("cfc", "2.0")]),
    FixtureProject(name: "cfd", files: [.wheel("cfd", "1.0", requires: ["cfc<2"])]),
    FixtureProject(name: "cfe", files: [.wheel("cfe", "1.0", requires: ["cfc>=2", "cfc<2 ; extra == 'old'"])]),
    FixtureProject(name: "cff", files: [.wheel("cff", "1.0", requires: ["cfz"])]),
  ])

  /// DEST before the run: an unrelated file and a file of the closure already there.
  static func seededDestination() throws -> (dir: String, before: [String: Data]) {
    let dir = try Harness.temporaryDirectory()
    let kept = FixtureFile.wheel("cfc", "2.0")
    try "not pyindex's\n".write(toFile: dir + "/notes.txt", atomically: true, encoding: .utf8)
    try Data(kept.contents).write(to: URL(fileURLWithPath: dir + "/" + kept.filename))
    var before: [String: Data] = [:]
    for name in Harness.files(in: dir) { before[name] = FileManager.default.contents(atPath: dir + "/" + name) }
    return (dir, before)
  }

  @Test("a run that fails to resolve leaves DEST exactly as it was (conflict, missing dependency; five runs each)", arguments: [["cfa"], ["cff", "cfb", "cfc==1.0"]])
  func failedResolutionLeavesDestAsItWas(_ requirements: [String]) async throws {
    try await Harness.withIndex(Self.conflicts) { index in
      for _ in 0..<5 {
        let (dir, before) = try Self.seededDestination()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await Harness.run(["download"] + requirements + ["-d", dir, "-i", index.simpleURL] + Self.target)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(Harness.files(in: dir) == before.keys.sorted(), "\(r.stderr)")
        for (name, data) in before { #expect(FileManager.default.contents(atPath: dir + "/" + name) == data, "\(name) changed") }
      }
      let wheels = index.requests.filter { $0.path.hasSuffix(".whl") }
      #expect(!wheels.isEmpty, "the files were downloaded while resolving, then dropped")
    }
  }

  @Test("requirements on one project that cannot all hold: a conflict naming each with its chain, exit 1", arguments: [
    (["cfc==1.0", "cfc==2.0"], "cfc==1.0 and cfc==2.0 exclude each other: no version of cfc satisfies them all"),
    (["cfb", "cfd", "cfe"], "no set of versions satisfies the requirements:\n  you require cfd\n  you require cfe\n  cfd 1.0 depends on cfc<2\n  cfe 1.0 depends on cfc>=2\n"),
    (["cfe[old]"], "no set of versions satisfies the requirements:\n  you require cfe[old]\n  cfe[old] 1.0 depends on cfc<2\n  cfe 1.0 depends on cfc>=2\n"),
  ])
  func contradictoryRequirements(_ requirements: [String], _ message: String) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.conflicts) { index in
      let r = try await Harness.run(["download"] + requirements + ["-d", dir, "-i", index.simpleURL] + Self.target)
      #expect(r.status == 1, "\(r.stderr)")
      #expect(r.stderr.contains("error: dependency conflict: " + message), "\(r.stderr)")
      #expect(!r.stderr.contains("No matching distribution"), "\(r.stderr)")
      #expect(Harness.files(in: dir).isEmpty)
    }
  }

  @Test("a constraint that contradicts a requirement is named as the other side of the conflict")
  func constraintConflict() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "cfc<2\n".write(toFile: dir + "/c.txt", atomically: true, encoding: .utf8)
    try await Harness.withIndex(Self.conflicts) { index in
      let r = try await Harness.run(["download", "cfc==2.0", "-c", dir + "/c.txt", "-d", dir + "/out", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 1, "\(r.stderr)")
      #expect(r.stderr.contains("error: dependency conflict: cfc==2.0 and constraint cfc<2 (\(dir)/c.txt:1) exclude each other"), "\(r.stderr)")
      #expect(Harness.files(in: dir + "/out").isEmpty)
    }
  }
}

extension ResolverEndToEndTests {
  @Test("more requirements than --jobs: every one is fetched, in order, with a width of 3")
  func manyRequirementsInAFixedWidth() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let projects = (0..<20).map { FixtureProject(name: "many-\($0)", files: [.wheel("many-\($0)", "1.\($0)")]) }
    try await Harness.withIndex(FixtureProfile(projects: projects)) { index in
      let reqs = (0..<20).map { "many-\($0)==1.\($0)" }
      let r = try await Harness.run(["download"] + reqs + ["-j", "3", "-d", dir, "-i", index.simpleURL, "--json"] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir).count == 20)
      let names = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]]
      #expect(names?.compactMap { $0["name"] as? String } == (0..<20).map { "many-\($0)" })
    }
  }
}

extension ResolverEndToEndTests {
  @Test("a progress line on a terminal only, cleared before the results; none in logs")
  func progressOnlyOnATerminal() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(Self.profile) { index in
      let plain = try await Harness.run(["download", "app", "-d", dir + "/plain", "-i", index.simpleURL] + Self.target)
      #expect(plain.status == 0)
      #expect(!plain.stderr.contains("Downloading:"))
      // Under a pseudo-terminal (util-linux script), stderr is a TTY.
      let command = ([Harness.pyindex, "download", "app", "-d", dir + "/tty", "-i", index.simpleURL] + Self.target).map { "'\($0)'" }.joined(separator: " ")
      var env = Harness.baseEnvironment(home: dir)
      env["TERM"] = "dumb"
      let tty = try await Harness.execute("/usr/bin/script", ["-qec", command, "/dev/null"], environment: env)
      #expect(tty.status == 0, "\(tty.stdout)")
      #expect(tty.stdout.contains("Downloading: 5/5 files"), "\(tty.stdout)")
      #expect(tty.stdout.contains("Resolving: "), "\(tty.stdout)")
      #expect(!plain.stderr.contains("Resolving:"))
      #expect(tty.stdout.contains("\r\u{1B}[2K"))
      #expect(tty.stdout.contains("Successfully downloaded app lib-a lib-c lib-d speedups"))
    }
  }
}
