@testable import PyIndexAuth
import Dispatch
import PyIndexModel
import Synchronization
import Testing

/// A fixed clock: 2026-11-22 12:00 UTC.
private let now: Double = 1_795_348_800

private func b64(_ s: String) -> String { Base64.encode(Array(s.utf8)) }
private func b64url(_ s: String) -> String {
  String(b64(s).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 }.filter { $0 != "=" })
}

private let key = #"{"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n", "client_email": "ci@p.iam.gserviceaccount.com"}"#

private func problems(_ user: String, _ password: String, host: String = "registry.example.com") -> [String] {
  TokenInspector.inspect(Credentials(username: user, password: password), host: host, now: now).problems
}

private func jwt(exp: Double) -> String {
  b64url(#"{"alg":"RS256","typ":"JWT"}"#) + "." + b64url("{\"sub\":\"ci\",\"exp\":\(Int(exp))}") + ".c2lnbmF0dXJl"
}

@Suite("token kinds")
struct TokenKindTests {
  @Test("a good _json_key_base64 key passes, standard or URL-safe, padded or not")
  func goodKeys() async {
    let standard = b64(key)
    #expect(problems("_json_key_base64", standard).isEmpty)
    #expect(problems("_json_key_base64", b64url(key)).isEmpty)
    #expect(problems("_json_key_base64", String(standard.filter { $0 != "=" })).isEmpty)
    #expect(TokenInspector.inspect(Credentials(username: "_json_key_base64", password: standard), host: "x", now: now).kind == .googleKeyBase64)
    #expect(problems("_json_key", key).isEmpty)
  }

  static let badKeyCases: [(String, String)] = {
    let good = b64(key)
    let wrapped: String = String(good.prefix(40)) + "\n" + String(good.dropFirst(40))
    let escaped: String = String(good.dropLast(2)) + "%3D%3D"
    return [
      ("!!!" + String(repeating: "A", count: 40), "character 1 of 43 is not in the base64 alphabet"),
      (wrapped, "whitespace inside (character 41"),
      (b64(good), "base64-encoded twice"),
      (b64("not json at all, just text"), "decodes from base64, but not to JSON"),
      (b64(#"{"type": "service_account", "client_email": "x@y"}"#), "lacks private_key"),
      (b64(#"{"type": "authorized_user", "client_email": "a", "private_key": "b"}"#), "type \"authorized_user\""),
      (key, "the password is raw JSON"),
      (escaped, "percent-escape (%3D)"),
      ("", "it is empty"),
    ]
  }()

  @Test("each way a _json_key_base64 key goes wrong is named, and the key never is", arguments: badKeyCases)
  func badKeys(_ password: String, _ expected: String) async {
    let p = problems("_json_key_base64", password)
    #expect(p.count == 1)
    #expect(p.first?.contains(expected) == true, "\(p)")
    if password.count > 8 { #expect(!p.joined().contains(password)) }
  }

  @Test func rawJSONKeyWithUserJsonKey() async {
    #expect(problems("_json_key", "{not json")[0].contains("is not JSON"))
    #expect(problems("_json_key", #"{"type": "service_account"}"#)[0].contains("lacks client_email, private_key"))
  }

  @Test("access tokens: expiry of a JWT, a key sent as a token")
  func accessTokens() async {
    #expect(problems("oauth2accesstoken", "ya29.a0AfB_byC-opaque").isEmpty)
    #expect(problems("oauth2accesstoken", jwt(exp: now + 600)).isEmpty)
    let expired = problems("_token", jwt(exp: now - 3 * 3600))
    #expect(expired == ["the token expired at 2026-11-22 09:00 UTC (3 h ago); get a new one"])
    #expect(problems("oauth2accesstoken", b64(key))[0].contains("send it with user _json_key_base64"))
    #expect(problems("oauth2accesstoken", "")[0].contains("needs an access token"))
    // Any JWT is checked, whatever the user (JFrog access tokens, for one).
    #expect(problems("", jwt(exp: now - 90))[0].contains("(90 s ago)"))
  }

  @Test("GitLab: deploy, job and access tokens under the right user names")
  func gitlab() async {
    #expect(problems("gitlab+deploy-token-7", "gldt-abcDEF123").isEmpty)
    #expect(problems("gitlab-ci-token", "glcbt-64_abc").isEmpty)
    #expect(problems("anyone", "glpat-xyz").isEmpty)
    #expect(problems("deploy", "gldt-abcDEF123")[0].contains("not gitlab+deploy-token-N"))
    #expect(problems("gitlab-ci-token", "gldt-abc")[0].contains("deploy token"))
    #expect(problems("gitlab+deploy-token-7", "glcbt-abc")[0].contains("user gitlab-ci-token"))
    #expect(problems("glpat-xyz", "")[0].contains("wants it as the password"))
    #expect(problems("gitlab-ci-token", "")[0].contains("CI_JOB_TOKEN is empty"))
  }

  @Test("PyPI tokens, CodeArtifact, Azure, Artifact Registry user names")
  func registries() async {
    #expect(problems("__token__", "pypi-AgEIcHlwaS5vcmc").isEmpty)
    #expect(problems("__token__", "hunter22")[0].contains("starting with pypi-"))
    #expect(problems("me", "pypi-AgEI")[0].contains("needs user __token__"))
    let fresh = b64url("{\"ver\":1,\"isu\":\(Int(now - 3600)),\"enc\":\"A128GCM\"}") + ".ciphertext"
    let stale = b64url("{\"ver\":1,\"isu\":\(Int(now - 13 * 3600)),\"enc\":\"A128GCM\"}") + ".ciphertext"
    let host = "dom-123456789012.d.codeartifact.eu-west-1.amazonaws.com"
    #expect(problems("aws", fresh, host: host).isEmpty)
    #expect(problems("aws", stale, host: host)[0].contains("more than 12 hours ago"))
    #expect(problems("me", "x", host: host).contains { $0.contains("wants the user name aws") })
    #expect(problems("", "patpatpat", host: "pkgs.dev.azure.com")[0].contains("non-empty user name"))
    #expect(TokenInspector.inspect(Credentials(username: "x", password: "p"), host: "pkgs.dev.azure.com", now: now).kind == .azurePAT)
    #expect(problems("admin", "pw", host: "europe-python.pkg.dev")[0].contains("accepts the user names"))
  }

  @Test("whitespace and escapes that survived decoding")
  func whitespaceAndEscapes() async {
    #expect(problems("u", "secret\n")[0].contains("surrounding whitespace or a newline"))
    #expect(problems("u", "p%40ss")[0].contains("percent-encoded twice"))
  }

  @Test("characters a URL's userinfo should have had percent-encoded")
  func unencodedUserinfo() async throws {
    let i = try IndexURL("https://bob@example.com:p@ss w rd@host/simple/")
    #expect(i.credentials == Credentials(username: "bob@example.com", password: "p@ss w rd"))
    #expect(i.userinfoProblems == ["the credentials in the URL hold '@', a space not percent-encoded; encode them (@ → %40, % → %25, space → %20) or use PYINDEX_PASSWORD"])
    #expect(try IndexURL("https://u:a%2Fb+c=@host/simple/").userinfoProblems.isEmpty)
    #expect(!(try IndexURL("https://u:100%@host/simple/").userinfoProblems.isEmpty))
  }

  @Test func utcDates() async {
    #expect(TokenInspector.utc(0) == "1970-01-01 00:00 UTC")
    #expect(TokenInspector.utc(951_782_400) == "2000-02-29 00:00 UTC")
    #expect(TokenInspector.utc(now) == "2026-11-22 12:00 UTC")
  }
}

/// A keyring that answers from a table and records its calls.
final class TableKeyring: KeyringProvider {
  let table: [String: KeyringAnswer]
  private let log = Mutex<[String]>([])
  var calls: [String] { log.withLock { $0 } }
  init(_ table: [String: KeyringAnswer]) { self.table = table }
  func lookup(service: String, username: String?) -> KeyringAnswer {
    let key = service + " " + (username ?? "-")
    log.withLock { $0.append(key) }
    return table[key] ?? .notFound
  }
}

/// A keyring whose lookups for `slow.example` block until `fast.example` was asked (at most
/// 10 s): a lookup that holds a lock every origin needs would make the slow one time out.
final class GateKeyring: KeyringProvider {
  private let fastAsked = DispatchSemaphore(value: 0)
  private let log = Mutex<(calls: [String], timedOut: Bool)>(([], false))
  var calls: [String] { log.withLock { $0.calls } }
  var timedOut: Bool { log.withLock { $0.timedOut } }
  func lookup(service: String, username: String?) -> KeyringAnswer {
    log.withLock { $0.calls.append(service) }
    if service.contains("fast.example") {
      fastAsked.signal()
    } else if fastAsked.wait(timeout: .now() + 10) == .timedOut {
      log.withLock { $0.timedOut = true }
    }
    return .found(Credentials(username: "u", password: "pw-" + (service.contains("fast") ? "fast" : "slow")))
  }
}

@Suite("keyring and user names given alone")
struct KeyringStoreTests {
  @Test("lookups are single-flight per origin, and one origin's lookup never waits for another's")
  func singleFlightPerOrigin() async throws {
    let keyring = GateKeyring()
    let store = CredentialStore(indexes: [try IndexURL("https://slow.example/simple/"), try IndexURL("https://fast.example/simple/")], environment: [:], keyring: keyring)
    let answers = await withTaskGroup(of: CredentialStore.Match.self) { group in
      for k in 0..<8 { group.addTask { await store.lookup(SafeURL(stringLiteral: "https://slow.example/simple/p\(k)/")) } }
      group.addTask { await store.lookup("https://fast.example/simple/x/") }
      return await group.reduce(into: [CredentialStore.Match]()) { $0.append($1) }
    }
    #expect(!keyring.timedOut)
    #expect(keyring.calls.sorted() == ["https://fast.example/simple/", "https://slow.example/simple/"])
    #expect(answers.filter { $0.credentials?.password == "pw-slow" }.count == 8)
    #expect(answers.filter { $0.credentials?.password == "pw-fast" }.count == 1)
  }

  @Test("the index URL, then the host, once per origin and user")
  func serviceOrderAndMemo() async throws {
    let keyring = TableKeyring(["registry.example.com:8443 oauth2accesstoken": .found(Credentials(username: "oauth2accesstoken", password: "ya29.tok"))])
    let store = CredentialStore(indexes: [try IndexURL("https://oauth2accesstoken@registry.example.com:8443/p/r/simple/")], environment: [:], keyring: keyring)
    let m = await store.lookup("https://registry.example.com:8443/p/r/simple/demo/")
    #expect(m == .init(credentials: Credentials(username: "oauth2accesstoken", password: "ya29.tok"), source: .keyring))
    _ = await store.lookup("https://registry.example.com:8443/p/r/files/demo-1.0.whl")
    #expect(keyring.calls == ["https://registry.example.com:8443/p/r/simple/ oauth2accesstoken", "registry.example.com:8443 oauth2accesstoken"])
  }

  @Test("no user name known: the keyring names the user; unavailable is said once")
  func noUserAndUnavailable() async throws {
    let keyring = TableKeyring(["https://h/simple/ -": .unavailable("no keyring program")])
    let warnings = Mutex<[String]>([])
    let store = CredentialStore(indexes: [try IndexURL("https://h/simple/")], environment: [:], keyring: keyring, warn: { w in warnings.withLock { $0.append(w) } })
    #expect(await store.lookup("https://h/simple/a/") == .none)
    #expect(await store.lookup("https://h/simple/b/") == .none)
    #expect(warnings.withLock { $0 } == ["no keyring program"])
  }

  @Test("a user name alone: netrc must have that login; else the user name is sent as a token")
  func userOnly() async throws {
    let netrc = "machine h login alice password a-pw\nmachine g login bob password b-pw\n"
    let store = CredentialStore(indexes: [try IndexURL("https://alice@h/simple/"), try IndexURL("https://tok123@g/simple/")], environment: [:], netrcText: netrc)
    #expect(await store.lookup("https://h/simple/x/") == .init(credentials: Credentials(username: "alice", password: "a-pw"), source: .netrc))
    #expect(await store.lookup("https://g/simple/x/") == .init(credentials: Credentials(username: "tok123", password: ""), source: .url))
    // user:password in the URL wins over netrc, as before.
    let full = CredentialStore(indexes: [try IndexURL("https://alice:url-pw@h/simple/")], environment: [:], netrcText: netrc)
    #expect(await full.lookup("https://h/simple/x/").source == .url)
  }

  @Test("PYINDEX_USERNAME alone asks the keyring for that user")
  func environmentUserOnly() async throws {
    let keyring = TableKeyring(["https://h/simple/ ci": .found(Credentials(username: "ci", password: "k-pw"))])
    let store = CredentialStore(indexes: [try IndexURL("https://h/simple/")], environment: ["PYINDEX_USERNAME": "ci"], keyring: keyring)
    #expect(await store.lookup("https://h/simple/x/") == .init(credentials: Credentials(username: "ci", password: "k-pw"), source: .keyring))
  }

  @Test("inspection names the source and the problem, never the secret")
  func inspection() async throws {
    let bad = "!!" + String(repeating: "Q", count: 30)
    let store = CredentialStore(indexes: [try IndexURL("https://_json_key_base64:\(bad)@europe-python.pkg.dev/p/r/simple/")], environment: [:])
    let w = store.inspect(now: now)
    #expect(w == ["credentials in https://_json_key_base64:****@europe-python.pkg.dev/p/r/simple/: the password of user _json_key_base64 is not base64: character 1 of 32 is not in the base64 alphabet"])
  }

  @Test("keyring JSON of --mode=creds")
  func keyringJSON() async {
    #expect(KeyringJSON.credentials(Array(#"{"username": "u", "password": "p"}"#.utf8)) == Credentials(username: "u", password: "p"))
    #expect(KeyringJSON.credentials(Array("p".utf8)) == nil)
  }
}

@Suite("subprocess")
struct SubprocessTests {
  @Test func capturesBothStreamsAndStatus() async throws {
    let r = try #require(Subprocess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], environment: ["PATH": "/usr/bin:/bin"]))
    #expect(r.status == 3)
    #expect(String(decoding: r.stdout, as: UTF8.self) == "out\n")
    #expect(String(decoding: r.stderr, as: UTF8.self) == "err\n")
  }

  @Test func deadlineKills() async throws {
    let r = try #require(Subprocess.run("/bin/sh", ["-c", "exec sleep 30"], environment: ["PATH": "/usr/bin:/bin"], timeout: 0.3))
    #expect(r.timedOut)
    #expect(r.status == nil)
  }
}
