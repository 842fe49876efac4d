import Foundation
import PyIndexFixtures
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// `auth check` against one fixture per failure class: the outcome, the exit code, the cause
/// and the hint for each, in human form and as the contract's JSON; and never a secret.
@Suite("auth check: one fixture per failure class")
struct AuthCheckEndToEndTests {
  enum Case: String, CaseIterable, CustomStringConvertible {
    case ok, missing, wrong, expired, malformed, wrongURL, projectMissing, gitlab404, gitlabMalformed, loginPage, signInRedirect
    case notAnIndex, refusedRedirect, tls, proxy, dns, refused, timeout
    var description: String { rawValue }
  }

  /// What a case must produce.
  struct Expectation {
    var outcome: String
    var status: Int32
    var httpStatus: String
    var cause: String
    var hint: String
    var source = "url"
  }

  static let user = "check-user", password = "check-Pa55/word="

  static func b64url(_ s: String) -> String {
    Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
  }

  /// A never-answering server: a socket that listens but never accepts (the kernel completes
  /// the handshake, nothing ever replies).
  static func silentPort() throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    #expect(bound == 0)
    #expect(listen(fd, 16) == 0)
    withUnsafeMutablePointer(to: &addr) { p in p.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &len) } }
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
  }

  @Test("outcome, exit code, cause and hint", arguments: Case.allCases)
  func matrix(_ c: Case) async throws {
    let protected = FixtureProfile.demo(auth: FixtureAuth(username: Self.user, password: Self.password))
    let secrets = Harness.secretForms(user: Self.user, password: Self.password)
    func check(_ args: [String], env: [String: String] = [:], extraSecrets: [String] = [], _ e: Expectation) async throws {
      let r = try await Harness.run(["auth", "check"] + args, environment: env, secrets: secrets + extraSecrets)
      #expect(r.status == e.status, "\(c): \(r.stdout)\n\(r.stderr)")
      #expect(r.stdout.contains("→ \(e.outcome)"), "\(c): \(r.stdout)")
      if e.outcome != "ok" {
        #expect(r.stderr.contains("error: "), "\(c): \(r.stderr)")
        #expect(r.stderr.contains(e.cause), "\(c): cause \(e.cause) not in \(r.stderr)")
        #expect(r.stderr.contains("hint: ") && r.stderr.contains(e.hint), "\(c): hint \(e.hint) not in \(r.stderr)")
      }
      let j = try await Harness.run(["auth", "check", "--json"] + args, environment: env, secrets: secrets + extraSecrets)
      #expect(j.status == e.status)
      let parsed = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [[String: Any]]
      let first = try #require(parsed?.first, "\(c): \(j.stdout)")
      #expect(first["outcome"] as? String == e.outcome, "\(c): \(j.stdout)")
      #expect(first["credential_source"] as? String == e.source, "\(c): \(j.stdout)")
      #expect((first["http_status"] as? Int).map(String.init) ?? "null" == e.httpStatus, "\(c): \(j.stdout)")
      if e.outcome == "ok" { #expect(first["hint"] is NSNull) } else { #expect((first["hint"] as? String)?.contains(e.hint) == true, "\(c): \(j.stdout)") }
    }
    switch c {
    case .ok:
      try await Harness.withIndex(protected) { index in
        try await check(["-i", Harness.url(index, user: Self.user, password: Self.password), "--project", "demo-pkg"],
          Expectation(outcome: "ok", status: 0, httpStatus: "200", cause: "", hint: ""))
      }
    case .missing:
      try await Harness.withIndex(protected) { index in
        try await check(["-i", index.simpleURL], Expectation(outcome: "auth", status: 2, httpStatus: "401", cause: "credentials missing", hint: "set PYINDEX_USERNAME and PYINDEX_PASSWORD", source: "none"))
      }
    case .wrong:
      let profile = FixtureProfile(projects: [FixtureProfile.demoProject()], auth: FixtureAuth(accounts: [FixtureAccount(user: .exact(Self.user), password: Self.password)], missing: .challenge, wrong: .forbidden))
      try await Harness.withIndex(profile) { index in
        try await check([], env: ["PYINDEX_INDEX_URL": index.simpleURL, "PYINDEX_USERNAME": Self.user, "PYINDEX_PASSWORD": "not-the-password-9"], extraSecrets: ["not-the-password-9"],
          Expectation(outcome: "auth", status: 2, httpStatus: "403", cause: "credentials lack permission, or are unknown to the server", hint: "roles/artifactregistry.reader", source: "env"))
      }
    case .expired:
      let token = Self.b64url(#"{"alg":"RS256","typ":"JWT"}"#) + "." + Self.b64url(#"{"sub":"ci","exp":1000000000}"#) + ".c2lnbmF0dXJl"
      try await Harness.withIndex(protected) { index in
        try await check(["-i", Harness.url(index, user: "oauth2accesstoken", password: token)], extraSecrets: [token],
          Expectation(outcome: "auth", status: 2, httpStatus: "401", cause: "expired", hint: "fix the token"))
      }
    case .malformed:
      let key = Data(Data(#"{"type": "service_account", "project_id": "p", "private_key": "k", "client_email": "e@p.iam.gserviceaccount.com"}"#.utf8).base64EncodedString().utf8).base64EncodedString()
      try await Harness.withIndex(.named("artifact-registry")!) { index in
        try await check(["-i", Harness.url(index, user: "_json_key_base64", password: key, path: FixtureProfile.named("artifact-registry")!.layout.simplePath)], extraSecrets: [key],
          Expectation(outcome: "auth", status: 2, httpStatus: "401", cause: "the credentials look malformed", hint: "fix the token"))
      }
    case .wrongURL:
      try await Harness.withIndex(FixtureProfile.demo()) { index in
        try await check(["-i", index.server.origin + "/pypi/simple/"], Expectation(outcome: "not-found", status: 1, httpStatus: "404", cause: "the index URL is wrong", hint: "check the index URL", source: "none"))
      }
    case .projectMissing:
      try await Harness.withIndex(protected) { index in
        try await check(["-i", Harness.url(index, user: Self.user, password: Self.password), "--project", "no-such-project"],
          Expectation(outcome: "not-found", status: 1, httpStatus: "404", cause: "the project is not on this index", hint: "check the project name"))
      }
    case .gitlab404, .gitlabMalformed:
      let gitlab = FixtureProfile.named("gitlab")!
      try await Harness.withIndex(gitlab) { index in
        let url = index.server.origin + gitlab.layout.simplePath
        if c == .gitlab404 {
          try await check(["-i", url, "--project", "demo-pkg"],
            Expectation(outcome: "not-found", status: 1, httpStatus: "404", cause: "a 404 that probably means missing credentials", hint: "gitlab+deploy-token-N", source: "none"))
        } else {
          let token = "gldt-" + String(repeating: "x", count: 20)
          try await check(["-i", Harness.url(index, user: "deploy", password: token, path: gitlab.layout.simplePath)], extraSecrets: [token],
            Expectation(outcome: "auth", status: 2, httpStatus: "404", cause: "the credentials look malformed", hint: "read_package_registry"))
        }
      }
    case .loginPage:
      try await Harness.withIndex(.named("login-page")!) { index in
        try await check(["-i", index.simpleURL], Expectation(outcome: "login-page", status: 2, httpStatus: "200", cause: "web sign-in page", hint: "sign-in page to requests without them", source: "none"))
      }
    case .signInRedirect:
      try await Harness.withIndex(.named("azure")!) { index in
        let path = FixtureProfile.named("azure")!.layout.simplePath
        try await check(["-i", index.server.origin + path], Expectation(outcome: "login-page", status: 2, httpStatus: "200", cause: "after a redirect to 127.0.0.1:\(index.storage!.port)", hint: "personal access token", source: "none"))
      }
    case .notAnIndex:
      try await Harness.withIndex(FixtureProfile.demo()) { index in
        try await check(["-i", index.server.origin + "/badtype/"], Expectation(outcome: "protocol", status: 4, httpStatus: "200", cause: "not with a PEP 503/691 page", hint: "ends in /simple/", source: "none"))
      }
    case .refusedRedirect:
      try await Harness.withIndex(FixtureProfile.demo()) { index in
        try await check(["-i", index.server.origin + "/to-file/x/"], Expectation(outcome: "protocol", status: 4, httpStatus: "null", cause: "refused to follow the redirect", hint: "use the URL the index is finally served from", source: "none"))
      }
    case .tls:
      try await TLSFixtures.withIndex { index in
        try await check(["-i", index.simpleURL], Expectation(outcome: "tls", status: 3, httpStatus: "null", cause: "is not trusted", hint: "--cert", source: "none"))
      }
    case .proxy:
      try await TLSFixtures.withProxy(credentials: ("proxy-user", "proxy-Secret-1")) { proxy in
        try await check(["-i", "http://index.example.test/simple/", "--proxy", "http://127.0.0.1:\(proxy.port)", "--trusted-host", "index.example.test"],
          Expectation(outcome: "proxy", status: 3, httpStatus: "null", cause: "the proxy http://127.0.0.1:\(proxy.port) (from --proxy) failed", hint: "the proxy wants credentials", source: "none"))
      }
    case .dns:
      try await check(["-i", "https://no-such-host.invalid/simple/"], Expectation(outcome: "dns", status: 3, httpStatus: "null", cause: "cannot resolve host 'no-such-host.invalid'", hint: "DNS", source: "none"))
    case .refused:
      let port = LoopbackPort.refusing
      try await check(["-i", "http://127.0.0.1:\(port)/simple/"], Expectation(outcome: "connect", status: 3, httpStatus: "null", cause: "cannot connect to 127.0.0.1:\(port)", hint: "check the host and port", source: "none"))
    case .timeout:
      let (fd, port) = try Self.silentPort()
      defer { close(fd) }
      try await check(["-i", "http://127.0.0.1:\(port)/simple/", "--timeout", "1", "--retries", "0"],
        Expectation(outcome: "timeout", status: 3, httpStatus: "null", cause: "timed out", hint: "--timeout", source: "none"))
    }
  }

  @Test("several indexes: each is checked and reported; the exit code is the first failure's")
  func severalIndexes() async throws {
    try await Harness.withIndex(FixtureProfile.demo(auth: FixtureAuth(username: Self.user, password: Self.password))) { protected in
      try await Harness.withIndex(FixtureProfile.demo()) { open in
        let r = try await Harness.run(["auth", "check", "-i", open.simpleURL, "--extra-index-url", protected.simpleURL, "--project", "demo-pkg"])
        #expect(r.status == 2, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.components(separatedBy: "→ ok").count == 2, "\(r.stdout)")
        #expect(r.stdout.contains("→ auth: credentials missing"), "\(r.stdout)")
        #expect(r.stderr.contains("error: \(protected.simpleURL): credentials missing"), "\(r.stderr)")
      }
    }
  }
}

extension AuthCheckEndToEndTests {
  @Test("over TLS: the certificate's issuer and expiry, and the trust sources read, are shown")
  func tlsDetails() async throws {
    let ca = try TLSFixtures.write(TLSFixtures.pki.caPEM, name: "ca.pem")
    try await TLSFixtures.withIndex { index in
      let r = try await Harness.run(["auth", "check", "-i", index.simpleURL, "--cert", ca, "--project", "demo-pkg"])
      #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
      let tls = try #require(r.stdout.split(separator: "\n").first { $0.contains("✓ tls") }, "\(r.stdout)")
      #expect(tls.contains("issued by "), "\(tls)")
      #expect(tls.contains("valid until 20"), "\(tls)")
      #expect(tls.contains("--cert"), "\(tls)")
    }
  }
}
