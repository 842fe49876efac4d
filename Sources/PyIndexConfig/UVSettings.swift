/// uv's index settings: its variables (as its command-line options, first), then its files
/// (the user's before the system's), combined as uv combines them.
struct UVSettings {
  var files: [String] = []
  var ignored: [Configuration.Ignored] = []
  /// Every declared index in uv's order: `UV_DEFAULT_INDEX`, `UV_INDEX`, the files' `[[index]]`
  /// entries, the extra index URLs, the index URL.
  private var declared: [UVIndex] = []

  mutating func read(environment env: [String: String], read: ConfigReader) throws(ConfigError) {
    func value(_ name: String) -> String? { env[name].flatMap { $0.isEmpty ? nil : $0 } }
    func words(_ text: String) -> [String] { text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init) }
    var indexes: [UVIndex] = []
    var extras: [UVIndex] = []
    var indexURL: UVIndex? = nil
    if let d = value("UV_DEFAULT_INDEX") { indexes.append(UVIndex(assignment: d, isDefault: true, source: .variable("UV_DEFAULT_INDEX"))) }
    for entry in value("UV_INDEX").map(words) ?? [] { indexes.append(UVIndex(assignment: entry, isDefault: false, source: .variable("UV_INDEX"))) }
    for url in value("UV_EXTRA_INDEX_URL").map(words) ?? [] { extras.append(UVIndex(url: url, source: .variable("UV_EXTRA_INDEX_URL"))) }
    if let u = value("UV_INDEX_URL") { indexURL = UVIndex(url: u, isDefault: true, source: .variable("UV_INDEX_URL")) }
    let exists: (String) -> Bool = { path in ((try? read(path)) ?? nil) != nil }
    for path in ConfigLocations.uvFiles(environment: env, exists: exists) {
      guard let text = try read(path) else {
        if path == env["UV_CONFIG_FILE"] { throw ConfigError("no such file", at: .variable("UV_CONFIG_FILE")) }
        continue
      }
      files.append(path)
      let file = try UVConfigFile(parsing: text, path: path)
      indexes += file.indexes
      extras += file.extraIndexURLs
      indexURL = indexURL ?? file.indexURL
      ignored += file.ignoredKeys.map { .init(key: $0, source: .file(path: path, line: nil), reason: "not a setting pyindex reads") }
    }
    declared = indexes + extras + (indexURL.map { [$0] } ?? [])
  }

  /// The indexes uv would search, in its order, or nil when uv's settings name none: names
  /// repeated keep their first entry, `explicit` ones are left out (pyindex has no
  /// `tool.uv.sources` pinning to them), the first default is searched last and stands for
  /// PyPI; with none, PyPI is.
  func searchOrder() -> [UVIndex]? {
    guard !declared.isEmpty else { return nil }
    var names: Set<String> = []
    var chosen: [UVIndex] = []
    var fallback: UVIndex? = nil
    for index in declared {
      if let name = index.name, !names.insert(name).inserted { continue }
      if index.explicit { continue }
      if index.isDefault {
        if fallback == nil { fallback = index }
        continue
      }
      chosen.append(index)
    }
    chosen.append(fallback ?? UVIndex(url: Configuration.pypi, isDefault: true, source: .default))
    return chosen
  }

  /// `UV_INDEX_<NAME>_USERNAME` / `_PASSWORD` of each named index that has them.
  func credentials(for indexes: [UVIndex], environment env: [String: String]) -> [Configuration.IndexCredentials] {
    indexes.compactMap { index in
      guard let prefix = index.credentialPrefix else { return nil }
      let user = env[prefix + "USERNAME"], password = env[prefix + "PASSWORD"]
      guard user != nil || password != nil else { return nil }
      return Configuration.IndexCredentials(index: Configuration.Index(url: index.url, source: index.source, name: index.name), username: user ?? "", password: password, variables: prefix + "USERNAME/" + prefix + "PASSWORD")
    }
  }
}
