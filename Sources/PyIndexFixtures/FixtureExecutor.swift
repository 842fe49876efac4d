import Dispatch

/// Runs a fixture server's tasks on a serial queue of its own instead of Swift's cooperative
/// pool.
///
/// Tests host fixture servers in the test process, where Swift Testing runs every test at once
/// on a pool with one thread per core. On a 2-core CI machine a few tests doing synchronous
/// work (reading a file, starting a process) would otherwise delay a fixture's answer by
/// seconds, and a test's `--timeout` would fire on a page the server had not yet sent. A
/// serial queue targets an overcommitting global queue, so it gets a thread when it has work.
final class FixtureExecutor: TaskExecutor, Sendable {
  private let queue: DispatchQueue

  init(label: String) {
    queue = DispatchQueue(label: label)
  }

  func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    let executor = asUnownedTaskExecutor()
    queue.async { job.runSynchronously(on: executor) }
  }
}
