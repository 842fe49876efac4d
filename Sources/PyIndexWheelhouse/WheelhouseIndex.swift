#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Crypto
public import PyIndexClient
public import PyIndexModel
import PyIndexParsing
import PyIndexSystem

/// `download --layout index`: DEST made a static index that pip and uv install from offline
/// (`--index-url file:///DEST/simple`). The pages are written from every distribution DEST
/// holds — this run's files with what their index said of them, earlier runs' files with what
/// the earlier pages said (when the file's size still matches), any other file hashed here —
/// so a wheelhouse grows run by run. Each page is written to a temporary name and renamed
/// (``StagedFile``); every wheel gets its PEP 658 `<file>.metadata` beside it.
public enum WheelhouseIndex {
  /// What was written.
  public struct Summary: Sendable, Equatable {
    public let projects: Int
    public let files: Int
  }

  /// Writes `DEST/simple/` from the distributions in `dest`; `known` are this run's files.
  /// - Throws: ``ClientError`` (file system) when DEST cannot be read or a page written.
  public static func write(dest: String, known: [DownloadedFile]) async throws(ClientError) -> Summary {
    let names: [String]
    do { names = try FileManager.default.contentsOfDirectory(atPath: dest) } catch {
      throw ClientError.fileSystem(path: dest, detail: "cannot list the wheelhouse (\(error))")
    }
    let simple = dest + "/simple"
    let byName = Dictionary(known.map { ($0.filename, $0) }, uniquingKeysWith: { a, _ in a })
    var projects: [String: WheelhouseProject] = [:]
    let previous = PreviousPages(simple: simple)
    for name in names.sorted() where !name.hasPrefix(".") {
      guard let entry = try await entry(for: name, dest: dest, known: byName[name], previous: previous) else { continue }
      projects[entry.project.normalized, default: WheelhouseProject(name: entry.project)].files.append(entry)
    }
    for project in projects.values {
      try await stage(simple + "/" + project.name.normalized + "/index.html", WheelhousePages.projectHTML(project))
      try await stage(simple + "/" + project.name.normalized + "/index.json", WheelhousePages.projectJSON(project))
    }
    let sorted = projects.values.sorted { $0.name.normalized < $1.name.normalized }
    try await stage(simple + "/index.html", WheelhousePages.rootHTML(sorted))
    try await stage(simple + "/index.json", WheelhousePages.rootJSON(sorted))
    removeStale(simple: simple, keep: Set(projects.keys))
    return Summary(projects: projects.count, files: projects.values.reduce(0) { $0 + $1.files.count })
  }

  /// The entry for one name in DEST: nil for anything that is not a regular distribution file.
  static func entry(for name: String, dest: String, known: DownloadedFile?, previous: PreviousPages) async throws(ClientError) -> WheelhouseFile? {
    let path = dest + "/" + name
    guard !name.hasSuffix(".metadata"), let size = regularFileSize(path) else { return nil }
    let project: ProjectName
    let version: String
    if let known, let p = try? ProjectName(known.project) {
      (project, version) = (p, known.version)
    } else if let w = WheelFilename(Substring(name)), let p = try? ProjectName(w.name) {
      (project, version) = (p, w.versionText)
    } else if let (p, v) = sdistProject(name) {
      (project, version) = (p, v)
    } else {
      return nil
    }
    var file = WheelhouseFile(project: project, version: version, filename: name, size: size)
    if let known, known.size == size {
      file.sha256 = known.sha256
      (file.requiresPython, file.yanked, file.uploadTime, file.provenance) = (known.requiresPython, known.isYanked ? (known.yankReason ?? "") : nil, known.uploadTime, known.provenance)
    } else if let old = previous.file(named: name, project: project), old.size == size, let digest = old.hashes["sha256"] {
      file.sha256 = digest
      (file.requiresPython, file.yanked, file.uploadTime, file.provenance) = (old.requiresPython, old.yanked, old.uploadTime, old.provenance)
    } else {
      file.sha256 = try sha256(of: path)
    }
    if name.hasSuffix(".whl") { file.metadataSHA256 = try await metadata(for: path) }
    return file
  }

  /// The project and version of an sdist name: the last `-` after which a PEP 440 version
  /// follows (`my-pkg-1.0.tar.gz` is `my-pkg` 1.0).
  static func sdistProject(_ name: String) -> (ProjectName, String)? {
    guard let ext = SdistFilename.archiveExtension(of: name) else { return nil }
    let stem = name.dropLast(ext.utf8CodeUnitCount)
    var index = stem.endIndex
    while let dash = stem[..<index].lastIndex(of: "-") {
      let candidate = String(stem[..<dash])
      if let p = try? ProjectName(candidate), SdistFilename(name, project: p) != nil { return (p, String(stem[stem.index(after: dash)...])) }
      index = dash
    }
    return nil
  }

  /// The wheel's `METADATA` as `<file>.metadata` beside it (written when missing), and its SHA-256.
  static func metadata(for wheel: String) async throws(ClientError) -> String? {
    let sidecar = wheel + ".metadata"
    if regularFileSize(sidecar) != nil { return try sha256(of: sidecar) }
    guard let text = try? WheelMetadata.read(path: wheel) else { return nil }
    let bytes = Array(text.utf8)
    try await stage(sidecar, bytes, mode: 0o644)
    return SHA256.hash(data: bytes).map { String($0, radix: 16).leftPadded2 }.joined()
  }

  static func sha256(of path: String) throws(ClientError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw ClientError.fileSystem(path: path, detail: "cannot read it to hash it") }
    defer { close(fd) }
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { LibC.read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw ClientError.fileSystem(path: path, detail: "cannot read it to hash it") }
      if n == 0 { break }
      buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return hasher.finalize().map { String($0, radix: 16).leftPadded2 }.joined()
  }

  static func regularFileSize(_ path: String) -> Int? {
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    return LibC.regularFileSize(fd)
  }

  static func stage(_ path: String, _ text: String) async throws(ClientError) { try await stage(path, Array(text.utf8), mode: 0o644) }

  static func stage(_ path: String, _ bytes: [UInt8], mode: UInt32) async throws(ClientError) {
    let file = try StagedFile(finalPath: path, mode: mode, durable: false, makeDirectories: true)
    _ = bytes.withUnsafeBytes { file.write($0) }
    try await file.commit()
  }

  /// Pages of projects DEST no longer holds a file of.
  static func removeStale(simple: String, keep: Set<String>) {
    guard let dirs = try? FileManager.default.contentsOfDirectory(atPath: simple) else { return }
    for dir in dirs where !keep.contains(dir) && !dir.hasPrefix(".") && ProjectName.normalize(dir) == dir {
      for page in ["index.html", "index.json"] { unlink(simple + "/" + dir + "/" + page) }
      rmdir(simple + "/" + dir)
    }
  }
}

/// One project of the wheelhouse and its files.
struct WheelhouseProject: Sendable {
  let name: ProjectName
  var files: [WheelhouseFile] = []
}

/// One distribution file of the wheelhouse, with what its page says of it.
struct WheelhouseFile: Sendable {
  let project: ProjectName
  let version: String
  let filename: String
  let size: Int
  var sha256 = ""
  var requiresPython: String?
  var yanked: String?
  var uploadTime: String?
  var provenance: String?
  var metadataSHA256: String?
}

/// The pages an earlier run wrote (its own JSON), read once per project for what they knew
/// of each file.
final class PreviousPages {
  let simple: String
  private var pages: [String: [String: DistributionFile]] = [:]

  init(simple: String) { self.simple = simple }

  func file(named name: String, project: ProjectName) -> DistributionFile? {
    if let page = pages[project.normalized] { return page[name] }
    var page: [String: DistributionFile] = [:]
    let path = simple + "/" + project.normalized + "/index.json"
    if let data = FileManager.default.contents(atPath: path), let url = SafeURL("file://" + path) {
      _ = try? JSONPageParser.parse(bytes: Array(data), pageURL: url) { file, _ in page[file.filename] = file }
    }
    pages[project.normalized] = page
    return page[name]
  }
}

extension String {
  var leftPadded2: String { count == 1 ? "0" + self : self }
}
