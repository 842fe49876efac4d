/// Where a setting came from, as `pyindex config` and error messages name it.
public enum SettingSource: Sendable, Hashable, CustomStringConvertible {
  /// A command-line option, by its spelling (`--index-url`).
  case flag(String)
  /// An option line of a requirements file.
  case requirementsFile
  /// An environment variable, by name.
  case variable(String)
  /// A configuration file, and the line the value starts on (when known).
  case file(path: String, line: Int?)
  /// pyindex's own default.
  case `default`

  public var description: String {
    switch self {
    case .flag(let name): name
    case .requirementsFile: "a requirements file"
    case .variable(let name): name
    case .file(let path, let line?): "\(path):\(line)"
    case .file(let path, nil): path
    case .default: "default"
    }
  }

  /// The kind of source, for JSON: `flag`, `requirements-file`, `variable`, `file`, `default`.
  public var kind: String {
    switch self {
    case .flag: "flag"
    case .requirementsFile: "requirements-file"
    case .variable: "variable"
    case .file: "file"
    case .default: "default"
    }
  }
}

/// A value and where it came from.
public struct Sourced<Value: Sendable & Hashable>: Sendable, Hashable {
  public let value: Value
  public let source: SettingSource
  public init(_ value: Value, _ source: SettingSource) {
    self.value = value
    self.source = source
  }
}

/// The settings pip's configuration can give, by pip's key names. `pyindex` reads these from
/// pip's files and `PIP_<KEY>` / `PYINDEX_<KEY>` variables; every other key is ignored.
public enum ConfigKey: String, Sendable, Hashable, CaseIterable {
  case indexURL = "index-url"
  case extraIndexURL = "extra-index-url"
  case findLinks = "find-links"
  case noIndex = "no-index"
  case trustedHost = "trusted-host"
  case cert
  case clientCert = "client-cert"
  case proxy
  case timeout
  case retries
  case keyringProvider = "keyring-provider"
  /// `auto` or `none`: whether to mint credentials from the machine's identity.
  case credentialProvider = "credential-provider"
  case pre
  case onlyBinary = "only-binary"
  case noBinary = "no-binary"

  /// The key a (normalized) name stands for: pip's spellings, `default-timeout` included.
  public init?(pipName name: String) {
    if name == "default-timeout" {
      self = .timeout
    } else {
      self.init(rawValue: name)
    }
  }

  /// The `PYINDEX_` variable that sets this key (`PYINDEX_INDEX_URL`).
  public var pyindexVariable: String { "PYINDEX_" + rawValue.uppercased().replacingDashes() }

  /// pip's name for a key, from a file's key or a `PIP_` variable's suffix: lower-cased, `_`
  /// as `-`, a leading `--` dropped (pip's `_normalize_name`).
  public static func normalize(_ name: String) -> String {
    var n = String(name.lowercased().map { $0 == "_" ? "-" : $0 })
    if n.hasPrefix("--") { n.removeFirst(2) }
    return n
  }
}

extension String {
  func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
