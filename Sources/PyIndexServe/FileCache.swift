#if canImport(Glibc)
  import Glibc
#endif

/// A verified file kept by `serve --cache-dir`, named by its SHA-256 under `DIR/files/`.
/// Written under a temporary name and renamed once the digest matched, so a half-written or
/// unverified file is never served.
struct FileCache: Sendable {
  let directory: String
  let sha256: String

  var path: String { directory + "/files/" + sha256.prefix(2) + "/" + sha256 }

  /// The kept file, opened for reading, if it is there.
  func open() -> Int32? {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit }) else { return nil }
    let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
    return fd >= 0 ? fd : nil
  }

  /// A writer for the file as it streams past, nil when it cannot be created.
  func writer() -> Writer? {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit }) else { return nil }
    var built = ""
    for part in (directory + "/files/" + sha256.prefix(2)).split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o700) != 0, errno != EEXIST { return nil }
    }
    return Writer(finalPath: path)
  }

  final class Writer {
    let finalPath: String
    let tempPath: String
    private var fd: Int32
    private var failed = false

    init?(finalPath: String) {
      self.finalPath = finalPath
      tempPath = finalPath + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".part"
      fd = Glibc.open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      guard fd >= 0 else { return nil }
    }

    func write(_ bytes: [UInt8]) {
      guard !failed, fd >= 0 else { return }
      var offset = 0
      while offset < bytes.count {
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
        if n < 0 {
          if errno == EINTR { continue }
          failed = true
          return
        }
        offset += n
      }
    }

    /// The digest matched: into place.
    func commit() {
      guard fd >= 0 else { return }
      close(fd)
      fd = -1
      if failed || rename(tempPath, finalPath) != 0 { unlink(tempPath) }
    }

    /// Not kept (digest mismatch, failure, or already committed: then nothing to do).
    func discard() {
      guard fd >= 0 else { return }
      close(fd)
      fd = -1
      unlink(tempPath)
    }
  }
}
