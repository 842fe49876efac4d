import PyIndexModel

/// One of pip's configuration files, parsed as pip parses it (Python's `RawConfigParser`, with
/// pip's key normalization): `[section]` headers, `key = value` or `key: value`, whole-line
/// `#` and `;` comments, values continued on lines indented deeper than their key (joined with
/// newlines), no interpolation. A duplicate section or key, a line before any section, or a
/// line that is neither is an error naming the file and line, as it is for pip.
public struct PipConfigFile: Sendable, Hashable {
  /// A value, its section and its (normalized) key, and the line it starts on.
  public struct Entry: Sendable, Hashable {
    public let section: String
    public let key: String
    public let value: String
    public let line: Int
  }

  public let path: String
  /// In file order.
  public let entries: [Entry]

  /// Parses `text`, read from `path`.
  /// - Throws: ``ConfigError`` naming `path` and the line.
  public init(parsing text: String, path: String) throws(ConfigError) {
    self.path = path
    var parser = Parser(path: path)
    for (number, line) in text.textLines.enumerated() {
      try parser.feed(line, number: number + 1)
    }
    entries = parser.finish()
  }

  private struct Parser {
    let path: String
    var section: String? = nil
    var sectionsSeen: Set<String> = []
    var keysSeen: Set<String> = []
    /// The value being read: its key, lines so far, line number, and its key's indentation.
    var pending: (key: String, lines: [String], line: Int, indent: Int)? = nil
    var entries: [Entry] = []

    init(path: String) { self.path = path }

    func error(_ reason: String, _ number: Int) -> ConfigError {
      ConfigError(reason, at: .file(path: path, line: number), hint: "pip's configuration format: https://pip.pypa.io/en/stable/topics/configuration/")
    }

    mutating func feed(_ raw: Substring, number: Int) throws(ConfigError) {
      let stripped = raw.drop { $0 == " " || $0 == "\t" }
      let value = stripped.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
      if value.first == "#" || value.first == ";" { return }
      if value.isEmpty {
        // A blank line may belong to a value continued below it; trailing ones are dropped.
        if pending != nil { pending?.lines.append("") }
        return
      }
      let indent = raw.count - stripped.count
      if let p = pending, indent > p.indent {
        pending?.lines.append(String(value))
        return
      }
      close()
      if value.first == "[", value.last == "]", value.count > 2 {
        let name = String(value.dropFirst().dropLast())
        guard sectionsSeen.insert(name).inserted else { throw error("section [\(name)] appears twice", number) }
        section = name
        return
      }
      guard let section else { throw error("a line before any [section] header", number) }
      guard let separator = value.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
        throw error("neither a [section], a key = value line, nor a comment", number)
      }
      let name = String(value[..<separator]).trimmingASCIIWhitespace()
      guard !name.isEmpty else { throw error("a value without a key", number) }
      let key = ConfigKey.normalize(name)
      guard keysSeen.insert(section + "\u{0}" + key).inserted else { throw error("'\(key)' appears twice in [\(section)]", number) }
      let first = String(value[value.index(after: separator)...]).trimmingASCIIWhitespace()
      pending = (key, [first], number, indent)
    }

    mutating func close() {
      guard let p = pending, let section else { return }
      var lines = p.lines
      while lines.last?.isEmpty == true { lines.removeLast() }
      let joined = lines.joined(separator: "\n").trimmingASCIIWhitespace()
      entries.append(Entry(section: section, key: p.key, value: joined, line: p.line))
      pending = nil
    }

    mutating func finish() -> [Entry] {
      close()
      return entries
    }
  }
}

