#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import PyIndexTransport
import PyIndexAuth

/// Where output goes: results on stdout, diagnostics on stderr, nothing secret anywhere.
/// Every line is written whole, so concurrent tasks never interleave inside a line.
struct Console: Sendable {
  let verbosity: Int
  let quiet: Bool

  func out(_ line: String) { Console.write(line + "\n", to: 1) }
  func error(_ message: String, hint: String? = nil) {
    var text = "error: \(message)\n"
    if let hint { text += "hint: \(hint)\n" }
    Console.write(text, to: 2)
  }
  func warning(_ message: String) { if !quiet { Console.write("warning: \(message)\n", to: 2) } }

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
    Console.write(text, to: 2)
  }

  /// Writes the whole text with as few `write(2)` calls as the kernel allows.
  static func write(_ s: String, to fd: Int32) {
    var text = s
    text.withUTF8 { buf in
      var offset = 0
      while offset < buf.count {
        let n = Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset)
        if n < 0 { if errno == EINTR { continue }; return }
        offset += n
      }
    }
  }
}
