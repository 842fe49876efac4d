import PyIndexModel
import Testing

@Suite("core metadata in pip's JSON form (--report)")
struct CoreMetadataJSONTests {
  @Test("pip's fields in pip's order, repeatable ones as lists, keywords split, the body as description, unknown fields left out")
  func json() {
    let text = "Metadata-Version: 2.4\r\nName: demo\r\nVersion: 1.0\r\nSummary: A demo\r\nKeywords: web api\r\nX-Unknown: dropped\r\n"
      + "Classifier: A\r\nClassifier: B\r\nRequires-Dist: lib>=1\r\nProvides-Extra: fast\r\n\r\nLong text.\r\nSecond line.\r\n"
    let m = CoreMetadata(text)
    #expect(
      m.json
        == #"{"metadata_version": "2.4", "name": "demo", "version": "1.0", "summary": "A demo", "keywords": ["web", "api"], "classifier": ["A", "B"], "requires_dist": ["lib>=1"], "provides_extra": ["fast"], "description": "Long text.\nSecond line.\n"}"#)
  }

  @Test("a Description header gives way to the body, in its own place; comma-separated keywords are trimmed")
  func descriptionHeader() {
    let m = CoreMetadata("Name: d\nDescription: short\nKeywords: a , b\n\nbody")
    #expect(m.json == #"{"name": "d", "description": "body", "keywords": ["a", "b"]}"#)
    #expect(CoreMetadata("Name: d\nDescription: short\n").json == #"{"name": "d", "description": "short"}"#)
  }
}
