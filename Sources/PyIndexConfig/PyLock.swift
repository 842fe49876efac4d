import TOMLKit

/// A PEP 751 lock file (`pylock.toml`, `pylock.NAME.toml`), read with TOMLKit: what
/// `download -r pylock.toml` needs to install exactly what it locks.
public struct PyLock: Sendable, Hashable {
  /// A file a package locks: a wheel, an sdist or an archive.
  public struct File: Sendable, Hashable {
    /// The file name: the `name` key, else the last segment of the URL or path.
    public let name: String
    public let url: String?
    /// Relative to the lock file's directory when not absolute.
    public let path: String?
    public let size: Int?
    /// By algorithm, lower-case hex.
    public let hashes: [String: String]
  }

  public struct Package: Sendable, Hashable {
    public let name: String
    public let version: String?
    public let marker: String?
    public let requiresPython: String?
    public let wheels: [File]
    public let sdist: File?
    public let archive: File?
    /// `vcs` or `directory`: sources pyindex cannot download as files.
    public let unsupportedSource: String?
  }

  public let path: String
  public let lockVersion: String
  public let requiresPython: String?
  public let environments: [String]
  public let defaultGroups: [String]
  public let packages: [Package]

  /// - Throws: ``ConfigError`` (a usage error) naming the file, and the line of a TOML error.
  public init(parsing text: String, path: String) throws(ConfigError) {
    self.path = path
    let table = try TOMLText.parse(text, path: path, hint: "lock files follow PEP 751: https://packaging.python.org/en/latest/specifications/pylock-toml/")
    func fail(_ reason: String) -> ConfigError { ConfigError(reason, at: .file(path: path, line: nil), hint: "lock files follow PEP 751") }
    guard let version = table["lock-version"]?.string else { throw fail("no lock-version") }
    guard version.split(separator: ".").first == "1" else { throw fail("lock-version \(version) is not one pyindex reads (1.x)") }
    lockVersion = version
    requiresPython = table["requires-python"]?.string
    environments = table["environments"]?.array?.compactMap { $0.string } ?? []
    defaultGroups = table["default-groups"]?.array?.compactMap { $0.string } ?? []
    var packages: [Package] = []
    for entry in table["packages"]?.array ?? [] {
      guard let p = entry.table, let name = p["name"]?.string else { throw fail("a [[packages]] entry without a name") }
      func file(_ t: TOMLTable?) -> File? {
        guard let t else { return nil }
        let url = t["url"]?.string, path = t["path"]?.string
        let name = t["name"]?.string ?? (url ?? path ?? "").split(separator: "/").last.map { String($0.prefix { $0 != "?" && $0 != "#" }) } ?? ""
        var hashes: [String: String] = [:]
        for key in t["hashes"]?.table?.keys ?? [] { hashes[key.lowercased()] = t["hashes"]?.table?[key]?.string?.lowercased() }
        return File(name: name, url: url, path: path, size: t["size"]?.int, hashes: hashes)
      }
      let unsupported = p["vcs"] != nil ? "vcs" : p["directory"] != nil ? "directory" : nil
      packages.append(
        Package(
          name: name, version: p["version"]?.string, marker: p["marker"]?.string, requiresPython: p["requires-python"]?.string,
          wheels: (p["wheels"]?.array ?? []).compactMap { file($0.table) }, sdist: file(p["sdist"]?.table), archive: file(p["archive"]?.table),
          unsupportedSource: unsupported))
    }
    self.packages = packages
  }

  /// Whether a file name is a lock file's (`pylock.toml`, `pylock.NAME.toml`).
  public static func isLockFile(_ path: String) -> Bool {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    return name == "pylock.toml" || (name.hasPrefix("pylock.") && name.hasSuffix(".toml") && name.count > "pylock..toml".count)
  }
}
