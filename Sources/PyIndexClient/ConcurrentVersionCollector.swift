public import PyIndexModel
public import PyIndexParsing

/// Collects the versions of a listing on a second core while the page is still being parsed.
///
/// Files arrive from the parser in batches, which a task evaluates as they come. Handing a
/// batch over never blocks (the parser may run on Swift's cooperative pool for a small page),
/// and ``finish()`` awaits the evaluation instead of waiting on a lock.
public final class ConcurrentVersionCollector: Sendable {
  private let batches: AsyncStream<FileBatch>.Continuation
  private let result: Task<[Version], Never>

  public init(_ collector: VersionCollector) {
    let (stream, continuation) = AsyncStream<FileBatch>.makeStream()
    batches = continuation
    result = Task {
      var collector = collector
      for await batch in stream { batch.forEach { collector.add($0) } }
      return collector.sorted
    }
  }

  deinit { batches.finish() }

  /// Hands a batch over; its links are made into files and evaluated by the collecting task.
  public func add(_ batch: FileBatch) { batches.yield(batch) }

  /// The versions of every file handed over, newest first, once all are evaluated.
  public func finish() async -> [Version] {
    batches.finish()
    return await result.value
  }
}
