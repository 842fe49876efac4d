import PyIndexSystem
import Logging
import PyIndexAuth
import PyIndexModel

/// The one door to the terminal: results on stdout, diagnostics on stderr, nothing secret
/// anywhere. Every line is written whole, so concurrent tasks never interleave inside a line.
/// Every line passes ``Console/safe(_:)`` on its way out: ``Redaction/redactText(_:)`` (URLs
/// are redacted where they are made, and this is the last line for text that only looks like
/// one: a typo, a requirement, a path meant as a URL) and ``ServerText/clean(_:)`` (no control
/// or bidirectional characters a server could drive the terminal with). The only exception is
/// ``secret(_:)``, for the keyring answer whose point is the secret.
struct Console: Sendable {
  let verbosity: Int
  let quiet: Bool

  func out(_ text: String) { Console.write(Console.safe(text) + "\n", to: 1) }
  /// The keyring helper's answer to pip or uv: printed as it is, the one secret pyindex prints.
  func secret(_ text: String) { Console.write(text + "\n", to: 1) }
  func error(_ message: String, hint: String? = nil) {
    var text = "error: \(Console.safe(message))\n"
    if let hint { text += "hint: \(Console.safe(hint))\n" }
    Console.write(text, to: 2)
  }
  func warning(_ message: String) { if !quiet { Console.write("warning: \(Console.safe(message))\n", to: 2) } }
  /// A diagnostic line of `-v` (`config: read FILE`, `serve: ...`), when verbose.
  func note(_ message: String) { if verbosity > 0, !quiet { Console.write(Console.safe(message) + "\n", to: 2) } }

  /// `text` redacted and without control or bidirectional characters; line breaks and tabs
  /// stay (each line is cleaned on its own).
  static func safe(_ text: String) -> String {
    let redacted = Redaction.redactText(text)
    // The common case, checked on bytes: ASCII with no control character but line breaks
    // and tabs has nothing to clean.
    if !redacted.utf8.contains(where: { $0 >= 0x7F || ($0 < 0x20 && $0 != 0x0A && $0 != 0x09) }) { return redacted }
    return redacted.split(separator: "\n", omittingEmptySubsequences: false)
      .map { line in line.split(separator: "\t", omittingEmptySubsequences: false).map { ServerText.clean($0) }.joined(separator: "\t") }
      .joined(separator: "\n")
  }

  /// The `-v` trace as a swift-log logger: hops at `debug` (`-v`), headers at `trace` (`-vv`).
  func traceLogger() -> Logger {
    var logger = Logger(label: "pyindex.http") { label in TraceLogHandler(label: label) }
    logger.logLevel = quiet ? .error : verbosity >= 2 ? .trace : verbosity == 1 ? .debug : .info
    return logger
  }

  /// Writes the whole text with as few `write(2)` calls as the kernel allows.
  static func write(_ s: String, to fd: Int32) {
    var text = s
    text.withUTF8 { _ = LibC.writeAll(fd, UnsafeRawBufferPointer($0)) }
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
    let text = Console.safe(event.message.description)
    Console.write(event.level == .trace ? "  \(text)\n" : "http: \(text)\n", to: 2)
  }
}
