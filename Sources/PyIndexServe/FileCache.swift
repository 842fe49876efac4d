import PyIndexClient

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
  func writer() -> AtomicFileWriter? {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit }) else { return nil }
    return AtomicFileWriter(path: path)
  }
}
