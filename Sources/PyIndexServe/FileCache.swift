import PyIndexClient

import PyIndexSystem

/// A verified file kept by `serve --cache-dir`, named by its SHA-256 under `DIR/files/`.
/// Written under a temporary name and renamed once the digest matched, so a half-written or
/// unverified file is never served.
struct FileCache: Sendable {
  let directory: String
  let sha256: String

  var path: String { directory + "/files/" + sha256.prefix(2) + "/" + sha256 }

  /// Whether the kept file is there (a regular file).
  var isPresent: Bool {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit }) else { return false }
    var st = stat()
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
  }

  /// Removes a kept file found damaged.
  func remove() { unlink(path) }

  /// A writer for the file as it streams past, nil when it cannot be created.
  func writer() -> StagedFile? {
    guard sha256.count == 64, sha256.allSatisfy({ $0.isHexDigit }) else { return nil }
    return try? StagedFile(finalPath: path, durable: false, makeDirectories: true)
  }
}
