import PyIndexModel
import PyIndexResolver
import Synchronization
import Testing

/// An index held in memory: the solver's own logic, apart from pages and metadata (which the
/// end-to-end scenarios exercise on fixture indexes, beside pip).
final class Catalogue: ResolverProvider {
  /// project → version → dependencies (requirement texts; "[extra] text" for an extra's).
  let projects: [String: [String: [String]]]
  let yanked: Set<String>
  let sdists: Set<String>
  let asked = Mutex<[String]>([])

  init(_ projects: [String: [String: [String]]], yanked: Set<String> = [], sdists: Set<String> = []) {
    (self.projects, self.yanked, self.sdists) = (projects, yanked, sdists)
  }

  func versions(of project: String) async throws -> [VersionInfo] {
    (projects[project] ?? [:]).keys.compactMap { try? Version($0) }.sorted(by: >).map { VersionInfo(version: $0, yanked: yanked.contains("\(project) \($0)")) }
  }
  func dependencies(of project: String, version: Version, extra: String?) async throws -> [Dependency]? {
    asked.withLock { $0.append("\(project) \(version)\(extra.map { "[\($0)]" } ?? "")") }
    if sdists.contains("\(project) \(version)") { return nil }
    let texts = projects[project]?[version.description] ?? []
    return texts.compactMap { text -> Dependency? in
      var t = Substring(text)
      var wanted: String? = nil
      if t.hasPrefix("["), let close = t.firstIndex(of: "]") {
        wanted = String(t[t.index(after: t.startIndex)..<close])
        t = t[t.index(after: close)...].drop { $0 == " " }
      }
      guard wanted == extra else { return nil }
      return Catalogue.dependency(String(t))
    }
  }
  func prefetch(_ project: String, version: Version) async {}

  static func dependency(_ text: String) -> Dependency {
    let r = try! Requirement(text)
    return Dependency(project: r.name.normalized, extras: r.extras, specifier: r.specifier, text: text)
  }

  func solve(_ requirements: [String], constraints: [String] = [], prereleases: Bool = false) async throws -> [String: String] {
    let s = try await Solver(provider: self, prereleases: prereleases).solve(requirements.map(Catalogue.dependency), constraints: constraints.map(Catalogue.dependency))
    return s.versions.mapValues(\.description)
  }
}

@Suite("the resolver: PubGrub over each project's versions")
struct SolverTests {
  @Test("newest everywhere when nothing conflicts; extras add their dependencies")
  func newest() async throws {
    let c = Catalogue([
      "app": ["1.0": ["lib>=1", "[fast] speedups"], "2.0": ["lib>=2", "[fast] speedups>=2"]],
      "lib": ["1.0": [], "2.0": [], "2.1": []],
      "speedups": ["1.0": [], "2.0": []],
    ])
    #expect(try await c.solve(["app"]) == ["app": "2.0", "lib": "2.1"])
    #expect(try await c.solve(["app[fast]"]) == ["app": "2.0", "lib": "2.1", "speedups": "2.0"])
  }

  @Test("a release train: the newest sibling pins an older parent, which is taken (fastapi[standard] and opentelemetry)")
  func releaseTrain() async throws {
    let c = Catalogue([
      "opentelemetry-api": ["1.45.1": [], "1.45.2": [], "1.45.3": []],
      "opentelemetry-sdk": ["1.45.1": ["opentelemetry-api==1.45.1"], "1.45.2": ["opentelemetry-api==1.45.2"]],
    ])
    #expect(try await c.solve(["opentelemetry-api", "opentelemetry-sdk"]) == ["opentelemetry-api": "1.45.2", "opentelemetry-sdk": "1.45.2"])
  }

  @Test("a pin read later narrows a project chosen from a wide range (boto3==1.28.0 botocore>=1.31)")
  func pinReadLater() async throws {
    let c = Catalogue([
      "boto3": ["1.28.0": ["botocore>=1.31.0,<1.32.0"]],
      "botocore": ["1.30.0": [], "1.31.84": [], "1.31.85": [], "1.32.0": [], "1.33.1": []],
    ])
    #expect(try await c.solve(["boto3==1.28.0", "botocore>=1.31"]) == ["boto3": "1.28.0", "botocore": "1.31.85"])
  }

  @Test("the newest parent needs what the user excludes: an older parent is chosen (numpy<1.25 scipy)")
  func olderParent() async throws {
    let c = Catalogue([
      "numpy": ["1.24.4": [], "1.26.4": [], "2.0.0": []],
      "scipy": ["1.10.1": ["numpy>=1.19.5,<1.27.0"], "1.15.3": ["numpy>=1.23.5"], "1.16.0": ["numpy>=1.26.4"]],
    ])
    #expect(try await c.solve(["numpy<1.25", "scipy"]) == ["numpy": "1.24.4", "scipy": "1.15.3"])
  }

  @Test("a sibling missing from the index: an older release that resolves is taken, not 'no matching distribution'")
  func missingSibling() async throws {
    let c = Catalogue([
      "pkg": ["1.0": ["pkg-core==1.0"], "2.0": ["pkg-core==2.0"]],
      "pkg-core": ["1.0": []],
    ])
    #expect(try await c.solve(["pkg"]) == ["pkg": "1.0", "pkg-core": "1.0"])
  }

  @Test("pip's order: an upper-bounded requirement is decided before an unbounded one named earlier (cryptography pyopenssl<23)")
  func upperBoundFirst() async throws {
    let c = Catalogue([
      "cryptography": ["38.0.4": [], "51.0.1": []],
      "pyopenssl": ["22.0.0": ["cryptography>=35"], "22.1.0": ["cryptography>=38,<39"], "23.0.0": ["cryptography>=38"]],
    ])
    #expect(try await c.solve(["cryptography", "pyopenssl<23"]) == ["cryptography": "38.0.4", "pyopenssl": "22.1.0"])
  }

  @Test("a diamond whose newest versions disagree settles on the newest pair that agrees, learning from each conflict")
  func diamond() async throws {
    var projects: [String: [String: [String]]] = ["left": [:], "right": [:], "shared": [:]]
    for k in 0..<40 {
      projects["left"]?["1.\(k)"] = ["shared==\(k)"]
      projects["right"]?["1.\(k)"] = ["shared<=\(k / 2)"]
      projects["shared"]?["\(k)"] = []
    }
    let c = Catalogue(projects)
    #expect(try await c.solve(["left", "right"]) == ["left": "1.19", "right": "1.39", "shared": "19"])
  }

  @Test("constraints narrow any project they name; yanked only for an exact pin; pre-releases when asked or the only ones")
  func rules() async throws {
    let c = Catalogue(
      ["lib": ["1.0": [], "1.1": [], "2.0": [], "3.0b1": []], "beta-only": ["1.0rc1": []]],
      yanked: ["lib 2.0"])
    #expect(try await c.solve(["lib"]) == ["lib": "1.1"])
    #expect(try await c.solve(["lib==2.0"]) == ["lib": "2.0"])
    // The user's exact pin of a yanked version holds for a dependency's range too, as in pip.
    let withParent = Catalogue(["app": ["1.0": ["lib"]], "lib": ["1.0": [], "2.0": []]], yanked: ["lib 2.0"])
    #expect(try await withParent.solve(["app", "lib==2.0"]) == ["app": "1.0", "lib": "2.0"])
    #expect(try await c.solve(["lib"], constraints: ["lib<1.1"]) == ["lib": "1.0"])
    #expect(try await c.solve(["lib"], prereleases: true) == ["lib": "3.0b1"])
    #expect(try await c.solve(["lib>=3.0b1"]) == ["lib": "3.0b1"])
    #expect(try await c.solve(["beta-only"]) == ["beta-only": "1.0rc1"])
  }

  @Test("an unsatisfiable set: the chain of facts that excludes every choice, each named once")
  func explanation() async throws {
    let c = Catalogue([
      "bad-app": ["1.0": ["lib-a==1.0", "lib-e"]],
      "lib-e": ["1.0": ["lib-a>=2"]],
      "lib-a": ["1.0": [], "2.0": []],
    ])
    do {
      _ = try await c.solve(["bad-app"])
      Issue.record("resolved")
    } catch let failure as ResolutionFailure {
      let text = failure.description
      #expect(text.contains("you require bad-app"), "\(text)")
      #expect(text.contains("bad-app 1.0 depends on lib-a==1.0"), "\(text)")
      #expect(text.contains("bad-app 1.0 depends on lib-e"), "\(text)")
      #expect(text.contains("lib-e 1.0 depends on lib-a>=2"), "\(text)")
      #expect(failure.missingProject == nil)
    }
  }

  @Test("versions that depend on the same thing are one line (scipy<1.12 with numpy>=2); every version, when all do")
  func groupedExplanation() async throws {
    let c = Catalogue([
      "sci": ["1.9.2": ["num<1.26"], "1.9.3": ["num<1.26"], "1.10.0": ["num<1.27"], "1.11.1": ["num<1.28"], "1.11.2": ["num<1.28"], "1.11.3": ["num<1.28"], "1.11.4": ["num<1.28"]],
      "num": ["1.25.0": [], "1.26.0": [], "1.27.0": [], "2.0.0": []],
      "plot": ["1.0": ["num<2"], "2.0": ["num<2"]],
    ])
    do {
      _ = try await c.solve(["sci<1.12", "num>=2"])
      Issue.record("resolved")
    } catch let failure as ResolutionFailure {
      #expect(failure.lines == [
        "you require sci<1.12", "you require num>=2", "sci 1.9.2, 1.9.3 depend on num<1.26", "sci 1.10.0 depends on num<1.27",
        "sci 1.11.1…1.11.4 (4 versions) depend on num<1.28",
      ], "\(failure.lines)")
    }
    do {
      _ = try await c.solve(["plot", "num>=2"])
      Issue.record("resolved")
    } catch let failure as ResolutionFailure {
      #expect(failure.lines.contains("every version of plot depends on num<2"), "\(failure.lines)")
    }
  }

  @Test("a project with no usable version at all is named as such")
  func missingProject() async throws {
    let c = Catalogue(["app": ["1.0": ["ghost>=1"]]])
    do {
      _ = try await c.solve(["ghost"])
      Issue.record("resolved")
    } catch let failure as ResolutionFailure {
      #expect(failure.missingProject == "ghost", "\(failure.lines)")
    }
  }

  @Test("bounded in steps and in time: past either, a ResolutionTooLong, never a hang")
  func bounded() async throws {
    let c = Catalogue(["app": ["1.0": ["lib"]], "lib": ["1.0": []]])
    await #expect(throws: ResolutionTooLong.self) { try await Solver(provider: c, prereleases: false, maxSteps: 1).solve([Catalogue.dependency("app")]) }
    await #expect(throws: ResolutionTooLong.self) { try await Solver(provider: c, prereleases: false, timeLimit: .zero).solve([Catalogue.dependency("app")]) }
    #expect(try await Solver(provider: c, prereleases: false).solve([Catalogue.dependency("app")]).versions.count == 2)
  }

  @Test("a source distribution's dependencies are unknown: it is chosen and nothing is followed from it")
  func sdist() async throws {
    let c = Catalogue(["app": ["1.0": ["lib"]], "lib": ["1.0": ["never"]]], sdists: ["lib 1.0"])
    #expect(try await c.solve(["app"]) == ["app": "1.0", "lib": "1.0"])
  }
}

@Suite("the resolver: extras against their project")
struct SolverExtrasTests {
  @Test("an extra whose newer versions conflict falls back to an older one the parent allows (bigquery, api-core[grpc], protobuf<4)")
  func extraBacktracks() async throws {
    let c = Catalogue([
      "bq": ["3.18": ["cc", "core>=2"], "3.25": ["cc", "core[grpc]>=1.34,<3"], "3.30": ["cc", "core[grpc]>=2.11,<3"]],
      "cc": ["2.5": ["core>=1.31,<3"]],
      "core": ["1.34": ["[grpc] status>=1.33,<2"], "2.11": ["[grpc] status>=1.49"], "2.29": ["[grpc] status>=1.49"], "2.44": ["pb>=6"]],
      "status": ["1.48": ["pb>=3.19"], "1.49": ["pb>=4.21"], "1.85": ["pb>=6"]],
      "pb": ["3.20": [], "4.25": [], "6.33": []],
    ])
    #expect(try await c.solve(["bq", "pb<4"]) == ["bq": "3.25", "cc": "2.5", "core": "1.34", "status": "1.48", "pb": "3.20"])
  }

  @Test("an extra that names its own project's other extras, with a sibling that lags (dask[complete] and distributed): the project steps back, without walking every version of the sibling")
  func selfReferencingExtras() async throws {
    var dk: [String: [String]] = [:], dist: [String: [String]] = [:]
    for v in 1...50 { dk["\(v).0"] = ["[complete] dk[dist]", "[dist] dist==\(v).0"] }
    for v in 1...40 { dist["\(v).0"] = ["dk==\(v).0"] }
    let c = Catalogue(["dk": dk, "dist": dist])
    #expect(try await c.solve(["dk[complete]"]) == ["dk": "40.0", "dist": "40.0"])
    let asked = c.asked.withLock { $0.count }
    // About three lookups per version stepped back (the project and its two extras); walking the
    // extra's versions one by one against the decided project took half as many again.
    #expect(asked < 55, "\(asked) dependency lookups")
  }
}
