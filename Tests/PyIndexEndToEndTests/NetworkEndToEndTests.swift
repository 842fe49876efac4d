import Foundation
import PyIndexFixtures
import Testing

/// TLS fixtures: a CA made for the test run, and the servers that present its certificates.
enum TLSFixtures {
  static let pki: TestPKI = {
    do { return try TestPKI() } catch { fatalError("cannot make the test CA: \(error)") }
  }()

  /// Writes `text` to a new file and returns its path.
  static func write(_ text: String, name: String) throws -> String {
    let dir = try Harness.temporaryDirectory()
    let path = dir + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  static func withIndex<T>(_ leaf: TestPKI.Leaf = .valid, clientCA: Bool = false, auth: FixtureAuth? = nil, port: Int = 0, _ body: (FixtureIndex) async throws -> T) async throws -> T {
    let tls = FixtureTLS(identity: try pki.server(leaf), clientCA: clientCA ? pki.caPEM : nil)
    for account in auth?.accounts ?? [] { SecretSweep.register(user: account.sampleUser, password: account.password) }
    return try await Harness.using(try await FixtureIndex.start(.demo(auth: auth), port: port, tls: tls), stop: { await $0.stop() }, body)
  }

  static func withProxy<T>(credentials: (String, String)? = nil, connectPorts: Set<Int>? = nil, standIns: Set<String> = [], _ body: (FixtureProxy) async throws -> T) async throws -> T {
    if let credentials { SecretSweep.register(user: credentials.0, password: credentials.1) }
    return try await Harness.using(try await FixtureProxy.start(credentials: credentials, connectPorts: connectPorts, standIns: standIns), stop: { await $0.stop() }, body)
  }
}

@Suite("TLS: trust, diagnosis, client certificates, trusted hosts")
struct TLSEndToEndTests {
  static let listing = AuthEndToEndTests.listing

  @Test("every CA variable adds the fixture CA to the system roots", arguments: ["--cert", "PYINDEX_CERT", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"])
  func trustFromEachSource(_ source: String) async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex { index in
      var args = ["index", "versions", "demo-pkg", "-i", index.simpleURL]
      var env: [String: String] = [:]
      switch source {
      case "--cert": args += ["--cert", ca]
      case "SSL_CERT_DIR": env[source] = URL(fileURLWithPath: ca).deletingLastPathComponent().path
      default: env[source] = ca
      }
      let r = try await Harness.run(args, environment: env)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout == Self.listing)
    }
  }

  @Test("without the CA: the issuer is named, the sources read are listed, and it is not retried")
  func untrusted() async throws {
    let other = try TLSFixtures.write(try TestPKI(name: "another CA").caPEM, name: "other.pem")
    try await TLSFixtures.withIndex { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["REQUESTS_CA_BUNDLE": other])
      #expect(r.status == 3)
      #expect(r.stderr.contains("error: the certificate of 127.0.0.1 is not trusted: its issuer (pyindex fixture CA) is not among the trusted CAs"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: pyindex trusted the system roots, REQUESTS_CA_BUNDLE=\(other) (1 certificate); if your network inspects TLS"))
      #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("http: GET") }.count == 1)
      #expect(index.requests.isEmpty)
    }
  }

  @Test("several variables: all of them are added, none replaces another")
  func severalSourcesAddUp() async throws {
    let other = try TLSFixtures.write(try TestPKI(name: "another CA").caPEM, name: "other.pem")
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", other], environment: ["SSL_CERT_FILE": ca, "PIP_CERT": other])
      #expect(r.status == 0, "\(r.stderr)")
    }
  }

  @Test("a CA source that is missing or holds no certificate is a usage error naming it", arguments: [
    ("REQUESTS_CA_BUNDLE", "missing"), ("SSL_CERT_FILE", "empty"), ("SSL_CERT_DIR", "emptydir"), ("--cert", "missing"),
  ])
  func badSources(_ source: String, _ kind: String) async throws {
    let dir = try Harness.temporaryDirectory()
    let path: String
    switch kind {
    case "empty": path = try TLSFixtures.write("not a certificate\n", name: "empty.pem")
    case "emptydir": path = dir
    default: path = dir + "/nowhere.pem"
    }
    let args = ["index", "versions", "demo-pkg", "-i", "https://127.0.0.1:\(LoopbackPort.refusing)/simple/"] + (source == "--cert" ? ["--cert", path] : [])
    let r = try await Harness.run(args, environment: source == "--cert" ? [:] : [source: path])
    #expect(r.status == 64)
    #expect(r.stderr.hasPrefix("error: \(source) names \(path), which "), "\(r.stderr)")
    #expect(r.stderr.contains("hint: point it at a PEM file"))
  }

  @Test("an expired certificate and one for another host each say so; --trusted-host skips the check")
  func expiredAndWrongHost() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex(.expired) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca])
      #expect(r.status == 3)
      #expect(r.stderr.contains("error: the certificate of 127.0.0.1 expired on "), "\(r.stderr)")
      #expect(r.stderr.contains("hint: the server must renew its certificate"))
      let trusted = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--trusted-host", "127.0.0.1:\(index.server.port)"])
      #expect(trusted.status == 0, "\(trusted.stderr)")
      #expect(trusted.stdout == Self.listing)
    }
    try await TLSFixtures.withIndex(.wrongHost) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca])
      #expect(r.status == 3)
      #expect(r.stderr.contains("error: the certificate presented by 127.0.0.1 is for wrong-host.example, not for 127.0.0.1"), "\(r.stderr)")
      #expect(r.stderr.contains("hint: use a host name the certificate names"))
      let trusted = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--trusted-host", "127.0.0.1"])
      #expect(trusted.status == 0, "\(trusted.stderr)")
    }
  }

  @Test("a server that requires a client certificate: said so without one, accepted with --client-cert")
  func clientCertificate() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    let client = try TLSFixtures.write(try TLSFixtures.pki.client().combinedPEM, name: "client.pem")
    let noKey = try TLSFixtures.write(try TLSFixtures.pki.client().certificatePEM, name: "nokey.pem")
    try await TLSFixtures.withIndex(clientCA: true) { index in
      let without = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca])
      #expect(without.status == 3)
      #expect(without.stderr.contains("requires a client certificate"), "\(without.stderr)")
      #expect(without.stderr.contains("hint: pass --client-cert FILE"))
      let with = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca, "--client-cert", client])
      #expect(with.status == 0, "\(with.stderr)")
      #expect(with.stdout == Self.listing)
      let bad = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca, "--client-cert", noKey])
      #expect(bad.status == 64)
      #expect(bad.stderr.contains("holds no unencrypted private key"))
    }
  }

  @Test("plain http to a host that is neither local nor trusted is skipped with pip's warning")
  func insecureOrigin() async throws {
    let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://insecure.invalid/simple/"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("warning: The repository located at insecure.invalid is not a trusted or secure host and is being ignored."))
    #expect(r.stderr.contains("(ignored: plain http to a host that is not --trusted-host)"))
  }
}

@Suite("proxies: variables, NO_PROXY, failures, the tunnel", .serialized)
struct ProxyEndToEndTests {
  static let listing = AuthEndToEndTests.listing
  /// A port nothing listens on (the discard port on loopback).
  static var deadProxy: String { "http://127.0.0.1:\(LoopbackPort.refusing)" }

  @Test("HTTPS_PROXY tunnels https; the index's Authorization never reaches the proxy; -v names the route")
  func httpsThroughTheProxy() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex(auth: FixtureAuth(username: "u", password: "tunnel-pw-1")) { index in
      try await TLSFixtures.withProxy { proxy in
        let url = "https://u:tunnel-pw-1@127.0.0.1:\(index.server.port)/simple/"
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--cert", ca, "-v"], environment: ["HTTPS_PROXY": proxy.url])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == Self.listing)
        #expect(r.stderr.contains("via proxy \(proxy.url)/ (HTTPS_PROXY), credentials: url"))
        #expect(proxy.records.map(\.method) == ["CONNECT"])
        #expect(proxy.records.first?.target == "127.0.0.1:\(index.server.port)")
        #expect(proxy.records.allSatisfy { $0.header("Authorization") == nil })
        #expect(index.requests.first?.header("Authorization") == Harness.basic("u", "tunnel-pw-1"))
      }
    }
  }

  @Test("lower case wins over upper case; ALL_PROXY is the fallback; --proxy overrides them", arguments: ["lower", "all", "flag"])
  func precedence(_ kind: String) async throws {
    try await Harness.withIndex(.demo()) { index in
      try await TLSFixtures.withProxy { proxy in
        var env: [String: String] = [:]
        var args = ["index", "versions", "demo-pkg", "-i", index.simpleURL]
        switch kind {
        case "lower": env = ["HTTP_PROXY": Self.deadProxy, "http_proxy": proxy.url]
        case "all": env = ["ALL_PROXY": proxy.url]
        default: env = ["http_proxy": Self.deadProxy, "HTTP_PROXY": Self.deadProxy, "all_proxy": Self.deadProxy]; args += ["--proxy", proxy.url]
        }
        let r = try await Harness.run(args, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(proxy.records.count == 1)
      }
    }
  }

  @Test("NO_PROXY forms: *, an IP, a CIDR range, host:port, with spaces and empty entries", arguments: [
    ("*", true), ("127.0.0.1", true), (" , 10.0.0.0/8, 127.0.0.0/8 ,", true), ("127.0.0.1:PORT", true), ("127.0.0.1:1", false), ("[::1], example.com, .example.org", false),
  ])
  func noProxy(_ value: String, _ bypass: Bool) async throws {
    try await Harness.withIndex(.demo()) { index in
      try await TLSFixtures.withProxy { proxy in
        let noProxy = value.replacingOccurrences(of: "PORT", with: "\(index.server.port)")
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["http_proxy": proxy.url, "NO_PROXY": noProxy])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(proxy.records.isEmpty == bypass)
        #expect(r.stderr.contains("via direct") == bypass)
      }
    }
  }

  @Test("the route is chosen per hop: a redirect to another origin may change it")
  func routePerHop() async throws {
    try await Harness.withIndex(.demo()) { direct in
      try await Harness.withIndex(.demo()) { proxied in
        try await TLSFixtures.withProxy { proxy in
          let r = try await Harness.run(
            ["index", "versions", "demo-pkg", "-i", "\(direct.server.origin)/to-port/\(proxied.server.port)/", "-v"],
            environment: ["http_proxy": proxy.url, "no_proxy": "127.0.0.1:\(direct.server.port)"])
          #expect(r.status == 0, "\(r.stderr)")
          let hops = r.stderr.split(separator: "\n").filter { $0.hasPrefix("http: GET") }
          #expect(hops.count == 2)
          #expect(hops.first?.contains("via direct") == true)
          #expect(hops.last?.contains("via proxy \(proxy.url)/ (http_proxy)") == true)
          #expect(proxy.records.map(\.target) == ["127.0.0.1:\(proxied.server.port)"])
        }
      }
    }
  }

  @Test("proxy credentials: 407 without them names the proxy and its variable; percent-decoded userinfo works")
  func proxyAuthentication() async throws {
    try await Harness.withIndex(.demo()) { index in
      try await TLSFixtures.withProxy(credentials: ("proxy-user", "pr@xy:pw/1")) { proxy in
        let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["HTTP_PROXY": proxy.url])
        #expect(none.status == 3)
        #expect(none.stderr.contains("error: the proxy \(proxy.url) (from HTTP_PROXY) failed while fetching \(index.simpleURL)demo-pkg/: 407 Proxy Authentication Required"), "\(none.stderr)")
        #expect(none.stderr.contains("hint: the proxy wants credentials: put them in the proxy URL in HTTP_PROXY"))
        let url = "http://proxy-user:\(Harness.percentEncode("pr@xy:pw/1"))@127.0.0.1:\(proxy.port)"
        let with = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["HTTP_PROXY": url])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stderr.contains("via proxy http://proxy-user:****@127.0.0.1:\(proxy.port)/ (HTTP_PROXY)"))
        #expect(proxy.records.last?.header("Proxy-Authorization") == Harness.basic("proxy-user", "pr@xy:pw/1"))
        let wrong = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--proxy", "http://proxy-user:nope-nope-1@127.0.0.1:\(proxy.port)"], secrets: ["nope-nope-1"])
        #expect(wrong.status == 3)
        #expect(wrong.stderr.contains("the proxy refused the credentials in --proxy"))
      }
    }
  }

  @Test("an unreachable proxy, and one that refuses the tunnel's port, are network failures that name it")
  func proxyFailures() async throws {
    try await Harness.withIndex(.demo()) { index in
      let dead = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["http_proxy": Self.deadProxy])
      #expect(dead.status == 3)
      #expect(dead.stderr.contains("error: the proxy \(Self.deadProxy) (from http_proxy) failed while fetching"), "\(dead.stderr)")
      #expect(dead.stderr.contains("cannot connect to the proxy (connection refused)"))
      try await TLSFixtures.withProxy(connectPorts: [443]) { proxy in
        let refused = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["http_proxy": proxy.url])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("it refused to open a tunnel to 127.0.0.1:\(index.server.port)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("hint: proxies often allow CONNECT to port 443 only"))
      }
    }
  }

  @Test("proxy URLs pyindex cannot use are usage errors", arguments: [
    ("https://127.0.0.1:3128", "TLS to the proxy itself"), ("socks5://u:p@127.0.0.1:1080", "SOCKS proxies with credentials"), ("ftp://127.0.0.1:21", "the scheme ftp is not supported"),
  ])
  func unusableProxies(_ url: String, _ message: String) async throws {
    let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://127.0.0.1:\(LoopbackPort.refusing)/simple/"], environment: ["HTTPS_PROXY": url])
    #expect(r.status == 64)
    #expect(r.stderr.contains("from HTTPS_PROXY cannot be used: \(message)"), "\(r.stderr)")
  }
}

/// Redirects between http and https on the default ports (80 and 443): the contract's upgrade
/// rule. A shared machine may hold 80 and 443 of 127.0.0.1, so the two servers bind a loopback
/// address of their own (127.x.y.z, tried until both ports are free there); the test machine
/// runs as root.
@Suite("http→https upgrade and https→http downgrade on default ports")
struct DefaultPortRedirectTests {
  @Test("credentials are kept on an http→https upgrade and dropped on a downgrade")
  func upgradeKeepsDowngradeDrops() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    let auth = FixtureAuth(username: "u", password: "default-port-pw")
    SecretSweep.register(user: "u", password: "default-port-pw")
    let (plain, secure) = try await Self.startOnDefaultPorts(auth: auth)
    try await Harness.using((plain, secure), stop: { await $0.0.stop(); await $0.1.stop() }) { plain, secure in
      let host = plain.server.host
      #expect(host != "127.0.0.1")
      let up = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://u:default-port-pw@\(host)/to-default/https/", "--cert", ca, "-v"])
      #expect(up.status == 0, "\(up.stderr)")
      #expect(up.stderr.contains("→ https://\(host)/simple/demo-pkg/ (credentials kept: upgrade to https on the same host)"), "\(up.stderr)")
      #expect(secure.requests.last?.header("Authorization") == Harness.basic("u", "default-port-pw"))
      plain.server.clearRequests()
      let down = try await Harness.run(["index", "versions", "demo-pkg", "-i", "https://u:default-port-pw@\(host)/to-default/http/", "--cert", ca, "-v"])
      #expect(down.status == 2, "\(down.stderr)")
      #expect(down.stderr.contains("(credentials dropped: other origin)"))
      #expect(plain.server.requests.count == 1)
      #expect(plain.server.requests.first?.header("Authorization") == nil)
    }
  }

  /// A plain index on port 80 and a TLS one (certificate naming the address) on port 443 of one
  /// loopback address other than 127.0.0.1 where both ports were free.
  static func startOnDefaultPorts(auth: FixtureAuth) async throws -> (FixtureIndex, FixtureIndex) {
    var tried: [String] = []
    for _ in 0..<64 {
      let host = "127.\(Int.random(in: 1...254)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
      tried.append(host)
      guard let plain = try? await FixtureIndex.start(.demo(auth: auth), host: host, port: 80) else { continue }
      let tls = FixtureTLS(identity: try TLSFixtures.pki.server(.valid, addresses: [host]))
      if let secure = try? await FixtureIndex.start(.demo(auth: auth), host: host, port: 443, tls: tls) { return (plain, secure) }
      await plain.stop()
    }
    throw NoFreeAddress(tried: tried)
  }

  struct NoFreeAddress: Error, CustomStringConvertible {
    let tried: [String]
    var description: String { "no loopback address had ports 80 and 443 free; tried \(tried.joined(separator: ", "))" }
  }
}

/// tinyproxy from Debian, a real proxy: `scripts/test` installs it and sets `PYINDEX_TINYPROXY`.
@Suite("tinyproxy, a real proxy with BasicAuth and ConnectPort")
struct TinyproxyTests {
  static let executable: String? = {
    guard let p = ProcessInfo.processInfo.environment["PYINDEX_TINYPROXY"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
    return p
  }()

  @Test func tinyproxyIsInstalledWhenRequired() {
    if ProcessInfo.processInfo.environment["PYINDEX_REQUIRE_PEERS"] == "1" {
      #expect(Self.executable != nil, "PYINDEX_TINYPROXY must name tinyproxy")
    }
  }

  /// Starts tinyproxy on a free port with `BasicAuth tiny-user tinyProxyPw9` and CONNECT allowed
  /// to `connectPorts` only; stops it after `body`.
  static func withTinyproxy(connectPorts: [Int], _ body: (Int) async throws -> Void) async throws {
    let exe = try #require(executable)
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    SecretSweep.register(user: "tiny-user", password: "tinyProxyPw9")
    // Without a LogFile, tinyproxy logs to its standard output; "Accepting connections" comes after the bind.
    try await Harness.withServerProcess(exe, ready: "Accepting connections", home: dir) { port in
      let config = """
        Port \(port)
        Listen 127.0.0.1
        Timeout 30
        MaxClients 20
        Allow 127.0.0.1
        BasicAuth tiny-user tinyProxyPw9
        LogLevel Info
        \(connectPorts.map { "ConnectPort \($0)" }.joined(separator: "\n"))
        """
      try config.write(toFile: dir + "/tinyproxy.conf", atomically: true, encoding: .utf8)
      return ["-d", "-c", dir + "/tinyproxy.conf"]
    } _: { port in
      try await body(port)
    }
  }


  @Test("https through tinyproxy with BasicAuth: the index's credentials ride inside the tunnel", .enabled(if: TinyproxyTests.executable != nil))
  func httpsWithProxyAuth() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex(auth: FixtureAuth(username: "u", password: "via-tiny-pw-2")) { index in
      try await Self.withTinyproxy(connectPorts: [index.server.port]) { port in
        let url = "https://u:via-tiny-pw-2@127.0.0.1:\(index.server.port)/simple/"
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--cert", ca, "-v"], environment: ["https_proxy": "http://tiny-user:tinyProxyPw9@127.0.0.1:\(port)"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == AuthEndToEndTests.listing)
        #expect(r.stderr.contains("via proxy http://tiny-user:****@127.0.0.1:\(port)/ (https_proxy)"))
        #expect(index.requests.first?.header("Authorization") == Harness.basic("u", "via-tiny-pw-2"))
        let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "--cert", ca], environment: ["https_proxy": "http://127.0.0.1:\(port)"])
        #expect(none.status == 3)
        #expect(none.stderr.contains("407 Proxy Authentication Required"), "\(none.stderr)")
        #expect(none.stderr.contains("(from https_proxy)"))
      }
    }
  }

  @Test("a port tinyproxy's ConnectPort does not allow is refused, and said so", .enabled(if: TinyproxyTests.executable != nil))
  func connectPortRefused() async throws {
    try await Harness.withIndex(.demo()) { index in
      try await Self.withTinyproxy(connectPorts: [443]) { port in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["http_proxy": "http://tiny-user:tinyProxyPw9@127.0.0.1:\(port)"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("it refused to open a tunnel to 127.0.0.1:\(index.server.port)"), "\(r.stderr)")
      }
      try await Self.withTinyproxy(connectPorts: [index.server.port]) { port in
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL], environment: ["http_proxy": "http://tiny-user:tinyProxyPw9@127.0.0.1:\(port)"])
        #expect(r.status == 0, "\(r.stderr)")
      }
    }
  }
}

extension ProxyEndToEndTests {
  @Test("socks5:// and socks5h:// proxies carry http and https", arguments: ["socks5", "socks5h"])
  func socks(_ scheme: String) async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex { index in
      let proxy = try await FixtureProxy.start(socks: true)
      do {
        let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "--cert", ca, "-v"], environment: ["ALL_PROXY": "\(scheme)://127.0.0.1:\(proxy.port)"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("via proxy \(scheme)://127.0.0.1:\(proxy.port)/ (ALL_PROXY)"))
        #expect(proxy.records.map(\.target) == ["127.0.0.1:\(index.server.port)"])
      } catch {
        await proxy.stop()
        throw error
      }
      await proxy.stop()
    }
  }

  @Test("--trusted-host lets plain http through to a host that is not local")
  func trustedHostAllowsPlainHTTP() async throws {
    let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://insecure.invalid/simple/", "--trusted-host", "insecure.invalid"])
    #expect(r.status == 3)
    #expect(!r.stderr.contains("is not a trusted or secure host"))
    #expect(r.stderr.contains("cannot resolve host 'insecure.invalid'"), "\(r.stderr)")
  }
}
