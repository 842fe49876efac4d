import Foundation
@testable import PyIndexMint
import Testing

/// AWS's public Signature Version 4 test suite (as botocore carries it, Apache-2.0: see
/// aws4_testsuite/LICENSE and NOTICE): each case's request, canonical request and
/// `Authorization` header.
@Suite("SigV4: the AWS Signature Version 4 test suite")
struct SigV4Tests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("aws4_testsuite").path
  static let key = SigV4.Key(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

  /// Every case directory (nested ones included) with a `.req` file, by name.
  static let cases: [String] = {
    let fm = FileManager.default
    let all = (fm.enumerator(atPath: directory)?.allObjects as? [String]) ?? []
    // post-sts-header-after adds the session token after signing; pyindex signs it, as
    // botocore does (post-sts-header-before).
    return all.filter { $0.hasSuffix(".req") && !$0.contains("post-sts-header-after") }.map { String($0.dropLast(4)) }.sorted()
  }()

  /// The session token get-vanilla-with-session-token signs with.
  static let suiteSessionToken = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"

  struct Request {
    let method: String
    let path: String
    let query: String
    let headers: [(String, String)]
    let body: [UInt8]
  }

  /// A `.req` file: the request line, headers (a line that starts with white space continues
  /// the one before), a blank line and the body.
  static func parse(_ text: String) -> Request {
    let (head, body) = text.firstRange(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) } ?? (text, "")
    var lines = head.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let requestLine = lines.removeFirst()
    let target = String(requestLine.dropFirst(requestLine.prefix(while: { $0 != " " }).count + 1).dropLast(" HTTP/1.1".count))
    var headers: [(String, String)] = []
    for line in lines {
      if line.first == " " || line.first == "\t", !headers.isEmpty {
        headers[headers.count - 1].1 += "\n" + line
      } else if let colon = line.firstIndex(of: ":") {
        headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
      }
    }
    let (path, query) = target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
    return Request(method: String(requestLine.prefix(while: { $0 != " " })), path: path, query: query, headers: headers, body: Array(body.utf8))
  }

  static func read(_ name: String, _ ext: String) throws -> String {
    try String(contentsOfFile: "\(directory)/\(name).\(ext)", encoding: .utf8)
  }

  @Test("the suite is there: 30 and more cases")
  func suitePresent() {
    #expect(Self.cases.count >= 30, "\(Self.cases)")
  }

  @Test("canonical request and Authorization match the suite", arguments: cases)
  func vector(_ name: String) throws {
    var r = Self.parse(try Self.read(name, "req"))
    if name.hasSuffix("get-vanilla-with-session-token") {
      // The session token comes with the credentials, not in the .req (as in botocore's runner).
      r = Request(method: r.method, path: r.path, query: r.query, headers: r.headers + [("X-Amz-Security-Token", Self.suiteSessionToken)], body: r.body)
    }
    let (canonical, signed) = SigV4.canonicalRequest(method: r.method, path: r.path, query: r.query, headers: r.headers, payloadHash: SigV4.hex(sha256: r.body))
    #expect(canonical == (try Self.read(name, "creq")), "\(name)")
    let signer = SigV4(region: "us-east-1", service: "service")
    let signature = signer.signature(canonicalRequest: canonical, amzDate: "20150830T123600Z", secret: Self.key.secretAccessKey)
    let authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(signed), Signature=\(signature)"
    #expect(authorization == (try Self.read(name, "authz")), "\(name)")
  }

  @Test("sign adds X-Amz-Date and Authorization as the suite's get-vanilla has them")
  func signAddsHeaders() throws {
    let headers = SigV4(region: "us-east-1", service: "service").sign(
      method: "GET", path: "/", query: "", headers: [("Host", "example.amazonaws.com")], body: [], key: Self.key, amzDate: "20150830T123600Z")
    #expect(headers.first { $0.0 == "X-Amz-Date" }?.1 == "20150830T123600Z")
    #expect(headers.first { $0.0 == "Authorization" }?.1 == (try Self.read("get-vanilla/get-vanilla", "authz")))
  }

  @Test("a session token is signed (post-sts-header-before)")
  func sessionToken() throws {
    let name = "post-sts-token/post-sts-header-before/post-sts-header-before"
    let r = Self.parse(try Self.read(name, "req"))
    let token = try #require(r.headers.first { $0.0 == "X-Amz-Security-Token" }?.1)
    let key = SigV4.Key(accessKeyId: Self.key.accessKeyId, secretAccessKey: Self.key.secretAccessKey, sessionToken: token)
    let headers = SigV4(region: "us-east-1", service: "service").sign(
      method: r.method, path: r.path, query: r.query, headers: [("Host", "example.amazonaws.com")], body: r.body, key: key, amzDate: "20150830T123600Z")
    #expect(headers.first { $0.0 == "Authorization" }?.1 == (try Self.read(name, "authz")))
  }
}
