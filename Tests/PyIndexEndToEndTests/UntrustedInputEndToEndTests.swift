import Foundation
import PyIndexFixtures
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// An index is trusted to name files, not to reach into the machine or exhaust it: each test
/// runs the binary against a hostile server of its own.
@Suite("untrusted input: what an index may make pyindex fetch, send and hold")
struct UntrustedInputEndToEndTests {
  static let target = ["--python-version", "3.11", "--platform", "manylinux_2_17_x86_64", "--only-binary", ":all:"]

  /// A server answering `/simple/demo/` with `page` (HTML unless `json`), and every other
  /// path with 404; the requests it got are recorded.
  static func withPage<T>(_ page: String, json: Bool = false, _ body: (LoopbackServer) async throws -> T) async throws -> T {
    let type = json ? "application/vnd.pypi.simple.v1+json" : "text/html"
    let server = try await LoopbackServer.start { request in
      request.path == "/simple/demo/"
        ? FixtureResponse(status: 200, headers: [("Content-Type", type)], body: Array(page.utf8))
        : FixtureResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Array("not found".utf8))
    }
    return try await Harness.using(server, stop: { await $0.stop() }, { try await body($0) })
  }

  /// A Unix socket listening at a new path; `pending()` says whether anyone connected.
  final class UnixListener: Sendable {
    let path: String
    let fd: Int32
    init() throws {
      path = try Harness.temporaryDirectory() + "/x.sock"
      fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
      var addr = sockaddr_un()
      addr.sun_family = sa_family_t(AF_UNIX)
      withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
      }
      let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
      #expect(ok == 0 && listen(fd, 4) == 0)
    }
    /// Whether a connection waits to be accepted (poll, no wait).
    func pending() -> Bool {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      return poll(&p, 1, 0) > 0
    }
    deinit { close(fd) }
  }

  @Test("file: links, a file: <base href> and http+unix: links on a remote page are ignored with a warning; nothing local is read or reached")
  func foreignSchemes() async throws {
    // A private file under a distribution's name, as a hostile page would name it.
    let secret = try Harness.temporaryDirectory() + "/demo-3.0.tar.gz"
    try "top secret\n".write(toFile: secret, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secret)
    let socket = try UnixListener()
    let encodedSocket = socket.path.replacingOccurrences(of: "/", with: "%2F")
    let pages = [
      (false, "<html><body><a href=\"file://\(secret)\">demo-3.0.tar.gz</a><a href=\"http+unix://\(encodedSocket)/internal/admin/demo-4.0.tar.gz?x=1\">demo-4.0.tar.gz</a></body></html>"),
      (false, "<html><head><base href=\"file://\(URL(fileURLWithPath: secret).deletingLastPathComponent().path)/\"></head><body><a href=\"demo-3.0.tar.gz\">demo-3.0.tar.gz</a></body></html>"),
      (true, "{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"demo\", \"files\": [{\"filename\": \"demo-3.0.tar.gz\", \"url\": \"file://\(secret)\", \"hashes\": {}}, {\"filename\": \"demo-4.0.tar.gz\", \"url\": \"http+unix://\(encodedSocket)/internal/admin\", \"hashes\": {}}]}"),
    ]
    for (json, page) in pages {
      try await Self.withPage(page, json: json) { server in
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let d = try await Harness.run(["download", "demo", "--no-deps", "-d", dest, "-i", server.origin + "/simple/", "--python-version", "3.11"])
        #expect(d.status == 1, "\(d.stderr)")
        #expect(d.stderr.contains("warning: ignored the link to demo-3.0.tar.gz on \(server.origin)/simple/demo/: an index page may link to http and https URLs only, not file:"), "\(d.stderr)")
        #expect(Harness.files(in: dest).isEmpty)
        let v = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/"])
        #expect(v.status == 1, "\(v.stdout)")
        #expect(!v.stdout.contains("3.0"))
        // Through serve, the installer is never offered them.
        let home = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        try await ServeEndToEndTests.withShim(["-i", server.origin + "/simple/"], environment: [:], home: home) { shim in
          let page = try await Harness.execute("/usr/bin/curl", ["-s", "-H", "Accept: text/html", shim.url + "demo/"], environment: Harness.baseEnvironment(home: home))
          #expect(!page.stdout.contains("demo-3.0") && !page.stdout.contains("demo-4.0"), "\(page.stdout)")
          #expect(await shim.stop() == 0)
        }
      }
    }
    #expect(!socket.pending(), "pyindex connected to a local Unix socket")
  }

  @Test("a file link or redirect to plain http on a remote host carries no credentials, whatever the source (netrc here)")
  func noCleartextCredentials() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let files = try await LoopbackServer.start { request in
      request.path.hasSuffix(wheel.filename) ? FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: wheel.contents)
        : FixtureResponse(status: 302, headers: [("Location", "http://files.example:\(request.serverPort)/direct/\(wheel.filename)")])
    }
    try await Harness.using(files, stop: { await $0.stop() }) { files in
      try await TLSFixtures.withProxy(standIns: ["files.example"]) { proxy in
        let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
        let home = try Harness.temporaryDirectory()
        try "machine files.example login nuser password netrc-Secret-77\ndefault login duser password default-Secret-78\n".write(toFile: home + "/netrc", atomically: true, encoding: .utf8)
        SecretSweep.register(user: "nuser", password: "netrc-Secret-77")
        SecretSweep.register(user: "duser", password: "default-Secret-78")
        for link in ["http://files.example:\(files.port)/direct/\(wheel.filename)", "http://files.example:\(files.port)/redirect/\(wheel.filename)"] {
          let page = "<a href=\"\(link)#sha256=\(wheel.sha256)\">\(wheel.filename)</a>"
          let index = try await LoopbackServer.start(tls: FixtureTLS(identity: try TLSFixtures.pki.server(.valid))) { request in
            FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(page.utf8))
          }
          try await Harness.using(index, stop: { await $0.stop() }) { index in
            let dest = try Harness.temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dest) }
            let r = try await Harness.run(
              ["download", "demo", "--no-deps", "-d", dest, "-i", index.origin + "/simple/", "--cert", ca, "-v"] + Self.target,
              environment: ["NETRC": home + "/netrc", "http_proxy": proxy.url, "no_proxy": "127.0.0.1"])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(Harness.files(in: dest) == [wheel.filename])
            let hops = proxy.records.filter { $0.target.contains("files.example") }
            #expect(!hops.isEmpty)
            for hop in hops { #expect(!hop.headers.contains { $0.0.lowercased() == "authorization" }, "\(hop.target) got \(hop.headers)") }
            #expect(r.stderr.contains("no credentials in clear text to a host that is neither loopback nor --trusted-host"), "\(r.stderr)")
          }
        }
      }
    }
  }

  @Test("a netrc default entry answers for the configured index only, not for another host its page links to")
  func netrcDefaultOnlyForConfiguredOrigins() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let files = try await LoopbackServer.start(host: "127.0.0.2") { _ in
      FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: wheel.contents)
    }
    try await Harness.using(files, stop: { await $0.stop() }) { files in
      let page = "<a href=\"\(files.origin)/f/\(wheel.filename)#sha256=\(wheel.sha256)\">\(wheel.filename)</a>"
      try await Self.withPage(page) { index in
        let home = try Harness.temporaryDirectory()
        try "default login duser password default-Secret-79\n".write(toFile: home + "/netrc", atomically: true, encoding: .utf8)
        SecretSweep.register(user: "duser", password: "default-Secret-79")
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(["download", "demo", "--no-deps", "-d", dest, "-i", index.origin + "/simple/"] + Self.target, environment: ["NETRC": home + "/netrc"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(index.requests.first?.header("Authorization") == Harness.basic("duser", "default-Secret-79"))
        #expect(files.requests.count == 1)
        #expect(files.requests.first?.header("Authorization") == nil)
      }
    }
  }

  @Test("a host written with a Unicode character that folds to ASCII (Kelvin sign) is refused, never given the ASCII host's credentials")
  func unicodeHost() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    try await TLSFixtures.withProxy(standIns: ["kidx.example"]) { proxy in
      let page = "<a href=\"http://\u{212A}idx.example:1/f/\(wheel.filename)\">\(wheel.filename)</a>"
      try await Self.withPage(page) { index in
        let dest = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dest) }
        let r = try await Harness.run(["download", "demo", "--no-deps", "-d", dest, "-i", index.origin + "/simple/", "--extra-index-url", "http://u:kidx-Secret-80@kidx.example/simple/", "--trusted-host", "kidx.example"] + Self.target,
          environment: ["http_proxy": proxy.url, "no_proxy": "127.0.0.1"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("its host is not ASCII"), "\(r.stderr)")
        #expect(!proxy.records.contains { $0.headers.contains { $0.0.lowercased() == "authorization" } })
      }
    }
  }
}

/// Everything a server sends is bounded: pages (decompressed too), JSON strings, and the wait.
@Suite("untrusted input: bounds")
struct BoundsEndToEndTests {
  @Test("a gzip bomb (1000 MiB from a few MiB) is refused at 256 MiB decompressed: exit 4, bounded memory")
  func gzipBomb() async throws {
    // 1000 MiB of one HTML comment's worth of spaces, gzipped once up front.
    let chunk = [UInt8](repeating: 0x20, count: 1 << 20)
    let bomb = Zip.gzip(prefix: Array("<html><body>".utf8), repeating: chunk, times: 1000)
    #expect(bomb.count < 4 << 20)
    let server = try await LoopbackServer.start { request in
      FixtureResponse(status: 200, headers: [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], body: bomb)
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let r = try await Harness.runMeasured(["index", "versions", "demo", "-i", server.origin + "/simple/"])
      #expect(r.result.status == 4, "\(r.result.stderr)")
      #expect(r.result.stderr.contains("the page is larger than 256 MiB once decompressed"), "\(r.result.stderr)")
      #expect(r.maxRSSKiB < 256 * 1024, "peak RSS \(r.maxRSSKiB) KiB")
    }
  }

  @Test("a JSON page with one 300 MiB string: refused at 16 MiB, bounded memory")
  func hugeJSONString() async throws {
    let head = Array("{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"demo\", \"files\": [{\"filename\": \"demo-1.0.tar.gz\", \"url\": \"demo-1.0.tar.gz\", \"hashes\": {}, \"yanked\": \"".utf8)
    let huge = [UInt8](repeating: UInt8(ascii: "a"), count: 300 << 20)
    let body = head + huge + Array("\"}]}".utf8)
    let server = try await LoopbackServer.start { _ in
      FixtureResponse(status: 200, headers: [("Content-Type", "application/vnd.pypi.simple.v1+json")], body: body)
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let r = try await Harness.runMeasured(["index", "versions", "demo", "-i", server.origin + "/simple/"])
      #expect(r.result.status == 4, "\(r.result.stderr)")
      #expect(r.result.stderr.contains("a string longer than 16 MiB"), "\(r.result.stderr)")
      #expect(r.maxRSSKiB < 256 * 1024, "peak RSS \(r.maxRSSKiB) KiB")
    }
  }

  @Test("a yank reason with escape sequences, a bell and a carriage return is printed without its control characters (HTML and JSON)", arguments: [false, true])
  func controlCharacters(json: Bool) async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let page = json
      ? "{\"meta\": {\"api-version\": \"1.0\"}, \"name\": \"demo\", \"files\": [{\"filename\": \"\(wheel.filename)\", \"url\": \"/f/\(wheel.filename)\", \"hashes\": {\"sha256\": \"\(wheel.sha256)\"}, \"yanked\": \"bad \\u001b[31mRED\\u001b[0m \\u001b]0;title\\u0007 \\rfake\"}]}"
      : "<a href=\"/f/\(wheel.filename)#sha256=\(wheel.sha256)\" data-yanked=\"bad \u{1B}[31mRED\u{1B}[0m \u{1B}]0;title\u{07} \rfake\">\(wheel.filename)</a>"
    let type = json ? "application/vnd.pypi.simple.v1+json" : "text/html"
    let server = try await LoopbackServer.start { request in
      request.path.hasPrefix("/f/") ? FixtureResponse(status: 200, body: wheel.contents) : FixtureResponse(status: 200, headers: [("Content-Type", type)], body: Array(page.utf8))
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let r = try await Harness.run(["download", "demo==1.0", "--no-deps", "-d", dest, "-i", server.origin + "/simple/"] + UntrustedInputEndToEndTests.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("reason for being yanked: bad [31mRED[0m ]0;title fake"), "\(r.stderr.debugDescription)")
      #expect(!r.stderr.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || $0.value == 0x7F }, "\(r.stderr.debugDescription)")
    }
  }

}

/// Secrets in text that only looks like a URL, in query values, in a scheme-relative
/// `Location`, and in the page cache: every run is swept for them (``Harness/run``).
@Suite("redaction: typos, requirements, queries, Location, cache")
struct RedactionEndToEndTests {
  @Test("a mistyped index URL, find-links or PIP_INDEX_URL never prints its secret", arguments: [
    "https:/user:typo-Secret-1@127.0.0.1:1/simple/", "https:user:typo-Secret-1@127.0.0.1:1/simple/",
    "https//user:typo-Secret-1@127.0.0.1:1/simple/", "user:typo-Secret-1@127.0.0.1:1/simple/",
    "https:/user:typo/Secret-1@127.0.0.1:1/simple/",
  ])
  func typos(_ url: String) async throws {
    let secret = url.contains("typo/Secret") ? "typo/Secret-1" : "typo-Secret-1"
    for args in [["-i", url], ["--no-index", "-f", url]] {
      let r = try await Harness.run(["index", "versions", "demo"] + args, secrets: [secret, "Secret-1"])
      #expect(r.status != 0)
      #expect(r.stderr.contains("error: "), "\(r.stderr)")
    }
    let env = try await Harness.run(["index", "versions", "demo"], environment: ["PIP_INDEX_URL": url], secrets: [secret, "Secret-1"])
    #expect(env.status != 0)
  }

  @Test("an invalid requirement with a secret in its URL is printed redacted, from the command line and from a file after ${VAR}")
  func requirements() async throws {
    let requirement = "foo @ https://user:req-Secret-2@127.0.0.1:1/foo-1.0-py3-none-any.whl ; bogus"
    let r = try await Harness.run(["download", requirement, "--no-deps", "--python-version", "3.11"], secrets: ["req-Secret-2"])
    #expect(r.status == 64, "\(r.stderr)")
    #expect(r.stderr.contains("error: invalid requirement 'foo @ https://user:****@127.0.0.1:1/foo-1.0-py3-none-any.whl ; bogus'"), "\(r.stderr)")
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "foo @ https://user:${TOK}@127.0.0.1:1/foo-1.0-py3-none-any.whl ; bogus\n".write(toFile: dir + "/req.txt", atomically: true, encoding: .utf8)
    let f = try await Harness.run(["download", "-r", dir + "/req.txt", "--no-deps", "--python-version", "3.11"], environment: ["TOK": "req-Secret-3"], secrets: ["req-Secret-3"])
    #expect(f.status == 64, "\(f.stderr)")
    #expect(f.stderr.contains("user:****@127.0.0.1:1"), "\(f.stderr)")
  }

  @Test("every query value is masked in -v, errors and --json; a scheme-relative Location with userinfo is masked in -vv")
  func queriesAndLocations() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let server = try await LoopbackServer.start { request in
      switch request.path {
      case "/simple/demo/":
        // GitLab-style: the token in the query of the index URL; the page links a presigned file.
        return FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<a href=\"/f/\(wheel.filename)?session=q-Secret-5&X-Amz-Signature=q-Secret-6#sha256=\(wheel.sha256)\">\(wheel.filename)</a>".utf8))
      case "/relative/demo/":
        return FixtureResponse(status: 302, headers: [("Location", "//user:loc-Secret-7@127.0.0.1:\(request.serverPort)/simple/demo/?private_token=q-Secret-4")])
      case let path where path.hasPrefix("/simple/"):
        return FixtureResponse(status: 404, headers: [("Content-Type", "text/plain")], body: Array("no".utf8))
      default:
        return FixtureResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: wheel.contents)
      }
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let secrets = ["q-Secret-4", "q-Secret-5", "q-Secret-6", "loc-Secret-7", "q-Secret-8"]
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let r = try await Harness.run(["download", "demo", "--no-deps", "-d", dest, "--json", "-vv", "-i", server.origin + "/simple/?private_token=q-Secret-4&api_key=q-Secret-8"] + UntrustedInputEndToEndTests.target, secrets: secrets)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("?session=****&X-Amz-Signature=****"), "\(r.stdout)")
      #expect(r.stderr.contains("/simple/demo/?private_token=****&api_key=****"), "\(r.stderr)")
      let relative = try await Harness.run(["index", "versions", "demo", "-vv", "-i", server.origin + "/relative/"], secrets: secrets)
      #expect(relative.status == 0, "\(relative.stderr)")
      #expect(relative.stderr.contains("Location: //****@127.0.0.1:"), "\(relative.stderr)")
      let missing = try await Harness.run(["index", "versions", "nothing", "-i", server.origin + "/simple/?private_token=q-Secret-4"], secrets: secrets)
      #expect(missing.status == 1)
      #expect(missing.stderr.contains("?private_token=****"), "\(missing.stderr)")
    }
  }

  @Test("the page cache keeps no query of a final URL (a presigned redirect target)")
  func cacheKeepsNoQuery() async throws {
    let wheel = FixtureFile.wheel("demo", "1.0")
    let server = try await LoopbackServer.start { request in
      if request.path == "/simple/demo/" {
        return FixtureResponse(status: 302, headers: [("Location", "/signed/demo/?X-Amz-Signature=cache-Secret-9&X-Amz-Security-Token=cache-Secret-10")])
      }
      return FixtureResponse(status: 200, headers: [("Content-Type", "text/html"), ("Cache-Control", "max-age=600")], body: Array("<a href=\"/f/\(wheel.filename)\">\(wheel.filename)</a>".utf8))
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let cache = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: cache) }
      for _ in 0..<2 {
        let r = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/"], environment: ["XDG_CACHE_HOME": cache], secrets: ["cache-Secret-9", "cache-Secret-10"])
        #expect(r.status == 0, "\(r.stderr)")
      }
      #expect(server.requests.filter { $0.path == "/signed/demo/" }.count == 1, "the second run used the cache")
      let files = FileManager.default.enumerator(atPath: cache)?.allObjects.compactMap { $0 as? String } ?? []
      #expect(files.contains { $0.hasPrefix("pyindex/pages/") })
    }
  }
}

/// Waits that a server could stretch, DEST entries that are not files, and serve's door.
@Suite("untrusted input: deadlines, DEST, serve")
struct DeadlinesAndServeEndToEndTests {
  @Test("after a certificate failure, a peer that accepts and stays silent does not hold the diagnosis (index versions, auth check)")
  func silentTLSPeer() async throws {
    try await TLSFixtures.withIndex { index in
      let relay = try await FixtureRelay.start(target: index.server.port, relayed: 1)
      try await Harness.using(relay, stop: { await $0.stop() }) { relay in
        let url = "https://127.0.0.1:\(relay.port)/simple/"
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--timeout", "3", "--retries", "0"], killAfter: 60)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("error: the certificate of 127.0.0.1 could not be verified"), "\(r.stderr)")
        #expect(relay.connections == 2, "the request, then the diagnosis handshake")
      }
      let relay2 = try await FixtureRelay.start(target: index.server.port, relayed: 1)
      try await Harness.using(relay2, stop: { await $0.stop() }) { relay in
        let check = try await Harness.run(["auth", "check", "-i", "https://127.0.0.1:\(relay.port)/simple/", "--timeout", "3", "--retries", "0"], killAfter: 60)
        #expect(check.status == 3, "\(check.stdout)\n\(check.stderr)")
        #expect(check.stdout.contains("→ tls"), "\(check.stdout)")
      }
    }
  }

  @Test("a page trickled a byte at a time (each gap within --timeout) fails at the request's overall deadline: exit 3, timed out")
  func trickle() async throws {
    let page = "<html><body><a href=\"/f/demo-1.0.tar.gz\">demo-1.0.tar.gz</a></body></html>\n"
    let server = try await LoopbackServer.start { _ in
      var r = FixtureResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array(page.utf8))
      r.slowly = (page.utf8.count, 300)  // a byte every 0.3 s: 23 s in all
      return r
    }
    try await Harness.using(server, stop: { await $0.stop() }) { server in
      let r = try await Harness.run(["index", "versions", "demo", "-i", server.origin + "/simple/", "--timeout", "2", "--retries", "0"], killAfter: 60)
      #expect(r.status == 3, "\(r.stdout)\n\(r.stderr)")
      #expect(r.stderr.contains("timed out while fetching \(server.origin)/simple/demo/"), "\(r.stderr)")
    }
  }

  @Test("a FIFO, or a symlink to /dev/zero, under the file's name in DEST is never opened; the download replaces it", arguments: ["fifo", "symlink"])
  func specialFilesInDest(_ kind: String) async throws {
    let dest = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dest) }
    let wheel = FixtureFile.wheel("demo-pkg", "1.3.0")
    let path = dest + "/" + wheel.filename
    if kind == "fifo" { #expect(mkfifo(path, 0o644) == 0) } else { try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/zero") }
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["download", "demo-pkg==1.3.0", "-d", dest, "-i", index.simpleURL] + FaultEndToEndTests.target, killAfter: 60)
      #expect(r.status == 0, "\(r.stderr)")
      var st = stat()
      #expect(lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
      #expect(FileManager.default.contents(atPath: path).map(Array.init) == wheel.contents)
    }
  }

  @Test("a relative --cache-dir is under the current directory")
  func relativeCacheDir() async throws {
    let cwd = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: cwd) }
    try await Harness.withIndex(.demo()) { index in
      // A name of its own: the bug this guards against left `/NAME` at the file-system root.
      let name = "rel-cache-" + UUID().uuidString
      defer { try? FileManager.default.removeItem(atPath: "/" + name) }
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cache-dir", name], cwd: cwd)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(FileManager.default.fileExists(atPath: cwd + "/" + name + "/pages"))
      #expect(!FileManager.default.fileExists(atPath: "/" + name))
    }
  }

  @Test("auth check with --trusted-host on https says the certificate was not verified")
  func trustedHostNotVerified() async throws {
    try await TLSFixtures.withIndex { index in
      let r = try await Harness.run(["auth", "check", "-i", index.simpleURL, "--trusted-host", "127.0.0.1"])
      #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
      #expect(r.stdout.contains("NOT verified: 127.0.0.1 is a --trusted-host"), "\(r.stdout)")
      #expect(!r.stdout.contains("trusted: the system roots"), "\(r.stdout)")
    }
  }

  @Test("serve: a non-loopback --host needs a listen token; PYINDEX_LISTEN_TOKEN works; 502 bodies name no upstream; an upstream that fails before answering still gets the installer a 502")
  func serveDoor() async throws {
    let home = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    let open = try await Harness.run(["serve", "--host", "0.0.0.0", "--port", "0", "-i", "http://127.0.0.1:\(LoopbackPort.refusing)/simple/"])
    #expect(open.status == 64, "\(open.stderr)")
    #expect(open.stderr.contains("error: --host 0.0.0.0 is not a loopback address"), "\(open.stderr)")
    #expect(open.stderr.contains("hint: set PYINDEX_LISTEN_TOKEN"), "\(open.stderr)")
    // A page whose file lives on a host that refuses connections.
    let page = "<a href=\"http://127.0.0.1:\(LoopbackPort.refusing)/f/demo-1.0.tar.gz\">demo-1.0.tar.gz</a>"
    try await UntrustedInputEndToEndTests.withPage(page) { upstream in
      SecretSweep.register(["listen-Token-81"])
      try await ServeEndToEndTests.withShim(["-i", upstream.origin + "/simple/"], environment: ["PYINDEX_LISTEN_TOKEN": "listen-Token-81"], home: home) { shim in
        let env = Harness.baseEnvironment(home: home)
        let denied = try await Harness.execute("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", shim.url + "demo/"], environment: env)
        #expect(denied.stdout == "401")
        let authed = shim.url.replacingOccurrences(of: "http://", with: "http://x:listen-Token-81@")
        let listing = try await Harness.execute("/usr/bin/curl", ["-s", "-H", "Accept: text/html", authed + "demo/"], environment: env)
        let href = try #require(listing.stdout.split(separator: "\"").first { $0.hasPrefix("/files/") })
        let file = try await Harness.execute("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", authed.replacingOccurrences(of: "/simple/", with: "") + href], environment: env)
        #expect(file.stdout.hasSuffix("\n502"), "\(file.stdout)")
        #expect(!file.stdout.contains("127.0.0.1"), "no upstream address reaches the installer: \(file.stdout)")
        let missing = try await Harness.execute("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", authed + "nothing/"], environment: env)
        #expect(missing.stdout.hasSuffix("\n404"), "\(missing.stdout)")
        #expect(await shim.stop() == 0)
      }
    }
    // An upstream that refuses the page: the installer hears a 502 in general terms.
    try await ServeEndToEndTests.withShim(["-i", "http://127.0.0.1:\(LoopbackPort.refusing)/simple/", "--retries", "0"], environment: [:], home: home) { shim in
      let r = try await Harness.execute("/usr/bin/curl", ["-s", "-w", "\n%{http_code}", shim.url + "demo/"], environment: Harness.baseEnvironment(home: home))
      #expect(r.stdout.hasSuffix("\n502"), "\(r.stdout)")
      #expect(!r.stdout.contains("127.0.0.1"), "\(r.stdout)")
      #expect(await shim.stop() == 0)
      #expect(shim.text.contains("cannot connect to 127.0.0.1:\(LoopbackPort.refusing)"), "the details go to serve's log: \(shim.text)")
    }
  }
}
