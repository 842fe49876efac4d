import Dispatch
import Synchronization

import PyIndexSystem

/// The one way pyindex writes a file: downloads, the page cache, `serve`'s kept files and
/// `--report`. The bytes go to a temporary name next to the final one and are renamed into
/// place by ``commit()`` (or handed to a run's ``StagedFiles`` by ``finish()``), so a reader
/// never sees half a file.
///
/// - Writes and `fsync` run on a serial queue of the file's own, never on Swift's cooperative
///   pool: ``write(_:)`` copies the bytes and returns; ``drain()`` waits for them (the download
///   waits past ``maxQueued`` bytes, so memory stays bounded).
/// - While it exists under its temporary name the file is registered with ``TemporaryFiles``,
///   so SIGINT and SIGTERM remove it; a failed write, ``discard()``, or dropping the value
///   unfinished removes it too.
public final class StagedFile: Sendable {
  /// Where the file goes once complete.
  public let finalPath: String
  /// Where it is written meanwhile.
  public let temporaryPath: String
  /// Whether ``commit()`` and ``finish()`` `fsync` it first (the page cache, which a lost
  /// entry only makes fetch again, does not).
  let durable: Bool
  /// The bytes queued past which a writer that can wait should (``drain()``).
  public static let maxQueued = 1 << 20
  /// Pieces are gathered up to this many bytes before one write is queued.
  static let gather = 256 << 10

  private let queue = DispatchQueue(label: "pyindex.staged-file")
  private struct State {
    var fd: Int32
    var queued = 0
    /// Bytes not yet handed to the queue: small pieces are gathered into one write.
    var pending: [UInt8] = []
    var failure: Int32? = nil
    /// Renamed, handed over or removed: nothing to remove any more.
    var placed = false
  }
  private let state: Mutex<State>

  /// Creates the temporary file (mode `mode`, exclusively).
  /// - Parameters:
  ///   - finalPath: the file's final name.
  ///   - temporaryPath: the name it is written under; by default the final one with a random
  ///     suffix and `.tmp`.
  ///   - makeDirectories: create missing directories first (mode 0700: caches).
  /// - Throws: ``ClientError/fileSystem(path:detail:)`` when it cannot be created.
  public init(finalPath: String, temporaryPath: String? = nil, mode: UInt32 = 0o600, durable: Bool = true, makeDirectories: Bool = false) throws(ClientError) {
    self.finalPath = finalPath
    self.temporaryPath = temporaryPath ?? finalPath + "." + String(UInt64.random(in: 0...UInt64.max), radix: 36) + ".tmp"
    self.durable = durable
    if makeDirectories {
      let directory = String(finalPath[..<(finalPath.lastIndex(of: "/") ?? finalPath.endIndex)])
      guard StagedFile.makeDirectories(directory) else {
        throw .fileSystem(path: directory, detail: "cannot create the directory: \(String(cString: strerror(errno)))")
      }
    }
    let fd = open(self.temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
    guard fd >= 0 else { throw .fileSystem(path: self.temporaryPath, detail: String(cString: strerror(errno))) }
    fchmod(fd, mode_t(mode))
    state = Mutex(State(fd: fd))
    TemporaryFiles.shared.register(self.temporaryPath)
  }

  /// Queues `bytes` to be written; returns at once. False when the file has failed, is closed
  /// or placed (the bytes are dropped; ``commit()`` and ``finish()`` will say why).
  @discardableResult
  public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count > 0 else { return true }
    let batch: [UInt8]?? = state.withLock { s in
      guard s.failure == nil, s.fd >= 0, !s.placed else { return .none }
      s.queued += bytes.count
      s.pending.append(contentsOf: bytes)
      guard s.pending.count >= StagedFile.gather else { return .some(nil) }
      defer { s.pending = [] }
      return .some(s.pending)
    }
    guard let batch else { return false }
    if let batch { enqueue(batch) }
    return true
  }

  /// Hands gathered bytes to the queue, to be written after what was queued before.
  private func enqueue(_ batch: [UInt8]) {
    queue.async { [self] in
      let fd = state.withLock { s in s.failure == nil ? s.fd : -1 }
      let failed = fd >= 0 && !batch.withUnsafeBytes { LibC.writeAll(fd, $0) }
      let code = errno
      state.withLock { s in
        s.queued -= batch.count
        if failed, s.failure == nil { s.failure = code }
      }
    }
  }

  /// Queues what was gathered and not yet queued.
  private func flush() {
    let batch = state.withLock { s in
      defer { s.pending = [] }
      return s.pending
    }
    if !batch.isEmpty { enqueue(batch) }
  }

  /// The bytes queued and not yet written.
  public var queued: Int { state.withLock { $0.queued } }

  /// Waits until every queued write is done.
  /// - Throws: ``ClientError/fileSystem(path:detail:)`` when one failed.
  public func drain() async throws(ClientError) {
    try await onQueue { _ in nil }
  }

  /// Empties the file, to start it over (a download whose server ignored `Range`).
  public func truncate() async throws(ClientError) {
    let dropped = state.withLock { s in
      defer { s.pending = [] }
      return s.pending.count
    }
    state.withLock { $0.queued -= dropped }
    try await onQueue { fd in
      guard ftruncate(fd, 0) == 0, lseek(fd, 0, SEEK_SET) == 0 else { return errno }
      return nil
    }
  }

  /// Writes what is queued, `fsync`s (when durable) and closes the file, which stays under its
  /// temporary name, registered for removal on a signal, until ``commit()``, ``handOver()`` or
  /// ``discard()``. On failure the file is removed.
  public func finish() async throws(ClientError) {
    do {
      try await onQueue { [durable] fd in durable && fsync(fd) != 0 ? errno : nil }
    } catch {
      discard()
      throw error
    }
    queue.sync { closeFile() }
  }

  /// After ``finish()``: the caller renames the file later (a run's ``StagedFiles``, which
  /// keeps it registered for removal on a signal until then); this value no longer removes it.
  public func handOver() {
    state.withLock { $0.placed = true }
  }

  /// ``finish()``, then renames the file into place and forgets it.
  /// - Throws: ``ClientError/fileSystem(path:detail:)``; nothing is left under either name
  ///   that was not there before.
  public func commit() async throws(ClientError) {
    try await finish()
    guard rename(temporaryPath, finalPath) == 0 else {
      let detail = "rename failed: \(String(cString: strerror(errno)))"
      discard()
      throw .fileSystem(path: finalPath, detail: detail)
    }
    state.withLock { $0.placed = true }
    TemporaryFiles.shared.unregister(temporaryPath)
  }

  /// Removes the file at once and closes it once the writes already queued are done (nothing
  /// to do once it is committed or handed over).
  public func discard() {
    let wasPlaced = state.withLock { s in
      defer { s.placed = true }
      return s.placed
    }
    guard !wasPlaced else { return }
    unlink(temporaryPath)
    TemporaryFiles.shared.unregister(temporaryPath)
    queue.async { self.closeFile() }
  }

  deinit {
    let (fd, placed) = state.withLock { ($0.fd, $0.placed) }
    if fd >= 0 { close(fd) }
    if !placed {
      unlink(temporaryPath)
      TemporaryFiles.shared.unregister(temporaryPath)
    }
  }

  /// Runs `body` with the descriptor on the file's queue, after every queued write; a write's
  /// failure, or the errno `body` returns, is thrown.
  private func onQueue(_ body: @escaping @Sendable (Int32) -> Int32?) async throws(ClientError) {
    flush()
    let failure: Int32? = await withCheckedContinuation { continuation in
      queue.async { [self] in
        let (fd, failed) = state.withLock { ($0.fd, $0.failure) }
        if let failed { return continuation.resume(returning: failed) }
        guard fd >= 0 else { return continuation.resume(returning: EBADF) }
        let code = body(fd)
        if let code { state.withLock { if $0.failure == nil { $0.failure = code } } }
        continuation.resume(returning: code)
      }
    }
    if let failure { throw .fileSystem(path: temporaryPath, detail: "write failed: \(String(cString: strerror(failure)))") }
  }

  /// On the queue: closes the descriptor once.
  private func closeFile() {
    let fd = state.withLock { s in
      defer { s.fd = -1 }
      return s.fd
    }
    if fd >= 0 { close(fd) }
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

/// Temporary files pyindex is writing, so that an interrupted run (SIGINT, SIGTERM) can
/// remove them before it exits: DEST never keeps a partial file.
public final class TemporaryFiles: Sendable {
  public static let shared = TemporaryFiles()
  private let paths = Mutex<Set<String>>([])

  public func register(_ path: String) { paths.withLock { _ = $0.insert(path) } }
  public func unregister(_ path: String) { paths.withLock { _ = $0.remove(path) } }
  /// Whether `path` would be removed on a signal.
  public func isRegistered(_ path: String) -> Bool { paths.withLock { $0.contains(path) } }

  /// Removes every registered file (called from a signal handler's task).
  public func removeAll() {
    let all = paths.withLock { p -> Set<String> in let copy = p; p.removeAll(); return copy }
    for p in all { unlink(p) }
  }
}
