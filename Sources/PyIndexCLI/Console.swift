#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Logging
import PyIndexAuth

/// Where output goes: results on stdout, diagnostics on stderr, nothing secret anywhere.
/// Every line is written whole, so concurrent tasks never interleave inside a line. Every
/// diagnostic passes ``Redaction/redactText(_:)`` on its way out: URLs are redacted where they
/// are made, and this is the last line for text that only looks like one (a typo, a
/// requirement, a path that was meant as a URL).
struct Console: Sendable {
  let verbosity: Int
  let quiet: Bool

  func out(_ line: String) { Console.write(line + "\n", to: 1) }
  func error(_ message: String, hint: String? = nil) {
    var text = "error: \(Redaction.redactText(message))\n"
    if let hint { text += "hint: \(Redaction.redactText(hint))\n" }
    Console.write(text, to: 2)
  }
  func warning(_ message: String) { if !quiet { Console.write("warning: \(Redaction.redactText(message))\n", to: 2) } }

  /// The `-v` trace as a swift-log logger: hops at `debug` (`-v`), headers at `trace` (`-vv`).
  func traceLogger() -> Logger {
    var logger = Logger(label: "pyindex.http") { label in TraceLogHandler(label: label) }
    logger.logLevel = quiet ? .error : verbosity >= 2 ? .trace : verbosity == 1 ? .debug : .info
    return logger
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

/// Writes trace lines to stderr: `http: <hop>` and, for headers, `  > name: value`. The
/// transport has already redacted URLs and masked secrets.
struct TraceLogHandler: LogHandler {
  let label: String
  var logLevel: Logger.Level = .info
  var metadata: Logger.Metadata = [:]

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    let text = Redaction.redactText(event.message.description)
    Console.write(event.level == .trace ? "  \(text)\n" : "http: \(text)\n", to: 2)
  }
}
