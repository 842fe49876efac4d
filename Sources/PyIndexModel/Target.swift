/// The environment distributions are chosen for: platforms, Python version, implementation, ABIs.
///
/// A dimension left `nil` is unconstrained (any platform, any Python). When the Python
/// version is known, ``supportedTags`` lists the tags pip would accept for it, best first,
/// generated exactly as pip's `get_supported` does for `--platform`, `--python-version`,
/// `--implementation` and `--abi`.
public struct Target: Sendable, Hashable {
  public var platforms: [String]?
  /// Major, minor and micro (`[3, 11, 7]`), major and minor (`[3, 12]`), or major only. Tags
  /// use major and minor; `Requires-Python` and `python_full_version` see every part given.
  public var pythonVersion: [Int]?
  /// `cp`, `pp`, `py`, ... (pip's `--implementation`); `cp` when unset and a version is set.
  public var implementation: String?
  public var abis: [String]?

  public init(platforms: [String]? = nil, pythonVersion: [Int]? = nil, implementation: String? = nil, abis: [String]? = nil) {
    self.platforms = platforms.map { $0.map { $0.lowercased() } }
    self.pythonVersion = pythonVersion
    self.implementation = implementation?.lowercased()
    self.abis = abis.map { $0.map { $0.lowercased() } }
  }

  /// Whether no dimension is set: every file counts.
  public var isUnconstrained: Bool { platforms == nil && pythonVersion == nil && implementation == nil && abis == nil }

  /// Parses `--python-version` as pip does: `3.11.7`, `3.12`, `3`, or `312` (the first digit
  /// is the major). Every part is kept: the micro version matters to `Requires-Python`.
  public static func parsePythonVersion(_ text: String) throws(ModelError) -> [Int] {
    let t = text.trimmingASCIIWhitespace()
    // Python versions are small numbers; anything longer is a typo, not a version.
    func part(_ s: Substring) throws(ModelError) -> Int {
      guard !s.isEmpty, s.count <= 4, s.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(s) else { throw .invalidPythonVersion(text) }
      return n
    }
    if t.contains(".") {
      let parts = t.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count <= 3 else { throw .invalidPythonVersion(text) }
      var out: [Int] = []
      for p in parts { out.append(try part(p)) }
      return out
    }
    let s = Substring(t)
    guard s.count > 1 else { return [try part(s)] }
    return [try part(s.prefix(1)), try part(s.dropFirst())]
  }

  /// The Python version as a PEP 440 version (`3.12` → `3.12`), for `Requires-Python`.
  public var pythonVersionForRequiresPython: Version? {
    guard let pythonVersion else { return nil }
    return Version(release: pythonVersion)
  }

  // MARK: Supported tags

  /// The tags this target accepts, most preferred first; nil when the Python version is unset.
  public var supportedTags: [Tag]? {
    guard let py = pythonVersion, let major = py.first else { return nil }
    let impl = implementation ?? "cp"
    let nodot = py.prefix(2).map(String.init).joined()
    let interpreter = impl + nodot
    let plats = expandedPlatforms ?? ["*"]
    var tags: [Tag] = []
    if impl == "cp" {
      // packaging.tags.cpython_tags: explicit ABIs first; abi3 for GIL builds and abi3t
      // (PEP 803) for free-threaded ones (an ABI with `t` in its flags), both back to 3.2.
      var abis: [String]
      if let given = self.abis { abis = given } else if py.count > 1 {
        abis = py[1] < 8 && major == 3 ? ["cp\(nodot)m"] : ["cp\(nodot)"]
      } else { abis = [] }
      abis.removeAll { $0 == "abi3" || $0 == "none" }
      for abi in abis { for p in plats { tags.append(Tag(interpreter, abi, p)) } }
      let threaded = abis.first.map(Target.isFreeThreaded) ?? false
      let stable = py.count > 1 && (major > 3 || (major == 3 && py[1] >= 2)) ? (threaded ? "abi3t" : "abi3") : nil
      if let stable { for p in plats { tags.append(Tag(interpreter, stable, p)) } }
      for p in plats { tags.append(Tag(interpreter, "none", p)) }
      if let stable {
        for minor in stride(from: py[1] - 1, to: 1, by: -1) {
          for p in plats { tags.append(Tag("cp\(major)\(minor)", stable, p)) }
        }
      }
    } else {
      var abis = self.abis ?? []
      if !abis.contains("none") { abis.append("none") }
      for abi in abis { for p in plats { tags.append(Tag(interpreter, abi, p)) } }
    }
    // compatible_tags: pyXY/py3/... on each platform, then interpreter-none-any, then py*-none-any.
    var pyRange = ["py\(nodot)", "py\(major)"]
    if py.count > 1 { for minor in stride(from: py[1] - 1, through: 0, by: -1) { pyRange.append("py\(major)\(minor)") } }
    for v in pyRange { for p in plats { tags.append(Tag(v, "none", p)) } }
    tags.append(Tag(interpreter, "none", "any"))
    for v in pyRange { tags.append(Tag(v, "none", "any")) }
    var seen = Set<Tag>()
    return tags.filter { seen.insert($0).inserted }
  }

  /// Whether a CPython ABI tag names a free-threaded build: `cp` and digits, then flags that
  /// hold a `t` (`cp313t`), as packaging's `_is_threaded_cpython` decides.
  static func isFreeThreaded(_ abi: String) -> Bool {
    guard abi.hasPrefix("cp") else { return false }
    let digits = abi.dropFirst(2).prefix(while: { $0.isASCII && $0.isNumber })
    return !digits.isEmpty && abi.dropFirst(2 + digits.count).contains("t")
  }

  /// `--platform` values with pip's expansions: legacy manylinux aliases and older macOS.
  public var expandedPlatforms: [String]? {
    guard let platforms, !platforms.isEmpty else { return nil }
    var seen = Set<String>(), out: [String] = []
    for p in platforms {
      for q in Target.expand(platform: p) where seen.insert(q).inserted { out.append(q) }
    }
    return out
  }

  static func expand(platform p: String) -> [String] {
    let parts = p.split(separator: "_", maxSplits: 1)
    let prefix = parts.first.map(String.init) ?? p
    let suffix = parts.count > 1 ? String(parts[1]) : ""
    if p.hasPrefix("macosx") { return macPlatforms(p) }
    if prefix == "manylinux2014" {
      return ["i686", "x86_64"].contains(suffix) ? [p, "manylinux2010_" + suffix, "manylinux1_" + suffix] : [p]
    }
    if prefix == "manylinux2010" { return [p, "manylinux1_" + suffix] }
    return [p]
  }

  /// macOS platforms a `macosx_X_Y_arch` target accepts, newest first (packaging's `mac_platforms`).
  static func macPlatforms(_ p: String) -> [String] {
    let parts = p.split(separator: "_", maxSplits: 3)
    guard parts.count == 4, let major = Int(parts[1]), let minor = Int(parts[2]) else { return [p] }
    let name = String(parts[0]), arch = String(parts[3])
    var out: [String] = []
    func add(_ ma: Int, _ mi: Int, formats: [String]) { for f in formats { out.append("\(name)_\(ma)_\(mi)_\(f)") } }
    if major == 10 {
      for m in stride(from: minor, through: 0, by: -1) { add(10, m, formats: macBinaryFormats(10, m, arch)) }
    } else if major >= 11 {
      for ma in stride(from: major, to: 10, by: -1) { add(ma, 0, formats: macBinaryFormats(ma, 0, arch)) }
      for m in stride(from: 16, to: 3, by: -1) {
        add(10, m, formats: arch == "x86_64" ? macBinaryFormats(10, m, arch) : ["universal2"])
      }
    }
    return out.isEmpty ? [p] : out
  }

  static func macBinaryFormats(_ major: Int, _ minor: Int, _ arch: String) -> [String] {
    var formats = [arch]
    let v = (major, minor)
    switch arch {
    case "x86_64": if v < (10, 4) { return [] }; formats += ["intel", "fat64", "fat32"]
    case "i386": if v < (10, 4) { return [] }; formats += ["intel", "fat32", "fat"]
    case "ppc64": if v > (10, 5) || v < (10, 4) { return [] }; formats.append("fat64")
    case "ppc": if v > (10, 6) { return [] }; formats += ["fat32", "fat"]
    default: break
    }
    if arch == "arm64" || arch == "x86_64" { formats.append("universal2") }
    if ["x86_64", "i386", "intel", "ppc", "ppc64", "fat32", "fat64"].contains(arch) { formats.append("universal") }
    return formats
  }
}

/// Decides which files fit a ``Target`` and ranks wheels by pip's tag preference.
public struct TagMatcher: Sendable {
  public let target: Target
  private let ranks: [Tag: Int]?
  private let platformSet: Set<String>?
  private let wildcardPlatform: Bool

  public init(target: Target) {
    self.target = target
    let tags = target.supportedTags
    var r: [Tag: Int] = [:]
    if let tags { for (i, t) in tags.enumerated() where r[t] == nil { r[t] = i } }
    ranks = tags == nil ? nil : r
    platformSet = target.expandedPlatforms.map(Set.init)
    wildcardPlatform = target.platforms == nil
  }

  /// The rank of the best tag of a wheel (0 is best); nil when no tag fits the target.
  public func rank(_ tags: [Tag]) -> Int? {
    var best: Int? = nil
    for t in tags {
      guard let r = rank(t) else { continue }
      if best == nil || r < best! { best = r }
    }
    return best
  }

  private func rank(_ t: Tag) -> Int? {
    if let ranks {
      if let r = ranks[t] { return r }
      if wildcardPlatform, t.platform != "any" { return ranks[Tag(t.interpreter, t.abi, "*")] }
      return nil
    }
    // No Python version: only platform and ABI constrain.
    if let platformSet, t.platform != "any", !platformSet.contains(t.platform) { return nil }
    if let abis = target.abis, t.abi != "none", !abis.contains(t.abi) {
      // The stable ABI of the build: abi3t for a free-threaded one, abi3 otherwise.
      let stable = abis.first.map(Target.isFreeThreaded) == true ? "abi3t" : "abi3"
      if t.abi != stable { return nil }
    }
    return 0
  }

  /// Whether a wheel with these tags is installable on the target.
  public func isCompatible(_ tags: [Tag]) -> Bool { target.isUnconstrained || rank(tags) != nil }

  /// The number of supported tags (sdists rank after every wheel tag, as in pip).
  public var sdistRank: Int { ranks?.count ?? 1 }
}

extension StringProtocol {
  /// Without leading and trailing ASCII white space (space, tab, LF, CR, FF, VT), as Python's
  /// `str.strip()` on ASCII text: the one trim of every module.
  public func trimmingASCIIWhitespace() -> String { String(decoding: ASCII.trim(Substring(self).utf8), as: UTF8.self) }
}
