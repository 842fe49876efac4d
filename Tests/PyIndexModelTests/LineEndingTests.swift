import PyIndexModel
import Testing

@Suite("line endings: LF, CRLF and CR read alike")
struct LineEndingTests {
  @Test("core metadata: headers with any ending, folded lines joined, the body after the blank line ignored", arguments: ["\n", "\r\n", "\r"])
  func coreMetadata(_ end: String) {
    let text = ["Metadata-Version: 2.1", "Name: grpcio", "Version: 1.60.0", "Requires-Dist: protobuf>=4", "Requires-Dist: typing-extensions ;", "  python_version < '3.10'", "Requires-Python: >=3.8", "", "Requires-Dist: not-a-header", ""].joined(separator: end)
    let m = CoreMetadata(text)
    #expect(m.name == "grpcio" && m.version == "1.60.0" && m.requiresPython == ">=3.8")
    #expect(m.requiresDist == ["protobuf>=4", "typing-extensions ; python_version < '3.10'"])
  }

  @Test("textLines splits at every ending and keeps empty lines")
  func lines() {
    #expect("a\r\nb\rc\n\nd".textLines == ["a", "b", "c", "", "d"])
    #expect("".textLines == [""])
  }

  @Test("a requirements file with CRLF endings and a continuation", arguments: ["\n", "\r\n"])
  func requirements(_ end: String) throws {
    let text = ["# c", "a==1 \\", "  --hash=sha256:00", "b>=2", ""].joined(separator: end)
    let file = try RequirementsFile.load("/r.txt", environment: [:]) { _ in text }
    #expect(file.requirements.map(\.requirement.text) == ["a==1", "b>=2"])
  }
}
