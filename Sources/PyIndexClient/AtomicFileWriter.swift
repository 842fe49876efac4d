#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file written under a temporary name next to its final one (directories made, mode 0600)
/// and renamed into place by ``commit()``, so that readers never see half of it; a write that
/// failed, or ``discard()``, leaves nothing. For the page cache and `serve`'s kept files.
public final class AtomicFileWriter {
  public let finalPath: String
  let tempPath: String
  private var fd: Int32
  private var failed = false

  /// nil when the directory or the temporary file cannot be created.
  public init?(path: String) {
    finalPath = path
    let dir = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    guard AtomicFileWriter.makeDirectories(dir) else { return nil }
    tempPath = path + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
    fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else { return nil }
  }

  public func write(_ chunk: UnsafeRawBufferPointer) {
    guard !failed, fd >= 0, chunk.count > 0 else { return }
    var offset = 0
    while offset < chunk.count {
      let n = Glibc.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        failed = true
        return
      }
      offset += n
    }
  }

  public func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

  /// Renames the file into place (unless a write failed: then it is removed).
  public func commit() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    if failed || rename(tempPath, finalPath) != 0 { unlink(tempPath) }
  }

  /// Removes the temporary file (nothing to do after ``commit()``).
  public func discard() {
    guard fd >= 0 else { return }
    close(fd)
    fd = -1
    unlink(tempPath)
  }

  deinit { discard() }

  /// `mkdir -p` with mode 0700.
  static func makeDirectories(_ path: String) -> Bool {
    var built = ""
    for part in path.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o700) != 0, errno != EEXIST { return false }
    }
    return true
  }
}
