import PyIndexModel

/// `~/.aws/config` and `~/.aws/credentials` as botocore reads them: INI sections (`[default]`,
/// `[profile NAME]` in the config file, `[NAME]` in the credentials file), `key = value`
/// lines, `#` and `;` comments; indented lines (a nested `s3 =` block) belong to the key
/// above and are skipped.
struct AWSSharedFiles: Sendable {
  /// The profile's keys from the credentials file.
  let credentials: [String: [String: String]]
  /// The profile's keys from the config file.
  let config: [String: [String: String]]
  let configPath: String
  let credentialsPath: String

  init(context: MintContext) {
    configPath = context.value("AWS_CONFIG_FILE") ?? "~/.aws/config"
    credentialsPath = context.value("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials"
    config = context.readFile(context.expand(configPath)).map { AWSSharedFiles.parse($0, configFile: true) } ?? [:]
    credentials = context.readFile(context.expand(credentialsPath)).map { AWSSharedFiles.parse($0, configFile: false) } ?? [:]
  }

  /// Keys of `profile`: the credentials file's over the config file's.
  func profile(_ name: String) -> [String: String]? {
    let c = config[name], k = credentials[name]
    guard c != nil || k != nil else { return nil }
    return (c ?? [:]).merging(k ?? [:]) { $1 }
  }

  static func parse(_ text: String, configFile: Bool) -> [String: [String: String]] {
    var out: [String: [String: String]] = [:]
    var section: String? = nil
    for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
      if raw.first == " " || raw.first == "\t" { continue }
      let line = raw.trimmingASCIIWhitespace()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("["), line.hasSuffix("]") {
        let name = line.dropFirst().dropLast().trimmingASCIIWhitespace()
        if configFile {
          if name == "default" { section = "default" }
          else if name.hasPrefix("profile "), let n = Optional(name.dropFirst(8).trimmingASCIIWhitespace()), !n.isEmpty { section = n }
          else { section = nil }  // [sso-session x], [services x]: not profiles
        } else {
          section = name
        }
        if let section, out[section] == nil { out[section] = [:] }
        continue
      }
      guard let section, let eq = line.firstIndex(of: "=") else { continue }
      let key = line[..<eq].trimmingASCIIWhitespace().lowercased()
      var value = line[line.index(after: eq)...].trimmingASCIIWhitespace()
      // An inline comment needs a space before it, as in botocore.
      for mark in [" #", " ;", "\t#", "\t;"] {
        if let r = value.firstRange(of: mark) { value = value[..<r.lowerBound].trimmingASCIIWhitespace() }
      }
      out[section]?[key] = value
    }
    return out
  }
}
