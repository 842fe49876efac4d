import Foundation
import PyIndexFixtures
import Synchronization
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `pyindex serve` in front of each protected fixture registry, with the real installers: pip
/// and uv install through it with no credential of their own; no secret reaches them or the
/// shim's output; SIGTERM stops it with exit 0.
@Suite("pyindex serve: pip and uv install through the shim")
struct ServeEndToEndTests {
  /// A running `pyindex serve`: its URL and, once stopped, its exit status and output.
  final class Shim: Sendable {
    let process: Process
    let url: String
    private let output: ChildOutput
    private let exited: AsyncStream<Int32>

    init(process: Process, url: String, output: ChildOutput, exited: AsyncStream<Int32>) {
      self.process = process
      self.url = url
      self.output = output
      self.exited = exited
    }

    /// Its whole output, once ``stop()`` returned (what it wrote so far before).
    var text: String { output.text }

    /// SIGTERM, then the exit status, once its output reached end of file (at most 30 s).
    func stop() async -> Int32? {
      kill(process.processIdentifier, SIGTERM)
      var status: Int32? = nil
      for await s in exited { status = s }
      #expect(await output.waitForEOF(seconds: 30), "serve's output did not reach end of file")
      return status
    }
  }

  /// Starts `pyindex serve ARGS` with `environment`, once it says where it listens.
  static func withShim(_ arguments: [String], environment: [String: String], home: String, _ body: (Shim) async throws -> Void) async throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Harness.pyindex)
    p.arguments = ["serve"] + arguments
    p.environment = Harness.baseEnvironment(home: home).merging(environment) { $1 }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    let exited = AsyncStream<Int32>.makeStream()
    p.terminationHandler = { exited.continuation.yield($0.terminationStatus); exited.continuation.finish() }
    let output = ChildOutput(pipe)
    try p.run()
    let announced = await output.wait(seconds: 60) { text, _ in text.contains("Serving on ") && text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().contains { $0.hasPrefix("Serving on ") } }
    guard announced, let line = output.text.split(separator: "\n").first(where: { $0.hasPrefix("Serving on ") }) else {
      kill(p.processIdentifier, SIGKILL)
      throw Harness.ServerDidNotStart(output: output.text)
    }
    let shim = Shim(process: p, url: String(line.dropFirst("Serving on ".count)), output: output, exited: exited.stream)
    do { try await body(shim) } catch {
      kill(p.processIdentifier, SIGKILL)
      throw error
    }
    if p.isRunning { _ = await shim.stop() }
  }

  /// The `href` of `filename` on the shim's HTML page for demo-pkg (fragment included), and
  /// the absolute URL it points at (fragment removed).
  static func fileLink(_ shim: Shim, _ filename: String, home: String) async throws -> (href: Substring, url: String) {
    let page = try await Harness.execute("/usr/bin/curl", ["-s", "-H", "Accept: text/html", shim.url + "demo-pkg/"], environment: Harness.baseEnvironment(home: home))
    let href = try #require(page.stdout.split(separator: "\"").first { $0.contains(filename) && $0.hasPrefix("/files/") })
    return (href, shim.url.replacingOccurrences(of: "/simple/", with: "") + href.prefix(while: { $0 != "#" }))
  }

  static func installerEnvironment(_ tool: String, home: String) -> [String: String] {
    var env = Harness.baseEnvironment(home: home)
    env["PATH"] = URL(fileURLWithPath: tool).deletingLastPathComponent().path + ":/usr/bin:/bin"
    env["PIP_CONFIG_FILE"] = "/dev/null"
    env["PIP_NO_INPUT"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_CACHE_DIR"] = "1"
    env["UV_NO_CONFIG"] = "1"
    env["UV_CACHE_DIR"] = home + "/uv-cache"
    return env
  }

  @Test("pip and uv install from every protected registry profile through serve", arguments: ["protected", "pypiserver", "gitlab", "artifact-registry", "artifactory", "azure", "storage-redirect"])
  func install(_ profileName: String) async throws {
    let pip = try #require(PeerTests.pip), uv = try #require(InstallerEndToEndTests.uv)
    let profile = try #require(FixtureProfile.named(profileName))
    let account = try #require(profile.auth?.accounts.first)
    SecretSweep.register(user: account.sampleUser, password: account.password)
    let secrets = Harness.secretForms(user: account.sampleUser, password: account.password)
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(profile) { index in
      let env = ["PYINDEX_USERNAME": account.sampleUser, "PYINDEX_PASSWORD": account.password]
      try await Self.withShim(["-i", index.simpleURL, "-v"], environment: env, home: home) { shim in
        #expect(shim.url.hasPrefix("http://127.0.0.1:") && shim.url.hasSuffix("/simple/"))
        for (name, tool) in [("pip", pip), ("uv", uv)] {
          let target = home + "/target-" + name
          let args = name == "pip"
            ? ["install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", shim.url]
            : ["pip", "install", "--target", target, "--no-deps", "demo-pkg==1.3.0", "--index-url", shim.url]
          let r = try await Harness.execute(tool, args, environment: Self.installerEnvironment(tool, home: home))
          #expect(r.status == 0, "\(name) through serve from \(profileName): \(r.stdout)\n\(r.stderr)\nserve: \(shim.text)")
          #expect(FileManager.default.fileExists(atPath: target + "/demo_pkg/__init__.py"))
          for s in secrets { #expect(!r.stdout.contains(s) && !r.stderr.contains(s), "a secret in \(name)'s output") }
          #expect(!r.stdout.contains(index.server.origin) && !r.stderr.contains(index.server.origin), "the upstream URL reached \(name)")
        }
        // The installers never sent credentials; the upstream got them from the shim.
        #expect(index.requests.contains { $0.header("Authorization") != nil })
        let status = await shim.stop()
        #expect(status == 0)
        #expect(SecretSweep.leaks(in: shim.text).isEmpty, "a secret in serve's output")
        #expect(shim.text.contains("serve: GET /simple/demo-pkg/ → 200"), "\(shim.text)")
      }
    }
  }

  @Test("pages as JSON or HTML by Accept, hashes and Requires-Python and yanked kept, upstream URLs never shown; 404 for an unknown project")
  func pages() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(.demo()) { index in
      try await Self.withShim(["-i", index.simpleURL], environment: [:], home: home) { shim in
        // pyindex itself as the client: the listing through the shim is the listing upstream.
        let direct = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--no-cache"])
        for json in [true, false] {
          let viaShim = try await Harness.run(["index", "versions", "demo-pkg", "-i", shim.url, "--no-cache"] + (json ? [] : ["--pre"]))
          #expect(viaShim.status == 0, "\(viaShim.stderr)")
          if json { #expect(viaShim.stdout == direct.stdout) }
        }
        let html = try await Harness.execute("/usr/bin/curl", ["-s", "-H", "Accept: text/html", shim.url + "demo-pkg/"], environment: Harness.baseEnvironment(home: home))
        #expect(html.stdout.contains("data-yanked=\"broken build\""), "\(html.stdout)")
        #expect(html.stdout.contains("data-requires-python=\"&gt;=3.99\""))
        #expect(html.stdout.contains("#sha256=\(FixtureFile.wheel("demo-pkg", "1.3.0").sha256)"))
        #expect(!html.stdout.contains(index.server.origin) && !html.stdout.contains("/files/demo"))
        let json = try await Harness.execute("/usr/bin/curl", ["-s", "-H", "Accept: application/vnd.pypi.simple.v1+json", shim.url + "demo-pkg/"], environment: Harness.baseEnvironment(home: home))
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((object?["files"] as? [Any])?.count == FixtureProfile.demoProject().files.count)
        let missing = try await Harness.run(["index", "versions", "no-such-project", "-i", shim.url])
        #expect(missing.status == 1)
        #expect(await shim.stop() == 0)
      }
    }
  }

  @Test("a Range request is passed upstream and a 206 comes back as it is (uv reads METADATA that way)")
  func ranges() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    var profile = FixtureProfile.demo()
    profile.ranges = true
    try await Harness.withIndex(profile) { index in
      try await Self.withShim(["-i", index.simpleURL], environment: [:], home: home) { shim in
        let env = Harness.baseEnvironment(home: home)
        let wheel = FixtureFile.wheel("demo-pkg", "1.3.0")
        let link = try await Self.fileLink(shim, wheel.filename, home: home).url
        let part = try await Harness.execute("/usr/bin/curl", ["-s", "-D", home + "/headers", "-H", "Range: bytes=-22", "-o", home + "/tail", link], environment: env)
        #expect(part.status == 0)
        let headers = try String(contentsOfFile: home + "/headers", encoding: .utf8)
        #expect(headers.hasPrefix("HTTP/1.1 206"), "\(headers)")
        #expect(headers.lowercased().contains("content-range: bytes \(wheel.contents.count - 22)-\(wheel.contents.count - 1)/\(wheel.contents.count)"), "\(headers)")
        #expect(FileManager.default.contents(atPath: home + "/tail").map(Array.init) == Array(wheel.contents.suffix(22)))
        #expect(await shim.stop() == 0)
      }
    }
  }

  @Test("--listen-token: installers without it get 401")
  func listenToken() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(.demo()) { index in
      try await Self.withShim(["-i", index.simpleURL, "--listen-token", "local-Token-31"], environment: [:], home: home) { shim in
        let without = try await Harness.run(["index", "versions", "demo-pkg", "-i", shim.url])
        #expect(without.status == 2)
        let with = try await Harness.run(["index", "versions", "demo-pkg", "-i", shim.url.replacingOccurrences(of: "http://", with: "http://me:local-Token-31@")], secrets: ["local-Token-31"])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(await shim.stop() == 0)
      }
    }
  }
}

extension ServeEndToEndTests {
  @Test("--cache-dir: verified files are kept and a second install is served from them")
  func keptFiles() async throws {
    let home = try Harness.temporaryDirectory()
    let cache = try Harness.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(atPath: home)
      try? FileManager.default.removeItem(atPath: cache)
    }
    let pip = try #require(PeerTests.pip)
    try await Harness.withIndex(.demo()) { index in
      try await Self.withShim(["-i", index.simpleURL, "--cache-dir", cache, "-v"], environment: [:], home: home) { shim in
        for round in 1...2 {
          let r = try await Harness.execute(pip, ["install", "--target", home + "/t\(round)", "--no-deps", "demo-pkg==1.3.0", "--index-url", shim.url], environment: Self.installerEnvironment(pip, home: home))
          #expect(r.status == 0, "\(r.stderr)")
        }
        let wheel = FixtureFile.wheel("demo-pkg", "1.3.0")
        #expect(index.requests.filter { $0.path.hasSuffix(wheel.filename) }.count == 1)
        #expect(FileManager.default.fileExists(atPath: cache + "/files/" + wheel.sha256.prefix(2) + "/" + wheel.sha256))
        #expect(await shim.stop() == 0)
        #expect(shim.text.contains("bytes from --cache-dir"), "\(shim.text)")
      }
    }
  }
}

extension ServeEndToEndTests {
  @Test("upstream refusing the credentials is said on serve's stderr without -v; the installer gets a 502, no secret")
  func upstreamRefuses() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "right-Pass-77"))) { index in
      SecretSweep.register(user: "u", password: "wrong-Pass-77")
      try await Self.withShim(["-i", index.simpleURL], environment: ["PYINDEX_USERNAME": "u", "PYINDEX_PASSWORD": "wrong-Pass-77"], home: home) { shim in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", shim.url, "--retries", "0"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("HTTP 502"), "\(r.stderr)")
        #expect(await shim.stop() == 0)
        #expect(shim.text.contains("warning: serve: GET /simple/demo-pkg/ → 502"), "\(shim.text)")
        #expect(shim.text.contains("were refused"), "\(shim.text)")
        #expect(SecretSweep.leaks(in: shim.text).isEmpty)
      }
    }
  }
}

extension ServeEndToEndTests {
  /// What the index advertises for the file: the algorithm, and whether the digest is right.
  struct Advertised: Sendable, CustomTestStringConvertible {
    let algorithm: String
    let right: Bool
    var testDescription: String { "\(right ? "right" : "wrong") \(algorithm)" }
  }

  @Test("files are checked against every digest the index gives (sha256, or md5 on older indexes); a mismatch is cut short and said", arguments: [
    Advertised(algorithm: "sha256", right: false), Advertised(algorithm: "md5", right: false), Advertised(algorithm: "md5", right: true),
  ])
  func digestChecked(_ advertised: Advertised) async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    var wheel = FixtureFile.wheel("demo-pkg", "1.0")
    wheel.hashName = advertised.algorithm
    if !advertised.right { wheel.advertisedDigest = String(repeating: "0", count: advertised.algorithm == "md5" ? 32 : 64) }
    let profile = FixtureProfile(projects: [FixtureProject(name: "demo-pkg", files: [wheel])])
    try await Harness.withIndex(profile) { index in
      try await Self.withShim(["-i", index.simpleURL], environment: [:], home: home) { shim in
        let env = Harness.baseEnvironment(home: home)
        let (href, link) = try await Self.fileLink(shim, wheel.filename, home: home)
        // The page keeps the index's fragment, so the installer checks the same digest.
        #expect(href.hasSuffix("#\(advertised.algorithm)=\(wheel.advertisedDigest ?? "")") || advertised.right, "\(href)")
        let got = try await Harness.execute("/usr/bin/curl", ["-s", "-o", home + "/got", link], environment: env)
        let bytes = FileManager.default.contents(atPath: home + "/got").map(Array.init) ?? []
        #expect(await shim.stop() == 0)
        if advertised.right {
          #expect(got.status == 0)
          #expect(bytes == wheel.contents, "the whole file")
        } else {
          #expect(got.status == 18, "curl: a transfer closed with data outstanding")  // CURLE_PARTIAL_FILE
          #expect(bytes.count < wheel.contents.count, "the installer is left short of bytes")
          #expect(shim.text.contains("warning: serve: GET /files/"), "\(shim.text)")
          #expect(shim.text.contains("→ cut: the \(advertised.algorithm) of "), "\(shim.text)")
          #expect(shim.text.contains("the index said \(String(repeating: "0", count: advertised.algorithm == "md5" ? 32 : 64))"), "\(shim.text)")
        }
      }
    }
  }
}

extension ServeEndToEndTests {
  @Test("--cache-dir: a kept file damaged on disk is cut short, said and removed; the next request goes upstream again")
  func damagedKeptFile() async throws {
    let home = try Harness.temporaryDirectory()
    let cache = try Harness.temporaryDirectory()
    defer {
      try? FileManager.default.removeItem(atPath: home)
      try? FileManager.default.removeItem(atPath: cache)
    }
    let wheel = FixtureFile.wheel("demo-pkg", "1.3.0")
    try await Harness.withIndex(.demo()) { index in
      try await Self.withShim(["-i", index.simpleURL, "--cache-dir", cache], environment: [:], home: home) { shim in
        let env = Harness.baseEnvironment(home: home)
        let link = try await Self.fileLink(shim, wheel.filename, home: home).url
        let kept = cache + "/files/" + wheel.sha256.prefix(2) + "/" + wheel.sha256
        #expect(try await Harness.execute("/usr/bin/curl", ["-s", "-o", home + "/first", link], environment: env).status == 0)
        // Damage the kept copy without changing its size.
        var bytes = try #require(FileManager.default.contents(atPath: kept).map(Array.init))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: kept))
        let second = try await Harness.execute("/usr/bin/curl", ["-s", "-o", home + "/second", link], environment: env)
        #expect(second.status == 18)  // CURLE_PARTIAL_FILE: fewer bytes than Content-Length
        #expect(!FileManager.default.fileExists(atPath: kept))
        let third = try await Harness.execute("/usr/bin/curl", ["-s", "-o", home + "/third", link], environment: env)
        #expect(third.status == 0)
        #expect(FileManager.default.contents(atPath: home + "/third").map(Array.init) == wheel.contents)
        #expect(index.requests.filter { $0.path.hasSuffix(wheel.filename) }.count == 2)
        #expect(await shim.stop() == 0)
        #expect(shim.text.contains("is damaged; it was removed"), "\(shim.text)")
      }
    }
  }
}
