import Foundation
import PyIndexModel
import Testing

/// The quick parts of `scripts/wheel` (the release build takes ~25 minutes and runs in
/// `scripts/wheel-check`, not here): the dist-info writer, and the version's one source.
@Suite("wheel metadata")
struct WheelMetadataTests {
  static let writer = Harness.root + "/scripts/lib/wheelmeta.py"

  @Test("METADATA and WHEEL: core metadata 2.4, the binary's version, the README as description, a platform wheel")
  func written() async throws {
    let dir = try Harness.temporaryDirectory()
    let env = Harness.baseEnvironment(home: dir)
    let version = try await Harness.run(["--version"])
    let given = String(version.stdout.split(separator: "\n")[0].dropFirst("pyindex ".count))
    #expect(given == PyIndexVersion.current)
    let r = try await Harness.execute("/usr/bin/env", ["python3", Self.writer, "--version", given, "--readme", Harness.root + "/README.md", "--license", Harness.root + "/LICENSE", "--dist-info", dir + "/d"], environment: env)
    #expect(r.status == 0, "\(r.stderr)")
    let metadata = try String(contentsOfFile: dir + "/d/METADATA", encoding: .utf8)
    let head = metadata.components(separatedBy: "\n\n")[0].split(separator: "\n").map(String.init)
    #expect(head.prefix(3) == ["Metadata-Version: 2.4", "Name: pyindex", "Version: \(PyIndexVersion.current)"])
    #expect(head.contains { $0.hasPrefix("Summary: ") })
    #expect(head.contains("Description-Content-Type: text/markdown"))
    #expect(head.contains("License-Expression: Apache-2.0"))
    #expect(head.contains("License-File: LICENSE"))
    #expect(try String(contentsOfFile: dir + "/d/licenses/LICENSE", encoding: .utf8) == String(contentsOfFile: Harness.root + "/LICENSE", encoding: .utf8))
    #expect(version.stdout.split(separator: "\n").contains("License: Apache-2.0"))
    #expect(metadata.hasSuffix(try String(contentsOfFile: Harness.root + "/README.md", encoding: .utf8)))
    let wheel = try String(contentsOfFile: dir + "/d/WHEEL", encoding: .utf8)
    #expect(wheel.contains("Root-Is-Purelib: false\n"))
    #expect(wheel.contains("Tag: py3-none-linux_x86_64\n"))
  }

  @Test("a version that is not PEP 440 is refused")
  func badVersion() async throws {
    let dir = try Harness.temporaryDirectory()
    let r = try await Harness.execute("/usr/bin/env", ["python3", Self.writer, "--version", "0.1.0-dirty", "--readme", Harness.root + "/README.md", "--dist-info", dir + "/d"], environment: Harness.baseEnvironment(home: dir))
    #expect(r.status != 0)
    #expect(r.stderr.contains("not a PEP 440 version"))
    #expect(!FileManager.default.fileExists(atPath: dir + "/d/METADATA"))
  }
}
