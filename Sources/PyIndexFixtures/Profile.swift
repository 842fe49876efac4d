import Crypto
import PyIndexSystem

/// One file of a fixture project.
public struct FixtureFile: Sendable {
  public var filename: String
  public var contents: [UInt8]
  public var yanked: String?
  public var requiresPython: String?
  /// A digest to advertise instead of the real one (to test mismatches), of ``hashName``.
  public var advertisedDigest: String?
  /// The algorithm of the digest the page gives: `sha256`, or `md5` as some older indexes do.
  public var hashName = "sha256"
  /// A wheel's `METADATA`, served as `<file>.metadata` (PEP 658) by profiles with
  /// ``FixtureProfile/coreMetadata``.
  public var metadata: [UInt8]?
  /// A metadata digest to advertise instead of the real one (to test mismatches).
  public var advertisedMetadataSHA256: String?
  /// PEP 700 `upload-time`, on JSON pages.
  public var uploadTime: String?
  /// PEP 740: the provenance URL (`data-provenance`, JSON `provenance`).
  public var provenance: String?

  /// This file with `upload-time` set.
  public func uploaded(_ time: String) -> FixtureFile {
    var f = self
    f.uploadTime = time
    return f
  }
  var metadataSHA256: String? { metadata.map { advertisedMetadataSHA256 ?? FixtureFile.sha256($0) } }

  public init(filename: String, contents: [UInt8], yanked: String? = nil, requiresPython: String? = nil, advertisedDigest: String? = nil, metadata: [UInt8]? = nil) {
    self.filename = filename
    self.contents = contents
    self.yanked = yanked
    self.requiresPython = requiresPython
    self.advertisedDigest = advertisedDigest
    self.metadata = metadata
  }

  /// A real wheel for `project` `version` with `tag`.
  /// `requires` become the wheel's `Requires-Dist` lines.
  /// `padding` adds that many bytes after `METADATA` (see ``WheelBuilder/wheel(name:version:tag:requires:padding:)``).
  public static func wheel(
    _ project: String, _ version: String, tag: String = "py3-none-any", yanked: String? = nil, requiresPython: String? = nil, requires: [String] = [], padding: Int = 0,
    lineEnding: String = "\n", undeclared: Set<String> = []
  ) -> FixtureFile {
    FixtureFile(
      filename: "\(project.replacingDashes())-\(version)-\(tag).whl",
      contents: WheelBuilder.wheel(name: project, version: version, tag: tag, requires: requires, padding: padding, lineEnding: lineEnding, undeclared: undeclared),
      yanked: yanked, requiresPython: requiresPython,
      metadata: WheelBuilder.metadata(name: project, version: version, requires: requires, lineEnding: lineEnding, undeclared: undeclared))
  }

  public var sha256: String { FixtureFile.sha256(contents) }

  /// What the page says of the file: `(hashName, digest)`.
  var advertised: (name: String, digest: String) {
    (hashName, advertisedDigest ?? (hashName == "md5" ? Insecure.MD5.hash(data: contents).map { String($0, radix: 16).leftPad2() }.joined() : sha256))
  }

  static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String($0, radix: 16).leftPad2() }.joined() }
}

extension String {
  func leftPad2() -> String { count == 1 ? "0" + self : self }
}

/// A project the fixture index serves.
public struct FixtureProject: Sendable {
  public var name: String
  public var files: [FixtureFile]
  /// PEP 792: the project's status (`archived`, `quarantined`, `deprecated`) and its reason.
  public var status: String?
  public var statusReason: String?
  public init(name: String, files: [FixtureFile], status: String? = nil, statusReason: String? = nil) {
    (self.name, self.files, self.status, self.statusReason) = (name, files, status, statusReason)
  }
}

/// What the fixture answers when credentials are missing or wrong, as registries do.
public enum AuthFailure: String, Sendable, CaseIterable {
  /// 401 with `WWW-Authenticate: Basic` (pypiserver, Artifactory, Nexus, devpi).
  case challenge
  /// 404 as if the project did not exist (GitLab, CodeArtifact).
  case notFound
  /// 403 (Google Artifact Registry, pypiserver for wrong credentials).
  case forbidden
  /// 200 with an HTML sign-in page (an SSO portal in front of the index).
  case loginPage
  /// 302 to a sign-in page on another origin (Azure Artifacts), which answers 200 HTML.
  case signInRedirect
  /// Pages answer 200 with only part of the files (Artifactory for anonymous users); files 401.
  case partialListing
}

/// One pair of credentials a fixture accepts.
public struct FixtureAccount: Sendable {
  /// Which user names go with the password.
  public enum User: Sendable, Hashable {
    case exact(String)
    /// Any user name, empty included (GitLab access tokens).
    case any
    /// Any non-empty user name (Azure personal access tokens).
    case anyNonEmpty
  }
  public var user: User
  public var password: String
  /// What the credentials are, for `pyindex-fixture`'s listing ("deploy token").
  public var label: String

  public init(user: User, password: String, label: String = "credentials") {
    self.user = user
    self.password = password
    self.label = label
  }

  func accepts(username: String, password: String) -> Bool {
    guard password == self.password else { return false }
    switch user {
    case .exact(let u): return u == username
    case .any: return true
    case .anyNonEmpty: return !username.isEmpty
    }
  }

  /// A user name that works with this account (for listings).
  public var sampleUser: String {
    switch user {
    case .exact(let u): u
    case .any, .anyNonEmpty: "anyone"
    }
  }
}

/// Basic credentials the fixture requires, and how it refuses requests without them.
public struct FixtureAuth: Sendable {
  public var accounts: [FixtureAccount]
  /// The answer to a request with no `Authorization`.
  public var missing: AuthFailure
  /// The answer to credentials no account accepts.
  public var wrong: AuthFailure
  /// Whether file downloads need the credentials too (index pages always do).
  public var protectFiles: Bool

  public init(accounts: [FixtureAccount], missing: AuthFailure, wrong: AuthFailure, protectFiles: Bool = true) {
    self.accounts = accounts
    self.missing = missing
    self.wrong = wrong
    self.protectFiles = protectFiles
  }

  /// One user and password; `failure` answers both missing and wrong credentials.
  public init(username: String, password: String, failure: AuthFailure = .challenge, protectFiles: Bool = true) {
    self.init(accounts: [FixtureAccount(user: .exact(username), password: password)], missing: failure, wrong: failure, protectFiles: protectFiles)
  }

  /// The first account's user name and password.
  public var username: String { accounts.first?.sampleUser ?? "" }
  public var password: String { accounts.first?.password ?? "" }
}

/// Where a project's files live, relative to its page.
public enum FileHosting: String, Sendable, CaseIterable {
  /// `/simple/<project>/<file>`, linked relatively.
  case samePath
  /// Under the profile's files path on the same origin (another path: GitLab, Artifactory).
  case otherPath
  /// Under the files path, answering 302 to another origin with a presigned-style query
  /// (object storage).
  case otherOrigin
  /// Under the files path, sending half of the file, then stalling (to interrupt a download).
  case stalling
}

/// How a registry lays out its URLs.
public struct FixtureLayout: Sendable {
  /// The index path, `/simple/` by default; project pages are `<simplePath><name>/`.
  public var simplePath: String
  /// Where files live for hosting other than ``FileHosting/samePath``.
  public var filesPath: String
  /// GitLab puts each file under a directory named by its SHA-256.
  public var digestDirectory: Bool
  /// Links as absolute URLs (GitLab) rather than relative ones.
  public var absoluteLinks: Bool
  /// The query the storage origin's presigned URLs carry (S3 or Azure SAS style).
  public var storageQuery: String

  public init(simplePath: String = "/simple/", filesPath: String = "/files/", digestDirectory: Bool = false, absoluteLinks: Bool = false, storageQuery: String = FixtureLayout.s3Query) {
    self.simplePath = simplePath
    self.filesPath = filesPath
    self.digestDirectory = digestDirectory
    self.absoluteLinks = absoluteLinks
    self.storageQuery = storageQuery
  }

  public static let s3Query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=fixture0signature"
  public static let sasQuery = "sv=2021-08-06&se=2030-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=fixture0signature"
}

/// Everything that makes one fixture index behave as it does.
public struct FixtureProfile: Sendable {
  public var projects: [FixtureProject]
  public var auth: FixtureAuth?
  public var hosting: FileHosting
  public var layout: FixtureLayout
  /// Whether PEP 691 JSON is served to clients that prefer it.
  public var json: Bool
  /// A directory served as a static tree (`/simple/<name>/index.html` or `index.json`), for benchmarks.
  public var staticRoot: String?
  /// Whether pages advertise PEP 658/714 metadata (`data-core-metadata`, `core-metadata`) and
  /// `<file>.metadata` is served.
  public var coreMetadata = false
  /// Whether files honour `Range` requests (206 with `Content-Range`), as object stores and
  /// most registries do; without it, a `Range` header is ignored (200, the whole file).
  public var ranges = false
  /// `Cache-Control` sent with project pages (they always carry an `ETag` and answer a
  /// matching `If-None-Match` with 304).
  public var pageCacheControl: String?
  /// AWS's token endpoints on the same port (the `codeartifact` profile).
  public var aws: AWSTokenService?
  /// Google's token endpoints on the same port (the `google-token` profile).
  public var google: GoogleTokenService?
  /// Entra ID's endpoints on the same port (the `entra` profile).
  public var entra: EntraTokenService?
  /// The OIDC ID-token endpoint on the same port (`google-token`, `oidc-issuer`).
  public var issuer: OIDCIssuer?
  /// Every token service the fixture answers for besides the registry.
  var endpoints: [any FixtureEndpoints] { [aws as (any FixtureEndpoints)?, google, entra, issuer].compactMap { $0 } }

  public init(projects: [FixtureProject] = [], auth: FixtureAuth? = nil, hosting: FileHosting = .otherPath, layout: FixtureLayout = FixtureLayout(), json: Bool = true, staticRoot: String? = nil) {
    self.projects = projects
    self.auth = auth
    self.hosting = hosting
    self.layout = layout
    self.json = json
    self.staticRoot = staticRoot
  }

  /// Whether the profile needs the second, other-origin server (object storage, sign-in portal).
  var needsStorage: Bool { hosting == .otherOrigin || auth?.missing == .signInRedirect || auth?.wrong == .signInRedirect }

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
  public static let names = [
    "public", "protected", "pypiserver", "gitlab", "artifact-registry", "artifactory", "azure",
    "storage-redirect", "login-page", "static", "codeartifact", "google-token", "entra", "oidc-issuer",
  ]

  /// The host an Entra fixture's index stands in for (through the fixture proxy).
  public static let azureArtifactsHost = "pkgs.dev.azure.com"

  /// The host a Google fixture's index stands in for (through the fixture proxy).
  public static let artifactRegistryHost = "us-python.pkg.dev"

  /// The host a CodeArtifact fixture's index stands in for (through the fixture proxy).
  public static let codeArtifactHost = "demo-111122223333.d.codeartifact.us-east-1.amazonaws.com"

  /// A profile by name, with the credentials it accepts made up anew (random tokens shaped
  /// like the registry's); `credentials` replaces them with one user and password.
  public static func named(_ name: String, credentials: (username: String, password: String)? = nil, root: String? = nil) -> FixtureProfile? {
    let demo = [demoProject()]
    func one(_ label: String) -> [FixtureAccount] {
      [FixtureAccount(user: .exact(credentials?.username ?? "user"), password: credentials?.password ?? token(""), label: label)]
    }
    func accounts(_ made: [FixtureAccount]) -> [FixtureAccount] {
      credentials.map { [FixtureAccount(user: .exact($0.username), password: $0.password)] } ?? made
    }
    switch name {
    case "public": return FixtureProfile(projects: demo)
    case "protected":
      return FixtureProfile(projects: demo, auth: FixtureAuth(accounts: one("user and password"), missing: .challenge, wrong: .challenge))
    case "pypiserver":
      // pypiserver 2.x with htpasswd: 401 without credentials, 403 for wrong ones; files at /packages/.
      return FixtureProfile(
        projects: demo, auth: FixtureAuth(accounts: one("htpasswd user"), missing: .challenge, wrong: .forbidden),
        layout: FixtureLayout(filesPath: "/packages/"))
    case "gitlab":
      // A project-level GitLab PyPI registry: 404 for anyone without access; absolute file
      // links under /files/<sha256>/ that 302 to object storage.
      let made = [
        FixtureAccount(user: .exact("gitlab+deploy-token-7"), password: token("gldt-"), label: "deploy token"),
        FixtureAccount(user: .exact("gitlab-ci-token"), password: token("glcbt-64_"), label: "CI job token"),
        FixtureAccount(user: .any, password: token("glpat-"), label: "personal access token (any user name)"),
      ]
      return FixtureProfile(
        projects: demo, auth: FixtureAuth(accounts: accounts(made), missing: .notFound, wrong: .notFound), hosting: .otherOrigin,
        layout: FixtureLayout(simplePath: "/api/v4/projects/42/packages/pypi/simple/", filesPath: "/api/v4/projects/42/packages/pypi/files/", digestDirectory: true, absoluteLinks: true))
    case "artifact-registry":
      // Google Artifact Registry: 403 without credentials, 401 for wrong ones; files on the
      // same host outside the index path.
      let made = [
        FixtureAccount(user: .exact("_json_key_base64"), password: serviceAccountKeyBase64(), label: "service-account key, base64"),
        FixtureAccount(user: .exact("oauth2accesstoken"), password: token("ya29.a0"), label: "access token"),
      ]
      var all = accounts(made)
      if credentials == nil { all.append(FixtureAccount(user: .exact("_token"), password: made[1].password, label: "access token")) }
      return FixtureProfile(
        projects: demo, auth: FixtureAuth(accounts: all, missing: .forbidden, wrong: .challenge),
        layout: FixtureLayout(simplePath: "/demo-project/demo-repo/simple/", filesPath: "/demo-project/demo-repo/files/"))
    case "artifactory":
      // JFrog Artifactory: anonymous users get part of the listing; a token with an empty user.
      let made = [
        FixtureAccount(user: .exact("ci@example.com"), password: token("AKCp8"), label: "user (an e-mail) and API key"),
        FixtureAccount(user: .exact(""), password: jwtLike(), label: "access token, empty user name"),
      ]
      return FixtureProfile(
        projects: demo, auth: FixtureAuth(accounts: accounts(made), missing: .partialListing, wrong: .challenge),
        layout: FixtureLayout(simplePath: "/artifactory/api/pypi/pypi-local/simple/", filesPath: "/artifactory/api/pypi/pypi-local/packages/"))
    case "azure":
      // Azure Artifacts: a sign-in page without credentials, 401 for wrong ones; files on
      // another path of the host, redirected to blob storage with a SAS query.
      let made = [FixtureAccount(user: .anyNonEmpty, password: token(""), label: "personal access token (any non-empty user name)")]
      return FixtureProfile(
        projects: demo, auth: FixtureAuth(accounts: accounts(made), missing: .signInRedirect, wrong: .challenge), hosting: .otherOrigin,
        layout: FixtureLayout(
          simplePath: "/demo-org/_packaging/demo-feed/pypi/simple/", filesPath: "/demo-org/_packaging/5ad1e6cd-0b57-4d4e-bd1c-7f4c3e2a9b10/pypi/download/",
          storageQuery: FixtureLayout.sasQuery))
    case "storage-redirect":
      return FixtureProfile(projects: demo, auth: FixtureAuth(accounts: one("user and password"), missing: .challenge, wrong: .challenge), hosting: .otherOrigin)
    case "login-page":
      return FixtureProfile(projects: demo, auth: FixtureAuth(accounts: one("user and password"), missing: .loginPage, wrong: .loginPage))
    case "static": return FixtureProfile(staticRoot: root ?? ".")
    case "codeartifact":
      // AWS CodeArtifact: /pypi/REPO/simple/, only the authorization token the token API
      // issues (as `aws`), 401 otherwise; the token API and STS on the same port.
      let aws = AWSTokenService(accessKeyId: credentials?.username, secretAccessKey: credentials?.password)
      var p = FixtureProfile(
        projects: demo,
        auth: FixtureAuth(accounts: [FixtureAccount(user: .exact("aws"), password: aws.authorizationToken, label: "CodeArtifact authorization token")], missing: .challenge, wrong: .challenge),
        hosting: .samePath, layout: FixtureLayout(simplePath: "/pypi/demo-repo/simple/", filesPath: "/pypi/demo-repo/simple/"))
      p.aws = aws
      return p
    case "google-token":
      // Google Artifact Registry that accepts only the access tokens Google's endpoints (on
      // the same port) issue, as oauth2accesstoken: 403 without, 401 for wrong ones.
      guard let issuer = try? OIDCIssuer(), let google = try? GoogleTokenService(issuer: issuer) else { return nil }
      var p = FixtureProfile(
        projects: demo,
        auth: FixtureAuth(
          accounts: [
            FixtureAccount(user: .exact("oauth2accesstoken"), password: google.accessToken, label: "access token"),
            FixtureAccount(user: .exact("oauth2accesstoken"), password: google.federatedToken, label: "federated access token"),
          ], missing: .forbidden, wrong: .challenge),
        layout: FixtureLayout(simplePath: "/demo-project/demo-repo/simple/", filesPath: "/demo-project/demo-repo/files/"))
      p.google = google
      p.issuer = issuer
      return p
    case "entra":
      // Azure Artifacts that accepts only the access token Entra ID's endpoints (on the same
      // port) issue, as the password of any user; 401 without credentials or with wrong ones.
      guard let issuer = try? OIDCIssuer(), let entra = try? EntraTokenService(issuer: issuer) else { return nil }
      var p = FixtureProfile(
        projects: demo,
        auth: FixtureAuth(
          accounts: [FixtureAccount(user: .anyNonEmpty, password: entra.accessToken, label: "Entra ID access token (any non-empty user name)")], missing: .challenge,
          wrong: .challenge),
        layout: FixtureLayout(simplePath: "/demo-org/_packaging/demo-feed/pypi/simple/", filesPath: "/demo-org/_packaging/5ad1e6cd-0b57-4d4e-bd1c-7f4c3e2a9b10/pypi/download/"))
      p.entra = entra
      p.issuer = issuer
      return p
    case "oidc-issuer":
      // Only the GitHub-style ID-token endpoint (and an empty index).
      guard let issuer = try? OIDCIssuer() else { return nil }
      var p = FixtureProfile()
      p.issuer = issuer
      return p
    default: return nil
    }
  }

  /// A random token with `prefix`, URL-safe characters.
  static func token(_ prefix: String, length: Int = 24) -> String {
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    var rng = SystemRandomNumberGenerator()
    return prefix + String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
  }

  /// A made-up JWT (header, payload with an expiry an hour from now, signature).
  static func jwtLike() -> String {
    func b64url(_ s: String) -> String {
      FixtureRouter.base64(Array(s.utf8)).replacingOccurrences("+", "-").replacingOccurrences("/", "_").replacingOccurrences("=", "")
    }
    let exp = Int(Clock.now()) + 3600
    return b64url(#"{"alg":"RS256","typ":"JWT"}"#) + "." + b64url("{\"sub\":\"ci\",\"exp\":\(exp)}") + "." + token("", length: 43)
  }

  /// A made-up service-account key, base64 (standard alphabet, so it may hold `/`, `+`, `=`).
  public static func serviceAccountKeyBase64() -> String {
    let json = """
      {"type": "service_account", "project_id": "demo-project", "private_key_id": "\(token("", length: 16))", "private_key": "-----BEGIN PRIVATE KEY-----\\n\(token("MIIEv", length: 40))\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@demo-project.iam.gserviceaccount.com"}
      """
    return FixtureRouter.base64(Array(json.utf8))
  }
}

/// Seconds since 1970.
enum Clock {
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec)
  }
}
