#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexModel

/// What every provider reads its inputs through: the process environment, files (a key file,
/// a web-identity token, `~/.aws/config`), the clock, and programs (`credential_process`).
/// Tests give their own.
public struct MintContext: Sendable {
  public let environment: [String: String]
  let readFile: @Sendable (String) -> String?
  let now: @Sendable () -> Double
  let runProgram: @Sendable (_ command: String, _ environment: [String: String]) -> (status: Int32, stdout: String)?

  public init(
    environment: [String: String],
    readFile: (@Sendable (String) -> String?)? = nil,
    now: (@Sendable () -> Double)? = nil,
    runProgram: (@Sendable (String, [String: String]) -> (status: Int32, stdout: String)?)? = nil
  ) {
    self.environment = environment
    self.readFile = readFile ?? { try? String(contentsOfFile: $0, encoding: .utf8) }
    self.now = now ?? { Date().timeIntervalSince1970 }
    self.runProgram = runProgram ?? { command, env in
      // As botocore runs credential_process: split on whitespace (no shell), first word on PATH.
      let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
      guard let first = words.first, let program = first.contains("/") ? first : Subprocess.find(first, path: env["PATH"]) else { return nil }
      guard let outcome = Subprocess.run(program, Array(words.dropFirst()), environment: env, timeout: 60) else { return nil }
      return (outcome.status ?? -1, String(decoding: outcome.stdout, as: UTF8.self))
    }
  }

  /// A variable's value, trimmed; nil when unset or empty.
  func value(_ name: String) -> String? {
    guard let v = environment[name]?.trimmingASCIIWhitespace(), !v.isEmpty else { return nil }
    return v
  }

  /// `~`, expanded from `HOME`.
  func expand(_ path: String) -> String {
    guard path.hasPrefix("~/"), let home = value("HOME") else { return path }
    return home + path.dropFirst()
  }

  /// A file's text, trimmed (tokens are written with a newline).
  func secretFile(_ path: String) -> String? {
    guard let text = readFile(expand(path))?.trimmingASCIIWhitespace(), !text.isEmpty else { return nil }
    return text
  }
}
