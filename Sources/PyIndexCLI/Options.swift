public import ArgumentParser
import PyIndexAuth
import PyIndexSystem
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport

/// `-i`, `--extra-index-url`, `--index-strategy`: where to look (every command).
struct IndexOptions: ParsableArguments {
  @Option(name: [.customShort("i"), .long], help: ArgumentHelp("Base URL of the index (default: $PYINDEX_INDEX_URL, then $PIP_INDEX_URL, then https://pypi.org/simple/).", valueName: "url"))
  var indexURL: String?

  @Option(name: .long, help: ArgumentHelp("Another index to search after --index-url; repeatable (default: $PYINDEX_EXTRA_INDEX_URL, then $PIP_EXTRA_INDEX_URL, space-separated).", valueName: "url"))
  var extraIndexURL: [String] = []

  @Option(name: [.customShort("f"), .long], help: ArgumentHelp("A directory of distributions, or a page of links (path or URL), searched besides the indexes; repeatable.", valueName: "path-or-url"))
  var findLinks: [String] = []

  @Flag(help: "Search only --find-links locations, no index.")
  var noIndex = false

  @Option(name: .long, help: ArgumentHelp("subprocess: ask the keyring program (keyring get URL USER) for credentials, once per origin; disabled (default: $PYINDEX_KEYRING_PROVIDER, then $PIP_KEYRING_PROVIDER).", valueName: "provider"))
  var keyringProvider: KeyringChoice?

  @Option(name: .long, help: ArgumentHelp("auto: mint short-lived credentials from this machine's identity for a registry pyindex knows (GitLab CI's job token), after every other source; none (default: auto, or $PYINDEX_CREDENTIAL_PROVIDER).", valueName: "provider"))
  var credentialProvider: CredentialProviderChoice?

  @Option(name: .long, help: ArgumentHelp("first-index: a project found on an earlier index is never taken from a later one; unsafe-best-match: merge every index.", valueName: "strategy"))
  var indexStrategy: IndexStrategy = .firstIndex

  @Flag(name: [.customLong("no-cache"), .customLong("no-cache-dir")], help: "Neither read nor write the HTTP cache of project pages.")
  var noCache = false

  @Option(name: .long, help: ArgumentHelp("Where the HTTP cache of project pages lives (default: $XDG_CACHE_HOME/pyindex, else ~/.cache/pyindex); relative to the current directory.", valueName: "dir"), transform: IndexOptions.absolutePath)
  var cacheDir: String?

  /// `path` made absolute against the current directory (`--cache-dir rel` is `$PWD/rel`).
  static func absolutePath(_ path: String) throws -> String {
    guard !path.isEmpty else { throw ValidationError("--cache-dir needs a directory") }
    if path.hasPrefix("/") { return path }
    guard let cwd = LibC.currentDirectory() else { throw ValidationError("cannot read the current directory for --cache-dir \(path)") }
    return (cwd == "/" ? "" : cwd) + "/" + path
  }

  @Flag(help: "Use cached project pages, however old, and never ask an index for them.")
  var offline = false

  init() {}

  /// The page cache these options ask for, nil with `--no-cache` (or without a home).
  func cache(environment env: [String: String]) -> PageCache? {
    guard !noCache, let dir = cacheDir ?? PageCache.defaultDirectory(environment: env) else { return nil }
    return PageCache(directory: dir, offline: offline)
  }

  /// What these flags say, and the option lines of requirements files under them.
  func explicit(into e: inout ExplicitSettings, fileOptions: RequirementsFile?) {
    if let indexURL {
      e.indexURL = Sourced(indexURL, .flag("--index-url"))
    } else if let u = fileOptions?.indexURL {
      e.indexURL = Sourced(u, .requirementsFile)
    }
    e.extraIndexURLs = extraIndexURL.map { Sourced($0, .flag("--extra-index-url")) } + (fileOptions?.extraIndexURLs ?? []).map { Sourced($0, .requirementsFile) }
    e.findLinks = findLinks.map { Sourced($0, .flag("--find-links")) } + (fileOptions?.findLinks ?? []).map { Sourced($0, .requirementsFile) }
    if noIndex {
      e.noIndex = Sourced(true, .flag("--no-index"))
    } else if fileOptions?.noIndex == true {
      e.noIndex = Sourced(true, .requirementsFile)
    }
    if let keyringProvider { e.keyringProvider = Sourced(keyringProvider.rawValue, .flag("--keyring-provider")) }
    if let credentialProvider { e.credentialProvider = Sourced(credentialProvider.rawValue, .flag("--credential-provider")) }
  }

  mutating func validate() throws {
    if noIndex, findLinks.isEmpty { throw ValidationError("--no-index needs at least one --find-links location") }
    if offline, noCache { throw ValidationError("--offline needs the cache; drop --no-cache") }
  }
}

/// `--keyring-provider`: whether to ask the `keyring` program.
enum KeyringChoice: String, CaseIterable, ExpressibleByArgument {
  case subprocess, disabled
}

/// `--credential-provider`: whether to mint credentials from the machine's identity.
enum CredentialProviderChoice: String, CaseIterable, ExpressibleByArgument {
  case auto, none
}

extension IndexStrategy: ExpressibleByArgument {}

/// `--timeout`, `--retries` (every command).
struct NetworkOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Seconds to wait for a connection and between reads (default: 15).", valueName: "seconds"))
  var timeout: Double?

  @Option(help: ArgumentHelp("Retries after 5xx, 408, 429 and connection resets (default: 3).", valueName: "n"))
  var retries: Int?

  @Option(help: ArgumentHelp("Proxy for every request: [scheme://][user:password@]host:port (http, socks5, socks5h); overrides *_proxy variables, NO_PROXY still applies.", valueName: "url"))
  var proxy: String?

  @Option(help: ArgumentHelp("A PEM bundle of CA certificates to trust besides the system's (as do PYINDEX_CERT, PIP_CERT, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR).", valueName: "file"))
  var cert: String?

  @Option(help: ArgumentHelp("A PEM file with a client certificate (and chain) and its private key.", valueName: "file"))
  var clientCert: String?

  @Option(help: ArgumentHelp("Do not verify this host's certificate, and allow plain http to it; repeatable.", valueName: "host[:port]"))
  var trustedHost: [String] = []

  init() {}

  mutating func validate() throws {
    if let timeout, WireNumber.userSeconds(timeout) == nil {
      throw ValidationError("--timeout must be a positive number of seconds, at most \(Int(WireNumber.maxUserSeconds))")
    }
    if let retries, retries < 0 { throw ValidationError("--retries must be 0 or more") }
  }

  /// What these flags say, and the `--trusted-host` lines of requirements files under them.
  func explicit(into e: inout ExplicitSettings, fileOptions: RequirementsFile?) {
    e.timeout = timeout.map { Sourced($0, .flag("--timeout")) }
    e.retries = retries.map { Sourced($0, .flag("--retries")) }
    e.proxy = proxy.map { Sourced($0, .flag("--proxy")) }
    e.cert = cert.map { Sourced($0, .flag("--cert")) }
    e.clientCert = clientCert.map { Sourced($0, .flag("--client-cert")) }
    e.trustedHosts = trustedHost.map { Sourced($0, .flag("--trusted-host")) } + (fileOptions?.trustedHosts ?? []).map { Sourced($0, .requirementsFile) }
  }
}

/// What every command that talks to indexes takes, each group under its title in `--help`:
/// where (indexes), how (network) and how much to say (output).
struct IndexCommandOptions: ParsableArguments {
  @OptionGroup(title: "Indexes") var index: IndexOptions
  @OptionGroup(title: "Network") var network: NetworkOptions
  @OptionGroup(title: "Output") var output: OutputOptions
}

/// `-v`, `-q` (every command).
struct OutputOptions: ParsableArguments {
  @Flag(name: .shortAndLong, help: "One line per HTTP hop on stderr; -vv adds headers (secrets masked).")
  var verbose: Int

  @Flag(name: .shortAndLong, help: "Errors only.")
  var quiet = false

  init() {}
}

/// `--platform`, `--python-version`, `--implementation`, `--abi`, `--only-binary`,
/// `--no-binary`, `--pre`, `--ignore-requires-python`, as in pip.
struct TargetOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Only files for this platform tag (e.g. manylinux_2_17_x86_64, win_amd64); repeatable.", valueName: "tag"))
  var platform: [String] = []

  @Option(name: .long, help: ArgumentHelp("Target Python version: 3.12 or 312 (download: repeatable, one target per version).", valueName: "version"), transform: { (v: String) throws in try Target.parsePythonVersion(v) })
  var pythonVersion: [[Int]] = []

  @Option(
    name: .long,
    help: ArgumentHelp("Target platform in uv's spelling: x86_64-manylinux_2_28, aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl, x86_64-pc-windows-msvc, aarch64-apple-darwin, linux, windows, macos... (download: repeatable, one target per platform).", valueName: "platform"),
    transform: TargetOptions.pythonPlatform)
  var pythonPlatform: [PythonPlatform] = []

  static func pythonPlatform(_ text: String) throws -> PythonPlatform {
    guard let p = PythonPlatform(text) else {
      throw ValidationError("'\(text)' is not a platform pyindex knows; use one of uv's: x86_64-manylinux_2_28 (or aarch64-, 2_17...2_40, 2014), x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl, aarch64-unknown-linux-musl, x86_64-pc-windows-msvc, aarch64-pc-windows-msvc, i686-pc-windows-msvc, aarch64-apple-darwin, x86_64-apple-darwin, linux, windows, macos")
    }
    return p
  }

  @Option(name: .long, help: ArgumentHelp("Target implementation: cp, pp, py...", valueName: "impl"))
  var implementation: String?

  @Option(name: .long, help: ArgumentHelp("Target ABI tag (e.g. cp312, abi3); repeatable.", valueName: "tag"))
  var abi: [String] = []

  @Option(name: .long, help: ArgumentHelp("Only wheels: :all:, :none:, or project names (comma-separated).", valueName: "names"))
  var onlyBinary: [String] = []

  @Option(name: .long, help: ArgumentHelp("No wheels: :all:, :none:, or project names (comma-separated).", valueName: "names"))
  var noBinary: [String] = []

  @Flag(help: "Include pre-releases and development releases.")
  var pre = false

  @Flag(help: "Ignore Requires-Python.")
  var ignoreRequiresPython = false

  init() {}

  var hasTargetFlags: Bool { !platform.isEmpty || !pythonVersion.isEmpty || !pythonPlatform.isEmpty || implementation != nil || !abi.isEmpty }

  /// Whether several targets were named (`--python-platform` or `--python-version` repeated).
  var isMatrix: Bool { pythonVersion.count > 1 || pythonPlatform.count > 1 }

  /// Checks what one target can take; `matrix`: whether the command takes several.
  func validate(matrix: Bool) throws {
    if !platform.isEmpty, !pythonPlatform.isEmpty { throw ValidationError("give --platform or --python-platform, not both") }
    if !matrix, isMatrix { throw ValidationError("this command takes one target: give --python-version and --python-platform once each") }
  }

  /// Every combination of `--python-platform` and `--python-version`, each named for messages;
  /// empty when there is one target (``explicitTarget``).
  var matrix: [NamedTarget] {
    guard isMatrix else { return [] }
    let platforms: [PythonPlatform?] = pythonPlatform.isEmpty ? [nil] : pythonPlatform
    let versions: [[Int]?] = pythonVersion.isEmpty ? [nil] : pythonVersion
    return platforms.flatMap { p in
      versions.map { v in
        let name = [p?.name ?? self.platforms?.first, v.map { "Python " + $0.map(String.init).joined(separator: ".") }].compactMap { $0 }.joined(separator: ", ")
        return NamedTarget(name: name, target: Target(platforms: p?.platforms ?? self.platforms, pythonVersion: v, implementation: implementation, abis: abis))
      }
    }
  }

  /// `--platform` values, comma-separated lists split; nil when none was given.
  var platforms: [String]? { platform.isEmpty ? nil : platform.flatMap { $0.split(separator: ",").map(String.init) } }

  /// `--abi` values, comma-separated lists split; nil when none was given.
  var abis: [String]? { abi.isEmpty ? nil : abi.flatMap { $0.split(separator: ",").map(String.init) } }

  /// What these flags say.
  func explicit(into e: inout ExplicitSettings) {
    if pre { e.pre = Sourced(true, .flag("--pre")) }
    e.onlyBinary = onlyBinary.map { Sourced($0, .flag("--only-binary")) }
    e.noBinary = noBinary.map { Sourced($0, .flag("--no-binary")) }
  }

  /// The target from the flags alone; unset dimensions stay unconstrained.
  var explicitTarget: Target {
    Target(platforms: pythonPlatform.first?.platforms ?? platforms, pythonVersion: pythonVersion.first, implementation: implementation, abis: abis)
  }
}
