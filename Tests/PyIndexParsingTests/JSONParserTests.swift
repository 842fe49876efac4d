import PyIndexModel
import PyIndexParsing
import Testing

#if canImport(Glibc)
  import Glibc
#endif

func parseJSON(_ json: String, url: SafeURL = "https://example.org/simple/demo/") throws -> Parsed {
  var p = Parsed()
  p.info = try JSONPageParser.parse(bytes: Array(json.utf8), pageURL: url) { p.files.append(($0, $1)) }
  return p
}

@Suite("PEP 691 JSON pages")
struct JSONParserTests {
  @Test func fields() throws {
    let p = try parseJSON("""
      {"meta": {"api-version": "1.1", "_last-serial": 7}, "name": "demo", "versions": ["1.0", "1.1"], "_private": {"x": [1, {"y": null}]},
       "files": [
        {"filename": "demo-1.0.tar.gz", "url": "../../files/demo-1.0.tar.gz", "hashes": {"sha256": "AB", "blake2b": "00"},
         "requires-python": ">=3.8", "yanked": false, "size": 12, "upload-time": "2024-01-01T00:00:00.000000Z", "unknown": [true]},
        {"filename": "demo-1.1.tar.gz", "url": "https://f.example/demo-1.1.tar.gz", "hashes": {}, "yanked": true, "core-metadata": true},
        {"filename": "demo-1.2.tar.gz", "url": "demo-1.2.tar.gz", "hashes": {}, "yanked": "bad \\"release\\" \\u00e9\\ud83d\\ude00", "dist-info-metadata": {"sha256": "CC"}},
        {"filename": "demo-1.3.tar.gz", "url": "demo-1.3.tar.gz", "hashes": {}, "yanked": "", "requires-python": "", "core-metadata": false, "dist-info-metadata": true},
        {"filename": "demo-1.4.tar.gz", "url": "demo-1.4.tar.gz#sha256=dd", "hashes": {}, "core-metadata": {}}
       ]}
      """)
    #expect(p.info.apiVersion == "1.1")
    #expect(p.files.count == 5)
    let f = p.byName
    let a = try #require(f["demo-1.0.tar.gz"])
    #expect(a.hashes == ["sha256": "ab"])
    #expect(a.requiresPython == ">=3.8")
    #expect(a.yanked == nil)
    #expect(a.size == 12)
    #expect(a.uploadTime == "2024-01-01T00:00:00.000000Z")
    #expect(a.resolvedURL(base: p.files[0].1) == "https://example.org/files/demo-1.0.tar.gz")
    #expect(f["demo-1.1.tar.gz"]?.yanked == "")
    #expect(f["demo-1.1.tar.gz"]?.coreMetadata == [:])
    #expect(f["demo-1.2.tar.gz"]?.yanked == "bad \"release\" é😀")
    #expect(f["demo-1.2.tar.gz"]?.coreMetadata == ["sha256": "cc"])
    #expect(f["demo-1.3.tar.gz"]?.yanked == nil)
    #expect(f["demo-1.3.tar.gz"]?.requiresPython == nil)
    #expect(f["demo-1.3.tar.gz"]?.coreMetadata == nil)
    #expect(f["demo-1.4.tar.gz"]?.coreMetadata == [:])
    #expect(f["demo-1.4.tar.gz"]?.digests == ["sha256": "dd"])
    #expect(p.info.warnings.contains { $0.contains("blake2b") })
  }

  @Test func listingDetailReadsOnlyWhatAListingNeeds() throws {
    let json = #"{"files": [{"url": "../a/x-1.0.tar.gz", "filename": "x-1.0.tar.gz", "hashes": {"sha256": "ab"}, "yanked": "old", "requires-python": ">=3.9", "core-metadata": true, "size": 3, "upload-time": "t", "extra": ["a\"b", {"c": "\u00e9"}]},"# +
      #" {"hashes": {}, "url": "https://h/f/y-2.0.tar.gz#sha256=cd"}]}"#
    var files: [DistributionFile] = []
    _ = try JSONPageParser.parse(bytes: Array(json.utf8), pageURL: "https://h/simple/x/", detail: .listing) { f, _ in files.append(f) }
    #expect(files.count == 2)
    #expect(files[0].filename == "x-1.0.tar.gz")
    #expect(files[0].yanked == "old")
    #expect(files[0].requiresPython == ">=3.9")
    #expect(files[0].hashes.isEmpty && files[0].coreMetadata == nil && files[0].size == nil)
    #expect(files[1].filename == "y-2.0.tar.gz")  // no filename key: taken from the URL, which is then kept
    var full: [DistributionFile] = []
    _ = try JSONPageParser.parse(bytes: Array(json.utf8), pageURL: "https://h/simple/x/") { f, _ in full.append(f) }
    #expect(full[0].hashes == ["sha256": "ab"] && full[0].coreMetadata == [:] && full[0].size == 3)
  }

  @Test func apiVersion() throws {
    #expect(throws: ParseError.unsupportedAPIVersion("2.0")) { try parseJSON(#"{"meta": {"api-version": "2.0"}, "files": []}"#) }
    #expect(try parseJSON(#"{"meta": {"api-version": "1.7"}, "files": []}"#).info.warnings.count == 1)
  }

  @Test("malformed JSON is an error, never a crash", arguments: [
    "", "[]", "{", #"{"files": [}"#, #"{"files": [{"url": 1}]}"#, #"{"files": [{"filename": "x"}]}"#, #"{"files": 3"#,
    #"{"a": "\x"}"#, #"{"a": tru}"#, "{} {}", #"{"files": [1]}"#, String(repeating: "[", count: 10_000),
    #"{"a": "\#u{01}"}"#,
  ])
  func malformed(_ text: String) {
    #expect(throws: ParseError.self) { try parseJSON(text) }
  }

  @Test func streamsLargePagesAcrossChunkBoundaries() throws {
    var json = #"{"meta": {"api-version": "1.1"}, "name": "demo", "files": ["#
    let n = 30_000
    for i in 0..<n {
      json += (i == 0 ? "" : ",") + #"{"filename": "demo-1.\#(i).tar.gz", "url": "../f/demo-1.\#(i).tar.gz", "hashes": {"sha256": "\#(i)"}, "requires-python": ">=3.\#(i % 10)"}"#
    }
    json += "]}"
    let bytes = Array(json.utf8)
    #expect(bytes.count > 3 * 65_536)
    let fd = temporaryFile(bytes)
    defer { close(fd) }
    var count = 0
    var last: DistributionFile? = nil
    _ = try JSONPageParser.parse(fileDescriptor: fd, pageURL: "http://h/simple/demo/") { f, _ in count += 1; last = f }
    #expect(count == n)
    #expect(last?.hashes == ["sha256": "\(n - 1)"])
  }
}
