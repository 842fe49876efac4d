import Foundation
import PyIndexFuzzing
import Testing

/// Every input under `fixtures/fuzz/<target>/` (the seed corpus, and each crash the fuzzers
/// found, kept as a regression test) runs through its target on every test run.
@Suite("fuzz corpus replay")
struct CorpusTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fixtures/fuzz").standardized.path

  @Test("every target has seeds, and every seed and past crash runs clean", arguments: FuzzTarget.allCases)
  func replay(_ target: FuzzTarget) throws {
    let dir = Self.root + "/" + target.rawValue
    let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
    #expect(names.count >= 3, "\(dir) holds \(names.count) inputs")
    for name in names {
      let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
      data.withUnsafeBytes { target.run($0) }
    }
  }
}
