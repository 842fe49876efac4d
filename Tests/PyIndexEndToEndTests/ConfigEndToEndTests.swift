import Foundation
import PyIndexFixtures
import Testing

/// pip's and uv's configuration, laid out as real files in a scrubbed HOME, XDG and
/// VIRTUAL_ENV (never the machine's own), against a protected fixture index that only the right
/// credentials open. Where pip reads the same files, the peer pip runs on them too and must pick
/// the same index.
@Suite("configuration files and variables, end to end")
struct ConfigEndToEndTests {
  static let user = "aws"
  static let right = "codeartifact-token-Right-0123456789"
  static let wrong = "codeartifact-token-Wrong-9876543210"

  /// A scratch machine: HOME, an XDG_CONFIG_DIRS directory, a virtualenv directory, and a cache
  /// directory (swept for secrets after every run; the configuration files hold them by design).
  struct Machine {
    let root: String
    var home: String { root + "/home" }
    var xdg: String { root + "/xdg" }
    var venv: String { root + "/venv" }

    init() throws {
      root = try Harness.temporaryDirectory()
      for d in [home, xdg, venv, root + "/cache"] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
    }

    func write(_ path: String, _ text: String) throws {
      try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The environment of a run on this machine: its HOME and XDG_CONFIG_DIRS, configuration
    /// files turned on (the harness turns them off), and `extra`.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
      ["HOME": home, "XDG_CONFIG_DIRS": xdg, "XDG_CACHE_HOME": root + "/cache", "PIP_CONFIG_FILE": "", "UV_NO_CONFIG": ""].merging(extra) { $1 }
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
  }

  static var secrets: [String] { Harness.secretForms(user: user, password: right) + Harness.secretForms(user: user, password: wrong) }

  static func withProtectedIndex(_ body: (FixtureIndex) async throws -> Void) async throws {
    SecretSweep.register(user: user, password: wrong)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: user, password: right, failure: .challenge)), body)
  }

  static func url(_ index: FixtureIndex, _ password: String) -> String { Harness.url(index, user: user, password: password) }

  /// One target for pip and pyindex alike (pip otherwise filters by its own interpreter).
  static let target = ["--python-version", "3.11", "--platform", "manylinux2014_x86_64", "--only-binary", ":all:", "--ignore-requires-python"]

  /// pip from `.venv` with this machine's files (not isolated), as a user runs it.
  static func pip(_ args: [String], _ machine: Machine, _ extra: [String: String] = [:]) async throws -> Harness.Result {
    let pip = try #require(PeerTests.pip)
    var env = Harness.baseEnvironment(home: machine.home).merging(machine.environment(extra)) { $1 }
    env["PATH"] = URL(fileURLWithPath: pip).deletingLastPathComponent().path + ":/usr/bin:/bin"
    env["PIP_NO_CACHE_DIR"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return try await Harness.execute(pip, args, environment: env)
  }

  /// The places of pip's files, lowest first, and whether the peer pip reads the same one
  /// (pip's site file is its own interpreter's, not `$VIRTUAL_ENV`'s).
  enum Place: String, CaseIterable {
    case global, legacyUser, user, site, configFile

    func path(_ m: Machine) -> String {
      switch self {
      case .global: m.xdg + "/pip/pip.conf"
      case .legacyUser: m.home + "/.pip/pip.conf"
      case .user: m.home + "/.config/pip/pip.conf"
      case .site: m.venv + "/pip.conf"
      case .configFile: m.root + "/ci/pip.conf"
      }
    }
    var pipReadsIt: Bool { self != .site }
  }

  @Test("each of pip's places wins over the ones before it, for pyindex and for pip", arguments: Place.allCases)
  func eachPlace(_ place: Place) async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      for lower in Place.allCases.prefix(while: { $0 != place }) {
        try m.write(lower.path(m), "[global]\nindex-url = \(Self.url(index, Self.wrong))\n")
      }
      try m.write(place.path(m), "# written by aws codeartifact login --tool pip\n[global]\nindex-url = \(Self.url(index, Self.right))\n")
      let env = m.environment(["VIRTUAL_ENV": m.venv, "PIP_CONFIG_FILE": place == .configFile ? Place.configFile.path(m) : ""])
      let r = try await Harness.run(["index", "versions", "demo-pkg"] + Self.target, environment: env, secrets: Self.secrets)
      #expect(r.status == 0, "\(r.stderr)")
      let config = try await Harness.run(["config", "--json"], environment: env, secrets: Self.secrets)
      let object = try #require(try JSONSerialization.jsonObject(with: Data(config.stdout.utf8)) as? [String: Any])
      let first = try #require((object["indexes"] as? [[String: Any]])?.first)
      #expect((first["source"] as? [String: String])?["name"] == place.path(m) + ":3")
      #expect((first["url"] as? String)?.contains("aws:****@127.0.0.1") == true)
      #expect(first["credential_source"] as? String == "url")
      if place.pipReadsIt, PeerTests.pip != nil {
        let p = try await Self.pip(["index", "versions", "demo-pkg"] + Self.target, m, ["PIP_CONFIG_FILE": env["PIP_CONFIG_FILE"] ?? ""])
        #expect(p.status == 0, "\(p.stderr)")
        #expect(p.stdout == r.stdout)
      }
    }
  }

  @Test("PIP_CONFIG_FILE naming a file skips the user's files, as pip does; /dev/null turns every file off")
  func configFileSkipsUserFiles() async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      try m.write(Place.global.path(m), "[global]\nindex-url = \(Self.url(index, Self.right))\n")
      try m.write(Place.user.path(m), "[global]\nindex-url = \(Self.url(index, Self.wrong))\n")
      try m.write(Place.configFile.path(m), "[global]\ntimeout = 30\n")
      let env = m.environment(["PIP_CONFIG_FILE": Place.configFile.path(m)])
      let r = try await Harness.run(["index", "versions", "demo-pkg"] + Self.target, environment: env, secrets: Self.secrets)
      #expect(r.status == 0, "\(r.stderr)")
      if PeerTests.pip != nil {
        let p = try await Self.pip(["index", "versions", "demo-pkg"] + Self.target, m, ["PIP_CONFIG_FILE": Place.configFile.path(m)])
        #expect(p.stdout == r.stdout, "\(p.stderr)")
      }
      let off = try await Harness.run(["config", "--json"], environment: m.environment(["PIP_CONFIG_FILE": "/dev/null"]), secrets: Self.secrets)
      #expect(off.stdout.contains("\"files\": []"), "\(off.stdout)")
      #expect(off.stdout.contains("\"url\": \"https://pypi.org/simple/\""))
    }
  }

  @Test("variables beat files, PYINDEX_* beats PIP_*, flags beat everything; the command's section beats [global]")
  func precedence() async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      let (good, bad) = (Self.url(index, Self.right), Self.url(index, Self.wrong))
      try m.write(Place.user.path(m), "[global]\nindex-url = \(bad)\n[index]\nindex-url = \(good)\n")
      // [index] is `index versions`' section, for pyindex as for pip.
      let section = try await Harness.run(["index", "versions", "demo-pkg"] + Self.target, environment: m.environment(), secrets: Self.secrets)
      #expect(section.status == 0, "\(section.stderr)")
      if PeerTests.pip != nil {
        let p = try await Self.pip(["index", "versions", "demo-pkg"] + Self.target, m)
        #expect(p.stdout == section.stdout, "\(p.stderr)")
      }
      // `auth check` reads [global] only: the wrong credentials, and it names their file and line.
      let check = try await Harness.run(["auth", "check", "--json"], environment: m.environment(), secrets: Self.secrets)
      #expect(check.status == 2)
      #expect(check.stdout.contains("\"index_source\": \"\(Place.user.path(m)):2\""), "\(check.stdout)")
      let cases: [([String: String], [String], Int32)] = [
        (["PIP_INDEX_URL": good], [], 0),
        (["PIP_INDEX_URL": bad, "PYINDEX_INDEX_URL": good], [], 0),
        (["PIP_INDEX_URL": good, "PYINDEX_INDEX_URL": bad], [], 2),
        (["PYINDEX_INDEX_URL": bad], ["-i", good], 0),
      ]
      for (vars, flags, status) in cases {
        let r = try await Harness.run(["auth", "check"] + flags, environment: m.environment(vars), secrets: Self.secrets)
        #expect(r.status == status, "\(vars.keys.sorted()) \(flags.first ?? ""): \(r.stderr)")
      }
      if PeerTests.pip != nil {
        let p = try await Self.pip(["index", "versions", "demo-pkg"], m, ["PIP_INDEX_URL": good])
        #expect(p.status == 0, "pip: PIP_INDEX_URL beats the files: \(p.stderr)")
      }
    }
  }

  @Test("uv's [[index]] with UV_INDEX_<NAME>_USERNAME/PASSWORD, used only when pip's configuration names no index")
  func uvIndexes() async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      let plain = "http://127.0.0.1:\(index.server.port)/simple/"
      try m.write(m.home + "/.config/uv/uv.toml", """
        [[index]]
        name = "private-repo"
        url = "\(plain)"
        default = true
        """)
      let creds = ["UV_INDEX_PRIVATE_REPO_USERNAME": Self.user, "UV_INDEX_PRIVATE_REPO_PASSWORD": Self.right]
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-v"], environment: m.environment(creds), secrets: Self.secrets)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("credentials: env"), "\(r.stderr)")
      let config = try await Harness.run(["config"], environment: m.environment(creds), secrets: Self.secrets)
      #expect(config.stdout.contains("1. \(plain) [private-repo]"), "\(config.stdout)")
      #expect(config.stdout.contains("from \(m.home)/.config/uv/uv.toml:1; credentials: env"))
      let without = try await Harness.run(["index", "versions", "demo-pkg"], environment: m.environment(), secrets: Self.secrets)
      #expect(without.status == 2)
      // UV_INDEX names the same index; pip's configuration, once it names one, wins over uv's.
      let env = try await Harness.run(
        ["index", "versions", "demo-pkg"], environment: m.environment(["UV_NO_CONFIG": "1", "UV_INDEX": "private-repo=\(plain)"].merging(creds) { $1 }), secrets: Self.secrets)
      #expect(env.status == 0, "\(env.stderr)")
      try m.write(Place.user.path(m), "[global]\nindex-url = \(Self.url(index, Self.wrong))\n")
      let pipWins = try await Harness.run(["index", "versions", "demo-pkg"], environment: m.environment(creds), secrets: Self.secrets)
      #expect(pipWins.status == 2)
    }
  }

  @Test("serve and keyring read the same configuration: serve with no flags fronts the configured index")
  func serveAndKeyring() async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      try m.write(Place.user.path(m), "[global]\nindex-url = \(Self.url(index, Self.right))\n")
      // The keyring command prints the password by design: run it outside the secret sweep.
      let key = try await Harness.execute(
        Harness.pyindex, ["keyring", "get", "http://127.0.0.1:\(index.server.port)/simple/", Self.user],
        environment: Harness.baseEnvironment(home: m.home).merging(m.environment()) { $1 })
      #expect(key.status == 0)
      #expect(key.stdout == Self.right + "\n")
      try await ServeEndToEndTests.withShim([], environment: m.environment(), home: m.home) { shim in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", shim.url, "--no-cache"], secrets: Self.secrets)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == AuthEndToEndTests.listing)
        #expect(await shim.stop() == 0)
        #expect(Self.secrets.allSatisfy { !shim.text.contains($0) })
      }
    }
  }

  @Test("a malformed pip.conf or uv.toml is a usage error naming its file and line", arguments: [
    ("pip/pip.conf", "[global]\nindex-url = https://example.invalid/simple/\nthis line is broken\n", 3),
    ("uv/uv.toml", "[[index]]\nname = \"x\"\nurl = \"https://example.invalid/simple/\nexplicit = true\n", 3),
  ])
  func malformed(file: String, text: String, line: Int) async throws {
    let m = try Machine()
    defer { m.remove() }
    try m.write(m.home + "/.config/" + file, text)
    let r = try await Harness.run(["index", "versions", "demo-pkg"], environment: m.environment())
    #expect(r.status == 64)
    #expect(r.stderr.hasPrefix("error: \(m.home)/.config/\(file):\(line): "), "\(r.stderr)")
    #expect(r.stderr.contains("hint: "))
  }

  @Test("config masks every secret and names every source; -v lists the keys it ignored")
  func configShowsSources() async throws {
    let m = try Machine()
    defer { m.remove() }
    try await Self.withProtectedIndex { index in
      try m.write(Place.user.path(m), """
        [global]
        index-url = \(Self.url(index, Self.right))
        extra-index-url =
            http://127.0.0.1:\(index.server.port)/other/
        proxy = http://proxyuser:\(Self.right)@127.0.0.1:9/
        no-cache-dir = false
        timeout = 42
        [install]
        upgrade = yes
        """)
      let r = try await Harness.run(["config", "-v", "--retries", "5"], environment: m.environment(["PIP_PRE": "yes", "PIP_DISABLE_PIP_VERSION_CHECK": "1"]), secrets: Self.secrets)
      #expect(r.status == 0, "\(r.stderr)")
      let path = Place.user.path(m)
      for expected in [
        "1. http://aws:****@127.0.0.1:\(index.server.port)/simple/", "from \(path):2; credentials: url",
        "2. http://127.0.0.1:\(index.server.port)/other/", "from \(path):3; credentials: none",
        "proxy                http://proxyuser:****@127.0.0.1:9/  (\(path):5)", "timeout              42  (\(path):7)",
        "retries              5  (--retries)", "pre                  true  (PIP_PRE)",
        "no-cache-dir (\(path):6): not a setting pyindex reads", "[install] upgrade (\(path):9)", "PIP_DISABLE_PIP_VERSION_CHECK (PIP_DISABLE_PIP_VERSION_CHECK)",
      ] {
        #expect(r.stdout.contains(expected), "missing \(expected) in \(r.stdout)")
      }
      #expect(!r.stdout.contains("proxyuser:" + Self.right))
      // Every command: the settings apply (pre from PIP_PRE, the [download] section), and -v
      // names the files read and the keys ignored.
      try m.write(Place.user.path(m), "[global]\nindex-url = \(Self.url(index, Self.wrong))\nno-cache-dir = false\n[download]\nindex-url = \(Self.url(index, Self.right))\n")
      let pre = try await Harness.run(["index", "versions", "demo-pkg", "-v", "-i", Self.url(index, Self.right)], environment: m.environment(["PIP_PRE": "yes"]), secrets: Self.secrets)
      #expect(pre.stdout.hasPrefix("demo-pkg (2.0.0rc1)"), "\(pre.stdout)")
      #expect(pre.stderr.contains("config: read \(path)"))
      #expect(pre.stderr.contains("config: ignored no-cache-dir (\(path):3): not a setting pyindex reads"), "\(pre.stderr)")
      let dest = m.root + "/cache/dl"
      let download = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest], environment: m.environment(), secrets: Self.secrets)
      #expect(download.status == 0, "\(download.stderr)")
      #expect(FileManager.default.fileExists(atPath: dest + "/demo_pkg-1.3.0-py3-none-any.whl"))
    }
  }
}
