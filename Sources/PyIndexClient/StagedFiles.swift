import Synchronization

import PyIndexSystem

/// Files of one `download` run that are complete and verified but still under their temporary
/// names: the resolver keeps downloading while it resolves, and a run that fails to resolve
/// must leave DEST as it was. ``commit()`` gives them their final names (a settled closure, or a
/// network or integrity failure: complete files stay so that a re-run resumes); ``discard()``
/// removes them. They stay registered with ``TemporaryFiles`` until then, so an interrupted
/// run removes them too.
final class StagedFiles: Sendable {
  private let staged = Mutex<[(temporary: String, final: String)]>([])

  /// Records that `temporary` holds the verified contents of `final`.
  func add(temporary: String, final: String) {
    staged.withLock { $0.append((temporary, final)) }
  }

  /// Where the bytes of `final` are now: its temporary name while staged.
  func location(of final: String) -> String {
    staged.withLock { s in s.last { $0.final == final }?.temporary } ?? final
  }

  /// Renames every staged file to its final name; on the first failure the rest are removed.
  func commit() throws(ClientError) {
    var failure: ClientError? = nil
    for (temporary, final) in take() {
      if failure == nil, rename(temporary, final) != 0 {
        failure = .fileSystem(path: final, detail: "rename failed: \(String(cString: strerror(errno)))")
      }
      if failure != nil { unlink(temporary) }
      TemporaryFiles.shared.unregister(temporary)
    }
    if let failure { throw failure }
  }

  /// Renames the staged files whose final path is in `kept`; removes the others.
  func commit(keeping kept: Set<String>) throws(ClientError) {
    let all = take()
    for (temporary, final) in all where !kept.contains(final) {
      unlink(temporary)
      TemporaryFiles.shared.unregister(temporary)
    }
    staged.withLock { $0 = all.filter { kept.contains($0.final) } }
    try commit()
  }

  /// Removes every staged file.
  func discard() {
    for (temporary, _) in take() {
      unlink(temporary)
      TemporaryFiles.shared.unregister(temporary)
    }
  }

  private func take() -> [(temporary: String, final: String)] {
    staged.withLock { s in
      defer { s.removeAll() }
      return s
    }
  }
}
