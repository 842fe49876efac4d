import PyIndexModel
import PyIndexClient
import Synchronization

import PyIndexSystem

/// One status line on stderr while the closure resolves (projects listed, versions read) and
/// while files download (files done of those queued, bytes, rate), redrawn at most ten times a
/// second. Only when stderr is a terminal; it is cleared
/// before any other line is written to stderr, and when the download ends.
final class ProgressDisplay: Sendable {
  private struct State {
    var queued = 0
    /// While resolving: projects listed, versions whose dependencies were read.
    var resolving: (projects: Int, versions: Int)? = nil
    var finished = 0
    var bytes = 0
    var start = ProgressDisplay.now()
    var lastDraw = 0.0
    var shown = false
  }
  private let state = Mutex(State())

  /// A display for this process, or nil when stderr is not a terminal (CI logs stay clean).
  static func forTerminal(quiet: Bool) -> ProgressDisplay? {
    guard !quiet, isatty(2) == 1 else { return nil }
    return ProgressDisplay()
  }

  func handle(_ event: DownloadProgress) {
    state.withLock { s in
      switch event {
      case .queued(let n): s.queued += n
      case .finished: s.finished += 1
      case .bytes(_, let count): s.bytes += count
      case .resolving(let projects, let versions): s.resolving = (projects, versions)
      }
      let t = ProgressDisplay.now()
      let isFinal = s.queued > 0 && s.finished == s.queued
      guard t - s.lastDraw >= 0.1 || isFinal else { return }
      s.lastDraw = t
      let elapsed = max(t - s.start, 0.001)
      let mib = Double(s.bytes) / 1_048_576
      let line: String
      if s.queued == 0, let r = s.resolving {
        line = "Resolving: \(r.projects) projects, \(r.versions) versions read, \(ProgressDisplay.format(elapsed)) s"
      } else {
        line = "Downloading: \(s.finished)/\(s.queued) files, \(ProgressDisplay.format(mib)) MiB, \(ProgressDisplay.format(mib / elapsed)) MiB/s"
      }
      Console.write("\r\u{1B}[2K" + Console.safe(line), to: 2)
      s.shown = true
    }
  }

  /// Clears the status line (before other output, and at the end).
  func clear() {
    state.withLock { s in
      if s.shown { Console.write("\r\u{1B}[2K", to: 2) }
      s.shown = false
    }
  }

  static func format(_ x: Double) -> String {
    let tenths = (WireNumber.milliseconds(x) + 50) / 100
    return "\(tenths / 10).\(tenths % 10)"
  }

  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
