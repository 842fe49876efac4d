import Foundation
import PyIndexModel
import PyIndexParsing
import Testing
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

struct Parsed {
  var files: [(DistributionFile, SafeURL?)] = []
  var info = PageInfo()
  var byName: [String: DistributionFile] { Dictionary(files.map { ($0.0.filename, $0.0) }, uniquingKeysWith: { a, _ in a }) }
}

func parseHTML(_ html: String, url: SafeURL = "https://example.org/simple/demo/", charset: String? = nil) throws -> Parsed {
  try parseHTML(bytes: Array(html.utf8), url: url, charset: charset)
}

func parseHTML(bytes: [UInt8], url: SafeURL = "https://example.org/simple/demo/", charset: String? = nil) throws -> Parsed {
  var p = Parsed()
  p.info = try HTMLPageParser.parse(bytes: bytes, pageURL: url, charset: charset) { p.files.append(($0, $1)) }
  return p
}

/// Writes bytes to an unlinked temporary file and returns its descriptor at offset 0.
func temporaryFile(_ bytes: [UInt8]) -> Int32 {
  var template = Array("/tmp/pyindex-test-XXXXXX".utf8CString)
  let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
  template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
  var off = 0
  while off < bytes.count { off += bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, bytes.count - off) } }
  lseek(fd, 0, SEEK_SET)
  return fd
}

@Suite("PEP 503 HTML pages")
struct HTMLParserTests {
  @Test func attributesEntitiesAndCase() throws {
    let p = try parseHTML("""
      <!DOCTYPE html><html><head><META NAME="pypi:repository-version" CONTENT="1.1"></head><body>
      <A HREF="../../files/demo-1.0.tar.gz#sha256=ABCDEF&amp;md5=0123" DATA-REQUIRES-PYTHON="&gt;=3.8,&lt;4">demo-1.0.tar.gz</A>
      <a href="https://files.example.org/demo-1.1-py3-none-any.whl#sha256=ff" data-yanked>bare</a>
      <a href="demo-1.2-py3-none-any.whl" data-yanked="">empty</a>
      <a href="demo-1.3-py3-none-any.whl" data-yanked="broken &amp; bad">reason</a>
      <a href="demo-1.4-py3-none-any.whl" data-requires-python="">no rp</a>
      <a>no href</a><a href="  ">blank</a>
      </body></html>
      """)
    #expect(p.info.apiVersion == "1.1")
    #expect(p.files.count == 5)
    let f = p.byName
    let sdist = try #require(f["demo-1.0.tar.gz"])
    #expect(sdist.requiresPython == ">=3.8,<4")
    #expect(sdist.digests == ["sha256": "abcdef", "md5": "0123"])
    #expect(sdist.resolvedURL(base: p.files[0].1) == "https://example.org/files/demo-1.0.tar.gz")
    #expect(f["demo-1.1-py3-none-any.whl"]?.yanked == "")
    #expect(f["demo-1.2-py3-none-any.whl"]?.yanked == "")
    #expect(f["demo-1.3-py3-none-any.whl"]?.yanked == "broken & bad")
    #expect(f["demo-1.4-py3-none-any.whl"]?.requiresPython == nil)
    #expect(f["demo-1.4-py3-none-any.whl"]?.yanked == nil)
  }

  @Test func firstBaseWithHrefWinsAndRelativeBaseResolves() throws {
    let p = try parseHTML("""
      <html><head><base target="_blank"><base href="/files/"><base href="https://other.example/x/"></head>
      <body><a href="demo-1.0.tar.gz">x</a></body></html>
      """)
    #expect(p.info.baseURL == "https://example.org/files/")
    #expect(p.files[0].0.resolvedURL(base: p.files[0].1) == "https://example.org/files/demo-1.0.tar.gz")
  }

  @Test func metadataAttributes() throws {
    let p = try parseHTML("""
      <a href="a-1.0-py3-none-any.whl" data-core-metadata="sha256=AA" data-dist-info-metadata="sha256=bb">1</a>
      <a href="a-1.1-py3-none-any.whl" data-dist-info-metadata="true">2</a>
      <a href="a-1.2-py3-none-any.whl" data-core-metadata="xyz=12">3</a>
      <a href="a-1.3-py3-none-any.whl">4</a>
      <a href="a-1.4-py3-none-any.whl" data-core-metadata>5</a>
      """)
    let f = p.byName
    #expect(f["a-1.0-py3-none-any.whl"]?.coreMetadata == ["sha256": "aa"])
    #expect(f["a-1.1-py3-none-any.whl"]?.coreMetadata == [:])
    #expect(f["a-1.2-py3-none-any.whl"]?.coreMetadata == [:])
    #expect(f["a-1.3-py3-none-any.whl"]?.coreMetadata == nil)
    #expect(f["a-1.4-py3-none-any.whl"]?.coreMetadata == [:])
  }

  @Test func unknownHashAlgorithmDropsTheHashNotThePage() throws {
    let p = try parseHTML("<a href='a-1.0.tar.gz#blake2b=00&sha256=11'>a</a><a href='a-1.1.tar.gz#sha256='>b</a><a href='a-1.2.tar.gz#egg=a'>c</a>")
    #expect(p.files.count == 3)
    #expect(p.byName["a-1.0.tar.gz"]?.digests == ["sha256": "11"])
    #expect(p.byName["a-1.0.tar.gz"]?.unverifiableAlgorithms == ["blake2b"])
    #expect(p.byName["a-1.1.tar.gz"]?.digests == [:])
    #expect(p.byName["a-1.2.tar.gz"]?.digests == [:])
  }

  @Test func repositoryVersion() throws {
    #expect(throws: ParseError.unsupportedAPIVersion("2.0")) {
      try parseHTML("<meta name='pypi:repository-version' content='2.0'><a href='a-1.0.tar.gz'>a</a>")
    }
    let p = try parseHTML("<meta name='pypi:repository-version' content='1.9'><a href='a-1.0.tar.gz'>a</a>")
    #expect(p.info.warnings.contains { $0.contains("1.9") })
    #expect(p.files.count == 1)
  }

  @Test func malformedMarkupIsRecovered() throws {
    let p = try parseHTML("<html><body><a href=a-1.0.tar.gz>unclosed<a href='a-1.1.tar.gz'><p><a href=\"a-1.2.tar.gz\"</body><a href='a-1.3.tar.gz'>x</a></html></html><!--")
    #expect(p.files.map(\.0.filename).contains("a-1.3.tar.gz"))
    #expect(p.files.map(\.0.filename).contains("a-1.0.tar.gz"))
  }

  @Test func nonUTF8BytesDoNotStopTheParse() throws {
    var bytes = Array("<a href='a-1.0.tar.gz'>\u{00}x</a><a href='d\u{00E9}mo-1.0.tar.gz'>".utf8)
    bytes += [0xFF, 0xFE, 0xC3, 0x28, 0x80]
    bytes += Array("</a><a href='a-1.1.tar.gz'>after</a>".utf8)
    let p = try parseHTML(bytes: bytes)
    #expect(p.files.map(\.0.filename).contains("a-1.1.tar.gz"))
    #expect(p.files.map(\.0.filename).contains("démo-1.0.tar.gz"))
  }

  @Test func signInPageIsRecognised() throws {
    let p = try parseHTML("<form><input type=text name=u><INPUT TYPE=PASSWORD name=p></form><a href='/help'>help</a>")
    #expect(p.info.hasPasswordField)
  }

  @Test func emptyAndGarbagePages() throws {
    #expect(try parseHTML("").files.isEmpty)
    #expect(try parseHTML(bytes: [0, 0, 0, 0xFF]).files.isEmpty)
    #expect(try parseHTML(String(repeating: "<<<>>>&&&;", count: 10_000)).files.isEmpty)
  }

  @Test func hugePageFromFileDescriptor() throws {
    var html = "<html><body>\n"
    for i in 0..<100_000 { html += "<a href=\"../../f/demo-1.\(i).tar.gz#sha256=\(i)\" data-requires-python=\"&gt;=3.8\">demo-1.\(i).tar.gz</a><br>\n" }
    html += "</body></html>"
    let fd = temporaryFile(Array(html.utf8))
    defer { close(fd) }
    var count = 0
    var last: DistributionFile? = nil
    _ = try HTMLPageParser.parse(fileDescriptor: fd, pageURL: "http://h/simple/demo/") { f, _ in count += 1; last = f }
    #expect(count == 100_000)
    #expect(last?.filename == "demo-1.99999.tar.gz")
    #expect(last?.requiresPython == ">=3.8")
  }

  @Test func contentTypes() throws {
    #expect(try PageFormat(contentType: "application/vnd.pypi.simple.v1+json") == .json)
    #expect(try PageFormat(contentType: "text/html; charset=ISO-8859-1") == .html(charset: "iso-8859-1"))
    #expect(try PageFormat(contentType: "Application/VND.pypi.simple.v1+HTML") == .html(charset: nil))
    #expect(throws: ParseError.self) { try PageFormat(contentType: "application/json") }
    #expect(throws: ParseError.self) { try PageFormat(contentType: nil) }
  }

  @Test func latin1Charset() throws {
    let bytes: [UInt8] = Array("<a href='caf".utf8) + [0xE9] + Array("-1.0.tar.gz'>x</a>".utf8)
    let p = try parseHTML(bytes: bytes, charset: "iso-8859-1")
    #expect(p.files.first?.0.filename == "café-1.0.tar.gz")
  }
}

@Suite("HTML links in batches")
struct HTMLBatchTests {
  @Test("1,100 links arrive in batches of 512, in order, with their attributes; a <base> starts a new batch")
  func batches() throws {
    var html = "<html><body>\n<a href='early-1.0.tar.gz'>e</a>\n<base href='https://files.example/base/'>\n"
    for i in 0..<1100 {
      html += "<a href=' p-\(i).0-py3-none-any.whl#sha256=\(i) ' data-requires-python='&gt;=3.\(i % 10)'\(i % 3 == 0 ? " data-yanked" : "")\(i % 5 == 0 ? " data-dist-info-metadata=\"sha256=ab\" data-core-metadata" : "")>x</a>\n"
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString).html").path
    try html.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let fd = open(path, O_RDONLY)
    defer { close(fd) }
    var batches: [FileBatch] = []
    let info = try HTMLPageParser.parse(fileDescriptor: fd, pageURL: "https://index.example/simple/p/", batches: { batches.append($0) })
    #expect(info.linkCount == 1101)
    #expect(batches.map(\.count) == [1, 512, 512, 76])
    #expect(batches.map(\.base) == ["https://index.example/simple/p/"] + Array(repeating: "https://files.example/base/", count: 3))
    var files: [DistributionFile] = []
    for b in batches { b.forEach { files.append($0) } }
    #expect(files.first?.href == "early-1.0.tar.gz")
    let f = files[1 + 15]
    #expect(f.href == "p-15.0-py3-none-any.whl#sha256=15")
    #expect(f.requiresPython == ">=3.5")
    #expect(f.yanked == "")
    #expect(f.coreMetadata == [:])
    #expect(files[1 + 1].yanked == nil)
    #expect(files[1 + 1].coreMetadata == nil)
    #expect(files[1 + 10].coreMetadata == [:])
  }
}

@Suite("links a remote page may give")
struct WebLinksTests {
  @Test("only http(s) links are kept, relative ones by the scheme of their base; the others are reported with their scheme")
  func webLinksOnly() {
    let hrefs = ["https://a/x.whl", "HTTP://a/y.whl", "../rel.whl", "/abs/z.whl", "file:///etc/passwd", "http+unix://%2Frun%2Fx.sock/w.whl", "mailto:x@y", "httpx://a/v.whl", "https1://a/u.whl"]
    let files = hrefs.map { DistributionFile(filename: nil, href: $0) }
    let refused = Mutex<[String]>([])
    var kept: [String] = []
    FileBatch(files: files, base: "https://h/simple/p/").webLinksOnly { file, scheme in refused.withLock { $0.append("\(scheme) \(file.href.text)") } }.forEach { kept.append($0.href.text) }
    #expect(kept == ["https://a/x.whl", "HTTP://a/y.whl", "../rel.whl", "/abs/z.whl"])
    #expect(refused.withLock { $0 } == ["file file:///etc/passwd", "http+unix http+unix://%2Frun%2Fx.sock/w.whl", "mailto mailto:x@y", "httpx httpx://a/v.whl", "https1 https1://a/u.whl"])
    var underFile: [String] = []
    FileBatch(files: files, base: "file:///tmp/").webLinksOnly { _, _ in }.forEach { underFile.append($0.href.text) }
    #expect(underFile == ["https://a/x.whl", "HTTP://a/y.whl"])
  }
}

@Suite("tags that would make libxml2 slow or large")
struct TagGuardTests {
  @Test("a tag with thousands of attributes, or one left open for megabytes, is an unreadable page; quoted '>' and real pages pass")
  func bounds() throws {
    let many = "<html><body><a " + (0..<5000).map { "a\($0)=1" }.joined(separator: " ") + " href=\"x-1.0.tar.gz\">x-1.0.tar.gz</a></body></html>"
    #expect(throws: ParseError.unreadable("a tag has more than 1024 attributes")) { try parseHTML(many) }
    // Each value quoted and holding a '>': still one tag.
    let quoted = "<a " + (0..<2000).map { "a\($0)='>'" }.joined(separator: " ") + ">x</a>"
    #expect(throws: ParseError.unreadable("a tag has more than 1024 attributes")) { try parseHTML(quoted) }
    let open = "<a href=\"x-1.0.tar.gz\" title=\"" + String(repeating: "y", count: 2 << 20)
    #expect(throws: ParseError.unreadable("a tag is longer than 1 MiB")) { try parseHTML(open) }
    let fine = "<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"></head><body>"
      + (0..<3000).map { "<a href=\"x-1.\($0).tar.gz#sha256=ab\" data-requires-python=\">=3.8\" data-dist-info-metadata=\"sha256=cd\">x-1.\($0).tar.gz</a><br/>" }.joined() + "</body></html>"
    #expect(try parseHTML(fine).files.count == 3000)
  }
}
