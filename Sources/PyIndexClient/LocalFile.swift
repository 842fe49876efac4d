import NIOCore
import PyIndexAuth
public import PyIndexModel
import PyIndexTransport
import Dispatch

import PyIndexSystem

/// The client's reads of local files: a `file:` URL read as a fetch, what a path is, and the
/// digests of a file already in DEST (writes go through ``StagedFile``).
enum LocalFile {
  /// The path a `file:` URL names.
  static func path(of url: SafeURL) -> String { url.filePath ?? url.path }

  /// Reads a `file:` URL into `sink` as ``VerifiedFetch`` reads a response; false when the
  /// sink stopped at the head.
  static func read(_ url: SafeURL, into sink: inout some FetchSink, progress: inout VerifiedFetch.Progress) async throws -> Bool {
    let path = path(of: url)
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw ClientError.fileSystem(path: path, detail: String(cString: strerror(errno))) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw ClientError.fileSystem(path: path, detail: "not a regular file") }
    let head = Response(
      status: ResponseMeaning.contentStatus, headers: [("Content-Length", String(st.st_size))], finalURL: (url), credentialSource: .none,
      body: ResponseBody(chunks: [], url: (url)))
    progress.begun = true
    guard try await sink.begin(head) else { return false }
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buffer.withUnsafeMutableBytes { LibC.read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      guard n >= 0 else { throw ClientError.fileSystem(path: path, detail: String(cString: strerror(errno))) }
      if n == 0 { return true }
      try await VerifiedFetch.take(ByteBuffer(bytes: buffer[0..<n]), into: &sink, progress: &progress)
    }
  }

  /// The canonical absolute path of `path` (every link followed), nil when it does not exist.
  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Whether `path` is a regular file (links followed).
  static func isRegularFile(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
  }

  /// Digests of an existing regular file, or nil when there is none or it cannot be read. An
  /// entry that is not a regular file (a FIFO, a device, a symlink, even to a regular file) is
  /// never opened: reading a FIFO would wait forever, a device would never end. The download
  /// then replaces it by rename.
  static func digests(ofFileAt path: String, algorithms: some Sequence<String>) -> (digests: [String: String], size: Int)? {
    var st = stat()
    guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    // It could have been swapped since the lstat: check what was opened.
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
    var hasher = MultiHasher(algorithms: algorithms)
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buf.withUnsafeMutableBytes { LibC.read(fd, $0.baseAddress, $0.count) }
      if n < 0 { if errno == EINTR { continue }; return nil }
      if n == 0 { break }
      buf.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return (hasher.finalize(), hasher.size)
  }
}
