/// A requirement from a requirements file (or the command line), with the hashes it allows
/// and where it was written.
public struct RequirementLine: Sendable, Hashable {
  public let requirement: Requirement
  /// `--hash=alg:hex` values by algorithm (lower-case hex); empty when none was given.
  public let hashes: [String: Set<String>]
  /// `file:line`, or nil for the command line.
  public let origin: String?
  /// Whether a distribution's metadata declared it (`Requires-Dist`), rather than the user:
  /// such a requirement may not name a `file:` location.
  public let isDependency: Bool

  public init(requirement: Requirement, hashes: [String: Set<String>] = [:], origin: String? = nil, isDependency: Bool = false) {
    self.requirement = requirement
    self.hashes = hashes
    self.origin = origin
    self.isDependency = isDependency
  }
}

/// A requirements file as pip reads it: comments, `\` continuations, `${VAR}` expansion,
/// `-r`/`-c` nesting relative to the including file, `--hash` options on requirement lines,
/// and the option lines pip accepts for the finder.
public struct RequirementsFile: Sendable {
  public var requirements: [RequirementLine] = []
  public var constraints: [RequirementLine] = []
  public var indexURL: String?
  public var extraIndexURLs: [String] = []
  public var findLinks: [String] = []
  public var trustedHosts: [String] = []
  public var noIndex = false
  public var pre = false
  public var requireHashes = false
  public var onlyBinary: [String] = []
  public var noBinary: [String] = []

  /// Whether option lines name indexes, find-links locations or trusted hosts.
  public var hasIndexOptions: Bool { indexURL != nil || !extraIndexURLs.isEmpty || !findLinks.isEmpty || !trustedHosts.isEmpty || noIndex }

  public init() {}

  /// The problems a requirements file can have, each naming the file and line.
  public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(origin: String, reason: String)

    public var description: String {
      switch self {
      case .unreadable(let path, let reason): "cannot read the requirements file \(path): \(reason)"
      case .invalid(let origin, let reason): "\(origin): \(reason)"
      }
    }
  }

  /// Reads `path` and every file it includes.
  /// - Parameters:
  ///   - read: returns a file's text (tests pass a dictionary; the CLI reads the disk).
  ///   - environment: for `${VAR}` (only upper-case letters, digits and `_`, as pip).
  public static func load(_ path: String, environment: [String: String], read: (String) throws -> String) throws(ParseError) -> RequirementsFile {
    var file = RequirementsFile()
    try file.include(path, constraint: false, depth: 0, environment: environment, read: read)
    return file
  }

  private mutating func include(_ path: String, constraint: Bool, depth: Int, environment: [String: String], read: (String) throws -> String) throws(ParseError) {
    guard depth < 32 else { throw .invalid(origin: path, reason: "requirements files include each other more than 32 levels deep (a cycle?)") }
    let text: String
    do { text = try read(path) } catch let e as ParseError { throw e } catch { throw .unreadable(path: path, reason: "\(error)") }
    let dir = path.contains("/") ? String(path[...path.lastIndex(of: "/")!]) : ""
    for (lineNumber, line) in RequirementsFile.logicalLines(text) {
      let origin = "\(path):\(lineNumber)"
      let expanded = RequirementsFile.expand(line, environment: environment)
      var words = RequirementsFile.words(expanded)
      guard let first = words.first else { continue }
      if first.hasPrefix("-") {
        let (name, value, rest) = try RequirementsFile.option(&words, origin: origin)
        guard rest.isEmpty else { throw .invalid(origin: origin, reason: "unexpected '\(rest.joined(separator: " "))' after \(name)") }
        func relative(_ p: String) -> String { p.hasPrefix("/") || p.contains("://") ? p : dir + p }
        switch name {
        case "-r", "--requirement": try include(relative(try need(value, name, origin)), constraint: constraint, depth: depth + 1, environment: environment, read: read)
        case "-c", "--constraint": try include(relative(try need(value, name, origin)), constraint: true, depth: depth + 1, environment: environment, read: read)
        case "-i", "--index-url": indexURL = try need(value, name, origin)
        case "--extra-index-url": extraIndexURLs.append(try need(value, name, origin))
        case "-f", "--find-links":
          let v = try need(value, name, origin)
          findLinks.append(v.contains("://") ? v : relative(v))
        case "--trusted-host": trustedHosts.append(try need(value, name, origin))
        case "--no-index": noIndex = true
        case "--pre": pre = true
        case "--require-hashes": requireHashes = true
        case "--only-binary": onlyBinary.append(try need(value, name, origin))
        case "--no-binary": noBinary.append(try need(value, name, origin))
        case "--prefer-binary": break  // pyindex already prefers the best wheel
        default: throw .invalid(origin: origin, reason: "the option \(name) is not supported in requirements files")
        }
        continue
      }
      try requirementLine(words, origin: origin, constraint: constraint)
    }
  }

  /// A requirement, then its per-requirement options (`--hash`).
  private mutating func requirementLine(_ lineWords: [String], origin: String, constraint: Bool) throws(ParseError) {
    var words = lineWords
    var reqWords: [String] = []
    var hashes: [String: Set<String>] = [:]
    while let w = words.first {
      if w.hasPrefix("--") {
        let (name, value, _) = try RequirementsFile.option(&words, origin: origin, single: true)
        guard name == "--hash" else { throw .invalid(origin: origin, reason: "the option \(name) is not supported on a requirement line") }
        let v = try need(value, name, origin)
        guard let colon = v.firstIndex(of: ":"), !v[v.index(after: colon)...].isEmpty else {
          throw .invalid(origin: origin, reason: "--hash needs algorithm:hexdigest, as in --hash=sha256:2cf2…")
        }
        let alg = v[..<colon].lowercased()
        guard HashAlgorithm(rawValue: alg) != nil else {
          throw .invalid(origin: origin, reason: "unknown hash algorithm '\(alg)' (md5, sha1, sha256, sha384, sha512)")
        }
        hashes[alg, default: []].insert(v[v.index(after: colon)...].lowercased())
      } else {
        reqWords.append(w)
        words.removeFirst()
      }
    }
    let reqText = reqWords.joined(separator: " ")
    let requirement: Requirement
    do { requirement = try Requirement(reqText) } catch { throw .invalid(origin: origin, reason: error.description) }
    let entry = RequirementLine(requirement: requirement, hashes: hashes, origin: origin)
    if constraint { constraints.append(entry) } else { requirements.append(entry) }
    if !hashes.isEmpty { requireHashes = true }
  }

  private func need(_ value: String?, _ name: String, _ origin: String) throws(ParseError) -> String {
    guard let value, !value.isEmpty else { throw .invalid(origin: origin, reason: "\(name) needs a value") }
    return value
  }

  /// `-x VALUE`, `-xVALUE`, `--name VALUE`, `--name=VALUE`; removes what it read from `words`.
  static func option(_ words: inout [String], origin: String, single: Bool = false) throws(ParseError) -> (String, String?, [String]) {
    let w = words.removeFirst()
    let flags: Set<String> = ["--no-index", "--pre", "--require-hashes", "--prefer-binary"]
    var name = w, value: String? = nil
    if w.hasPrefix("--") {
      if let eq = w.firstIndex(of: "=") { name = String(w[..<eq]); value = String(w[w.index(after: eq)...]) }
    } else if w.count > 2 {
      name = String(w.prefix(2))
      value = String(w.dropFirst(2))
    }
    if value == nil, !flags.contains(name), let next = words.first {
      value = next
      words.removeFirst()
    }
    return (name, value, single ? [] : words)
  }

  /// Lines joined at a trailing `\`, comments removed (`#` at the start or after whitespace),
  /// blank ones dropped; each with the number of its first physical line.
  static func logicalLines(_ text: String) -> [(Int, String)] {
    var out: [(Int, String)] = []
    var pending = ""
    var start = 0
    for (i, raw) in text.textLines.enumerated() {
      let line = String(raw)
      if pending.isEmpty { start = i + 1 }
      if line.hasSuffix("\\") {
        pending += line.dropLast()
        continue
      }
      let joined = stripComment(pending + line)
      pending = ""
      if !joined.trimmingASCIIWhitespace().isEmpty { out.append((start, joined)) }
    }
    if !pending.isEmpty, !stripComment(pending).trimmingASCIIWhitespace().isEmpty { out.append((start, stripComment(pending))) }
    return out
  }

  static func stripComment(_ line: String) -> String {
    var previous: Character = " "
    var result = ""
    for c in line {
      if c == "#", previous == " " || previous == "\t" { break }
      result.append(c)
      previous = c
    }
    return result
  }

  /// Whitespace-separated words.
  static func words(_ line: String) -> [String] {
    line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
  }

  /// `${NAME}` replaced by the variable's value when it is set (pip's rule: upper-case
  /// letters, digits and `_` only); anything else is left as written.
  public static func expand(_ line: String, environment: [String: String]) -> String {
    var out = ""
    var rest = Substring(line)
    while let open = rest.firstRange(of: "${") {
      out += rest[..<open.lowerBound]
      let after = rest[open.upperBound...]
      if let close = after.firstIndex(of: "}") {
        let name = after[..<close]
        if !name.isEmpty, name.allSatisfy({ ($0.isASCII && $0.isUppercase) || $0.isNumber || $0 == "_" }), let value = environment[String(name)] {
          out += value
          rest = after[after.index(after: close)...]
          continue
        }
      }
      out += "${"
      rest = after
    }
    return out + rest
  }
}
