import NIOCore
import PyIndexAuth
public import PyIndexModel
import PyIndexTransport

import PyIndexSystem

/// `download`'s ``FetchSink``: a temporary file in DEST, progress reported per piece. For a
/// `name @ URL` whose path names no file, the server's `Content-Disposition` names it (pip's
/// rule), checked before any byte is written.
struct DiskSink: FetchSink {
  let fd: Int32
  /// The temporary file's path.
  let path: String
  let selected: Downloader.Selected
  let progress: (@Sendable (DownloadProgress) -> Void)?
  /// The file's name and version: the selected file's, or the ones the response named.
  private(set) var filename: String
  private(set) var version: String

  init(fd: Int32, path: String, selected: Downloader.Selected, progress: (@Sendable (DownloadProgress) -> Void)?) {
    self.fd = fd
    self.path = path
    self.selected = selected
    self.progress = progress
    filename = selected.file.filename
    version = selected.version
  }

  mutating func begin(_ response: Response) async throws -> Bool {
    guard selected.nameFromResponse else { return true }
    let project = selected.project
    let given = response.header("Content-Disposition").flatMap(ContentDisposition.filename)
    guard let given, Downloader.isSafeFilename(given), let kind = DistributionKind(filename: given, project: project) else {
      throw ClientError.usage(
        "\((selected.url)) is not a wheel or sdist of \(project.typed): its path names '\(filename)' and the server's Content-Disposition \(given.map { "names '\($0)'" } ?? "names no file")",
        hint: "name @ URL must point at a distribution file of that project")
    }
    (filename, version) = (given, kind.version.description)
    return true
  }

  mutating func write(_ chunk: ByteBuffer) async throws {
    try chunk.withUnsafeReadableBytes { bytes throws(ClientError) in try LocalFile.writeAll(fd, bytes, path: path) }
    progress?(.bytes(filename: filename, count: chunk.readableBytes))
  }

  mutating func restart() async throws -> Bool {
    guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else {
      throw ClientError.fileSystem(path: path, detail: "cannot start the file over: \(String(cString: strerror(errno)))")
    }
    return true
  }
}

/// What a downloaded file is checked against: the index's digests (all must match) and the
/// requirement's `--hash` values (one must match), under `--require-hashes` or not.
struct HashCheck: Sendable {
  let expected: [String: String]
  let allowed: [String: Set<String>]
  let requireHashes: Bool

  /// Whether digests satisfy the `--hash` values (true when there are none).
  func matchesAllowed(_ digests: [String: String]) -> Bool {
    allowed.isEmpty || allowed.contains { alg, values in digests[alg].map(values.contains) ?? false }
  }

  /// The digests of the file already at `path`, when it passes every check (a re-run).
  func alreadyPresent(at path: String) -> (digests: [String: String], size: Int)? {
    let algorithms = Set(expected.keys).union(allowed.keys).union(["sha256"])
    guard let existing = LocalFile.digests(ofFileAt: path, algorithms: algorithms),
      expected.allSatisfy({ existing.digests[$0.key] == $0.value }), matchesAllowed(existing.digests), !(requireHashes && allowed.isEmpty)
    else { return nil }
    return existing
  }

  /// After the index's digests matched: throws when no `--hash` value matches; returns the
  /// line to add when hashes are required and the requirement has none.
  func missingLine(_ digests: [String: String], filename: String, url: SafeURL, project: ProjectName, version: String) throws(ClientError) -> String? {
    if !matchesAllowed(digests), let (alg, values) = allowed.sorted(by: { $0.key > $1.key }).first {
      throw .digestMismatch(filename: filename, url: (url), algorithm: alg, expected: values.sorted().joined(separator: " or "), actual: digests[alg] ?? "?")
    }
    guard requireHashes, allowed.isEmpty else { return nil }
    return "\(project.typed)==\(version) --hash=sha256:\(digests["sha256"] ?? "")"
  }
}

extension Downloader.Selected {
  /// The record of this file in DEST.
  func downloaded(filename: String, version: String, dest: String, digests: [String: String], size: Int, alreadyPresent: Bool) -> DownloadedFile {
    DownloadedFile(
      project: project.typed, version: version, filename: filename, path: dest + "/" + filename,
      sha256: digests["sha256"] ?? "", size: size, url: (url), alreadyPresent: alreadyPresent)
  }
}
