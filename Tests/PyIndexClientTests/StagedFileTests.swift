import Foundation
@testable import PyIndexClient
import Testing

/// The one file writer: a temporary name until the bytes are all there, writes off the
/// cooperative pool, nothing left behind on failure, discard or a signal.
@Suite("staged files")
struct StagedFileTests {
  static func directory() throws -> String { try Support.temporaryDirectory() }
  static func entries(_ dir: String) -> [String] { Support.files(in: dir) }

  @Test("written under a temporary name, renamed by commit with its mode; registered for removal until then")
  func commit() async throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = try StagedFile(finalPath: dir + "/out.txt", mode: 0o644)
    #expect(TemporaryFiles.shared.isRegistered(file.temporaryPath))
    for part in ["hello ", "staged ", "world"] { Array(part.utf8).withUnsafeBytes { _ = file.write($0) } }
    #expect(Self.entries(dir) == [(file.temporaryPath as NSString).lastPathComponent])
    try await file.commit()
    #expect(Self.entries(dir) == ["out.txt"])
    #expect(try String(contentsOfFile: dir + "/out.txt", encoding: .utf8) == "hello staged world")
    let mode = try FileManager.default.attributesOfItem(atPath: dir + "/out.txt")[.posixPermissions] as? Int
    #expect(mode == 0o644)
    #expect(!TemporaryFiles.shared.isRegistered(file.temporaryPath))
  }

  @Test("discard, or dropping it unfinished, leaves nothing; a handed-over file is left to its new owner")
  func nothingLeft() async throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let discarded = try StagedFile(finalPath: dir + "/a")
    Array("x".utf8).withUnsafeBytes { _ = discarded.write($0) }
    discarded.discard()
    #expect(Self.entries(dir).isEmpty)
    #expect(!TemporaryFiles.shared.isRegistered(discarded.temporaryPath))
    #expect(Array("late".utf8).withUnsafeBytes { discarded.write($0) } == false)
    do {
      let dropped = try StagedFile(finalPath: dir + "/b", makeDirectories: true)
      Array("y".utf8).withUnsafeBytes { _ = dropped.write($0) }
      try await dropped.drain()
    }
    #expect(Self.entries(dir).isEmpty)
    let kept = try StagedFile(finalPath: dir + "/c", temporaryPath: dir + "/.c.part")
    try await kept.finish()
    kept.handOver()
    #expect(Self.entries(dir) == [".c.part"])
    #expect(TemporaryFiles.shared.isRegistered(dir + "/.c.part"))
    TemporaryFiles.shared.unregister(dir + "/.c.part")
  }

  @Test("truncate starts the file over; a signal's removeAll takes every registered file (its own table here: tests run at once)")
  func truncateAndSignal() async throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let file = try StagedFile(finalPath: dir + "/t")
    Array("first try".utf8).withUnsafeBytes { _ = file.write($0) }
    try await file.truncate()
    Array("again".utf8).withUnsafeBytes { _ = file.write($0) }
    try await file.drain()
    #expect(try String(contentsOfFile: file.temporaryPath, encoding: .utf8) == "again")
    let table = TemporaryFiles()
    table.register(file.temporaryPath)
    table.removeAll()
    #expect(Self.entries(dir).isEmpty)
    #expect(!table.isRegistered(file.temporaryPath))
    await #expect(throws: ClientError.self) { try await file.commit() }
  }

  @Test("a file that cannot be created is a file-system error naming it")
  func cannotCreate() {
    #expect(throws: ClientError.self) { _ = try StagedFile(finalPath: "/proc/no-such-dir/x") }
  }
}
