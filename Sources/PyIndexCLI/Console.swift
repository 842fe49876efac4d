import Foundation
import PyIndexTransport
import PyIndexAuth

/// Where output goes: results on stdout, diagnostics on stderr, nothing secret anywhere.
/// Every line is written whole, so concurrent tasks never interleave inside a line.
struct Console: Sendable {
  let verbosity: Int
  let quiet: Bool

  func out(_ line: String) { Console.write(line + "\n", to: FileHandle.standardOutput) }
  func error(_ message: String, hint: String? = nil) {
    var text = "error: \(message)\n"
    if let hint { text += "hint: \(hint)\n" }
    Console.write(text, to: FileHandle.standardError)
  }
  func warning(_ message: String) { if !quiet { Console.write("warning: \(message)\n", to: FileHandle.standardError) } }
  func info(_ message: String) { if !quiet { Console.write(message + "\n", to: FileHandle.standardError) } }

  /// The `-v` trace: one line per hop; `-vv` adds headers (already masked by the transport).
  func hop(_ h: Hop) {
    guard verbosity > 0, !quiet else { return }
    var line = "http: \(h.method) \(h.url) via \(h.route), credentials: \(h.source.rawValue)"
    line += h.authorizationAttached ? " (Authorization sent)" : " (no Authorization)"
    if h.attempt > 0 { line += ", retry \(h.attempt)" }
    line += " → " + (h.status.map(String.init) ?? "no response")
    if let r = h.redirect { line += " " + r }
    var text = line + "\n"
    if verbosity > 1 {
      for (n, v) in h.requestHeaders { text += "  > \(n): \(v)\n" }
      for (n, v) in h.responseHeaders { text += "  < \(n): \(v)\n" }
    }
    Console.write(text, to: FileHandle.standardError)
  }

  private static func write(_ s: String, to handle: FileHandle) {
    handle.write(Data(s.utf8))
  }
}
