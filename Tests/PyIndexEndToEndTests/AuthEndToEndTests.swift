import Foundation
import PyIndexFixtures
import Testing

@Suite("credentials, end to end")
struct AuthEndToEndTests {
  static let listing = "demo-pkg (1.10.0)\nAvailable versions: 1.10.0, 1.9.0, 1.6.0, 1.5.0, 1.3.0, 1.1.0, 1.0.0\n"

  @Test("a _json_key_base64 key ending in == reaches the server decoded", arguments: [true, false])
  func jsonKeyPercentEncodedOrRaw(encoded: Bool) async throws {
    let user = "_json_key_base64"
    let key = Harness.serviceAccountKey(withSlash: encoded)
    #expect(key.hasSuffix("=="))
    let secrets = Harness.secretForms(user: user, password: key)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: user, password: key, failure: .forbidden))) { index in
      let url = encoded ? Harness.url(index, user: user, password: key) : "http://\(user):\(key)@127.0.0.1:\(index.server.port)/simple/"
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "-vv"], secrets: secrets)
      #expect(r.status == 0)
      #expect(r.stdout == AuthEndToEndTests.listing)
      #expect(index.requests.first?.header("Authorization") == Harness.basic(user, key))
      #expect(r.stderr.contains("credentials: url (user \"_json_key_base64\", \(key.count)-character password), Authorization sent → 200"))
      #expect(r.stderr.contains("Authorization: Basic ****"))
    }
  }

  @Test func rawSlashInKeyIsAUsageErrorBeforeAnyRequest() async throws {
    let user = "_json_key_base64"
    let key = Harness.serviceAccountKey(withSlash: true)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: user, password: key))) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://\(user):\(key)@127.0.0.1:\(index.server.port)/simple/"], secrets: Harness.secretForms(user: user, password: key) + [String(key.prefix(12))])
      #expect(r.status == 64)
      #expect(r.stderr.contains("http://_json_key_base64:****@127.0.0.1"))
      #expect(r.stderr.contains("hint: percent-encode"))
      #expect(index.requests.isEmpty)
    }
  }

  @Test func environmentPasswordIsTakenRawAndStripped() async throws {
    let key = Harness.serviceAccountKey(withSlash: true)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "_json_key_base64", password: key))) { index in
      let r = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"],
        environment: ["PYINDEX_USERNAME": "_json_key_base64", "PYINDEX_PASSWORD": key + "\n"],
        secrets: Harness.secretForms(user: "_json_key_base64", password: key))
      #expect(r.status == 0)
      #expect(r.stderr.contains("warning: PYINDEX_PASSWORD had surrounding whitespace"))
      #expect(r.stderr.contains("credentials: env (user \"_json_key_base64\", \(key.count)-character password), Authorization sent → 200"))
    }
  }

  @Test("registries' answers without credentials", arguments: [
    (AuthFailure.notFound, Int32(1), "No matching distribution found for demo-pkg"),
    (.forbidden, 2, "HTTP 403 Forbidden"),
    (.challenge, 2, "HTTP 401 Unauthorized"),
    (.loginPage, 2, "sign-in page"),
  ])
  func withoutCredentials(_ failure: AuthFailure, _ status: Int32, _ message: String) async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "gitlab+deploy-token-7", password: "gldt-Zx9-abcdef", failure: failure))) { index in
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(none.status == status)
      #expect(none.stderrLines.first?.contains(message) == true, "\(none.stderr)")
      #expect(none.stderr.contains("hint:"))
      #expect(none.stderr.contains("credentials"))
      let with = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "gitlab+deploy-token-7", password: "gldt-Zx9-abcdef")],
        secrets: Harness.secretForms(user: "gitlab+deploy-token-7", password: "gldt-Zx9-abcdef"))
      #expect(with.status == 0)
      #expect(with.stdout == AuthEndToEndTests.listing)
      #expect(index.requests.last?.header("Authorization") == Harness.basic("gitlab+deploy-token-7", "gldt-Zx9-abcdef"))
    }
  }

  @Test("token-only userinfo: tok@ is the user with an empty password, :tok@ the password with an empty user", arguments: [true, false])
  func tokenOnly(asUser: Bool) async throws {
    let token = "glpat-Tok3n_value+x"
    let auth = asUser ? FixtureAuth(username: token, password: "") : FixtureAuth(username: "", password: token)
    try await Harness.withIndex(.demo(auth: auth)) { index in
      let userinfo = asUser ? Harness.percentEncode(token) : ":" + Harness.percentEncode(token)
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://\(userinfo)@127.0.0.1:\(index.server.port)/simple/", "-v"], secrets: [token, Harness.percentEncode(token)])
      #expect(r.status == 0)
      #expect(index.requests.first?.header("Authorization") == Harness.basic(asUser ? token : "", asUser ? "" : token))
    }
  }

  @Test func a404WithATokenSaysTheTokenMayBeWrong() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "gitlab+deploy-token-7", password: "right-tok-1", failure: .notFound))) { index in
      let wrong = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "gitlab+deploy-token-7", password: "expired-tok-2")], secrets: ["expired-tok-2", "right-tok-1"])
      #expect(wrong.status == 1)
      #expect(wrong.stderr.contains("(404, url credentials sent)"))
      #expect(wrong.stderr.contains("answer 404, not 401, when a token is wrong, expired, lacks read access or goes with the wrong user name"))
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL])
      #expect(none.stderr.contains("no credentials were sent"))
    }
  }

  @Test("URLs are shown as user:****@, ****@ (a token as user name) and :****@ (a token as password)", arguments: [
    ("u:redact-pw-1@", "u:****@"), ("redact-tok-2@", "****@"), (":redact-tok-3@", ":****@"),
  ])
  func redactedForms(_ userinfo: String, _ shown: String) async throws {
    try await Harness.withIndex(.demo()) { index in
      let r = try await Harness.run(["index", "versions", "no-such-project", "-i", "http://\(userinfo)127.0.0.1:\(index.server.port)/simple/", "-v"], secrets: ["redact-pw-1", "redact-tok-2", "redact-tok-3"])
      #expect(r.status == 1)
      #expect(r.stderr.contains("hint: searched http://\(shown)127.0.0.1:\(index.server.port)/simple/ (404, url credentials sent)"), "\(r.stderr)")
    }
  }

  @Test func wrongPasswordIsRefusedOnce() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "right-one"))) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "u", password: "wrong-one")], secrets: ["wrong-one", "right-one"])
      #expect(r.status == 2)
      #expect(r.stderr.contains("hint: the credentials in the index URL were refused"))
      #expect(index.requests.count == 1)
    }
  }

  @Test func sameOriginRedirectsKeepCredentials() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "keep-me-9"))) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "u", password: "keep-me-9", path: "/alias/"), "-v"], secrets: ["keep-me-9"])
      #expect(r.status == 0)
      #expect(index.requests.map(\.path) == ["/alias/demo-pkg/", "/simple/demo-pkg", "/simple/demo-pkg/"])
      #expect(index.requests.allSatisfy { $0.header("Authorization") == Harness.basic("u", "keep-me-9") })
      #expect(r.stderr.contains("credentials kept: same origin"))
    }
  }

  @Test func locationUserinfoIsUsedForThatHopAndNeverShown() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "loc-user", password: "l0c/p@ss"))) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.server.origin + "/location-credentials/", "-vv"], secrets: Harness.secretForms(user: "loc-user", password: "l0c/p@ss"))
      #expect(r.status == 0, "\(r.stderr)")
      #expect(index.requests.map { $0.header("Authorization") } == [nil, Harness.basic("loc-user", "l0c/p@ss")])
      #expect(r.stderr.contains("credentials: location (user \"loc-user\", 8-character password), Authorization sent → 200"))
      #expect(r.stderr.contains("loc-user:****@"))
    }
  }

  @Test func aNewOriginGetsItsOwnCredentialsNeverTheOldOnes() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "b-user", password: "b-pass-9"))) { b in
      try await Harness.withIndex(.demo(auth: FixtureAuth(username: "a-user", password: "a-pass-8"))) { a in
        let r = try await Harness.run(
          ["index", "versions", "demo-pkg", "-i", Harness.url(a, user: "a-user", password: "a-pass-8", path: "/to-port/\(b.server.port)/"),
           "--extra-index-url", Harness.url(b, user: "b-user", password: "b-pass-9"), "-v"],
          secrets: ["a-pass-8", "b-pass-9"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(b.requests.first?.header("Authorization") == Harness.basic("b-user", "b-pass-9"))
        #expect(r.stderr.contains("credentials dropped: other origin; url credentials for http://127.0.0.1:\(b.server.port)"))
      }
    }
  }

  @Test func longestPathPrefixChoosesAmongIndexesOnOneOrigin() async throws {
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "prefix-pw-1"))) { index in
      // The first index (404 for everything) carries wrong credentials; /simple/ pages match the
      // second index's longer prefix, so they get the second index's credentials.
      let r = try await Harness.run(
        ["index", "versions", "demo-pkg", "-i", Harness.url(index, user: "u", password: "wrong-pw-2", path: "/status/404/"),
         "--extra-index-url", Harness.url(index, user: "u", password: "prefix-pw-1")],
        secrets: ["prefix-pw-1", "wrong-pw-2"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(index.requests.map(\.path) == ["/status/404/demo-pkg/", "/simple/demo-pkg/"])
      #expect(index.requests.map { $0.header("Authorization") } == [Harness.basic("u", "wrong-pw-2"), Harness.basic("u", "prefix-pw-1")])
    }
  }

  @Test func netrcCredentials() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "machine 127.0.0.1\n  login netrc-user\n  password \"n3trc pass\"\n".write(toFile: dir + "/netrc", atomically: true, encoding: .utf8)
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "netrc-user", password: "n3trc pass"))) { index in
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", index.simpleURL, "-v"], environment: ["NETRC": dir + "/netrc"], secrets: ["n3trc pass"])
      #expect(r.status == 0)
      #expect(r.stderr.contains("credentials: netrc (user \"netrc-user\", 10-character password), Authorization sent"))
    }
  }
}

@Suite("the secret sweep itself")
struct SecretSweepTests {
  @Test("a registered secret is found raw, percent-encoded and as a Basic token")
  func sweepFindsEveryForm() {
    SecretSweep.register(user: "canary-user", password: "canary/secret+9")
    #expect(SecretSweep.leaks(in: "x canary/secret+9 y") == ["canary/secret+9"])
    #expect(SecretSweep.leaks(in: "x canary%2Fsecret+9 y") == ["canary%2Fsecret+9"])
    #expect(SecretSweep.leaks(in: "Authorization: Basic \(Data("canary-user:canary/secret+9".utf8).base64EncodedString())").count == 1)
    #expect(SecretSweep.leaks(in: "canary-user:****@host").isEmpty)
  }
}
