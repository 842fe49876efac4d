import Synchronization
import PyIndexModel

/// The settings pyindex runs with and where each came from: the command line (and the option
/// lines of requirements files), then `PYINDEX_<KEY>`, then `PIP_<KEY>`, then pip's files (the
/// command's section over `[global]`, a later file over an earlier one); the indexes from uv's
/// variables and files only when none of those names one; then pyindex's defaults. A list
/// given on the command line replaces the configured list (pip appends to it).
public struct Configuration: Sendable {
  /// An index to search, in search order.
  public struct Index: Sendable, Hashable {
    public let url: String
    public let source: SettingSource
    /// uv's name for it, when it has one.
    public let name: String?
    public init(url: String, source: SettingSource, name: String? = nil) {
      (self.url, self.source, self.name) = (url, source, name)
    }
  }

  /// A key that was set but is not read: unknown to pyindex, or not a setting of this command.
  public struct Ignored: Sendable, Hashable {
    public let key: String
    public let source: SettingSource
    public let reason: String
  }

  /// Credentials a variable gives one index (`UV_INDEX_<NAME>_USERNAME` / `_PASSWORD`).
  public struct IndexCredentials: Sendable, Hashable {
    /// The index they are for (as configured: its text is parsed with the others).
    public let index: Index
    public let username: String
    public let password: String?
    /// The variables' names, for messages.
    public let variables: String
    public init(index: Index, username: String, password: String?, variables: String) {
      (self.index, self.username, self.password, self.variables) = (index, username, password, variables)
    }
  }

  /// Whose configuration named the indexes.
  public enum IndexOrigin: String, Sendable, Hashable {
    case pip, uv, `default`
  }

  public internal(set) var indexes: [Index] = []
  public internal(set) var indexOrigin: IndexOrigin = .default
  public internal(set) var indexCredentials: [IndexCredentials] = []
  public internal(set) var findLinks: [Sourced<String>] = []
  public internal(set) var noIndex = Sourced(false, .default)
  public internal(set) var trustedHosts: [Sourced<String>] = []
  /// The `cert` setting of the command line or of pip's files (the variables that name CA
  /// bundles are read by the transport, every one that is set).
  public internal(set) var cert: Sourced<String>? = nil
  public internal(set) var clientCert: Sourced<String>? = nil
  public internal(set) var proxy: Sourced<String>? = nil
  public internal(set) var timeout = Sourced(15.0, .default)
  public internal(set) var retries = Sourced(3, .default)
  /// `disabled`, `subprocess`, `import` or `auto`.
  public internal(set) var keyringProvider = Sourced("disabled", .default)
  /// `auto` (mint credentials where a provider knows the registry) or `none`.
  public internal(set) var credentialProvider = Sourced("auto", .default)
  public internal(set) var pre = Sourced(false, .default)
  /// `only-binary` / `no-binary` values in the order pip applies them (configuration first).
  public internal(set) var onlyBinary: [Sourced<String>] = []
  public internal(set) var noBinary: [Sourced<String>] = []
  public internal(set) var ignored: [Ignored] = []
  /// The configuration files that were read, in order.
  public internal(set) var files: [String] = []

  /// PyPI's simple index, the default.
  public static let pypi = "https://pypi.org/simple/"

  public init() {}
}

/// What the command line says (and the option lines of requirements files, under it), each
/// value with its source; nil or empty where it says nothing.
public struct ExplicitSettings: Sendable {
  public var indexURL: Sourced<String>? = nil
  public var extraIndexURLs: [Sourced<String>] = []
  public var findLinks: [Sourced<String>] = []
  public var noIndex: Sourced<Bool>? = nil
  public var trustedHosts: [Sourced<String>] = []
  public var cert: Sourced<String>? = nil
  public var clientCert: Sourced<String>? = nil
  public var proxy: Sourced<String>? = nil
  public var timeout: Sourced<Double>? = nil
  public var retries: Sourced<Int>? = nil
  public var keyringProvider: Sourced<String>? = nil
  public var credentialProvider: Sourced<String>? = nil
  public var pre: Sourced<Bool>? = nil
  public var onlyBinary: [Sourced<String>] = []
  public var noBinary: [Sourced<String>] = []
  public init() {}
}

/// Reads a configuration file: its text, nil when there is no such file.
public typealias ConfigReader = @Sendable (String) throws(ConfigError) -> String?

/// `explicit`, else what `configured` finds (`??` loses the error's type).
private func first<T>(_ explicit: Sourced<T>?, _ configured: () throws(ConfigError) -> Sourced<T>?) throws(ConfigError) -> Sourced<T>? {
  if let explicit { return explicit }
  return try configured()
}

extension Configuration {
  /// The configuration for `command` (pip's section name: `download`, `index`; nil for
  /// commands pip has no section for).
  /// - Parameters:
  ///   - explicit: what the command line says.
  ///   - environment: the process environment.
  ///   - read: reads a file (tests may pass their own).
  /// - Throws: ``ConfigError`` for a file that cannot be parsed or a value that cannot be used.
  public static func load(
    command: String?, explicit: ExplicitSettings = ExplicitSettings(), environment env: [String: String], read: ConfigReader
  ) throws(ConfigError) -> Configuration {
    var layers = Layers(command: command)
    try layers.readPipFiles(environment: env, read: read)
    layers.readVariables(env)
    var c = Configuration()
    c.files = layers.files
    c.ignored = layers.ignored
    try c.resolveIndexes(explicit, layers, environment: env, read: read)
    try c.resolveSettings(explicit, layers)
    return c
  }

  private mutating func resolveIndexes(_ explicit: ExplicitSettings, _ layers: Layers, environment env: [String: String], read: ConfigReader) throws(ConfigError) {
    let primary = explicit.indexURL ?? layers.value(.indexURL)
    let extras = explicit.extraIndexURLs.isEmpty ? layers.list(.extraIndexURL) : explicit.extraIndexURLs
    if primary != nil || !extras.isEmpty {
      indexOrigin = .pip
      let first = primary ?? Sourced(Configuration.pypi, .default)
      indexes = ([first] + extras).map { Index(url: $0.value, source: $0.source, name: nil) }
      return
    }
    var uv = UVSettings()
    try uv.read(environment: env, read: read)
    files += uv.files
    ignored += uv.ignored
    if let chosen = uv.searchOrder() {
      indexOrigin = .uv
      indexes = chosen.map { Index(url: $0.url, source: $0.source, name: $0.name) }
      indexCredentials = uv.credentials(for: chosen, environment: env)
    } else {
      indexes = [Index(url: Configuration.pypi, source: .default, name: nil)]
    }
  }

  private mutating func resolveSettings(_ explicit: ExplicitSettings, _ layers: Layers) throws(ConfigError) {
    findLinks = explicit.findLinks.isEmpty ? layers.list(.findLinks) : explicit.findLinks
    trustedHosts = explicit.trustedHosts.isEmpty ? layers.list(.trustedHost) : explicit.trustedHosts
    if let v = try first(explicit.noIndex, { () throws(ConfigError) in try layers.bool(.noIndex) }) { noIndex = v }
    if let v = try first(explicit.pre, { () throws(ConfigError) in try layers.bool(.pre) }) { pre = v }
    cert = explicit.cert ?? layers.value(.cert)
    clientCert = explicit.clientCert ?? layers.value(.clientCert)
    proxy = explicit.proxy ?? layers.value(.proxy)
    if let v = try first(explicit.timeout, { () throws(ConfigError) in try layers.number(.timeout, Double.init, valid: { WireNumber.userSeconds($0) != nil }, expected: "a positive number of seconds, at most \(Int(WireNumber.maxUserSeconds))") }) { timeout = v }
    if let v = try first(explicit.retries, { () throws(ConfigError) in try layers.number(.retries, Int.init, valid: { $0 >= 0 }, expected: "a whole number, 0 or more") }) { retries = v }
    if let v = explicit.keyringProvider ?? layers.value(.keyringProvider) {
      guard ["auto", "disabled", "import", "subprocess"].contains(v.value) else {
        throw ConfigError("keyring-provider '\(v.value)' is none of auto, disabled, import, subprocess", at: v.source)
      }
      keyringProvider = v
    }
    if let v = explicit.credentialProvider ?? layers.value(.credentialProvider) {
      guard ["auto", "none"].contains(v.value) else { throw ConfigError("credential-provider '\(v.value)' is neither auto nor none", at: v.source) }
      credentialProvider = v
    }
    onlyBinary = layers.value(.onlyBinary).map { [$0] } ?? []
    noBinary = layers.value(.noBinary).map { [$0] } ?? []
    onlyBinary += explicit.onlyBinary
    noBinary += explicit.noBinary
  }
}

/// pip's and uv's files as one run reads them: each file is read from disk at most once,
/// however often the configuration is resolved (`download` resolves it again once its
/// requirements files' option lines are known).
public final class ConfigFileMemo: Sendable {
  private let read: ConfigReader
  private let memo = Mutex<[String: Result<String?, ConfigError>]>([:])
  private let count = Atomic<Int>(0)

  /// - Parameter read: reads a file from disk (tests may count or script it).
  public init(read: @escaping ConfigReader) { self.read = read }

  /// A reader for ``Configuration/load(command:explicit:environment:read:)`` that answers
  /// from what was read before.
  public var reader: ConfigReader {
    { [self] (path: String) throws(ConfigError) -> String? in
      if let known = memo.withLock({ $0[path] }) { return try known.get() }
      count.add(1, ordering: .relaxed)
      let result: Result<String?, ConfigError>
      do throws(ConfigError) { result = .success(try read(path)) } catch { result = .failure(error) }
      memo.withLock { $0[path] = result }
      return try result.get()
    }
  }

  /// How many times a file was read from disk.
  public var reads: Int { count.load(ordering: .relaxed) }
}
