import PyIndexModel
import Testing

@Suite struct TimestampTests {
  @Test(arguments: [
    ("1970-01-01T00:00:00Z", 0.0), ("2024-05-01", 1_714_521_600), ("2024-05-01T12:00:00Z", 1_714_564_800),
    ("2024-05-01T12:00:00.5Z", 1_714_564_800.5), ("2024-05-01T14:00:00+02:00", 1_714_564_800), ("2024-05-01 11:30:00-00:30", 1_714_564_800),
    ("2000-02-29T00:00:00Z", 951_782_400),
  ])
  func parses(text: String, seconds: Double) throws {
    #expect(try #require(Timestamp(text)).seconds == seconds)
  }

  @Test(arguments: ["", "2024", "2024-13-01", "2024-05-01T12:00", "2024-05-01T12:00:00", "2024-05-01T12:00:00+0200", "yesterday", "2024-05-01T25:00:00Z"])
  func refuses(text: String) {
    #expect(Timestamp(text) == nil)
  }
}
