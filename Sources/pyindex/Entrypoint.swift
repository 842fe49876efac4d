import Dispatch
import PyIndexCLI

/// The `pyindex` executable: everything lives in PyIndexCLI.
///
/// A synchronous entry point on purpose: Swift's `async` main hands the main thread to
/// `dispatch_main()`, which ends it with `pthread_exit`, and that forced unwind reads the
/// binary's unwind tables — 1.4 MB resident for nothing. Here the command runs as a task on the
/// global executor and the main thread waits; `runMain` ends the process itself (it returns
/// `Never`). Nothing in pyindex runs on the main actor or the main queue.
@main
struct Entrypoint {
  static func main() {
    Task.detached { await PyIndexCommand.runMain() }
    DispatchSemaphore(value: 0).wait()  // never signalled: runMain exits the process
  }
}
