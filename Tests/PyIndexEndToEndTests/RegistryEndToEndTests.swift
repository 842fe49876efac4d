import Foundation
import PyIndexFixtures
import Testing

/// The registry profiles of the fixture server, each driven through the binary the way users
/// meet them: the right credentials of every kind, none, and the usual wrong ones.
@Suite("registries, end to end")
struct RegistryEndToEndTests {
  static let listing = AuthEndToEndTests.listing
  static let target = ["--platform", "any", "--python-version", "3.12", "--implementation", "py", "--abi", "none"]

  static func account(_ profile: FixtureProfile, _ label: String) throws -> FixtureAccount {
    try #require(profile.auth?.accounts.first { $0.label.hasPrefix(label) })
  }

  static func hostPort(_ index: FixtureIndex) -> String { "127.0.0.1:\(index.server.port)" }

  // MARK: GitLab

  @Test("GitLab: deploy, job and access tokens list and download; files come from object storage without Authorization", arguments: ["deploy token", "CI job token", "personal access token"])
  func gitlabTokens(_ label: String) async throws {
    let profile = try #require(FixtureProfile.named("gitlab"))
    let account = try Self.account(profile, label)
    try await Harness.withIndex(profile) { index in
      let user = account.sampleUser
      let versions = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PYINDEX_USERNAME": user, "PYINDEX_PASSWORD": account.password])
      #expect(versions.status == 0, "\(versions.stderr)")
      #expect(versions.stdout == Self.listing)
      #expect(!versions.stderr.contains("warning:"), "\(versions.stderr)")
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      index.server.clearRequests()
      let url = "http://\(Harness.percentEncode(user)):\(Harness.percentEncode(account.password))@\(Self.hostPort(index))/api/v4/projects/42/packages/pypi/simple/"
      let download = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", url, "-v"] + Self.target)
      #expect(download.status == 0, "\(download.stderr)")
      #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"])
      let fileRequest = try #require(index.server.requests.first { $0.path.contains("/packages/pypi/files/") })
      #expect(fileRequest.header("Authorization") == Harness.basic(user, account.password))
      #expect(index.storage?.requests.count == 1)
      #expect(index.storage?.requests.first?.header("Authorization") == nil)
      #expect(download.stderr.contains("(credentials dropped: other origin)"))
      #expect(download.stderr.contains("X-Amz-Signature=****"))
    }
  }

  @Test("GitLab CI: the job token is minted for the job's own GitLab with nothing else configured; named, never shown; --credential-provider none turns it off")
  func gitlabJobTokenMinted() async throws {
    let profile = try #require(FixtureProfile.named("gitlab"))
    let token = try Self.account(profile, "CI job token").password
    try await Harness.withIndex(profile) { index in
      let ci = ["CI_JOB_TOKEN": token, "CI_SERVER_URL": "http://127.0.0.1:\(index.server.port)"]
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let download = try await Harness.run(
        ["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", index.simpleURL, "-v"] + Self.target, environment: ci, secrets: Harness.secretForms(user: "gitlab-ci-token", password: token))
      #expect(download.status == 0, "\(download.stderr)")
      #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"])
      #expect(download.stderr.contains("credentials: minted (GitLab CI job token for gitlab-ci-token on 127.0.0.1, user \"gitlab-ci-token\", \(token.count)-character password), Authorization sent → 200"), "\(download.stderr)")
      let fileRequest = try #require(index.server.requests.first { $0.path.contains("/packages/pypi/files/") })
      #expect(fileRequest.header("Authorization") == Harness.basic("gitlab-ci-token", token))
      #expect(index.storage?.requests.first?.header("Authorization") == nil)
      let check = try await Harness.run(["auth", "check", "--json", "-i", index.simpleURL], environment: ci, secrets: [token])
      #expect(check.status == 0, "\(check.stderr)")
      #expect(check.stdout.contains("\"credential_source\": \"minted\""), "\(check.stdout)")
      #expect(check.stdout.contains("minted from this machine's identity (GitLab CI job token for gitlab-ci-token on 127.0.0.1)"), "\(check.stdout)")
      // pip and uv get it through `pyindex keyring` (which prints the password by design: run
      // outside the secret sweep), for the index's URL and for its host.
      let home = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: home) }
      let keyringEnv = Harness.baseEnvironment(home: home).merging(ci) { $1 }
      let key = try await Harness.execute(Harness.pyindex, ["keyring", "-i", index.simpleURL, "get", index.simpleURL, "gitlab-ci-token"], environment: keyringEnv)
      #expect(key.status == 0, "\(key.stderr)")
      #expect(key.stdout == token + "\n")
      let creds = try await Harness.execute(
        Harness.pyindex, ["keyring", "-i", index.simpleURL, "--mode", "creds", "--output", "json", "get", index.simpleURL], environment: keyringEnv)
      #expect(creds.stdout.contains("\"username\": \"gitlab-ci-token\""), "\(creds.stdout)")
      // Bazel's credential helper: the Authorization header for a file URL of the index's
      // origin, {} for any other origin; a request that is not JSON is a usage error.
      func helper(_ request: String) async throws -> Harness.Result {
        try await Harness.execute(
          "/bin/sh", ["-c", "printf '%s' \"$1\" | \"$2\" auth helper --protocol bazel get -i \"$3\"", "sh", request, Harness.pyindex, index.simpleURL],
          environment: keyringEnv)
      }
      let fileURL = "http://127.0.0.1:\(index.server.port)/api/v4/projects/42/packages/pypi/files/x/demo_pkg-1.3.0-py3-none-any.whl"
      let answer = try await helper("{\"uri\": \"\(fileURL)\"}")
      #expect(answer.status == 0, "\(answer.stderr)")
      #expect(answer.stdout == "{\"headers\": {\"Authorization\": [\"\(Harness.basic("gitlab-ci-token", token))\"]}}\n")
      let other = try await helper("{\"uri\": \"https://pypi.org/simple/demo-pkg/\"}")
      #expect(other.status == 0 && other.stdout == "{}\n", "\(other.stdout)")
      let bad = try await helper("not json")
      #expect(bad.status == 64)
      #expect(bad.stderr.contains("is not {\"uri\""), "\(bad.stderr)")
      // Off: the registry's 404 without credentials; another GitLab: nothing minted either.
      let off = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--credential-provider", "none"], environment: ci, secrets: [token])
      #expect(off.status == 1)
      #expect(off.stderr.contains("no credentials were sent"), "\(off.stderr)")
      let variable = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ci.merging(["PYINDEX_CREDENTIAL_PROVIDER": "none"]) { $1 }, secrets: [token])
      #expect(variable.status == 1)
      let elsewhere = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["CI_JOB_TOKEN": token, "CI_SERVER_HOST": "gitlab.example.com"], secrets: [token])
      #expect(elsewhere.status == 1)
      #expect(!index.server.requests.suffix(2).contains { $0.header("Authorization") != nil })
    }
  }

  @Test("GitLab: a deploy token under another user name gets a 404, a warning and a hint that say why")
  func gitlabDeployTokenWrongUser() async throws {
    let profile = try #require(FixtureProfile.named("gitlab"))
    let token = try Self.account(profile, "deploy token").password
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["PYINDEX_USERNAME": "deploy-bot", "PYINDEX_PASSWORD": token])
      #expect(r.status == 1)
      #expect(r.stderr.contains("warning: PYINDEX_USERNAME/PYINDEX_PASSWORD: the password looks like a GitLab deploy token (gldt-), but the user name is not gitlab+deploy-token-N"))
      #expect(r.stderr.contains("credentials: env (user \"deploy-bot\", \(token.count)-character password), Authorization sent → 404"))
      #expect(r.stderr.contains("error: No matching distribution found for demo-pkg"))
      #expect(r.stderr.contains("hint: the warning above names what looks wrong with the credentials; searched"))
      #expect(r.stderr.contains("deploy tokens: gitlab+deploy-token-N"))
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(none.status == 1)
      #expect(none.stderr.contains("no credentials were sent"))
    }
  }

  // MARK: Google Artifact Registry

  @Test("Artifact Registry: a base64 key, percent-encoded in the URL or raw in the environment, and access tokens under both user names")
  func artifactRegistryKinds() async throws {
    let profile = try #require(FixtureProfile.named("artifact-registry"))
    let key = try Self.account(profile, "service-account key").password
    let token = try Self.account(profile, "access token").password
    try await Harness.withIndex(profile) { index in
      let encoded = "http://_json_key_base64:\(Harness.percentEncode(key))@\(Self.hostPort(index))/demo-project/demo-repo/simple/"
      for run in [
        try await Harness.run(["index", "versions", "demo-pkg", "-i", encoded]),
        try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PYINDEX_USERNAME": "_json_key_base64", "PYINDEX_PASSWORD": key]),
        try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PYINDEX_USERNAME": "oauth2accesstoken", "PYINDEX_PASSWORD": token]),
        try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PYINDEX_USERNAME": "_token", "PYINDEX_PASSWORD": token]),
      ] {
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == Self.listing)
        #expect(run.stderr.isEmpty, "\(run.stderr)")
      }
      // Files live outside the index path on the same host; they get the index credentials.
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      index.server.clearRequests()
      let d = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", encoded] + Self.target)
      #expect(d.status == 0, "\(d.stderr)")
      let file = try #require(index.server.requests.first { $0.path.hasPrefix("/demo-project/demo-repo/files/") })
      #expect(file.header("Authorization") == Harness.basic("_json_key_base64", key))
    }
  }

  @Test("Artifact Registry: a malformed key is named step by step, never shown, and the 401 says which user names work", arguments: [
    ("not-base64!" + String(repeating: "x", count: 30), "is not base64: character 11 of 41"),
    ("double", "was base64-encoded twice"),
    ("wrapped", "has whitespace inside"),
  ])
  func artifactRegistryMalformedKey(_ kind: String, _ expected: String) async throws {
    let profile = try #require(FixtureProfile.named("artifact-registry"))
    let key = try Self.account(profile, "service-account key").password
    let bad: String
    switch kind {
    case "double": bad = Data(key.utf8).base64EncodedString()
    case "wrapped": bad = String(key.prefix(60)) + "\n" + String(key.dropFirst(60))
    default: bad = kind
    }
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"],
        environment: ["PYINDEX_USERNAME": "_json_key_base64", "PYINDEX_PASSWORD": bad], secrets: [bad, key])
      #expect(r.status == 2)
      #expect(r.stderr.contains("warning: PYINDEX_USERNAME/PYINDEX_PASSWORD: "), "\(r.stderr)")
      #expect(r.stderr.contains(expected), "\(r.stderr)")
      #expect(r.stderr.contains("error: HTTP 401 Unauthorized from"))
      #expect(r.stderr.contains("hint: the warning above names what looks wrong with the credentials; the credentials in PYINDEX_USERNAME/PYINDEX_PASSWORD were refused"))
      #expect(r.stderr.contains("Artifact Registry: _json_key_base64 or oauth2accesstoken"))
    }
  }

  @Test("Artifact Registry: 403 without credentials; an expired access token is called expired")
  func artifactRegistryMissingAndExpired() async throws {
    let profile = try #require(FixtureProfile.named("artifact-registry"))
    try await Harness.withIndex(profile) { index in
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(none.status == 2)
      #expect(none.stderr.contains("error: HTTP 403 Forbidden"))
      #expect(none.stderr.contains("hint: no credentials were sent"))
      func b64url(_ s: String) -> String {
        Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
      }
      let expired = b64url(#"{"alg":"RS256"}"#) + "." + b64url(#"{"exp":1700000000}"#) + ".c2lnbmF0dXJlLXNpZw"
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PYINDEX_USERNAME": "oauth2accesstoken", "PYINDEX_PASSWORD": expired], secrets: [expired])
      #expect(r.status == 2)
      #expect(r.stderr.contains("the token expired at 2023-11-14 22:13 UTC"))
    }
  }

  // MARK: Artifactory

  @Test("Artifactory: anonymous users see part of the listing; an e-mail user and an empty-user token see all of it")
  func artifactory() async throws {
    let profile = try #require(FixtureProfile.named("artifactory"))
    let email = try Self.account(profile, "user (an e-mail)")
    let token = try Self.account(profile, "access token").password
    try await Harness.withIndex(profile) { index in
      let anonymous = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(anonymous.status == 0)
      #expect(anonymous.stdout == "demo-pkg (1.1.0)\nAvailable versions: 1.1.0, 1.0.0\n")
      let path = "/artifactory/api/pypi/pypi-local/simple/"
      let withEmail = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://ci%40example.com:\(Harness.percentEncode(email.password))@\(Self.hostPort(index))\(path)"])
      #expect(withEmail.stdout == Self.listing)
      #expect(withEmail.stderr.isEmpty, "\(withEmail.stderr)")
      let withToken = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://:\(token)@\(Self.hostPort(index))\(path)", "-v"])
      #expect(withToken.stdout == Self.listing)
      #expect(withToken.stderr.contains("credentials: url (empty user, \(token.count)-character password), Authorization sent → 200"))
      #expect(index.server.requests.last?.header("Authorization") == Harness.basic("", token))
    }
  }

  // MARK: Azure Artifacts

  @Test("Azure Artifacts: a sign-in page without credentials; a PAT with any user name; files on another path, then blob storage")
  func azure() async throws {
    let profile = try #require(FixtureProfile.named("azure"))
    let pat = try Self.account(profile, "personal access token").password
    try await Harness.withIndex(profile) { index in
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"])
      #expect(none.status == 2)
      #expect(none.stderr.contains("answered with a sign-in page instead of a package index"), "\(none.stderr)")
      #expect(none.stderr.contains("/_signin?realm=****&reply_to=****"), "every query value is masked: \(none.stderr)")
      let emptyUser = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://:\(pat)@\(Self.hostPort(index))/demo-org/_packaging/demo-feed/pypi/simple/"])
      #expect(emptyUser.status == 2)
      #expect(emptyUser.stderr.contains("error: HTTP 401 Unauthorized"), "\(emptyUser.stderr)")
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      index.server.clearRequests()
      let url = "http://build:\(pat)@\(Self.hostPort(index))/demo-org/_packaging/demo-feed/pypi/simple/"
      let d = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", url, "-v"] + Self.target)
      #expect(d.status == 0, "\(d.stderr)")
      let file = try #require(index.server.requests.first { $0.path.contains("/pypi/download/") })
      #expect(file.header("Authorization") == Harness.basic("build", pat))
      #expect(index.storage?.requests.last?.header("Authorization") == nil)
      #expect(d.stderr.contains("sig=****"))
    }
  }

  // MARK: pypiserver

  @Test("pypiserver-like: 401 without credentials, 403 for wrong ones, each with its hint")
  func pypiserverProfile() async throws {
    let profile = try #require(FixtureProfile.named("pypiserver"))
    let pw = try Self.account(profile, "htpasswd").password
    try await Harness.withIndex(profile) { index in
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(none.status == 2)
      #expect(none.stderr.contains("HTTP 401 Unauthorized"))
      let wrong = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "user", password: "not-the-password")], secrets: ["not-the-password"])
      #expect(wrong.status == 2)
      #expect(wrong.stderr.contains("HTTP 403 Forbidden"))
      #expect(wrong.stderr.contains("the server does not know this user or password"))
      let right = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "user", password: pw)])
      #expect(right.stdout == Self.listing)
    }
  }
}

/// `--keyring-provider subprocess` with a `keyring` program written by the test.
@Suite("keyring and netrc, end to end")
struct KeyringEndToEndTests {
  /// A `keyring` that logs its arguments and knows one service, user and password.
  static func fakeKeyring(in dir: String) throws {
    let script = """
      #!/bin/sh
      echo "$*" >> "$KEYRING_LOG"
      if [ "$1" = "--mode=creds" ]; then
        [ "$4" = "$KEYRING_SERVICE" ] && printf '{"username": "%s", "password": "%s"}\\n' "$KEYRING_USER" "$KEYRING_PASSWORD" && exit 0
        exit 1
      fi
      [ "$2" = "$KEYRING_SERVICE" ] && [ "$3" = "$KEYRING_USER" ] && printf '%s\\n' "$KEYRING_PASSWORD" && exit 0
      exit 1
      """
    try script.write(toFile: dir + "/keyring", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/keyring")
  }

  @Test("a user name in the URL: keyring get URL USER, asked once for the page and the file", arguments: [true, false])
  func keyringWithAndWithoutUser(userInURL: Bool) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.fakeKeyring(in: dir)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "kr-user", password: "keyring-pw-7"))) { index in
      let url = userInURL ? "http://kr-user@127.0.0.1:\(index.server.port)/simple/" : index.simpleURL
      let env = [
        "PATH": dir + ":/usr/bin:/bin", "KEYRING_LOG": dir + "/log", "KEYRING_SERVICE": index.simpleURL,
        "KEYRING_USER": "kr-user", "KEYRING_PASSWORD": "keyring-pw-7",
      ]
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let r = try await Harness.run(
        ["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", url, "--keyring-provider", "subprocess", "-v"] + RegistryEndToEndTests.target,
        environment: env, secrets: ["keyring-pw-7"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("credentials: keyring (user \"kr-user\", 12-character password), Authorization sent → 200"))
      #expect(index.requests.allSatisfy { $0.header("Authorization") == Harness.basic("kr-user", "keyring-pw-7") })
      let log = try String(contentsOfFile: dir + "/log", encoding: .utf8)
      #expect(log == (userInURL ? "get \(index.simpleURL) kr-user\n" : "--mode=creds --output=json get \(index.simpleURL)\n"))
    }
  }

  @Test("the keyring program's arguments never carry the index URL's query")
  func keyringArgvWithoutQuery() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.fakeKeyring(in: dir)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "kr-user", password: "keyring-pw-7"))) { index in
      let env = [
        "PATH": dir + ":/usr/bin:/bin", "KEYRING_LOG": dir + "/log", "KEYRING_SERVICE": index.simpleURL,
        "KEYRING_USER": "kr-user", "KEYRING_PASSWORD": "keyring-pw-7",
      ]
      let r = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", "http://kr-user@127.0.0.1:\(index.server.port)/simple/?token=Query-Secret-31337", "--keyring-provider", "subprocess"],
        environment: env, secrets: ["keyring-pw-7", "Query-Secret-31337"])
      #expect(r.status == 0, "\(r.stderr)")
      let log = try String(contentsOfFile: dir + "/log", encoding: .utf8)
      #expect(log == "get \(index.simpleURL) kr-user\n", "\(log)")
    }
  }

  @Test("keyring is off by default; a missing keyring program is one warning, and the request goes on")
  func keyringOffAndMissing() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try Self.fakeKeyring(in: dir)
    try await Harness.withIndex(.demo()) { index in
      let off = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["PATH": dir + ":/usr/bin:/bin", "KEYRING_LOG": dir + "/log"])
      #expect(off.status == 0)
      #expect(!FileManager.default.fileExists(atPath: dir + "/log"))
      let missing = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--keyring-provider", "subprocess"])
      #expect(missing.status == 0)
      #expect(missing.stderr == "warning: --keyring-provider subprocess: no keyring program on PATH (install it with: pipx install keyring, plus the backend your registry needs)\n")
      let bad = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--keyring-provider", "import"])
      #expect(bad.status == 64)
    }
  }

  @Test("netrc: the entry's login must match a user name the URL gives")
  func netrcLoginMustMatch() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "machine 127.0.0.1 login alice password alice-netrc-pw\n".write(toFile: dir + "/netrc", atomically: true, encoding: .utf8)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "alice", password: "alice-netrc-pw"))) { index in
      let alice = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://alice@127.0.0.1:\(index.server.port)/simple/", "-v"], environment: ["NETRC": dir + "/netrc"], secrets: ["alice-netrc-pw"])
      #expect(alice.status == 0)
      #expect(alice.stderr.contains("credentials: netrc (user \"alice\""))
      let bob = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://bob-token-1234@127.0.0.1:\(index.server.port)/simple/", "-v"], environment: ["NETRC": dir + "/netrc"], secrets: ["alice-netrc-pw", "bob-token-1234"])
      #expect(bob.status == 2)
      #expect(bob.stderr.contains("credentials: url (token as user name, 14 characters), Authorization sent → 401"))
      #expect(index.requests.last?.header("Authorization") == Harness.basic("bob-token-1234", ""))
    }
  }
}

/// The shipped fixture program, `pyindex fixture` (in the wheel) and `pyindex-fixture` (the
/// same under its own name): what users run to regression-test their setup.
@Suite("pyindex fixture, the program")
struct FixtureProgramTests {
  /// The program and the arguments before `--profile`: `pyindex fixture`, or `pyindex-fixture`.
  static func command(subcommand: Bool) -> (String, [String]) {
    subcommand ? (Harness.pyindex, ["fixture"]) : (URL(fileURLWithPath: Harness.pyindex).deletingLastPathComponent().path + "/pyindex-fixture", [])
  }

  /// Starts the program, reads its listing up to `lines` lines, runs `body`, stops it.
  static func withFixture(_ profile: String, subcommand: Bool = true, lines: Int, _ body: ([String]) async throws -> Void) async throws {
    let p = Process()
    let (executable, prefix) = command(subcommand: subcommand)
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = prefix + ["--profile", profile]
    p.environment = Harness.baseEnvironment(home: NSTemporaryDirectory())
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    let exited = AsyncStream<Void>.makeStream()
    p.terminationHandler = { _ in exited.continuation.finish() }
    let output = ChildOutput(out)
    try p.run()
    let ready = await output.wait(seconds: 30) { text, _ in text.filter { $0 == "\n" }.count >= lines }
    let listing = Array(output.text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).map(String.init))
    do {
      guard ready else { throw Harness.ServerDidNotStart(output: output.text) }
      try await body(listing)
    } catch { p.interrupt(); for await _ in exited.stream {}; throw error }
    p.interrupt()
    for await _ in exited.stream {}
    #expect(p.terminationStatus == 0)
  }

  @Test("--profile gitlab prints the index URL and three credentials that work", arguments: [true, false])
  func gitlabListing(subcommand: Bool) async throws {
    try await Self.withFixture("gitlab", subcommand: subcommand, lines: 4) { lines in
      let url = try #require(lines.first?.split(separator: " ").last.map(String.init))
      #expect(lines.first == "Serving on \(url)")
      #expect(url.hasSuffix("/api/v4/projects/42/packages/pypi/simple/"))
      #expect(lines.dropFirst().map { $0.prefix(while: { $0 != ":" }) } == ["credentials (deploy token)", "credentials (CI job token)", "credentials (personal access token (any user name))"])
      for line in lines.dropFirst() {
        let quoted = line.split(separator: "\"", omittingEmptySubsequences: false)
        let (user, password) = (String(quoted[1]), String(quoted[3]))
        SecretSweep.register(user: user, password: password)
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url], environment: ["PYINDEX_USERNAME": user, "PYINDEX_PASSWORD": password])
        #expect(r.status == 0, "\(line): \(r.stderr)")
        #expect(r.stdout == AuthEndToEndTests.listing)
      }
    }
  }
}
