import PyIndexModel

import TOMLKit

/// An index as uv declares it: `[[index]]` in `uv.toml`, `UV_INDEX`, `UV_DEFAULT_INDEX`, or the
/// legacy `index-url` / `extra-index-url`.
public struct UVIndex: Sendable, Hashable {
  public var name: String?
  public var url: String
  /// The default index: searched last, and PyPI is then not searched.
  public var isDefault: Bool
  /// Used only for packages pinned to it (`tool.uv.sources`); pyindex never searches it.
  public var explicit: Bool
  public var source: SettingSource

  public init(name: String? = nil, url: String, isDefault: Bool = false, explicit: Bool = false, source: SettingSource) {
    (self.name, self.url, self.isDefault, self.explicit, self.source) = (name, url, isDefault, explicit, source)
  }

  /// `NAME=URL` or `URL`, as `UV_INDEX` and `UV_DEFAULT_INDEX` take them: the part before the
  /// first `=` is a name when it is one (letters, digits, `-`, `_`, `.`).
  public init(assignment text: String, isDefault: Bool, source: SettingSource) {
    if let eq = text.firstIndex(of: "="), UVIndex.isName(text[..<eq]) {
      self.init(name: String(text[..<eq]), url: String(text[text.index(after: eq)...]), isDefault: isDefault, source: source)
    } else {
      self.init(url: text, isDefault: isDefault, source: source)
    }
  }

  static func isName(_ s: Substring) -> Bool {
    !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
  }

  /// The variable prefix of this index's credentials: `UV_INDEX_<NAME>_`, the name upper-cased
  /// and every other character than a letter or digit as `_`.
  public var credentialPrefix: String? {
    name.map { n in "UV_INDEX_" + String(n.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }) + "_" }
  }
}

/// TOML text read with TOMLKit, its errors said with the file and line.
enum TOMLText {
  static func parse(_ text: String, path: String, hint: String) throws(ConfigError) -> TOMLTable {
    do {
      return try TOMLTable(string: text)
    } catch let e as TOMLParseError {
      throw ConfigError(e.description, at: .file(path: path, line: e.source.begin.line), hint: hint)
    } catch {
      throw ConfigError("cannot be read as TOML", at: .file(path: path, line: nil), hint: hint)
    }
  }
}

/// The index settings of one `uv.toml`, read with TOMLKit.
public struct UVConfigFile: Sendable, Hashable {
  public let path: String
  /// `[[index]]` entries, in file order.
  public var indexes: [UVIndex] = []
  /// `index-url`, `extra-index-url`.
  public var indexURL: UVIndex? = nil
  public var extraIndexURLs: [UVIndex] = []
  /// Top-level keys pyindex does not read.
  public var ignoredKeys: [String] = []

  /// - Throws: ``ConfigError`` naming the file and line of a TOML error, or of an `[[index]]`
  ///   entry without a `url`.
  public init(parsing text: String, path: String) throws(ConfigError) {
    self.path = path
    let table = try TOMLText.parse(text, path: path, hint: "uv's settings: https://docs.astral.sh/uv/reference/settings/")
    let headers = UVConfigFile.indexHeaderLines(text)
    for key in table.keys.sorted() {
      switch key {
      case "index":
        guard let entries = table[key]?.array else { throw ConfigError("'index' must be an array of tables ([[index]])", at: .file(path: path, line: nil)) }
        for (k, entry) in entries.enumerated() {
          let line = k < headers.count ? headers[k] : nil
          guard let t = entry.table, let url = t["url"]?.string else {
            throw ConfigError("an [[index]] entry without a url", at: .file(path: path, line: line))
          }
          indexes.append(
            UVIndex(name: t["name"]?.string, url: url, isDefault: t["default"]?.bool ?? false, explicit: t["explicit"]?.bool ?? false, source: .file(path: path, line: line)))
        }
      case "index-url":
        guard let url = table[key]?.string else { throw ConfigError("'index-url' must be a string", at: .file(path: path, line: nil)) }
        indexURL = UVIndex(url: url, isDefault: true, source: .file(path: path, line: UVConfigFile.keyLine(text, key)))
      case "extra-index-url":
        guard let urls = table[key]?.array?.compactMap({ $0.string }) else { throw ConfigError("'extra-index-url' must be an array of strings", at: .file(path: path, line: nil)) }
        extraIndexURLs = urls.map { UVIndex(url: $0, source: .file(path: path, line: UVConfigFile.keyLine(text, key))) }
      default:
        ignoredKeys.append(key)
      }
    }
  }

  /// The lines of the `[[index]]` headers, in order (TOMLKit keeps no positions): the source
  /// each entry is shown with.
  static func indexHeaderLines(_ text: String) -> [Int] {
    text.textLines.enumerated().compactMap { n, line in
      let t = line.filter { $0 != " " && $0 != "\t" }
      return t.hasPrefix("[[index]]") ? n + 1 : nil
    }
  }

  /// The line a top-level `key =` starts on.
  static func keyLine(_ text: String, _ key: String) -> Int? {
    for (n, line) in text.textLines.enumerated() {
      let t = line.drop { $0 == " " || $0 == "\t" }
      if t.hasPrefix(key), t.dropFirst(key.count).drop(while: { $0 == " " || $0 == "\t" }).first == "=" { return n + 1 }
      if t.hasPrefix("[") { return nil }
    }
    return nil
  }
}
