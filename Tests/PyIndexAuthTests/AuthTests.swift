import PyIndexAuth
import PyIndexModel
import Testing

@Suite("index URLs and userinfo")
struct IndexURLTests {
  @Test("userinfo rules of the contract", arguments: [
    ("http://user:p%40ss@host/simple", "user", "p@ss", "http://host/simple/"),
    ("https://tok@host/simple/", "tok", "", "https://host/simple/"),
    ("https://:tok@host/simple/", "", "tok", "https://host/simple/"),
    ("https://user:pa:ss@host/simple/", "user", "pa:ss", "https://host/simple/"),
    ("https://u:p@ss@host:8443/simple/", "u", "p@ss", "https://host:8443/simple/"),
    ("https://gitlab+deploy-token-1:a+b%2Fc%3D@h/api/v4/projects/42/packages/pypi/simple", "gitlab+deploy-token-1", "a+b/c=", "https://h/api/v4/projects/42/packages/pypi/simple/"),
    ("https://_json_key_base64:eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0%3D%3D@europe-python.pkg.dev/p/r/simple/", "_json_key_base64", "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0==", "https://europe-python.pkg.dev/p/r/simple/"),
    ("https://_json_key_base64:eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0==@h/simple/", "_json_key_base64", "eyJ0eXBlIjoic2VydmljZV9hY2NvdW50In0==", "https://h/simple/"),
    ("HTTPS://U:Pw0rd9@HOST:443/Simple/", "U", "Pw0rd9", "https://host/Simple/"),
    ("http://u:zq9w@[::1]:8080/simple/", "u", "zq9w", "http://[::1]:8080/simple/"),
  ])
  func userinfo(_ text: String, _ user: String, _ password: String, _ url: String) async throws {
    let i = try IndexURL(text)
    #expect(i.credentials == Credentials(username: user, password: password))
    #expect(i.url.revealedForRequest() == url)
    #expect(!i.redacted.contains(password.isEmpty ? user : password) || (password.isEmpty ? user : password).isEmpty)
  }

  @Test("a raw '/', '?' or '#' in a secret is a usage error naming the URL redacted", arguments: [
    "http://_json_key_base64:eyJhIjoi//8+In0=@127.0.0.1:8707/simple/",
    "https://user:se?cret@host/simple/",
    "https://user:se#cret@host/simple/",
    "https://user:123/456@host/simple/",
  ])
  func rawSecret(_ text: String) async {
    #expect {
      try IndexURL(text)
    } throws: { error in
      guard case AuthError.secretNeedsEncoding(let redacted) = error else { return false }
      return redacted.contains("****@") && !redacted.contains("se?cret") && !redacted.contains("//8+") && !redacted.contains("se#cret") && !redacted.contains("123/456")
    }
  }

  @Test("a URL without a host says so, not that a secret needs encoding")
  func noHost() async {
    #expect(throws: AuthError.invalidURL(redacted: "http://ci:****@/simple/", reason: "it names no host")) { try IndexURL("http://ci:pw@/simple/") }
    #expect(throws: AuthError.invalidURL(redacted: "https:///simple/", reason: "it names no host")) { try IndexURL("https:///simple/") }
  }

  @Test func otherErrors() async {
    #expect(throws: AuthError.self) { try IndexURL("http://u:%FF%FE@host/simple/") }
    #expect(throws: AuthError.self) { try IndexURL("ftp://host/simple/") }
    #expect(throws: AuthError.self) { try IndexURL("not a url") }
    #expect(throws: AuthError.self) { try IndexURL("http://host:99999/simple/") }
  }

  @Test func fileIndexes() async throws {
    #expect(try IndexURL("/srv/simple").filePath == "/srv/simple/")
    #expect(try IndexURL("file:///srv/my%20index/").filePath == "/srv/my index/")
    #expect(try IndexURL("file:///srv/simple").credentials == nil)
    #expect(try IndexURL("https://h/simple").projectURL(ProjectName("Demo_Pkg")) == "https://h/simple/demo-pkg/")
    // A query (GitLab's private_token) stays after the project's path.
    #expect(try IndexURL("https://h/simple/?private_token=x").projectURL(ProjectName("Demo_Pkg")) == "https://h/simple/demo-pkg/?private_token=x")
    #expect(try IndexURL("https://h/simple?private_token=x#f").projectURL(ProjectName("Demo_Pkg")) == "https://h/simple/demo-pkg/?private_token=x")
  }
}

@Suite("redaction")
struct RedactionTests {
  @Test(arguments: [
    ("https://user:secret@host/simple/", "https://user:****@host/simple/"),
    ("https://token@host/simple/", "https://****@host/simple/"),
    ("https://:token@host/simple/", "https://:****@host/simple/"),
    ("https://host/simple/", "https://host/simple/"),
    ("https://s3.example/b/f.whl?X-Amz-Credential=AK&X-Amz-Signature=abc&x=1", "https://s3.example/b/f.whl?X-Amz-Credential=****&X-Amz-Signature=****&x=****"),
    // Every query value, whatever its name (GitLab's private_token, api_key, session, a nested URL).
    ("https://gitlab.example/simple/?private_token=glpat-S1&api_key=S2&auth=S3&session=S4&next=https%3A%2F%2Fu%3AS5%40h&bare", "https://gitlab.example/simple/?private_token=****&api_key=****&auth=****&session=****&next=****&****"),
    // Typos: no '//', no scheme, a scheme without ':', scheme-relative. When a '?' came before
    // the last '@', all after that '@' is taken for the rest of a query and masked too.
    ("https:/user:S6@host/simple/", "https:/****@host/simple/"),
    ("https:user:S7@host/simple/", "https:****@host/simple/"),
    ("https//user:S8@host/simple/", "https//****@host/simple/"),
    ("user:S9@host/simple/", "user:****@host/simple/"),
    ("https:o/[::1]:443/simple/?q=1#fhttd@127pnrag=glpat-ABCDimple/", "https:****@****"),
    // An '@' inside a query: what follows it is still the query (found by the url fuzzer).
    ("https://h/?simple_token=x@y=gh-SECRET&z=2", "https://****@****&z=****"),
    ("h/?a=b@c&token=gh-SECRET", "****@****&token=****"),
    ("https:/x/h/?tok=http://a@b=gh-SECRET&://h/x=2", "https:/****@****&://h/x=****"),
    ("https:/x/?token=SECRETVALUE&u=v://h@x", "https:/****@****"),
    // The fragment is shown as it is, and never taken for a query.
    ("https://h/f.whl?sig=abcd#sha256=00ff?x=1", "https://h/f.whl?sig=****#sha256=00ff?x=1"),
    ("https://h/f.whl#frag?x=1&://h/y=2", "https://h/f.whl#frag?x=1&://h/y=2"),
    ("//user:S10@host/simple/", "//****@host/simple/"),
    ("https:/user:p/a?ss@host/simple/", "https:/****@****"),
    ("http://_json_key_base64:eyJ//8+In0=@h:1/simple/", "http://_json_key_base64:****@h:1/simple/"),
    ("https://u:p@ss@host/", "https://u:****@host/"),
    // Nested URLs (found by the url fuzzer). An '@' after a '/' may be a raw secret's: all up
    // to the last '@' is hidden then; a nested URL after a real userinfo is masked on its own.
    ("https://h/proxy/https://u:pw-1@other/simple/", "https://****@other/simple/"),
    ("https://login.example/?next=https://u:pw-2@other/x&y=1", "https://****@****&y=****"),
    ("https://a:b@h/p/http://tok@o/", "https://a:****@h/p/http://****@o/"),
  ])
  func redact(_ input: String, _ expected: String) async {
    #expect(Redaction.redact(input) == expected)
  }
}

@Suite("credential store")
struct CredentialStoreTests {
  func store(_ urls: [String], env: [String: String] = [:], netrc: String? = nil) throws -> CredentialStore {
    CredentialStore(indexes: try urls.map { try IndexURL($0) }, environment: env, netrcText: netrc)
  }

  @Test func sameOriginOnly() async throws {
    let s = try store(["https://u:p@host/simple/"])
    #expect(await s.lookup("https://host/simple/x/").credentials == Credentials(username: "u", password: "p"))
    #expect(await s.lookup("https://host/files/x.whl").source == .url)
    #expect(await s.lookup("https://host:443/other").source == .url)
    #expect(await s.lookup("https://host:8443/simple/x/") == .none)
    #expect(await s.lookup("http://host/simple/x/") == .none)  // never https → http
    #expect(await s.lookup("https://other/simple/x/") == .none)
  }

  @Test func httpCoversHTTPSUpgradeNotTheReverse() async throws {
    let s = try store(["http://u:p@host/simple/"])
    #expect(await s.lookup("https://host/simple/x/").source == .url)
    #expect(await s.lookup("https://host:8443/simple/x/") == .none)
  }

  @Test func longestSegmentPrefixWinsElseFirstConfigured() async throws {
    let s = try store(["https://a:1@dev.azure.com/org/_packaging/feed1/pypi/simple/", "https://b:2@dev.azure.com/org/_packaging/feed2/pypi/simple/"])
    #expect(await s.lookup("https://dev.azure.com/org/_packaging/feed2/pypi/simple/x/").credentials?.username == "b")
    #expect(await s.lookup("https://dev.azure.com/org/_packaging/feed1/pypi/download/x.whl").credentials?.username == "a")
    #expect(await s.lookup("https://dev.azure.com/elsewhere/x.whl").credentials?.username == "a")
    // Segment-wise: /simple-other is not under /simple.
    let t = try store(["https://x:0@h/", "https://y:1@h/simple"])
    #expect(await t.lookup("https://h/simple-other/p/").credentials?.username == "x")
    #expect(await t.lookup("https://h/simple/p/").credentials?.username == "y")
  }

  @Test func environmentForTheIndexURLOriginOnly() async throws {
    let s = try store(["https://host/simple/", "https://extra/simple/"], env: ["PYINDEX_USERNAME": "ci\n", "PYINDEX_PASSWORD": " tok/with+raw=chars \n"])
    #expect(await s.lookup("https://host/simple/x/").credentials == Credentials(username: "ci", password: "tok/with+raw=chars"))
    #expect(await s.lookup("https://host/simple/x/").source == .env)
    #expect(await s.lookup("https://extra/simple/x/") == .none)
    #expect(s.warnings.count == 2)
    #expect(!s.warnings.joined().contains("tok/with"))
  }

  @Test func orderURLThenEnvThenNetrc() async throws {
    let netrc = "machine host login n password np\ndefault login d password dp\n"
    let s = try store(["https://u:p@host/simple/", "https://other/simple/"], env: ["PYINDEX_PASSWORD": "e"], netrc: netrc)
    #expect(await s.lookup("https://host/x").source == .url)
    #expect(await s.lookup("https://other/x").credentials == Credentials(username: "d", password: "dp"))
    let t = try store(["https://host:8443/simple/"], env: ["PYINDEX_PASSWORD": "e"], netrc: netrc)
    #expect(await t.lookup("https://host:8443/x").source == .env)
    #expect(await t.lookup("https://host:9999/x").credentials == Credentials(username: "n", password: "np"))  // netrc ignores ports
  }

  @Test func netrcSyntax() async {
    let n = Netrc("""
      # comment
      machine "quoted.example" login "a user" password "p \\" q"
      macdef init
      machine evil login x password y

      machine h2 login l2 password p2
      """)
    #expect(n.entry(host: "quoted.example")?.login == "a user")
    #expect(n.entry(host: "quoted.example")?.password == "p \" q")
    #expect(n.entry(host: "evil") == nil)
    #expect(n.entry(host: "H2")?.password == "p2")
  }

  @Test func basicHeader() async {
    #expect(Credentials(username: "Aladdin", password: "open sesame").authorizationHeader == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    #expect(Credentials(username: "tok", password: "").authorizationHeader == "Basic dG9rOg==")
    #expect(!"\(Credentials(username: "u", password: "hunter2"))".contains("hunter2"))
  }
}

@Suite("per-hop redirect policy")
struct RedirectPolicyTests {
  /// Every host trusted for plain http (the rules below are about origins, not cleartext).
  static let trustAll = OutboundPolicy { _, _ in true }
  /// Nothing but loopback trusted for plain http.
  static let trustNone = OutboundPolicy { _, _ in false }

  let store = CredentialStore(indexes: [try! IndexURL("https://u:p@index.example/simple/"), try! IndexURL("https://v:q@mirror.example/simple/")], environment: [:])
  var sent: CredentialStore.Match { get async { await store.lookup("https://index.example/simple/x/") } }

  func decide(_ from: String, _ location: String, hops: Int = 0) async -> RedirectDecision {
    await RedirectPolicy.decide(current: SafeURL(stringLiteral: from), location: location, currentMatch: await sent, hops: hops, store: store, policy: Self.trustAll)
  }

  @Test func sameOriginKeeps() async {
    guard case .follow(let url, let m, let note) = await decide("https://index.example/simple/x", "/simple/x/") else { Issue.record("refused"); return }
    #expect(url == "https://index.example/simple/x/")
    #expect(await m == sent)
    #expect(note.contains("kept"))
  }

  @Test func upgradeKeepsDowngradeDrops() async {
    let httpStore = CredentialStore(indexes: [try! IndexURL("http://u:p@h/simple/")], environment: [:])
    let m = await httpStore.lookup("http://h/simple/x/")
    guard case .follow(_, let up, _) = await RedirectPolicy.decide(current: "http://h/simple/x/", location: "https://h/simple/x/", currentMatch: m, hops: 0, store: httpStore, policy: Self.trustAll) else { Issue.record("refused"); return }
    #expect(up.credentials != nil)
    guard case .follow(_, let other, _) = await RedirectPolicy.decide(current: "http://h/simple/x/", location: "https://h:8443/simple/x/", currentMatch: m, hops: 0, store: httpStore, policy: Self.trustAll) else { Issue.record("refused"); return }
    #expect(other.credentials == nil)
    guard case .follow(_, let down, let note) = await decide("https://index.example/simple/x/", "http://index.example/simple/x/") else { Issue.record("refused"); return }
    #expect(down.credentials == nil)
    #expect(note.contains("dropped"))
  }

  @Test func otherOriginConsultsSourcesAfresh() async {
    guard case .follow(_, let m, _) = await decide("https://index.example/files/a.whl", "https://mirror.example/files/a.whl") else { Issue.record("refused"); return }
    #expect(m.credentials?.username == "v")
    guard case .follow(let url, let s, _) = await decide("https://index.example/files/a.whl", "https://bucket.s3.example/a.whl?X-Amz-Signature=x") else { Issue.record("refused"); return }
    #expect(s == .none)
    #expect(url == "https://bucket.s3.example/a.whl?X-Amz-Signature=x")
  }

  @Test func locationUserinfoIsForThatHopOnly() async {
    guard case .follow(let url, let m, _) = await decide("https://index.example/f", "https://w:s%2Fe@cdn.example/f") else { Issue.record("refused"); return }
    #expect(url == "https://cdn.example/f")
    #expect(m.credentials == Credentials(username: "w", password: "s/e"))
    #expect(m.source == .location)
  }

  @Test(arguments: ["file:///etc/passwd", "ftp://h/x", "javascript:alert(1)", "data:text/html,x"])
  func otherSchemesRefused(_ location: String) async {
    guard case .refuse(let reason) = await decide("https://index.example/simple/x/", location) else { Issue.record("followed"); return }
    #expect(reason.contains("not allowed"))
  }

  @Test func hopLimit() async {
    guard case .follow = await decide("https://index.example/a", "/b", hops: 9) else { Issue.record("refused"); return }
    guard case .refuse(let reason) = await decide("https://index.example/a", "/b", hops: 10) else { Issue.record("followed"); return }
    #expect(reason.contains("10"))
  }
}

@Suite("outbound policy")
struct OutboundPolicyTests {
  let policy = OutboundPolicy { host, port in host == "trusted.example" && (port == nil || port == 8080) }

  @Test("only http and https go out", arguments: ["file:///etc/passwd", "http+unix://%2Frun%2Fx.sock/internal/admin", "unix:///run/x.sock", "ftp://h/x", "javascript:alert(1)", "/relative/path", "HTTP+UNIX://%2Frun%2Fx.sock/"])
  func schemes(_ url: String) async {
    // Text that is not a URL never becomes one, so it is never fetched.
    guard let parsed = SafeURL(url) else { #expect(["javascript:alert(1)", "/relative/path", "unix:///run/x.sock"].contains(url)); return }
    guard case .refuse = policy.judge(parsed) else { Issue.record("\(url) was allowed"); return }
  }

  @Test("plain http carries credentials only to loopback and trusted hosts")
  func cleartext() async {
    #expect(policy.judge("https://files.example/x.whl") == .allow(credentials: true, note: nil))
    for url in ["http://127.0.0.1:8080/x", "http://127.9.8.7/x", "http://localhost/x", "http://[::1]:80/x", "http://trusted.example:8080/x", "http://TRUSTED.example/x"] {
      #expect(policy.judge(SafeURL(stringLiteral: url)) == .allow(credentials: true, note: nil), "\(url)")
    }
    for url in ["http://files.example/x.whl", "http://trusted.example:9999/x", "http://127.0.0.1.evil.example/x", "http://128.0.0.1/x", "http://0x7f.0.0.1/x"] {
      guard case .allow(false, let note) = policy.judge(SafeURL(stringLiteral: url)) else { Issue.record("\(url)"); continue }
      #expect(note?.contains("clear text") == true)
    }
  }

  @Test("hosts: ASCII lower-casing only; a non-ASCII host is refused, never folded into another")
  func hosts() async {
    // U+212A KELVIN SIGN lower-cases to 'k' under Unicode rules.
    let kelvin = "https://\u{212A}idx.example/simple/"
    guard case .refuse(let why) = policy.judge(SafeURL(stringLiteral: kelvin)) else { Issue.record("allowed"); return }
    #expect(why.contains("xn--"))
    #expect(SafeURL(kelvin)?.host != "kidx.example")
    #expect(SafeURL("https://KIDX.Example/").host == "kidx.example")
    let store = CredentialStore(indexes: [try! IndexURL("https://u:secret-pw@kidx.example/simple/")], environment: [:])
    #expect(await store.lookup(SafeURL(stringLiteral: kelvin)).credentials == nil)
  }

  @Test("a redirect to plain http on a remote host sends nothing, whatever the source")
  func redirectToCleartext() async {
    let store = CredentialStore(indexes: [try! IndexURL("https://u:p@index.example/simple/")], environment: [:], netrcText: "machine files.example login n password netrc-pw")
    let sent = await store.lookup("https://index.example/simple/x/")
    let d = await RedirectPolicy.decide(current: "https://index.example/simple/x/", location: "http://files.example/x.whl", currentMatch: sent, hops: 0, store: store, policy: RedirectPolicyTests.trustNone)
    guard case .follow(_, let m, let note) = d else { Issue.record("refused"); return }
    #expect(m == .none)
    #expect(note.contains("clear text"))
    let userinfo = await RedirectPolicy.decide(current: "https://index.example/simple/x/", location: "http://a:b@files.example/x.whl", currentMatch: sent, hops: 0, store: store, policy: RedirectPolicyTests.trustNone)
    guard case .follow(_, let m2, _) = userinfo else { Issue.record("refused"); return }
    #expect(m2 == .none)
  }

  @Test("a netrc default entry answers for configured origins only")
  func netrcDefault() async {
    let store = CredentialStore(indexes: [try! IndexURL("https://index.example/simple/")], environment: [:], netrcText: "default login d password default-pw")
    #expect(await store.lookup("https://index.example/simple/x/").source == .netrc)
    #expect(await store.lookup("https://elsewhere.example/x.whl").credentials == nil)
    let machine = CredentialStore(indexes: [try! IndexURL("https://index.example/simple/")], environment: [:], netrcText: "machine files.example login m password machine-pw")
    #expect(await machine.lookup("https://files.example/x.whl").source == .netrc)
  }
}

@Suite("redaction of text that holds URLs")
struct RedactTextTests {
  @Test(arguments: [
    ("foo @ https://user:S1@host/foo-1.0-py3-none-any.whl ; bogus", "foo @ https://user:****@host/foo-1.0-py3-none-any.whl ; bogus"),
    ("foo @ https:/user:S2@host/f.whl", "foo @ https:/****@host/f.whl"),
    ("foo>=1 ; python_version >= '3'", "foo>=1 ; python_version >= '3'"),
    ("encode them ('@' → %40, '?' → %3F) or ask?", "encode them ('@' → %40, '?' → %3F) or ask?"),
    ("see https://h/x?token=abc and mail me@host", "see https://h/x?token=**** and mail ****@host"),
    // A raw space (or tab, or newline) in a password: one URL across words.
    ("cannot reach https://user:pa ss@host/simple/: refused", "cannot reach https://****@host/simple/: refused"),
    ("cannot reach https://user:pa\tss word@host/simple/?t=1 now", "cannot reach https://****@host/simple/?t=**** now"),
    ("index https://user:pa\nss@host/", "index https://****@host/"),
    // Several `@` across the words: the userinfo ends at the last one before the path.
    ("at https://u@x:p@ss wo rd@host/simple/ now", "at https://****@host/simple/ now"),
    // An `@` fused with the character before it, or a look-alike: the word is masked whole.
    ("at https://user:Secret\u{0600}@host/simple/ now", "at **** now"),
    ("at https://user:Secret\u{FF20}host/simple/ now", "at **** now"),
    ("at https://user:Secret/\u{0301}x@host/ now", "at **** now"),
    // Text with no URL keeps its spaces and words.
    ("a  b\tc https://host/simple/ d", "a  b\tc https://host/simple/ d"),
  ])
  func redactText(_ input: String, _ expected: String) async {
    #expect(Redaction.redactText(input) == expected)
  }
}
