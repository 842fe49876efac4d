import Crypto

/// One file of a fixture project.
public struct FixtureFile: Sendable {
  public var filename: String
  public var contents: [UInt8]
  public var yanked: String?
  public var requiresPython: String?
  /// A digest to advertise instead of the real one (to test mismatches).
  public var advertisedSHA256: String?

  public init(filename: String, contents: [UInt8], yanked: String? = nil, requiresPython: String? = nil, advertisedSHA256: String? = nil) {
    self.filename = filename
    self.contents = contents
    self.yanked = yanked
    self.requiresPython = requiresPython
    self.advertisedSHA256 = advertisedSHA256
  }

  /// A real wheel for `project` `version` with `tag`.
  public static func wheel(_ project: String, _ version: String, tag: String = "py3-none-any", yanked: String? = nil, requiresPython: String? = nil) -> FixtureFile {
    FixtureFile(
      filename: "\(project.replacingDashes())-\(version)-\(tag).whl",
      contents: WheelBuilder.wheel(name: project, version: version, tag: tag), yanked: yanked, requiresPython: requiresPython)
  }

  public var sha256: String { SHA256.hash(data: contents).map { String($0, radix: 16).leftPad2() }.joined() }
}

extension String {
  func leftPad2() -> String { count == 1 ? "0" + self : self }
}

/// A project the fixture index serves.
public struct FixtureProject: Sendable {
  public var name: String
  public var files: [FixtureFile]
  public init(name: String, files: [FixtureFile]) {
    self.name = name
    self.files = files
  }
}

/// What the fixture answers when credentials are missing or wrong, as registries do.
public enum AuthFailure: String, Sendable, CaseIterable {
  /// 401 with `WWW-Authenticate: Basic` (pypiserver, Artifactory, Nexus, devpi).
  case challenge
  /// 404 as if the project did not exist (GitLab, CodeArtifact).
  case notFound
  /// 403 (Google Artifact Registry, Artifactory for anonymous users).
  case forbidden
  /// 200 with an HTML sign-in page (an SSO portal in front of the index).
  case loginPage
}

/// Basic credentials the fixture requires.
public struct FixtureAuth: Sendable {
  public var username: String
  public var password: String
  public var failure: AuthFailure
  /// Whether file downloads need the credentials too (index pages always do).
  public var protectFiles: Bool
  public init(username: String, password: String, failure: AuthFailure = .challenge, protectFiles: Bool = true) {
    self.username = username
    self.password = password
    self.failure = failure
    self.protectFiles = protectFiles
  }
}

/// Where a project's files live, relative to its page.
public enum FileHosting: String, Sendable, CaseIterable {
  /// `/simple/<project>/<file>`, linked relatively.
  case samePath
  /// `/files/<file>` on the same origin (another path: GitLab, Artifactory).
  case otherPath
  /// `/files/<file>` answers 302 to another origin with a presigned-style query (object storage).
  case otherOrigin
  /// `/files/<file>` sends half of the file, then stalls (to interrupt a download mid-body).
  case stalling
}

/// Everything that makes one fixture index behave as it does.
public struct FixtureProfile: Sendable {
  public var projects: [FixtureProject]
  public var auth: FixtureAuth?
  public var hosting: FileHosting
  /// Whether PEP 691 JSON is served to clients that prefer it.
  public var json: Bool
  /// A directory served as a static tree (`/simple/<name>/index.html` or `index.json`), for benchmarks.
  public var staticRoot: String?

  public init(projects: [FixtureProject] = [], auth: FixtureAuth? = nil, hosting: FileHosting = .otherPath, json: Bool = true, staticRoot: String? = nil) {
    self.projects = projects
    self.auth = auth
    self.hosting = hosting
    self.json = json
    self.staticRoot = staticRoot
  }

  /// The demo project: versions, a pre-release, a yanked version, a Requires-Python gate, and
  /// platform wheels, as pip's own anchor study uses.
  public static func demoProject() -> FixtureProject {
    FixtureProject(name: "demo-pkg", files: [
      .wheel("demo-pkg", "1.0.0"),
      .wheel("demo-pkg", "1.1.0"),
      .wheel("demo-pkg", "1.2.0", yanked: "broken build"),
      .wheel("demo-pkg", "1.3.0"),
      .wheel("demo-pkg", "1.5.0", tag: "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"),
      .wheel("demo-pkg", "1.6.0", tag: "cp312-cp312-win_amd64"),
      .wheel("demo-pkg", "1.9.0", requiresPython: ">=3.99"),
      .wheel("demo-pkg", "1.10.0"),
      .wheel("demo-pkg", "1.10.0", tag: "cp311-cp311-manylinux_2_17_x86_64"),
      .wheel("demo-pkg", "2.0.0rc1"),
      FixtureFile(filename: "demo_pkg-1.10.0.tar.gz", contents: Array("sdist of demo-pkg 1.10.0\n".utf8)),
    ])
  }

  /// Named profiles for `pyindex-fixture --profile`.
  public static let names = ["public", "protected", "gitlab", "artifact-registry", "storage-redirect", "login-page", "static"]

  /// A profile by name; `username`/`password` set the credentials of protected ones.
  public static func named(_ name: String, username: String, password: String, root: String?) -> FixtureProfile? {
    let demo = [demoProject()]
    switch name {
    case "public": return FixtureProfile(projects: demo)
    case "protected": return FixtureProfile(projects: demo, auth: FixtureAuth(username: username, password: password))
    case "gitlab": return FixtureProfile(projects: demo, auth: FixtureAuth(username: username, password: password, failure: .notFound))
    case "artifact-registry": return FixtureProfile(projects: demo, auth: FixtureAuth(username: username, password: password, failure: .forbidden))
    case "storage-redirect": return FixtureProfile(projects: demo, auth: FixtureAuth(username: username, password: password), hosting: .otherOrigin)
    case "login-page": return FixtureProfile(projects: demo, auth: FixtureAuth(username: username, password: password, failure: .loginPage))
    case "static": return FixtureProfile(staticRoot: root ?? ".")
    default: return nil
    }
  }
}
