import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Temporary files pyindex is writing, so that an interrupted run (SIGINT, SIGTERM) can
/// remove them before it exits: DEST never keeps a partial file.
public final class TemporaryFiles: Sendable {
  public static let shared = TemporaryFiles()
  private let paths = Mutex<Set<String>>([])

  public func register(_ path: String) { paths.withLock { _ = $0.insert(path) } }
  public func unregister(_ path: String) { paths.withLock { _ = $0.remove(path) } }

  /// Removes every registered file (called from a signal handler's task).
  public func removeAll() {
    let all = paths.withLock { p -> Set<String> in let copy = p; p.removeAll(); return copy }
    for p in all { unlink(p) }
  }
}
