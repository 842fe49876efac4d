#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexSystem
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport

/// Reads configuration files for ``Configuration/load``.
enum ConfigFiles {
  /// The file's text; nil when there is no such file.
  /// - Throws: ``ConfigError`` for a file that exists but cannot be read as UTF-8 text.
  @Sendable static func read(_ path: String) throws(ConfigError) -> String? {
    var st = stat()
    guard stat(path, &st) == 0 else { return nil }
    guard (st.st_mode & S_IFMT) != S_IFDIR else { throw ConfigError("is a directory, not a configuration file", at: .file(path: path, line: nil)) }
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot be read", at: .file(path: path, line: nil)) }
    guard let text = String(validating: data, as: UTF8.self) else { throw ConfigError("is not UTF-8 text", at: .file(path: path, line: nil)) }
    return text
  }
}
