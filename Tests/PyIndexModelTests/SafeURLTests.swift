import PyIndexModel
import Testing

@Suite("SafeURL: one URL type, parsed once, printed redacted")
struct SafeURLTests {
  @Test("parts: scheme and host lower-cased in ASCII, a default port left out, userinfo decoded and kept apart")
  func parts() throws {
    let u = try SafeURL(parsing: "  HTTPS://_json_key_base64:eyJ0%2Bx%3D%3D@Europe-Python.PKG.dev:443/simple/?tok=1#sha256=ab\n")
    #expect(u.scheme == "https")
    #expect(u.host == "europe-python.pkg.dev")
    #expect(u.port == nil && u.effectivePort == 443)
    #expect(u.path == "/simple/")
    #expect(u.query == "tok=1")
    #expect(u.fragment == "sha256=ab")
    #expect(u.userinfo?.user == "_json_key_base64")
    #expect(u.userinfo?.password == "eyJ0+x==")
    #expect(u.origin == Origin(scheme: "https", host: "europe-python.pkg.dev", port: 443))
    let token = try SafeURL(parsing: "https://glpat-abcdef@gitlab.example:8443/api/")
    #expect(token.userinfo?.user == "glpat-abcdef" && token.userinfo?.password == nil)
    #expect(token.port == 8443)
    let v6 = try SafeURL(parsing: "http://[::1]:8080/simple/")
    #expect(v6.host == "[::1]" && v6.port == 8080 && v6.isLoopback)
    #expect(try SafeURL(parsing: "file:///tmp/wheel%20house/").filePath == "/tmp/wheel house/")
    #expect(try SafeURL(parsing: "file://localhost/tmp/x").host == "")
  }

  @Test("the last '@' of the authority ends the userinfo, found on bytes (a fused grapheme hides nothing)")
  func userinfoSplit() throws {
    let u = try SafeURL(parsing: "https://me@corp:p@ss@h.example/simple/")
    #expect(u.host == "h.example")
    #expect(u.userinfo?.user == "me@corp" && u.userinfo?.password == "p@ss")
    // U+0600 before '@' forms one Character with it in Swift; a server splits on the byte.
    let fused = try SafeURL(parsing: "https://u:s3cret\u{0600}@h.example/")
    #expect(fused.host == "h.example")
    #expect(!fused.description.contains("s3cret"))
  }

  @Test("what is not a URL pyindex can use says why, never quoting the text", arguments: [
    ("relative/path", SafeURL.Problem.notAbsolute), ("javascript:alert(1)", .notAbsolute), ("https://", .noHost), ("https://u:pw@/x", .noHost),
    ("https://h:99999/", .badPort), ("https://h:8o/", .badPort), ("https://h\\evil/", .badHost), ("https://h\u{01}x/", .badHost), ("https://user:pa/ss@h/", .badPort),
    ("https://u:%ff@h/", .userinfoNotUTF8), ("http://[::1/", .badHost),
  ])
  func problems(_ text: String, _ problem: SafeURL.Problem) {
    #expect(throws: problem) { try SafeURL(parsing: text) }
    #expect(!problem.reason.contains(text))
  }

  @Test("a request carries no userinfo and no fragment; characters a request line may not hold are encoded")
  func request() throws {
    let u = try SafeURL(parsing: "https://u:pw@h.example/a b/é.whl?x=1 2#frag")
    #expect(u.revealedForRequest() == "https://h.example/a%20b/%C3%A9.whl?x=1%202")
    #expect(u.withoutUserinfo.userinfo == nil)
    #expect(u.withoutFragment.fragment == nil)
    // What goes out parses back to the same URL without userinfo and fragment.
    #expect(SafeURL(u.revealedForRequest())?.userinfo == nil)
    #expect(SafeURL(u.revealedWithSecrets()) == u)
  }

  @Test("printed: password, a lone user name (a token) and every query value masked; nested URLs too; stable", arguments: [
    ("https://user:s3cr3t-pw@h.example/simple/", "https://user:****@h.example/simple/"),
    ("https://glpat-token1@h.example/simple/", "https://****@h.example/simple/"),
    ("https://h.example/f.whl?X-Amz-Signature=abcd&X-Amz-Credential=AKIA1", "https://h.example/f.whl?X-Amz-Signature=****&X-Amz-Credential=****"),
    ("https://h.example/proxy/?next=https://u:nested-pw@up.example/x", "https://****@****"),
    ("https://h.example/f.whl#sha256=abcd", "https://h.example/f.whl#sha256=abcd"),
    // A secret with a raw '/': where it ends cannot be known, all up to the last '@' is masked.
    ("https://tok/en-word@h.example/simple/", "https://****@h.example/simple/"),
    ("https://user#pa-word@h.example/simple/", "https://****@h.example/simple/"),
  ])
  func printed(_ text: String, _ shown: String) throws {
    let u = try SafeURL(parsing: text)
    #expect(u.description == shown)
    #expect("\(u)" == shown && String(reflecting: u) == shown)
    var dumped = ""
    dump(u, to: &dumped)
    for secret in ["s3cr3t-pw", "glpat-token1", "abcd&", "AKIA1", "nested-pw", "en-word", "pa-word"] where text.contains(secret) {
      #expect(!dumped.contains(secret))
      #expect(!"\(u.userinfo as Any)".contains(secret))
    }
    #expect(SafeURL(shown)?.description ?? shown == shown)
  }

  @Test("a delimiter fused with a neighbour or an '@' look-alike: all but the scheme is masked")
  func fusedMasked() throws {
    let u = try SafeURL(parsing: "https://h.example/x//user:pw-nested@\u{035C}r/")
    #expect(u.description == "https://****")
    let wide = try SafeURL(parsing: "https://h.example/?next=//u:pw\u{FF20}evil/")
    #expect(wide.description == "https://****")
  }

  @Test("references resolve by RFC 3986; a project page goes into the path, the query stays after it")
  func resolving() throws {
    let page = try SafeURL(parsing: "https://h.example/simple/demo/?private_token=t")
    #expect(page.resolving("../../files/demo-1.0.tar.gz#sha256=ab")?.withoutFragment.revealedForRequest() == "https://h.example/files/demo-1.0.tar.gz")
    #expect(page.resolving("//cdn.example/x.whl")?.host == "cdn.example")
    #expect(page.resolving("https://other.example/y.whl")?.host == "other.example")
    #expect(page.resolving("javascript:alert(1)") == nil)
    let index = try SafeURL(parsing: "https://gitlab.example/api/v4/projects/1/packages/pypi/simple?private_token=t")
    #expect(index.appendingDirectory("demo-pkg").revealedForRequest() == "https://gitlab.example/api/v4/projects/1/packages/pypi/simple/demo-pkg/?private_token=t")
    #expect(try SafeURL(parsing: "https://h/f.whl?sig=1").appendingToPath(".metadata").revealedForRequest() == "https://h/f.whl.metadata?sig=1")
  }

  @Test("one percent-encoder: a segment keeps no '/', a path does")
  func encoder() {
    #expect(SafeURL.percentEncode("a b/c%d@é", keeping: .segment) == "a%20b%2Fc%25d@%C3%A9")
    #expect(SafeURL.percentEncode("/tmp/a b/", keeping: .path) == "/tmp/a%20b/")
    #expect(SafeURL(filePath: "/tmp/a b#c").revealedForRequest() == "file:///tmp/a%20b%23c")
  }
}
