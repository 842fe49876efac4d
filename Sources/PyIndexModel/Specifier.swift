/// One PEP 440 version specifier clause, such as `>=1.2`, `==1.*` or `~=2.0.1`.
public struct Specifier: Sendable, Hashable, CustomStringConvertible {
  /// The comparison operators of PEP 440.
  public enum Operator: String, Sendable, CaseIterable {
    case compatible = "~=", arbitrary = "===", equal = "==", notEqual = "!=", lessEqual = "<=", greaterEqual = ">=", less = "<", greater = ">"
  }

  public let op: Operator
  /// The version text after the operator, trimmed (without `.*`).
  public let versionText: String
  /// The parsed version (nil only for `===` with a non-PEP 440 string).
  public let version: Version?
  /// Whether this is a prefix match (`==1.*`, `!=1.0.*`).
  public let isPrefix: Bool

  /// Parses one clause.
  /// - Throws: ``ModelError/invalidSpecifier(_:reason:)`` with the rule that was broken.
  public init(_ text: String) throws(ModelError) {
    let trimmed = String(ASCII.trim(Substring(text).utf8))!
    // Longest operators first, so that `===` is not read as `==`.
    let ordered: [Operator] = [.arbitrary, .compatible, .equal, .notEqual, .lessEqual, .greaterEqual, .less, .greater]
    guard let op = ordered.first(where: { trimmed.hasPrefix($0.rawValue) }) else {
      throw .invalidSpecifier(text, reason: "expected an operator (==, !=, <=, >=, <, >, ~=, ===)")
    }
    var rest = String(trimmed.dropFirst(op.rawValue.count))
    rest = String(ASCII.trim(Substring(rest).utf8))!
    guard !rest.isEmpty else { throw .invalidSpecifier(text, reason: "a version is missing") }
    self.op = op
    if op == .arbitrary {
      versionText = rest
      version = Version.parse(rest)
      isPrefix = false
      return
    }
    var prefix = false
    if rest.hasSuffix(".*") {
      guard op == .equal || op == .notEqual else {
        throw .invalidSpecifier(text, reason: "'.*' is only allowed with == and !=")
      }
      prefix = true
      rest = String(rest.dropLast(2))
    }
    guard let v = Version.parse(rest) else { throw .invalidSpecifier(text, reason: "'\(rest)' is not a PEP 440 version") }
    if prefix, v.pre != nil || v.post != nil || v.dev != nil || v.local != nil {
      throw .invalidSpecifier(text, reason: "a prefix match takes a release only")
    }
    if v.local != nil, op != .equal, op != .notEqual {
      throw .invalidSpecifier(text, reason: "a local version is only allowed with == and !=")
    }
    if op == .compatible, v.release.count < 2 {
      throw .invalidSpecifier(text, reason: "~= needs at least two release segments")
    }
    versionText = rest
    version = v
    isPrefix = prefix
  }

  /// Whether this clause names a pre-release, which lets pre-releases match the whole set.
  public var allowsPrereleases: Bool {
    guard op != .notEqual, let version else { return false }
    return version.isPrerelease
  }

  public var description: String { op.rawValue + versionText + (isPrefix ? ".*" : "") }

  /// Whether `candidate` satisfies this clause (pre-release policy aside; see ``SpecifierSet``).
  public func contains(_ candidate: Version, original: String? = nil) -> Bool {
    if op == .arbitrary {
      return (original ?? candidate.description).lowercased() == versionText.lowercased()
    }
    guard let spec = version else { return false }
    switch op {
    case .equal: return equal(candidate, spec)
    case .notEqual: return !equal(candidate, spec)
    case .lessEqual: return candidate.publicVersion <= spec
    case .greaterEqual: return candidate.publicVersion >= spec
    case .less:
      guard candidate < spec else { return false }
      if !spec.isPrerelease, candidate.isPrerelease, candidate.baseVersion == spec.baseVersion { return false }
      return true
    case .greater:
      guard candidate > spec else { return false }
      if !spec.isPostrelease, candidate.isPostrelease, candidate.baseVersion == spec.baseVersion { return false }
      if candidate.local != nil, candidate.baseVersion == spec.baseVersion { return false }
      return true
    case .compatible:
      let prefix = Version(epoch: spec.epoch, release: Array(spec.release.dropLast()))
      return candidate.publicVersion >= spec && prefixMatch(candidate, prefix)
    case .arbitrary: return false
    }
  }

  private func equal(_ candidate: Version, _ spec: Version) -> Bool {
    if isPrefix { return prefixMatch(candidate, spec) }
    if spec.local != nil { return candidate == spec }
    return candidate.publicVersion == spec
  }

  /// `==spec.*`: same epoch, and the candidate's release (zero-padded) starts with the spec's.
  /// A candidate pre/post/dev release of that prefix matches too (`1.0rc1` is in `==1.0.*`).
  private func prefixMatch(_ candidate: Version, _ spec: Version) -> Bool {
    guard candidate.epoch == spec.epoch else { return false }
    for (k, r) in spec.release.enumerated() {
      let c = k < candidate.release.count ? candidate.release[k] : 0
      if c != r { return false }
    }
    return true
  }
}

/// A comma-separated set of specifiers, with PEP 440's pre-release rules for filtering.
public struct SpecifierSet: Sendable, Hashable, CustomStringConvertible {
  public let specifiers: [Specifier]

  /// The empty set, which every version satisfies.
  public init() { specifiers = [] }

  /// Parses `>=1.0, <2` (an empty string is the empty set).
  /// - Throws: ``ModelError/invalidSpecifier(_:reason:)``.
  public init(_ text: String) throws(ModelError) {
    var parsed: [Specifier] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let t = String(ASCII.trim(part.utf8))!
      if t.isEmpty { continue }  // packaging accepts empty clauses ("==1.0,")
      parsed.append(try Specifier(t))
    }
    specifiers = parsed
  }

  public init(_ specifiers: [Specifier]) { self.specifiers = specifiers }

  public var isEmpty: Bool { specifiers.isEmpty }
  public var description: String { specifiers.map(\.description).joined(separator: ",") }

  /// Whether any clause names a pre-release.
  public var allowsPrereleases: Bool { specifiers.contains(where: \.allowsPrereleases) }

  /// Whether the set pins one version exactly (`==1.0` or `===1.0`): only then may a yanked
  /// file be chosen (PEP 592).
  public var isExactPin: Bool {
    specifiers.count == 1 && ((specifiers[0].op == .equal && !specifiers[0].isPrefix) || specifiers[0].op == .arbitrary)
  }

  /// Whether `version` satisfies every clause, ignoring the pre-release policy.
  public func contains(_ version: Version, original: String? = nil) -> Bool {
    specifiers.allSatisfy { $0.contains(version, original: original) }
  }

  /// Whether `version` satisfies the set, pre-releases admitted only when `prereleases` says
  /// so or a clause names one (packaging's `contains`).
  public func admits(_ version: Version, prereleases: Bool) -> Bool {
    if version.isPrerelease, !(prereleases || allowsPrereleases) { return false }
    return contains(version)
  }

  /// Filters `versions` as pip does (packaging's `filter` with `prereleases=None` unless
  /// `--pre`): pre-releases match when asked for, when a clause names one, or when no final
  /// release matches at all.
  public func filter(_ versions: [Version], prereleases: Bool) -> [Version] {
    let allowPre = prereleases || allowsPrereleases
    var finals: [Version] = [], pres: [Version] = []
    for v in versions where contains(v) {
      if v.isPrerelease && !allowPre { pres.append(v) } else { finals.append(v) }
    }
    return finals.isEmpty ? pres : finals
  }
}
