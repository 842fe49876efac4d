import NIOCore
import PyIndexAuth
public import PyIndexModel
import PyIndexTransport

import PyIndexSystem

/// `download`'s ``FetchSink``: a temporary file in DEST, progress reported per piece. For a
/// `name @ URL` whose path names no file, the server's `Content-Disposition` names it (pip's
/// rule), checked before any byte is written.
struct DiskSink: FetchSink {
  /// The file being written, under its temporary name.
  let file: StagedFile
  let selected: Downloader.Selected
  let progress: (@Sendable (DownloadProgress) -> Void)?
  /// The file's name and version: the selected file's, or the ones the response named.
  private(set) var filename: String
  private(set) var version: String

  init(file: StagedFile, selected: Downloader.Selected, progress: (@Sendable (DownloadProgress) -> Void)?) {
    self.file = file
    self.selected = selected
    self.progress = progress
    filename = selected.file.filename
    version = selected.version
  }

  mutating func begin(_ response: Response) async throws -> Bool {
    guard selected.nameFromResponse else { return true }
    let project = selected.project
    let given = response.header("Content-Disposition").flatMap(ContentDisposition.filename)
    let usable = given.flatMap { Downloader.isSafeFilename($0) ? $0 : nil }
    let said = given.map { "names '\(ServerText.clean($0))'" } ?? "names no file"
    if usable == nil, ![".whl", ".tar.gz", ".zip"].contains(where: { filename.lowercased().hasSuffix($0) }) {
      // The server's fault: no usable name for what it serves.
      throw ClientError.badAnswer(
        "\((selected.url)) names no file: its path names '\(filename)' and the server's Content-Disposition \(said)",
        hint: "name @ URL must point at a distribution file; ask the server's operator, or use a URL whose path names the file")
    }
    guard let given = usable, let kind = DistributionKind(filename: given, project: project) else {
      // The user's requirement names another project than the file the URL serves.
      throw ClientError.usage(
        "\((selected.url)) is not a wheel or sdist of \(project.typed): its path names '\(filename)' and the server's Content-Disposition \(said)",
        hint: "name @ URL must point at a distribution file of that project")
    }
    (filename, version) = (given, kind.version.description)
    return true
  }

  mutating func write(_ chunk: ByteBuffer) async throws {
    let queued = chunk.withUnsafeReadableBytes { file.write($0) }
    if !queued || file.queued > StagedFile.maxQueued { try await file.drain() }
    progress?(.bytes(filename: filename, count: chunk.readableBytes))
  }

  mutating func restart() async throws -> Bool {
    try await file.truncate()
    return true
  }
}

extension Downloader.Selected {
  /// The record of this file in DEST.
  func downloaded(filename: String, version: String, dest: String, digests: [String: String], size: Int, alreadyPresent: Bool) -> DownloadedFile {
    var f = DownloadedFile(
      project: project.typed, version: version, filename: filename, path: dest + "/" + filename,
      sha256: digests["sha256"] ?? "", size: size, url: (url), alreadyPresent: alreadyPresent)
    (f.requiresPython, f.yankReason, f.uploadTime) = (file.requiresPython, file.yanked, file.uploadTime)
    // Only an https provenance URL is kept (PEP 740 asks for a secure origin), never with
    // userinfo or a query.
    f.provenance = file.provenance.flatMap { SafeURL($0) }.flatMap { $0.scheme == "https" ? $0.withoutUserinfo.with(path: $0.path, query: nil).withoutFragment.description : nil }
    return f
  }
}
