import Foundation
import PyIndexFixtures
import Testing

/// `--dry-run` and `--report`: what a run would download, in pip's installation-report format.
@Suite("download --dry-run --report")
struct ReportEndToEndTests {
  /// The entries of a report: name, version, file URL, sha256, requested, is_direct.
  static func entries(_ json: String) throws -> Set<[String]> {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["version"] as? String == "1")
    let install = try #require(object["install"] as? [[String: Any]])
    return Set(install.map { i in
      let info = i["download_info"] as? [String: Any]
      let archive = info?["archive_info"] as? [String: Any]
      let metadata = i["metadata"] as? [String: Any]
      return [
        metadata?["name"] as? String ?? "", metadata?["version"] as? String ?? "", info?["url"] as? String ?? "",
        (archive?["hashes"] as? [String: String])?["sha256"] ?? "", "\(i["requested"] as? Bool ?? false)", "\(i["is_direct"] as? Bool ?? true)",
      ]
    })
  }

  /// Each entry's `metadata` object, by project name, as JSON with sorted keys.
  static func metadata(_ json: String) throws -> [String: String] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let install = try #require(object["install"] as? [[String: Any]])
    var out: [String: String] = [:]
    for i in install {
      let m = try #require(i["metadata"] as? [String: Any])
      let data = try JSONSerialization.data(withJSONObject: m, options: [.sortedKeys])
      out[m["name"] as? String ?? ""] = String(decoding: data, as: UTF8.self)
    }
    return out
  }

  @Test("the closure's report equals pip install --dry-run --ignore-installed --report; nothing is written to DEST, no whole file fetched")
  func sameAsPip() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let dest = dir + "/wheelhouse"
    // PEP 658 metadata: the closure is known without any whole file.
    var profile = ResolverEndToEndTests.profile
    profile.coreMetadata = true
    let requirements = ["lib-a", "lib-b"]
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "-d", dest, "-i", index.simpleURL, "--dry-run", "--report", "-"] + requirements + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dest), "--dry-run created DEST")
      let ours = try Self.entries(r.stdout)
      #expect(ours.map { $0[0] + " " + $0[1] }.sorted() == ["lib-a 2.0", "lib-b 1.0", "lib-d 1.5"], "\(ours)")
      #expect(ours.filter { $0[4] == "true" }.map { $0[0] }.sorted() == ["lib-a", "lib-b"])
      let wholeFiles = index.requests.filter { $0.path.hasSuffix(".whl") && $0.header("Range") == nil }
      #expect(wholeFiles.isEmpty, "a dry run fetched whole files: \(wholeFiles.map(\.path))")
      if PeerTests.pip != nil {
        let p = try await PeerTests.runPip(
          ["install", "--dry-run", "--ignore-installed", "--report", dir + "/pip.json", "-q", "-i", index.simpleURL] + requirements + ResolverEndToEndTests.target, home: dir)
        #expect(p.status == 0, "\(p.stderr)")
        let pips = try Self.entries(String(contentsOfFile: dir + "/pip.json", encoding: .utf8))
        #expect(pips == ours, "pip only: \(pips.subtracting(ours)); pyindex only: \(ours.subtracting(pips))")
        // The whole core metadata in pip's JSON form: summary, keywords, classifiers, project
        // URLs, extras, requirements and the description.
        let pipMetadata = try Self.metadata(String(contentsOfFile: dir + "/pip.json", encoding: .utf8))
        let ourMetadata = try Self.metadata(r.stdout)
        #expect(ourMetadata == pipMetadata, "pip: \(pipMetadata)\npyindex: \(ourMetadata)")
        #expect(ourMetadata["lib-a"]?.contains("\"classifier\":[") == true)
      }
      // Into a file, with the files downloaded this time: the same choices.
      let written = try await Harness.run(["download", "-d", dest, "-i", index.simpleURL, "--report", dir + "/ours.json", "-q"] + requirements + ResolverEndToEndTests.target)
      #expect(written.status == 0, "\(written.stderr)")
      #expect(try Self.entries(String(contentsOfFile: dir + "/ours.json", encoding: .utf8)) == ours)
      #expect(Harness.files(in: dest).count == 3)
    }
  }

  @Test("--no-deps --dry-run --report: the metadata comes from the index's metadata file, no file is fetched; as pip writes it")
  func metadataWithoutDependencies() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var profile = ResolverEndToEndTests.profile
    profile.coreMetadata = true
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "lib-a", "--no-deps", "--dry-run", "--report", "-", "-d", dir + "/d", "-i", index.simpleURL] + ResolverEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      let ours = try Self.metadata(r.stdout)
      #expect(ours["lib-a"]?.contains("\"requires_dist\":[\"lib-d<2\"]") == true, "\(ours)")
      #expect(index.requests.filter { $0.path.hasSuffix(".whl") }.isEmpty, "a whole file was fetched")
      if PeerTests.pip != nil {
        let p = try await PeerTests.runPip(
          ["install", "lib-a", "--no-deps", "--dry-run", "--ignore-installed", "--report", dir + "/pip.json", "-q", "-i", index.simpleURL] + ResolverEndToEndTests.target, home: dir)
        #expect(p.status == 0, "\(p.stderr)")
        #expect(try Self.metadata(String(contentsOfFile: dir + "/pip.json", encoding: .utf8)) == ours)
      }
    }
  }

  @Test("an extra the metadata does not declare is ignored with pip's warning; requested_extras and is_yanked as pip writes them")
  func extrasAndYanked() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var profile = FixtureProfile(projects: [
      FixtureProject(name: "ex-app", files: [.wheel("ex-app", "1.0", yanked: "broken", requires: ["ex-lib[fast,nope]"])]),
      FixtureProject(name: "ex-lib", files: [.wheel("ex-lib", "1.0", requires: ["ex-speed ; extra == 'fast'", "ex-never ; extra == 'nope'"], undeclared: ["nope"])]),
      FixtureProject(name: "ex-speed", files: [.wheel("ex-speed", "1.0")]),
      FixtureProject(name: "ex-never", files: [.wheel("ex-never", "1.0")]),
    ])
    profile.coreMetadata = true
    try await Harness.withIndex(profile) { index in
      let args = ["ex-app[Extra_One]==1.0", "-i", index.simpleURL] + ResolverEndToEndTests.target
      let r = try await Harness.run(["download", "-d", dir + "/d", "--dry-run", "--report", "-"] + args)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("warning: ex-lib 1.0 does not provide the extra 'nope'"), "\(r.stderr)")
      #expect(r.stderr.contains("warning: ex-app 1.0 does not provide the extra 'extra-one'"), "\(r.stderr)")
      let ours = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
      let install = try #require(ours["install"] as? [[String: Any]])
      let names = install.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }.sorted()
      #expect(names == ["ex-app", "ex-lib", "ex-speed"], "\(names)")
      let app = try #require(install.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "ex-app" })
      #expect(app["requested_extras"] as? [String] == ["extra-one"])
      #expect(app["is_yanked"] as? Bool == true)
      #expect(install.filter { $0["requested_extras"] != nil }.count == 1)
      if PeerTests.pip != nil {
        let p = try await PeerTests.runPip(["install", "--dry-run", "--ignore-installed", "--report", dir + "/pip.json", "-q"] + args, home: dir)
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stderr.contains("ex-lib 1.0 does not provide the extra 'nope'"), "\(p.stderr)")
        let pips = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/pip.json"))) as? [String: Any])
        let pipInstall = try #require(pips["install"] as? [[String: Any]])
        #expect(pipInstall.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }.sorted() == names)
        let pipApp = try #require(pipInstall.first { ($0["metadata"] as? [String: Any])?["name"] as? String == "ex-app" })
        #expect(pipApp["is_yanked"] as? Bool == true)
        #expect((pipApp["requested_extras"] as? [String])?.map { $0.lowercased().replacingOccurrences(of: "_", with: "-") } == ["extra-one"], "\(pipApp["requested_extras"] ?? "none")")
      }
    }
  }

  @Test("a matrix's report names the targets each file serves")
  func matrixReport() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(MatrixEndToEndTests.profile) { index in
      let r = try await Harness.run(["download", "mx-app", "-d", dir + "/d", "-i", index.simpleURL, "--dry-run", "--report", "-"] + MatrixEndToEndTests.matrix)
      #expect(r.status == 0, "\(r.stderr)")
      let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
      let install = try #require(object["install"] as? [[String: Any]])
      #expect(install.count == 4)
      #expect(install.allSatisfy { ($0["targets"] as? [String])?.isEmpty == false })
      #expect(object["environment"] == nil)
    }
  }
}
