import Foundation
import PyIndexFixtures
import Testing

/// `pyindex keyring` as the keyring program of pip and uv (`--keyring-provider subprocess`),
/// through the one-line wrapper the README gives: real installs from protected fixture
/// registries, and the secret nowhere in the installers' output.
@Suite("pyindex keyring: the credential helper of pip and uv")
struct InstallerEndToEndTests {
  static let uv: String? = {
    guard let p = ProcessInfo.processInfo.environment["PYINDEX_PEER_UV"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
    return p
  }()

  @Test func uvIsInstalledWhenRequired() {
    if ProcessInfo.processInfo.environment["PYINDEX_REQUIRE_PEERS"] == "1" {
      #expect(Self.uv != nil, "PYINDEX_PEER_UV must name a uv executable")
    }
  }

  /// A directory holding `keyring`, the wrapper the README gives.
  static func wrapper() throws -> String {
    let dir = try Harness.temporaryDirectory()
    let path = dir + "/keyring"
    try "#!/bin/sh\nexec '\(Harness.pyindex)' keyring \"$@\"\n".write(toFile: path, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    return dir
  }

  /// `pyindex keyring` prints a secret: that is its job, so it is run without the sweep.
  static func keyring(_ args: [String], environment: [String: String]) async throws -> Harness.Result {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    return try await Harness.execute(Harness.pyindex, ["keyring"] + args, environment: Harness.baseEnvironment(home: home).merging(environment) { $1 })
  }

  @Test("the three forms pip and uv use; nothing and exit 1 without an answer")
  func forms() async throws {
    let env = ["PYINDEX_INDEX_URL": "https://reg.example.com/simple/", "PYINDEX_USERNAME": "ci-user", "PYINDEX_PASSWORD": "kr-Secret-42"]
    let plain = try await Self.keyring(["get", "https://reg.example.com/simple/demo/", "ci-user"], environment: env)
    #expect(plain.status == 0)
    #expect(plain.stdout == "kr-Secret-42\n")
    let creds = try await Self.keyring(["--mode", "creds", "get", "reg.example.com"], environment: env)
    #expect(creds.stdout == "ci-user\nkr-Secret-42\n")
    let json = try await Self.keyring(["--mode=creds", "--output=json", "get", "https://reg.example.com/simple/"], environment: env)
    #expect(json.stdout == "{\"username\": \"ci-user\", \"password\": \"kr-Secret-42\"}\n")
    for args in [["get", "https://reg.example.com/simple/", "someone-else"], ["get", "https://other.example.com/simple/"], ["set", "https://reg.example.com/simple/", "ci-user"]] {
      let none = try await Self.keyring(args, environment: env)
      #expect(none.status == 1, "\(args)")
      #expect(none.stdout.isEmpty && none.stderr.isEmpty, "\(args): \(none.stdout)\(none.stderr)")
    }
    // netrc is a source too.
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "machine files.example.com login bot password netrc-Secret-9\n".write(toFile: home + "/netrc", atomically: true, encoding: .utf8)
    let netrc = try await Self.keyring(["get", "https://files.example.com/x/", "bot"], environment: ["NETRC": home + "/netrc"])
    #expect(netrc.stdout == "netrc-Secret-9\n")
  }

  enum Installer: String, CaseIterable { case pip, uv }

  /// pip asks a keyring only after a 401 (so not GitLab's 404 nor Artifact Registry's 403);
  /// uv asks before the first request when the URL names a user. Azure Artifacts is left out:
  /// uv 0.13 does not send the keyring's credentials to the files, which Azure serves from
  /// another path of the same host (it gets the sign-in redirect instead) — `pyindex serve`
  /// (issue #7) is the way there.
  @Test("pip and uv install from protected registries with pyindex as their keyring", arguments: [
    (Installer.pip, "protected"), (.pip, "pypiserver"), (.uv, "protected"), (.uv, "gitlab"), (.uv, "artifact-registry"),
  ])
  func install(_ installer: Installer, _ profileName: String) async throws {
    let tool: String
    switch installer {
    case .pip: tool = try #require(PeerTests.pip)
    case .uv: tool = try #require(Self.uv)
    }
    let profile = try #require(FixtureProfile.named(profileName))
    let account = try #require(profile.auth?.accounts.first)
    let user = account.sampleUser, password = account.password
    SecretSweep.register(user: user, password: password)
    let wrapper = try Self.wrapper()
    let home = try Harness.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(atPath: home)
      try? FileManager.default.removeItem(atPath: wrapper)
    }
    try await Harness.withIndex(profile) { index in
      let upstream = index.simpleURL
      let withUser = upstream.replacingOccurrences(of: "http://", with: "http://\(Harness.percentEncode(user))@")
      var env = Harness.baseEnvironment(home: home)
      env["PATH"] = wrapper + ":" + URL(fileURLWithPath: tool).deletingLastPathComponent().path + ":/usr/bin:/bin"
      env["PYINDEX_INDEX_URL"] = upstream
      env["PYINDEX_USERNAME"] = user
      env["PYINDEX_PASSWORD"] = password
      env["PIP_CONFIG_FILE"] = "/dev/null"
      env["PIP_NO_INPUT"] = "1"
      env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
      env["UV_NO_CONFIG"] = "1"
      env["UV_CACHE_DIR"] = home + "/uv-cache"
      let target = home + "/target"
      let args: [String]
      switch installer {
      case .pip: args = ["install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", upstream, "--keyring-provider", "subprocess"]
      case .uv: args = ["pip", "install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", withUser, "--keyring-provider", "subprocess"]
      }
      let r = try await Harness.execute(tool, args, environment: env)
      #expect(r.status == 0, "\(installer) from \(profileName): \(r.stdout)\n\(r.stderr)")
      #expect(FileManager.default.fileExists(atPath: target + "/demo_pkg/__init__.py"), "\(r.stdout)\n\(r.stderr)")
      for secret in Harness.secretForms(user: user, password: password) {
        #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "the secret in \(installer)'s output")
      }
    }
  }
}
