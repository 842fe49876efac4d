public import PyIndexModel
public import PyIndexParsing
import Dispatch

/// Collects the versions of a listing on a second core while the page is still being parsed.
///
/// Files arrive from the parser in batches; at most a few batches wait at any time, so memory
/// stays flat however long the page, and the parser never waits on evaluation unless it is
/// that far ahead.
public final class ConcurrentVersionCollector: @unchecked Sendable {
  // `collector` is touched only on `queue`.
  private var collector: VersionCollector
  private let queue = DispatchQueue(label: "pyindex.versions")
  private let slots = DispatchSemaphore(value: 4)

  public init(_ collector: VersionCollector) {
    self.collector = collector
  }

  /// Hands a batch over (called by the parser, on one thread at a time); its links are made
  /// into files and evaluated on the collector's queue.
  public func add(_ batch: FileBatch) {
    slots.wait()
    queue.async {
      batch.forEach { self.collector.add($0) }
      self.slots.signal()
    }
  }

  /// Waits for every file handed over, then returns the versions, newest first.
  public func finish() -> [Version] {
    queue.sync { collector.sorted }
  }
}
