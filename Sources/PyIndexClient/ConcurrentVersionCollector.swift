public import PyIndexModel
import Dispatch

/// Collects the versions of a listing on a second core while the page is still being parsed.
///
/// Files arrive from the parser in batches; at most a few batches wait at any time, so memory
/// stays flat however long the page, and the parser never waits on evaluation unless it is
/// that far ahead.
public final class ConcurrentVersionCollector: @unchecked Sendable {
  // `collector` is touched only on `queue`; `batch` only by the single producer.
  private var collector: VersionCollector
  private let queue = DispatchQueue(label: "pyindex.versions")
  private let slots = DispatchSemaphore(value: 4)
  private var batch: [DistributionFile] = []
  private static let batchSize = 512

  public init(_ collector: VersionCollector) {
    self.collector = collector
    batch.reserveCapacity(Self.batchSize)
  }

  /// Hands one file over (called by the parser, on one thread at a time).
  public func add(_ file: DistributionFile) {
    batch.append(file)
    if batch.count == Self.batchSize { flush() }
  }

  private func flush() {
    guard !batch.isEmpty else { return }
    let full = batch
    batch = []
    batch.reserveCapacity(Self.batchSize)
    slots.wait()
    queue.async {
      for f in full { self.collector.add(f) }
      self.slots.signal()
    }
  }

  /// Waits for every file handed over, then returns the versions, newest first.
  public func finish() -> [Version] {
    flush()
    return queue.sync { collector.sorted }
  }
}
