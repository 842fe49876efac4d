public import PyIndexModel
public import PyIndexParsing
import Dispatch

/// Collects the versions of a listing on a second core while the page is still being parsed.
///
/// Files arrive from the parser in batches, which a task evaluates as they come. The parser
/// thread of a streamed page waits when four batches are pending, so memory stays flat however
/// long the page; a caller on Swift's cooperative pool (a small page, parsed whole there) never
/// waits. ``finish()`` awaits the evaluation instead of waiting on a lock.
public final class ConcurrentVersionCollector: Sendable {
  private let batches: AsyncStream<(FileBatch, slot: Bool)>.Continuation
  private let result: Task<(versions: [Version], overflowed: Bool), Never>
  /// Pending batches from threads that may wait (the parser thread of a streamed page).
  private let slots = DispatchSemaphore(value: 4)

  public init(_ collector: VersionCollector) {
    let (stream, continuation) = AsyncStream<(FileBatch, slot: Bool)>.makeStream()
    batches = continuation
    let slots = self.slots
    result = Task {
      var collector = collector
      for await (batch, slot) in stream {
        batch.forEach { collector.add($0) }
        if slot { slots.signal() }
      }
      return (collector.sorted, collector.overflowed)
    }
  }

  deinit { batches.finish() }

  /// Hands a batch over; its links are made into files and evaluated by the collecting task.
  /// Waits only on a thread outside Swift concurrency, when four batches are pending.
  public func add(_ batch: FileBatch) {
    let inTask = withUnsafeCurrentTask { $0 != nil }
    if !inTask { slots.wait() }
    batches.yield((batch, slot: !inTask))
  }

  /// The versions of every file handed over, newest first, once all are evaluated; whether
  /// there were more than ``VersionCollector/limit``.
  public func finish() async -> (versions: [Version], overflowed: Bool) {
    batches.finish()
    return await result.value
  }
}
