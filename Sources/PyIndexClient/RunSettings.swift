#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
public import PyIndexAuth
public import PyIndexConfig
public import PyIndexModel
import PyIndexMint
public import PyIndexTransport

/// What a run goes with, resolved once from the command line (``ExplicitSettings``) and the
/// user's configuration (pip's and uv's files and variables): the indexes with their credential
/// sources (variables bound to one index, netrc's text, the keyring program found on `PATH`),
/// the transport's settings, the formats and `--pre`. Every setting keeps its source
/// (``configuration``), for `pyindex config`, for `auth check`, and for errors about it. The
/// command line only parses its flags into ``ExplicitSettings`` and composes.
public struct RunSettings: Sendable {
  public let configuration: Configuration
  public let index: IndexSettings
  public let network: TransportConfiguration
  /// Credentials variables give one index (uv's `UV_INDEX_<NAME>_*`).
  public let bound: [CredentialStore.Bound]
  /// Whether to ask the keyring program.
  public let keyring: Bool
  /// The keyring program, found on `PATH` once (nil when there is none, or none is asked).
  public let keyringProgram: String?
  /// The providers that mint credentials from the machine's identity (nil with
  /// `--credential-provider none`, or when no provider's inputs are present).
  public let minter: (any CredentialMinter)?
  /// `--only-binary` / `--no-binary`, configuration first, in pip's order.
  public let formats: FormatControl
  public let pre: Bool
  /// The netrc file's text (`$NETRC`, else `~/.netrc`), read once; nil when there is none.
  public let netrcText: String?
  /// Why a netrc file that exists could not be read (said as a warning; it is ignored).
  public let netrcProblem: String?
  /// The process environment the settings were resolved in (credential variables are read
  /// from it).
  public let environment: [String: String]

  /// - Parameters:
  ///   - command: pip's section for the command (`download`, `index`), nil for none.
  ///   - fileOptions: option lines of requirements files, under the command line's.
  ///   - explicit: what the command line (and the requirements files' option lines) say.
  ///   - strategy: `--index-strategy`.
  ///   - read: reads a configuration file (the run's ``ConfigFileMemo``).
  ///   - readText: reads the netrc file.
  public init(
    command: String?, explicit: ExplicitSettings, strategy: IndexStrategy, environment env: [String: String], read: @escaping ConfigReader,
    readText: ((String) -> String?)? = nil
  ) throws {
    let c = try Configuration.load(command: command, explicit: explicit, environment: env, read: read)
    configuration = c
    let indexes = try c.indexes.map { (i: Configuration.Index) throws -> IndexURL in try RunSettings.parse(i.url, i.source) }
    let links = try c.findLinks.map { (l: Sourced<String>) throws -> FindLinks in
      do { return try FindLinks(l.value) } catch let e as AuthError { throw RunSettings.sourced(e, l.source) }
    }
    if c.noIndex.value, links.isEmpty {
      throw ConfigError("no-index needs at least one find-links location", at: c.noIndex.source, hint: "add --find-links DIR, or drop no-index")
    }
    self.index = IndexSettings(indexes: indexes, strategy: strategy, findLinks: links, noIndex: c.noIndex.value)
    bound = try c.indexCredentials.map { (b: Configuration.IndexCredentials) throws -> CredentialStore.Bound in
      let url = try RunSettings.parse(b.index.url, .variable(b.variables))
      return CredentialStore.Bound(index: url, credentials: Credentials(username: b.username, password: b.password ?? ""), userOnly: b.password == nil, variables: b.variables)
    }
    self.network = try RunSettings.transport(c, environment: env)
    // PATH is searched only when a keyring may be asked.
    let program = c.keyringProvider.value == "disabled" ? nil : Subprocess.find("keyring", path: env["PATH"])
    keyring = RunSettings.asksKeyring(c.keyringProvider.value, programFound: program != nil)
    keyringProgram = keyring ? program : nil
    minter = c.credentialProvider.value == "none" ? nil : Minting(environment: env)
    environment = env
    let netrcPath = env["NETRC"].flatMap { $0.isEmpty ? nil : $0 } ?? env["HOME"].map { $0 + "/.netrc" }
    if let netrcPath, FileManager.default.fileExists(atPath: netrcPath) {
      netrcText = readText.map { $0(netrcPath) } ?? (try? String(contentsOfFile: netrcPath, encoding: .utf8))
      netrcProblem = netrcText == nil ? "cannot read the netrc file \(netrcPath); it was ignored" : nil
    } else {
      (netrcText, netrcProblem) = (nil, nil)
    }
    var f = FormatControl()
    for v in c.onlyBinary { f.add(v.value, onlyBinary: true) }
    for v in c.noBinary { f.add(v.value, onlyBinary: false) }
    formats = f
    pre = c.pre.value
  }

  /// The transport's settings: timeout, retries, the proxy (pip's `proxy` setting over the
  /// `*_proxy` variables), and trust (a `cert` from the command line or pip's files, besides
  /// every variable that names a CA bundle).
  public static func transport(_ c: Configuration, environment env: [String: String]) throws -> TransportConfiguration {
    var t = TransportConfiguration()
    t.timeout = c.timeout.value
    t.retries = c.retries.value
    t.userAgent = "pyindex/\(PyIndexVersion.current)"
    t.proxies = try ProxySettings.resolve(environment: env, override: c.proxy?.value, overrideSource: c.proxy.map { RunSettings.name($0.source, key: "proxy") } ?? "--proxy")
    // A cert named by a variable is read with the others (every one that is set).
    let cert = c.cert.flatMap { s -> Sourced<String>? in if case .variable = s.source { return nil } else { return s } }
    t.trust = TrustSettings.from(
      environment: env, cert: cert?.value, certSource: cert.map { RunSettings.name($0.source, key: "cert") } ?? "--cert",
      clientCertificate: c.clientCert?.value, trustedHosts: c.trustedHosts.map { $0.value.lowercased() })
    return t
  }

  /// How an option's source is named in messages: `--proxy`, `PIP_PROXY`, `proxy in FILE:LINE`.
  public static func name(_ source: SettingSource, key: String) -> String {
    if case .file = source { return "\(key) in \(source)" }
    return source.description
  }

  /// pip's `keyring-provider`: `subprocess` and `import` ask the program; `auto` asks it when
  /// one is on `PATH` (pyindex cannot import Python's keyring); `disabled` never does.
  static func asksKeyring(_ provider: String, programFound: Bool) -> Bool {
    switch provider {
    case "subprocess", "import": return true
    case "auto": return programFound
    default: return false
    }
  }

  /// The credential store for the run: the indexes' and find-links' userinfo, `extra` URLs
  /// (`name @ URL` requirements), the environment, netrc's text and the keyring program.
  /// - Parameter keyring: ask the keyring program (`keyring` and `config` never do).
  public func credentialStore(extra: [IndexURL] = [], keyring: Bool? = nil, warn: @escaping @Sendable (String) -> Void) -> CredentialStore {
    let known = index.indexes + index.findLinks.compactMap(\.credentialSource) + extra
    let asks = keyring ?? self.keyring
    return CredentialStore(
      indexes: known, environment: environment, bound: bound, netrcText: netrcText,
      keyring: asks ? SubprocessKeyring(environment: environment, found: keyringProgram) : nil, minter: minter, warn: warn)
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
