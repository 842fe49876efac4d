import PyIndexAuth
import PyIndexModel
@testable import PyIndexTransport
import Testing

@Suite("NO_PROXY")
struct NoProxyTests {
  @Test("curl's forms", arguments: [
    ("example.com", "example.com", 443, true),
    ("example.com", "pkg.example.com", 443, true),
    ("example.com", "badexample.com", 443, false),
    (".example.com", "example.com", 443, true),
    (".example.com", "a.b.example.com", 443, true),
    ("*.example.com", "a.example.com", 443, true),
    ("*", "anything.at.all", 80, true),
    ("example.com:8443", "example.com", 8443, true),
    ("example.com:8443", "example.com", 443, false),
    ("10.0.0.0/8", "10.20.30.40", 443, true),
    ("10.0.0.0/8", "11.0.0.1", 443, false),
    ("192.168.1.7", "192.168.1.7", 80, true),
    ("[::1]", "[::1]", 80, true),
    ("::1", "::1", 80, true),
    ("fd00::/8", "[fd12:3456::1]", 443, true),
    ("fd00::/8", "[fe80::1]", 443, false),
    ("[::1]:8080", "::1", 8080, true),
    (" example.com , , other.org ", "other.org", 443, true),
    ("EXAMPLE.com", "example.COM", 443, true),
    ("example.com", "10.0.0.1", 443, false),
    ("", "example.com", 443, false),
  ])
  func matches(_ list: String, _ host: String, _ port: Int, _ expected: Bool) {
    #expect(NoProxy(list).matches(host: host, port: port) == expected)
  }
}

@Suite("proxy variables")
struct ProxySettingsTests {
  @Test func lowerCaseWinsAndAllProxyFallsBack() throws {
    let s = try ProxySettings.resolve(environment: ["HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2", "ALL_PROXY": "http://all:3"], override: nil)
    #expect(s.https?.host == "lower")
    #expect(s.https?.source == "https_proxy")
    #expect(s.http?.host == "all")
    #expect(s.http?.source == "ALL_PROXY")
  }

  @Test("upper-case HTTP_PROXY is ignored under CGI (httpoxy)")
  func httpoxy() throws {
    let s = try ProxySettings.resolve(environment: ["HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"], override: nil)
    #expect(s.http == nil)
  }

  @Test func schemeLessDefaultPortsAndCredentials() throws {
    let plain = try ProxySettings.parse("proxy.corp", source: "http_proxy")
    #expect(plain.kind == .http && plain.host == "proxy.corp" && plain.port == 80)
    let socks = try ProxySettings.parse("socks5h://socks.corp", source: "ALL_PROXY")
    #expect(socks.kind == .socks5 && socks.port == 1080)
    let auth = try ProxySettings.parse("http://me%40corp:p%3Aw@proxy:3128", source: "--proxy")
    #expect(auth.credentials == Credentials(username: "me@corp", password: "p:w"))
    #expect(auth.redacted == "http://me%40corp:****@proxy:3128")
  }

  @Test func overrideReplacesTheVariablesNotNoProxy() throws {
    let s = try ProxySettings.resolve(environment: ["http_proxy": "http://a:1", "no_proxy": "internal.corp"], override: "http://b:2")
    #expect(s.http?.host == "b" && s.https?.host == "b")
    let parts = try #require(SafeURL("https://pkg.internal.corp/simple/"))
    #expect(s.proxy(for: parts) == nil)
    #expect(s.proxy(for: try #require(SafeURL("https://pypi.org/simple/")))?.host == "b")
  }
}

@Suite("trust sources")
struct TrustSettingsTests {
  @Test("--cert first, then the variables in the contract's order, then SSL_CERT_DIR entries")
  func order() {
    let env = ["SSL_CERT_FILE": "/f", "PIP_CERT": "/p", "SSL_CERT_DIR": "/d1:/d2", "CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": "/r"]
    let t = TrustSettings.from(environment: env, cert: "/c", clientCertificate: nil, trustedHosts: [])
    #expect(t.sources.map(\.name) == ["--cert", "PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CERT_DIR"])
    #expect(t.sources.map(\.path) == ["/c", "/p", "/r", "/f", "/d1", "/d2"])
  }

  @Test("a machine without a CA bundle where NIOSSL looks: the TLS hint names SSL_CERT_FILE")
  func noSystemRoots() throws {
    let bare = try LoadedTrust(TrustSettings(), systemBundles: ["/nonexistent/ca-certificates.crt"])
    #expect(bare.summary == LoadedTrust.noSystemRoots)
    let url = try #require(SafeURL("https://pkgs.example/simple/"))
    let failure = TransportError.tls(host: "pkgs.example", url: url, detail: "CERTIFICATE_VERIFY_FAILED", problem: .verificationFailed, trusted: bare.summary)
    #expect(failure.hint?.contains("set SSL_CERT_FILE") == true)
    let usual = TransportError.tls(host: "pkgs.example", url: url, detail: "x", problem: .untrustedIssuer(nil), trusted: "the system roots")
    #expect(usual.hint?.contains("set SSL_CERT_FILE") == false)
    let withBundle = try LoadedTrust(TrustSettings(), systemBundles: ["/nonexistent/ca.crt", "/dev/null"])
    #expect(withBundle.summary == "the system roots")
  }

  @Test func trustedHosts() {
    let t = TrustSettings(trustedHosts: ["pkg.corp", "other.corp:8443"])
    #expect(t.isTrusted(host: "pkg.corp", port: nil))
    #expect(t.isTrusted(host: "pkg.corp", port: 443))
    #expect(t.isTrusted(host: "other.corp", port: 8443))
    #expect(!t.isTrusted(host: "other.corp", port: nil))
  }
}

@Suite("Retry-After")
struct RetryAfterTests {
  @Test("delta-seconds and HTTP dates, bounded to 30 s; anything else is no Retry-After")
  func values() {
    #expect(Transport.retryAfter("7") == 7)
    #expect(Transport.retryAfter("3600") == 30)
    #expect(Transport.retryAfter("-4") == nil)
    #expect(Transport.retryAfter("nan") == nil)
    #expect(Transport.retryAfter("1e300") == nil)
    #expect(Transport.retryAfter("99999999999999999999999999") == 30)
    #expect(Transport.retryAfter("Sun, 06 Nov 1994 08:49:42 GMT", now: 784_111_777) == 5)
    #expect(Transport.retryAfter("Sun, 06 Nov 1994 08:49:30 GMT", now: 784_111_777) == 0)
    #expect(Transport.retryAfter("Sun, 06 Nov 1994 99999999999999999999:49:30 GMT", now: 784_111_777) == nil)
    #expect(Transport.retryAfter("soon") == nil)
  }
}
