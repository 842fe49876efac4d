import PyIndexSystem

/// A file written under a temporary name next to its final one (directories made, mode 0600)
/// and renamed into place by ``commit()``, so that readers never see half of it; a write that
/// failed, or ``discard()``, leaves nothing. For the page cache and `serve`'s kept files.
public final class AtomicFileWriter {
  public let finalPath: String
  let tempPath: String
  private var fd: Int32
  private var failed = false

  /// nil when the directory or the temporary file cannot be created.
  /// - Parameter mode: the file's permissions (0600 unless said: caches may hold what only the
  ///   user should read).
  public init?(path: String, mode: UInt32 = 0o600) {
    finalPath = path
    let dir = String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    guard AtomicFileWriter.makeDirectories(dir) else { return nil }
    tempPath = path + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
    fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else { return nil }
    fchmod(fd, mode_t(mode))
  }

  public func write(_ chunk: UnsafeRawBufferPointer) {
    guard !failed, fd >= 0, chunk.count > 0 else { return }
    if !LibC.writeAll(fd, chunk) { failed = true }
  }

  public func write(_ bytes: [UInt8]) { bytes.withUnsafeBytes { write($0) } }

  /// Renames the file into place (unless a write failed: then it is removed); false when it
  /// is not in place.
  @discardableResult
  public func commit() -> Bool {
    guard fd >= 0 else { return false }
    close(fd)
    fd = -1
    if failed || rename(tempPath, finalPath) != 0 {
      unlink(tempPath)
      return false
    }
    return true
  }

  /// Where a file the user named (`--report FILE`) may be written: the path itself when
  /// nothing is there, else the regular file it names once links are followed; nil for a
  /// FIFO, a device, a directory or a link to one, and for anything under `/dev` or `/proc`
  /// (`/dev/stdout` may lead to the file a shell redirected stdout to, which a rename would
  /// replace): a special file is never replaced.
  public static func destination(forUserPath path: String) -> String? {
    if path.hasPrefix("/dev/") || path.hasPrefix("/proc/") { return nil }
    var st = stat()
    if lstat(path, &st) != 0 { return errno == ENOENT ? path : nil }
    guard let real = LocalFile.realPath(path), LocalFile.isRegularFile(real) else { return nil }
    return real
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
