import Foundation
import PyIndexFixtures
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The review of hostile servers and typos: each finding as the user meets it, run through the
/// binary. A server's bytes may not reach into the machine, crash it, hold it, or reach the
/// terminal raw.
@Suite("hostile servers and typos")
struct HostileEndToEndTests {
  static let target = ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--only-binary", ":all:"]

  /// A server answering every path with `respond`, for the test's body.
  static func with<T>(_ respond: @escaping @Sendable (RecordedRequest) -> FixtureResponse, _ body: (LoopbackServer) async throws -> T) async throws -> T {
    let server = try await LoopbackServer.start(respond: respond)
    return try await Harness.using(server, stop: { await $0.stop() }, { try await body($0) })
  }

  static func html(_ text: String, headers: [(String, String)] = []) -> FixtureResponse {
    FixtureResponse(status: 200, headers: [("Content-Type", "text/html")] + headers, body: Array(text.utf8))
  }

  @Test("a dependency that names a file: URL in a wheel's metadata is refused (exit 1); the local file is never copied, --only-binary or not")
  func localDependency() async throws {
    let secretDir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: secretDir) }
    let secret = secretDir + "/secretpkg-1.0.tar.gz"
    try "private bytes\n".write(toFile: secret, atomically: true, encoding: .utf8)
    let app = FixtureFile.wheel("app", "1.0", requires: ["secretpkg @ file://\(secret)"])
    let profile = FixtureProfile(projects: [FixtureProject(name: "app", files: [app])])
    try await Harness.withIndex(profile) { index in
      for dryRun in [[], ["--dry-run"]] {
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(["download", "app", "-d", dest, "-i", index.simpleURL] + Self.target + dryRun)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("names a local file, and a distribution's metadata may not make pyindex read this machine's files"), "\(r.stderr)")
        #expect(r.stderr.contains("hint: pyindex reads file: locations only where you configured them"), "\(r.stderr)")
        #expect(Harness.files(in: dest).isEmpty, "\(Harness.files(in: dest))")
      }
      // The same file, given by the user, is theirs to read.
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let mine = try await Harness.run(["download", "secretpkg @ file://\(secret)", "--no-deps", "-d", dest, "-i", index.simpleURL, "--python-version", "3.11"])
      #expect(mine.status == 0, "\(mine.stderr)")
      #expect(Harness.files(in: dest) == ["secretpkg-1.0.tar.gz"])
    }
  }

  @Test("headers with numbers out of range (Retry-After dates and nan, max-age=1e300, a 30-digit Content-Length) are ignored, never a crash")
  func numbersOutOfRange() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let page = "<a href=\"/files/\(wheel.filename)#sha256=\(wheel.sha256)\">\(wheel.filename)</a>"
    let cases: [[(String, String)]] = [
      [("Retry-After", "Sun, 06 Nov 1994 99999999999999999999:49:37 GMT")],
      [("Retry-After", "nan")],
      [("Retry-After", "1e300")],
      [("Cache-Control", "max-age=1e300")],
      [("Cache-Control", "max-age=99999999999999999999999999999999")],
    ]
    for headers in cases {
      let attempts = Counter()
      try await Self.with({ request in
        if request.path.hasPrefix("/files/") { return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: wheel.contents) }
        // The first answer for the page is a 503 with the header, then the page with it.
        return attempts.next() == 0 ? FixtureResponse(status: 503, headers: headers, body: []) : Self.html(page, headers: headers)
      }) { server in
        let dest = try Harness.temporaryDirectory()
        let cache = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest); try? FileManager.default.removeItem(atPath: cache) }
        let r = try await Harness.run(
          ["download", "demo", "--no-deps", "-d", dest, "-i", server.origin + "/simple/", "-v", "--retries", "1"] + Self.target,
          environment: ["XDG_CACHE_HOME": cache])
        #expect(r.status == 0, "\(headers): \(r.stderr)")
        #expect(Harness.files(in: dest) == [wheel.filename], "\(headers)")
        // Served from the cache now (fresh for at most a year), still no crash.
        let again = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/"] + Self.target, environment: ["XDG_CACHE_HOME": cache])
        #expect(again.status == 0, "\(headers): \(again.stderr)")
      }
    }
  }

  @Test("--timeout inf, 1e16, nan or 0 (flag or PIP_TIMEOUT) is a usage error, never a trap")
  func timeoutOutOfRange() async throws {
    for value in ["inf", "1e16", "nan", "0", "-1"] {
      let flag = try await Harness.run(["index", "versions", "demo", "-i", "http://127.0.0.1:9/simple/", "--timeout=\(value)"])
      #expect(flag.status == 64, "\(value): \(flag.stderr)")
      #expect(flag.stderr.contains("--timeout must be a positive number of seconds, at most 86400"), "\(value): \(flag.stderr)")
      let variable = try await Harness.run(["index", "versions", "demo", "-i", "http://127.0.0.1:9/simple/"], environment: ["PIP_TIMEOUT": value])
      #expect(variable.status == 64, "\(value): \(variable.stderr)")
      #expect(variable.stderr.contains("is not a positive number of seconds, at most 86400"), "\(value): \(variable.stderr)")
    }
  }

  @Test("a body that trickles under a huge Content-Length times out by its pace, not by what the server announced")
  func trickle() async throws {
    try await Self.with({ request in
      var r = FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(repeating: UInt8(ascii: " "), count: 80))
      r.announcedLength = 1 << 40
      // A byte every 400 ms: each read comes well within --timeout, for 32 s in all.
      r.slowly = (pieces: 80, milliseconds: 400)
      return r
    }) { server in
      let r = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/", "--timeout", "1", "--retries", "0"], killAfter: 30)
      #expect(r.status == 3, "\(r.stderr)")
      #expect(r.stderr.contains("timed out") || r.stderr.contains("timeout"), "\(r.stderr)")
      #expect(!r.stderr.contains("closed before the end of the body"), "\(r.stderr)")
    }
  }

  @Test("serve answers only requests for its own address: a rebound DNS name gets 421 and no upstream request is made")
  func serveHost() async throws {
    try await Harness.withIndex(FixtureProfile.demo()) { index in
      let home = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: home) }
      try await ServeEndToEndTests.withShim(["-i", index.simpleURL, "--port", "0"], environment: [:], home: home) { shim in
        let env = Harness.baseEnvironment(home: home)
        let port = shim.url.split(separator: ":").last.map { String($0.prefix { $0.isNumber }) } ?? ""
        let rebound = try await Harness.execute(
          "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: attacker.example:\(port)", shim.url + "demo-pkg/"], environment: env)
        #expect(rebound.stdout == "421", "\(rebound.stdout)")
        #expect(index.requests.isEmpty, "\(index.requests.map(\.path))")
        for host in ["127.0.0.1:\(port)", "localhost:\(port)"] {
          let own = try await Harness.execute("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: \(host)", shim.url + "demo-pkg/"], environment: env)
          #expect(own.stdout == "200", "\(host): \(own.stdout)")
        }
        #expect(await shim.stop() == 0)
      }
    }
  }

  @Test("--report never replaces a FIFO or a link to a device: a usage error before any request, the FIFO left as it was")
  func reportSpecialFiles() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let fifo = dir + "/report.fifo"
    #expect(mkfifo(fifo, 0o600) == 0)
    try FileManager.default.createSymbolicLink(atPath: dir + "/out", withDestinationPath: "/dev/null")
    try await Harness.withIndex(FixtureProfile.demo()) { index in
      // /dev/stdout leads to the file this harness collects stdout in: a rename would replace it.
      for path in [fifo, dir + "/out", dir, "/dev/stdout"] {
        let r = try await Harness.run(["download", "demo-pkg", "--dry-run", "--report", path, "-i", index.simpleURL] + Self.target)
        #expect(r.status == 64, "\(path): \(r.stderr)")
        #expect(r.stderr.contains("is not a regular file"), "\(r.stderr)")
      }
      #expect(index.requests.isEmpty)
      var st = stat()
      #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
      #expect(lstat(dir + "/out", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
      // A new file, and a link to a regular file (written through), are fine.
      let plain = dir + "/report.json"
      try "old".write(toFile: dir + "/real.json", atomically: true, encoding: .utf8)
      try FileManager.default.createSymbolicLink(atPath: dir + "/link.json", withDestinationPath: dir + "/real.json")
      for path in [plain, dir + "/link.json"] {
        let r = try await Harness.run(["download", "demo-pkg", "--dry-run", "--report", path, "-i", index.simpleURL] + Self.target)
        #expect(r.status == 0, "\(r.stderr)")
      }
      #expect(try String(contentsOfFile: plain, encoding: .utf8).contains("\"version\": \"1\""))
      #expect(try String(contentsOfFile: dir + "/real.json", encoding: .utf8).contains("\"version\": \"1\""))
      #expect(lstat(dir + "/link.json", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK)
    }
  }

  @Test("a lock entry without hashes is refused (exit 4); a path entry that links out of the lock's directory is refused (exit 64); nothing is copied")
  func lockEntries() async throws {
    let dir = try Harness.temporaryDirectory()
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir); try? FileManager.default.removeItem(atPath: home) }
    let wheel = FixtureFile.wheel("demo", "1.0")
    try FileManager.default.createDirectory(atPath: dir + "/wheels", withIntermediateDirectories: true)
    try Data(wheel.contents).write(to: URL(fileURLWithPath: dir + "/wheels/" + wheel.filename))
    try "machine example.com login me password Netrc-Secret-1234\n".write(toFile: home + "/.netrc", atomically: true, encoding: .utf8)
    SecretSweep.register(["Netrc-Secret-1234"])
    try FileManager.default.createSymbolicLink(atPath: dir + "/wheels/other-1.0-py3-none-any.whl", withDestinationPath: home + "/.netrc")
    func lock(_ entry: String) -> String {
      "lock-version = \"1.0\"\ncreated-by = \"tests\"\n\n[[packages]]\nname = \"demo\"\nversion = \"1.0\"\nwheels = [\(entry)]\n"
    }
    let cases: [(String, Int32, String)] = [
      ("{ path = \"wheels/\(wheel.filename)\", size = \(wheel.contents.count) }", 4, "has no hashes, and PEP 751 requires them"),
      ("{ path = \"wheels/other-1.0-py3-none-any.whl\", name = \"demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"\(wheel.sha256)\" } }", 64, "is not a regular file inside the lock's directory"),
      ("{ path = \"../\(URL(fileURLWithPath: home).lastPathComponent)/.netrc\", name = \"demo-1.0-py3-none-any.whl\", hashes = { sha256 = \"\(wheel.sha256)\" } }", 64, "is not a regular file inside the lock's directory"),
    ]
    for (entry, status, message) in cases {
      try lock(entry).write(toFile: dir + "/pylock.toml", atomically: true, encoding: .utf8)
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let r = try await Harness.run(["download", "-r", dir + "/pylock.toml", "-d", dest, "-i", "http://127.0.0.1:9/simple/"] + Self.target)
      #expect(r.status == status, "\(entry): \(r.stderr)")
      #expect(r.stderr.contains(message), "\(r.stderr)")
      #expect(Harness.files(in: dest).isEmpty)
    }
  }

  @Test("the fixture's static profile answers only for its own address and never follows a link out of its root")
  func fixtureStatic() async throws {
    let root = try Harness.temporaryDirectory()
    let outside = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root); try? FileManager.default.removeItem(atPath: outside) }
    try FileManager.default.createDirectory(atPath: root + "/simple/demo", withIntermediateDirectories: true)
    try "<a href=\"demo-1.0.tar.gz\">demo-1.0.tar.gz</a>".write(toFile: root + "/simple/demo/index.html", atomically: true, encoding: .utf8)
    try "outside secret".write(toFile: outside + "/secret.txt", atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: root + "/simple/leak.txt", withDestinationPath: outside + "/secret.txt")
    let index = try await FixtureIndex.start(try #require(FixtureProfile.named("static", root: root)))
    try await Harness.using(index, stop: { await $0.stop() }) { index in
      let env = Harness.baseEnvironment(home: root)
      let base = "http://127.0.0.1:\(index.server.port)"
      let leak = try await Harness.execute("/usr/bin/curl", ["-s", "-w", " %{http_code}", base + "/simple/leak.txt"], environment: env)
      #expect(leak.stdout == "Not Found 404", "\(leak.stdout)")
      let rebound = try await Harness.execute("/usr/bin/curl", ["-s", "-w", " %{http_code}", "-H", "Host: evil.example:\(index.server.port)", base + "/simple/demo/"], environment: env)
      #expect(rebound.stdout.hasSuffix(" 421"), "\(rebound.stdout)")
      let page = try await Harness.execute("/usr/bin/curl", ["-s", "-w", " %{http_code}", base + "/simple/demo/"], environment: env)
      #expect(page.stdout.contains("demo-1.0.tar.gz") && page.stdout.hasSuffix(" 200"), "\(page.stdout)")
    }
  }
}

extension HostileEndToEndTests {
  /// Escape, bell, carriage return, C1 and bidi characters a server puts in its text.
  static let hostile = ["\u{1B}", "\u{07}", "\r", "\u{9B}", "\u{202E}", "\u{2066}", "\u{200F}"]

  static func clean(_ text: String) -> Bool { !hostile.contains { text.contains($0) } }

  @Test("server text with control and bidi characters never reaches the terminal: file names, hash names, api-version, yank reasons, Content-Type, headers under -vv")
  func terminalText() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let evil = "\u{1B}]0;pwned\u{07}\u{1B}[31m\u{202E}\u{9B}2J\r"
    func jsonEscape(_ s: String) -> String {
      s.unicodeScalars.map { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
    }
    let page = """
      {"meta": {"api-version": "1.0"}, "name": "demo", "files": [
        {"filename": "\(wheel.filename)", "url": "/files/\(wheel.filename)", "hashes": {"md\(jsonEscape(evil))": "ab"}, "yanked": "\(jsonEscape(evil))"},
        {"filename": "demo-2.0-py3-none-any.whl\(jsonEscape("\u{202E}"))lhw.exe", "url": "/files/x.whl", "hashes": {}}
      ]}
      """
    try await Self.with({ request in
      if request.path.hasPrefix("/files/") { return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream"), ("X-Evil", "a\u{202E}b")], body: wheel.contents) }
      if request.path == "/simple/other/" { return FixtureResponse(status: 200, headers: [("Content-Type", "text/x\u{202E}\u{9B}html")], body: Array("x".utf8)) }
      return FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json")], body: Array(page.utf8))
    }) { server in
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let runs = [
        ["download", "demo==1.0", "--no-deps", "-d", dest, "-i", server.origin + "/simple/", "-vv"] + Self.target,
        ["download", "demo==2.0", "--no-deps", "-d", dest, "-i", server.origin + "/simple/"] + Self.target,
        ["index", "versions", "demo", "-i", server.origin + "/simple/", "--pre"],
        ["index", "versions", "other", "-i", server.origin + "/simple/"],
        ["auth", "check", "--project", "other", "-i", server.origin + "/simple/"],
      ]
      for args in runs {
        let r = try await Harness.run(args)
        #expect(Self.clean(r.stdout) && Self.clean(r.stderr), "\(args): \(r.stdout.debugDescription) \(r.stderr.debugDescription)")
      }
      #expect(!Harness.files(in: dest).contains { !Self.clean($0) })
    }
  }

  @Test("a password with a raw space, a U+0600 before the @, or a fullwidth ＠ is never printed")
  func redactionDefeats() async throws {
    let secrets = ["Raw Secret 12345", "Fused-Secret-1234", "Fullwidth-Secret-99"]
    let urls = [
      "http://user:Raw Secret 12345@127.0.0.1:9/simple/",
      "http://user:Fused-Secret-1234\u{0600}@127.0.0.1:9/simple/",
      "http://user:Fullwidth-Secret-99\u{FF20}127.0.0.1:9/simple/",
    ]
    for url in urls {
      for args in [["index", "versions", "demo", "-i", url, "--retries", "0"], ["config", "-i", url], ["config", "--json", "-i", url]] {
        let r = try await Harness.run(args, secrets: secrets + ["Raw Secret", "Secret 12345"])
        #expect(r.status != 0 || args[0] == "config", "\(args): \(r.stderr)")
      }
    }
  }

  @Test("pyindex config and -v never print a secret in trusted-host, cert, client-cert or an ignored section's name")
  func configValues() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "[global]\nindex-url = http://127.0.0.1:9/simple/\n[https://u:Section-Secret-55@host/simple]\ntimeout = 3\n".write(toFile: home + "/pip.conf", atomically: true, encoding: .utf8)
    let env = [
      "PIP_CONFIG_FILE": home + "/pip.conf", "PIP_TRUSTED_HOST": "https://tok:Trusted-Secret-77@host",
      "PIP_CERT": "/etc/ssl/x.pem?token=Cert-Secret-66", "PIP_CLIENT_CERT": "https://u:Client-Secret-88@host/c.pem",
    ]
    let secrets = ["Section-Secret-55", "Trusted-Secret-77", "Cert-Secret-66", "Client-Secret-88"]
    for args in [["config"], ["config", "--json"], ["config", "-v"]] {
      let r = try await Harness.run(args, environment: env, secrets: secrets)
      #expect(r.status == 0 || r.status == 64, "\(args): \(r.stderr)")
    }
    let v = try await Harness.run(["index", "versions", "demo", "-v", "--retries", "0"], environment: ["PIP_CONFIG_FILE": home + "/pip.conf"], secrets: secrets)
    #expect(v.stderr.contains("config: ignored"), "\(v.stderr)")
  }

  @Test("pyindex keyring get answers no netrc password for a plain-http remote host (the outbound policy), and does for https")
  func keyringPlainHTTP() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "machine remote.example login me password Keyring-Netrc-4242\n".write(toFile: home + "/netrc", atomically: true, encoding: .utf8)
    let env = Harness.baseEnvironment(home: home).merging(["NETRC": home + "/netrc"]) { $1 }
    let plain = try await Harness.execute(Harness.pyindex, ["keyring", "get", "http://remote.example/simple/", "me"], environment: env)
    #expect(plain.status == 1 && plain.stdout.isEmpty, "\(plain.stdout)")
    let bare = try await Harness.execute(Harness.pyindex, ["keyring", "--mode", "creds", "get", "remote.example"], environment: env)
    #expect(bare.stdout == "me\nKeyring-Netrc-4242\n", "\(bare.stdout)")
    let secure = try await Harness.execute(Harness.pyindex, ["keyring", "get", "https://remote.example/simple/", "me"], environment: env)
    #expect(secure.status == 0 && secure.stdout == "Keyring-Netrc-4242\n", "\(secure.stdout)")
    let trusted = try await Harness.execute(Harness.pyindex, ["keyring", "get", "http://remote.example/simple/", "me"], environment: env.merging(["PIP_TRUSTED_HOST": "remote.example"]) { $1 })
    #expect(trusted.status == 0, "\(trusted.stderr)")
  }
}

/// A thread-safe counter for fixture closures.
final class Counter: Sendable {
  private let value = Mutex(0)
  func next() -> Int { value.withLock { v in defer { v += 1 }; return v } }
}

extension HostileEndToEndTests {
  @Test("a page whose one tag has 80,000 attributes is unreadable at once (exit 4), not parsed for seconds")
  func quadraticAttributes() async throws {
    let tag = "<a " + (0..<80_000).map { "a\($0)=1" }.joined(separator: " ") + " href=\"/files/demo-1.0.tar.gz\">demo-1.0.tar.gz</a>"
    try await Self.with({ _ in Self.html(tag) }) { server in
      let r = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/"], killAfter: 60)
      #expect(r.status == 4, "\(r.stderr)")
      #expect(r.stderr.contains("a tag has more than 1024 attributes"), "\(r.stderr)")
    }
  }
}

extension HostileEndToEndTests {
  @Test("the body of a redirect or of a retried 503 that trickles is given up at the body's pace: the run goes on within its bound", arguments: [302, 503])
  func trickledBodies(status: Int) async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let page = "<a href=\"/files/\(wheel.filename)#sha256=\(wheel.sha256)\">\(wheel.filename)</a>"
    let first = Counter()
    try await Self.with({ request in
      if request.path.hasPrefix("/files/") { return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: wheel.contents) }
      if request.path == "/simple/demo/", first.next() == 0 {
        // A byte every 500 ms for 40 s, under a Content-Length small enough to be drained
        // (a large one is refused at once by the drain's own limit).
        var r = FixtureResponse(status: status, headers: [("Location", "/other/demo/"), ("Content-Type", "text/html")], body: Array(repeating: UInt8(ascii: " "), count: 80))
        r.slowly = (pieces: 80, milliseconds: 500)
        r.announcedLength = 60_000
        return r
      }
      return Self.html(page)
    }) { server in
      let r = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/", "--timeout", "1", "--retries", "1"] + Self.target, killAfter: 25)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("demo (1.0)"), "\(r.stdout)")
    }
  }
}

extension HostileEndToEndTests {
  @Test("a gzip page with one tag left open for 1000 MiB is refused at 1 MiB of tag: exit 4, small memory")
  func openTagBomb() async throws {
    let chunk = [UInt8](repeating: UInt8(ascii: "y"), count: 1 << 20)
    let bomb = Zip.gzip(prefix: Array("<html><body><a href=\"demo-1.0.tar.gz\" title=\"".utf8), repeating: chunk, times: 1000)
    try await Self.with({ _ in FixtureResponse(status: 200, headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: bomb) }) { server in
      let r = try await Harness.runMeasured(["index", "versions", "demo", "-i", server.origin + "/simple/"])
      #expect(r.result.status == 4, "\(r.result.stderr)")
      #expect(r.result.stderr.contains("a tag is longer than 1 MiB"), "\(r.result.stderr)")
      #expect(r.maxRSSKiB < 96 * 1024, "peak RSS \(r.maxRSSKiB) KiB")
    }
  }
}

extension HostileEndToEndTests {
  @Test("a page of 300,000 files for other platforms: download keeps only what the target can use, in small memory")
  func manyIncompatibleFiles() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    var page = "{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"demo\", \"files\": ["
    for k in 0..<300_000 {
      page += "{\"filename\": \"demo-2.\(k)-cp312-cp312-win_amd64.whl\", \"url\": \"/files/demo-2.\(k)-cp312-cp312-win_amd64.whl\", \"hashes\": {\"sha256\": \"\(String(repeating: "0", count: 64))\"}},"
    }
    page += "{\"filename\": \"\(wheel.filename)\", \"url\": \"/files/\(wheel.filename)\", \"hashes\": {\"sha256\": \"\(wheel.sha256)\"}}]}"
    let body = Array(page.utf8)
    try await Self.with({ _ in FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json")], body: body) }) { server in
      let r = try await Harness.runMeasured(["download", "demo", "--no-deps", "--dry-run", "-i", server.origin + "/simple/"] + Self.target)
      #expect(r.result.status == 0, "\(r.result.stderr)")
      #expect(r.result.stdout.contains("Would download \(wheel.filename)"), "\(r.result.stdout)")
      #expect(r.maxRSSKiB < 128 * 1024, "peak RSS \(r.maxRSSKiB) KiB")
    }
  }

  /// A JSON page of `count` files of distinct versions that every target can use.
  static func usablePage(_ count: Int) -> [UInt8] {
    var page = "{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"demo\", \"files\": ["
    page.reserveCapacity(count * 150)
    for k in 0..<count {
      page += (k == 0 ? "" : ",") + "{\"filename\": \"demo-1.\(k)-py3-none-any.whl\", \"url\": \"/files/demo-1.\(k)-py3-none-any.whl\", \"hashes\": {}}"
    }
    return Array((page + "]}").utf8)
  }

  @Test("a page of more usable files or versions than pyindex keeps is refused (exit 4), in bounded memory: index versions, download")
  func tooManyUsableFiles() async throws {
    let body = Self.usablePage(210_000)
    try await Self.with({ _ in FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json")], body: body) }) { server in
      let versions = try await Harness.runMeasured(["index", "versions", "demo", "-i", server.origin + "/simple/"] + Self.target)
      #expect(versions.result.status == 4, "\(versions.result.stderr)")
      #expect(versions.result.stderr.contains("more than 200000 versions of demo"), "\(versions.result.stderr)")
      #expect(versions.maxRSSKiB < 256 * 1024, "peak RSS \(versions.maxRSSKiB) KiB")
      let download = try await Harness.runMeasured(["download", "demo", "--no-deps", "--dry-run", "-i", server.origin + "/simple/"] + Self.target)
      #expect(download.result.status == 4, "\(download.result.stderr)")
      #expect(download.result.stderr.contains("more than 100000 files this run can use of demo"), "\(download.result.stderr)")
      #expect(download.maxRSSKiB < 384 * 1024, "peak RSS \(download.maxRSSKiB) KiB")
    }
  }
}
