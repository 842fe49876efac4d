import ArgumentParser
import Foundation
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport
import Synchronization
import Testing

@testable import PyIndexCLI

/// Commands run in process: the command line parsed into the command, then what it resolves
/// before its first request (no process started, no network).
@Suite("commands, in process")
struct CommandTests {
  /// Counts each configuration file read from disk.
  final class CountingReader: Sendable {
    let counts = Mutex<[String: Int]>([:])
    var reader: ConfigReader {
      { (path: String) throws(ConfigError) -> String? in
        self.counts.withLock { $0[path, default: 0] += 1 }
        return try ConfigFiles.read(path)
      }
    }
  }

  static func home() throws -> String {
    let dir = NSTemporaryDirectory() + "cli-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir + "/.config/pip", withIntermediateDirectories: true)
    return dir
  }

  @Test("download reads the configuration once, however often it resolves it; requirements files' option lines come between the flags and the files")
  func configurationReadOnce() throws {
    let home = try Self.home()
    defer { try? FileManager.default.removeItem(atPath: home) }
    try "[global]\nindex-url = https://conf.example/simple/\ntimeout = 42\n[download]\nretries = 7\n".write(toFile: home + "/.config/pip/pip.conf", atomically: true, encoding: .utf8)
    try "--extra-index-url https://extra.example/simple/\ndemo-pkg==1.0\n".write(toFile: home + "/reqs.txt", atomically: true, encoding: .utf8)
    let counting = CountingReader()
    let session = Session(verbosity: 0, quiet: true, environment: ["HOME": home, "PATH": "/usr/bin:/bin", "XDG_CONFIG_DIRS": home + "/none"], read: counting.reader)
    let download = try PyIndexCommand.Download.parse([
      "-r", home + "/reqs.txt", "-d", home + "/out", "--python-version", "3.12", "--python-platform", "linux", "--only-binary", ":all:",
    ])
    let (plan, configured) = try download.prepare(session: session)
    // The option lines made the configuration resolve twice; no file was read twice.
    #expect(plan.fileOptions.hasIndexOptions)
    let counts = counting.counts.withLock { $0 }
    #expect(counts[home + "/.config/pip/pip.conf"] == 1, "\(counts)")
    #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts)")
    #expect(session.configFiles.reads == counts.count)
    #expect(configured.index.indexes.map(\.redacted) == ["https://conf.example/simple/", "https://extra.example/simple/"])
    #expect(configured.network.timeout == 42)
    #expect(configured.network.retries == 7)
    #expect(plan.targets.count == 1)
    #expect(plan.lines.map(\.requirement.text) == ["demo-pkg==1.0"])
  }

  @Test("the command line parses into domain values, and bad input is a usage error (exit 64) before anything runs")
  func parsing() throws {
    let versions = try #require(try PyIndexCommand.parseAsRoot(["index", "versions", "Demo.Pkg", "--json", "--pre"]) as? PyIndexCommand.Index.Versions)
    #expect(versions.project == "Demo.Pkg" && versions.json && versions.target.pre)
    for bad in [["download", "x", "--jobs", "0"], ["download"], ["index", "versions", "x", "--timeout", "soon"], ["download", "x", "--report", "-", "--json"]] {
      do {
        _ = try PyIndexCommand.parseAsRoot(bad)
        Issue.record("\(bad) parsed")
      } catch {
        #expect(PyIndexCommand.exitCode(for: error).rawValue == 64, "\(bad): \(error)")
      }
    }
  }
}
