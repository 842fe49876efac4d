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

/// The command line and the user's configuration (pip's and uv's files and variables), made
/// into what a command runs with. Every setting keeps its source, for `pyindex config`, for
/// `auth check`, and for errors about it.
struct Configured {
  let configuration: Configuration
  let index: IndexSettings
  let network: TransportConfiguration
  /// Credentials variables give one index (uv's `UV_INDEX_<NAME>_*`).
  let bound: [CredentialStore.Bound]
  /// Whether to ask the keyring program.
  let keyring: Bool
  /// `--only-binary` / `--no-binary`, configuration first, in pip's order.
  let formats: FormatControl
  let pre: Bool

  /// - Parameters:
  ///   - command: pip's section for the command (`download`, `index`), nil for none.
  ///   - fileOptions: option lines of requirements files, under the command line's.
  init(
    command: String?, index: IndexOptions, network: NetworkOptions, target: TargetOptions? = nil, fileOptions: RequirementsFile? = nil,
    environment env: [String: String], read: @escaping ConfigReader = ConfigFiles.read
  ) throws {
    var explicit = ExplicitSettings()
    index.explicit(into: &explicit, fileOptions: fileOptions)
    network.explicit(into: &explicit, fileOptions: fileOptions)
    target?.explicit(into: &explicit)
    let c = try Configuration.load(command: command, explicit: explicit, environment: env, read: read)
    configuration = c
    let indexes = try c.indexes.map { (i: Configuration.Index) throws -> IndexURL in try Configured.parse(i.url, i.source) }
    let links = try c.findLinks.map { (l: Sourced<String>) throws -> FindLinks in
      do { return try FindLinks(l.value) } catch let e as AuthError { throw Configured.sourced(e, l.source) }
    }
    if c.noIndex.value, links.isEmpty {
      throw ConfigError("no-index needs at least one find-links location", at: c.noIndex.source, hint: "add --find-links DIR, or drop no-index")
    }
    self.index = IndexSettings(indexes: indexes, strategy: index.indexStrategy, findLinks: links, noIndex: c.noIndex.value)
    bound = try c.indexCredentials.map { (b: Configuration.IndexCredentials) throws -> CredentialStore.Bound in
      let url = try Configured.parse(b.index.url, .variable(b.variables))
      return CredentialStore.Bound(index: url, credentials: Credentials(username: b.username, password: b.password ?? ""), userOnly: b.password == nil, variables: b.variables)
    }
    self.network = try Configured.transport(c, environment: env)
    keyring = Configured.asksKeyring(c.keyringProvider.value, environment: env)
    var f = FormatControl()
    for v in c.onlyBinary { f.add(v.value, onlyBinary: true) }
    for v in c.noBinary { f.add(v.value, onlyBinary: false) }
    formats = f
    pre = c.pre.value
  }

  /// The transport's settings: timeout, retries, the proxy (pip's `proxy` setting over the
  /// `*_proxy` variables), and trust (a `cert` from the command line or pip's files, besides
  /// every variable that names a CA bundle).
  static func transport(_ c: Configuration, environment env: [String: String]) throws -> TransportConfiguration {
    var t = TransportConfiguration()
    t.timeout = c.timeout.value
    t.retries = c.retries.value
    t.userAgent = "pyindex/\(PyIndexCommand.version)"
    t.proxies = try ProxySettings.resolve(environment: env, override: c.proxy?.value, overrideSource: c.proxy.map { Configured.name($0.source, key: "proxy") } ?? "--proxy")
    // A cert named by a variable is read with the others (every one that is set).
    let cert = c.cert.flatMap { s -> Sourced<String>? in if case .variable = s.source { return nil } else { return s } }
    t.trust = TrustSettings.from(
      environment: env, cert: cert?.value, certSource: cert.map { Configured.name($0.source, key: "cert") } ?? "--cert",
      clientCertificate: c.clientCert?.value, trustedHosts: c.trustedHosts.map { $0.value.lowercased() })
    return t
  }

  /// How an option's source is named in messages: `--proxy`, `PIP_PROXY`, `proxy in FILE:LINE`.
  static func name(_ source: SettingSource, key: String) -> String {
    if case .file = source { return "\(key) in \(source)" }
    return source.description
  }

  /// pip's `keyring-provider`: `subprocess` and `import` ask the program; `auto` asks it when
  /// one is on `PATH` (pyindex cannot import Python's keyring); `disabled` never does.
  static func asksKeyring(_ provider: String, environment env: [String: String]) -> Bool {
    switch provider {
    case "subprocess", "import": return true
    case "auto":
      return (env["PATH"] ?? "").split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/keyring") }
    default: return false
    }
  }

  static func parse(_ text: String, _ source: SettingSource) throws -> IndexURL {
    do { return try IndexURL(text) } catch { throw sourced(error, source) }
  }

  /// An error about a configured value, naming where the value came from (a flag's own error
  /// already names it).
  static func sourced(_ error: AuthError, _ source: SettingSource) -> any PyIndexError {
    if case .flag = source { return error }
    return SourcedError(error, from: source)
  }
}

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
