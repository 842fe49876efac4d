import PyIndexModel

/// pip's layers of raw values, highest first: `PYINDEX_<KEY>`, `PIP_<KEY>`, the command's
/// section of pip's files, their `[global]` section. Empty values are ignored, as pip ignores
/// them.
struct Layers {
  let command: String?
  var files: [String] = []
  var ignored: [Configuration.Ignored] = []
  private var pyindexVariables: [ConfigKey: Sourced<String>] = [:]
  private var pipVariables: [ConfigKey: Sourced<String>] = [:]
  private var commandSection: [ConfigKey: Sourced<String>] = [:]
  private var globalSection: [ConfigKey: Sourced<String>] = [:]

  init(command: String?) { self.command = command }

  /// Reads pip's files in pip's order; a later file's value replaces an earlier one's.
  mutating func readPipFiles(environment env: [String: String], read: ConfigReader) throws(ConfigError) {
    var present: Set<String> = []
    // pip skips the user's files when PIP_CONFIG_FILE names one that exists.
    let locations = ConfigLocations.pipFiles(environment: env) { path in ((try? read(path)) ?? nil) != nil }
    for (_, path) in locations {
      guard present.insert(path).inserted, let body = try read(path) else { continue }
      files.append(path)
      let file = try PipConfigFile(parsing: body, path: path)
      for e in file.entries {
        let source = SettingSource.file(path: path, line: e.line)
        guard e.section == "global" || e.section == command else {
          ignored.append(.init(key: "[\(e.section)] \(e.key)", source: source, reason: "pyindex reads [global]" + (command.map { " and [\($0)]" } ?? "") + " here"))
          continue
        }
        guard let key = ConfigKey(pipName: e.key) else {
          ignored.append(.init(key: e.key, source: source, reason: "not a setting pyindex reads"))
          continue
        }
        guard !e.value.isEmpty else { continue }
        if e.section == "global" { globalSection[key] = Sourced(e.value, source) } else { commandSection[key] = Sourced(e.value, source) }
      }
    }
  }

  /// Reads `PIP_<KEY>` (pip's spellings: `PIP_DEFAULT_TIMEOUT`, any case after the prefix) and
  /// `PYINDEX_<KEY>`.
  mutating func readVariables(_ env: [String: String]) {
    for name in env.keys.sorted() where name.hasPrefix("PIP_") {
      guard let value = env[name], !value.isEmpty else { continue }
      let normalized = ConfigKey.normalize(String(name.dropFirst(4)))
      if let key = ConfigKey(pipName: normalized) {
        pipVariables[key] = Sourced(value, .variable(name))
      } else if !["config-file", "version", "help"].contains(normalized) {
        ignored.append(.init(key: name, source: .variable(name), reason: "not a setting pyindex reads"))
      }
    }
    for key in ConfigKey.allCases {
      if let value = env[key.pyindexVariable], !value.isEmpty { pyindexVariables[key] = Sourced(value, .variable(key.pyindexVariable)) }
    }
  }

  /// The winning raw value of `key`.
  func value(_ key: ConfigKey) -> Sourced<String>? {
    pyindexVariables[key] ?? pipVariables[key] ?? commandSection[key] ?? globalSection[key]
  }

  /// The winning value of a list key, split on whitespace and newlines as pip splits it.
  func list(_ key: ConfigKey) -> [Sourced<String>] {
    guard let v = value(key) else { return [] }
    return v.value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map { Sourced(String($0), v.source) }
  }

  /// The winning value of a yes/no key.
  func bool(_ key: ConfigKey) throws(ConfigError) -> Sourced<Bool>? {
    guard let v = value(key) else { return nil }
    guard let b = Truth.parse(v.value) else {
      throw ConfigError("\(key.rawValue) = '\(v.value)' is not a yes/no value", at: v.source, hint: "use yes/no, true/false or 1/0, as pip does")
    }
    return Sourced(b, v.source)
  }

  /// The winning value of a numeric key.
  func number<T: Sendable & Hashable>(_ key: ConfigKey, _ parse: (String) -> T?, valid: (T) -> Bool, expected: String) throws(ConfigError) -> Sourced<T>? {
    guard let v = value(key) else { return nil }
    guard let n = parse(v.value.trimmingASCIIWhitespace()), valid(n) else {
      throw ConfigError("\(key.rawValue) = '\(v.value)' is not \(expected)", at: v.source)
    }
    return Sourced(n, v.source)
  }
}
