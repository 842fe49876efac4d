import PyIndexAuth
@testable import PyIndexClient
import PyIndexModel
import Testing

/// `download`'s plan, built without a process or a request: requirements files read from a
/// table, merged under the command line, the target completed, markers applied.
@Suite("the download plan")
struct DownloadPlanTests {
  static let host = HostPython(version: [3, 11, 7], implementation: "cp", fullVersion: "3.11.7", platformTags: ["manylinux_2_36_x86_64", "linux_x86_64"])

  static func read(_ files: [String: String]) -> (String) throws -> String {
    { path in
      guard let text = files[path] else { throw RequirementsFile.ParseError.unreadable(path: path, reason: "no such file") }
      return text
    }
  }

  @Test("requirements files: lines, nested constraints, option lines under the command line's")
  func files() throws {
    var request = DownloadRequest()
    request.requirements = ["extra-pkg"]
    request.requirementFiles = ["dir/r.txt"]
    request.constraintFiles = ["c.txt"]
    request.onlyBinary = [":all:"]
    let table = [
      "dir/r.txt": "--index-url https://idx.example/simple/\n--pre\n-c inner.txt\napp==1.0 --hash=sha256:\(String(repeating: "a", count: 64))\nwin; sys_platform == 'win32'\n",
      "dir/inner.txt": "lib<3\n",
      "c.txt": "app<2\n",
    ]
    let plan = try DownloadPlan.make(request, environment: [:], read: Self.read(table)) { Self.host }
    #expect(plan.lines.map(\.requirement.text) == ["extra-pkg", "app==1.0"])
    #expect(plan.ignored.map(\.requirement.text) == ["win; sys_platform == 'win32'"])
    #expect(plan.options.constraints.map(\.requirement.text) == ["lib<3", "app<2"])
    #expect(plan.options.requireHashes)  // a --hash in a file implies --require-hashes, as in pip
    #expect(plan.options.prereleases)
    #expect(plan.fileOptions.indexURL == "https://idx.example/simple/")
    #expect(plan.options.formats.onlyBinary == [":all:"])
  }

  @Test("the target: flags where given, the host's python3 for the rest, its patch level kept")
  func target() throws {
    var request = DownloadRequest()
    request.requirements = ["x"]
    let plan = try DownloadPlan.make(request, environment: [:], read: Self.read([:])) { Self.host }
    #expect(plan.options.target.pythonVersion == [3, 11, 7])
    #expect(plan.options.target.platforms == Self.host.platformTags)
    #expect(plan.options.pythonFullVersion == "3.11.7")
    request.target = Target(platforms: ["win_amd64"], pythonVersion: [3, 12])
    let given = try DownloadPlan.make(request, environment: [:], read: Self.read([:])) { Issue.record("the host was asked"); return nil }
    #expect(given.options.target.platforms == ["win_amd64"])
    #expect(given.options.pythonFullVersion == nil)
  }

  @Test("usage errors before any request: no python3, no requirements, a bad line, a URL with a raw secret")
  func usage() throws {
    var request = DownloadRequest()
    request.requirements = ["x"]
    #expect(throws: ClientError.self) { try DownloadPlan.make(request, environment: [:], read: Self.read([:])) { nil } }
    request.requirements = []
    request.requirementFiles = ["empty.txt"]
    #expect(throws: ClientError.self) { try DownloadPlan.make(request, environment: [:], read: Self.read(["empty.txt": "# nothing\n"])) { Self.host } }
    request.requirementFiles = ["bad.txt"]
    #expect(throws: RequirementsFile.ParseError.self) { try DownloadPlan.make(request, environment: [:], read: Self.read(["bad.txt": "--bogus-option\n"])) { Self.host } }
    request.requirementFiles = []
    request.requirements = ["p @ https://u:pa/ss@h.example/p-1.0-py3-none-any.whl"]
    do {
      _ = try DownloadPlan.make(request, environment: [:], read: Self.read([:])) { Self.host }
      Issue.record("accepted")
    } catch let e as any PyIndexError {
      #expect(e.exitCode == 64)
      #expect(!e.description.contains("pa/ss"))
    }
  }
}
