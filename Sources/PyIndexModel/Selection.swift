/// Why a file on a page does not count for a target.
public enum Exclusion: Error, Sendable, Hashable {
  case notADistribution
  case yanked(reason: String)
  case requiresPython(String)
  case incompatibleTags([Tag])
  case binaryNotAllowed
  case sourceNotAllowed
}

/// pip's `--only-binary` / `--no-binary` control.
public struct FormatControl: Sendable, Hashable {
  /// Normalised names, or `:all:`.
  public var onlyBinary: Set<String> = []
  public var noBinary: Set<String> = []
  public init() {}

  /// Applies one `--only-binary` or `--no-binary` value as pip does (`:all:`, `:none:`, names).
  public mutating func add(_ value: String, onlyBinary isOnly: Bool) {
    for raw in value.split(separator: ",") {
      let item = String(raw).trimmingASCIIWhitespace()
      var (target, other) = isOnly ? (onlyBinary, noBinary) : (noBinary, onlyBinary)
      if item == ":all:" { target = [":all:"]; other = [] }
      else if item == ":none:" { target = [] }
      else { let n = ProjectName.normalize(item); target.insert(n); other.remove(n) }
      if isOnly { onlyBinary = target; noBinary = other } else { noBinary = target; onlyBinary = other }
    }
  }

  public func allowsSource(_ project: ProjectName) -> Bool {
    !(onlyBinary.contains(":all:") || onlyBinary.contains(project.normalized)) || noBinary.contains(project.normalized)
  }
  public func allowsBinary(_ project: ProjectName) -> Bool {
    !(noBinary.contains(":all:") || noBinary.contains(project.normalized)) || onlyBinary.contains(project.normalized)
  }
}

/// A file that counts for a project and target.
public struct Candidate: Sendable, Hashable {
  public let file: DistributionFile
  public let kind: DistributionKind
  public var version: Version { kind.version }
  /// Tag preference, lower is better; sdists after every wheel.
  public let tagRank: Int
}

/// Evaluates a page's files for one project and target, as pip's LinkEvaluator does.
public struct CandidateEvaluator: Sendable {
  public let project: ProjectName
  public let matcher: TagMatcher
  public let formats: FormatControl
  public let ignoreRequiresPython: Bool
  private let python: Version?

  public init(project: ProjectName, target: Target, formats: FormatControl = .init(), ignoreRequiresPython: Bool = false) {
    self.init(project: project, matcher: TagMatcher(target: target), formats: formats, ignoreRequiresPython: ignoreRequiresPython)
  }

  /// With a matcher built once for many projects (building one ranks every supported tag).
  public init(project: ProjectName, matcher: TagMatcher, formats: FormatControl = .init(), ignoreRequiresPython: Bool = false) {
    let target = matcher.target
    self.project = project
    self.matcher = matcher
    self.formats = formats
    self.ignoreRequiresPython = ignoreRequiresPython
    self.python = target.pythonVersionForRequiresPython
  }

  /// The candidate for `file`, or why it does not count. Yanked files are returned as
  /// candidates (callers decide: listings drop them, exact pins may take them).
  public func evaluate(_ file: DistributionFile) -> Result<Candidate, Exclusion> {
    switch judge(file) {
    case .success(let (kind, rank)): .success(Candidate(file: file, kind: kind, tagRank: rank))
    case .failure(let e): .failure(e)
    }
  }

  /// The version `file` contributes to a listing, or nil (yanked, or it does not count).
  public func listedVersion(_ file: DistributionFile) -> Version? {
    guard file.yanked == nil, case .success(let (kind, _)) = judge(file) else { return nil }
    return kind.version
  }

  /// What kind of distribution `file` is and how well its tags rank, or why it does not count.
  private func judge(_ file: DistributionFile) -> Result<(DistributionKind, Int), Exclusion> {
    guard let kind = DistributionKind(filename: file.filenameText, project: project) else { return .failure(.notADistribution) }
    var rank: Int
    switch kind {
    case .wheel(let w):
      guard formats.allowsBinary(project) else { return .failure(.binaryNotAllowed) }
      if matcher.target.isUnconstrained { rank = 0 } else {
        guard let r = matcher.rank(w.tags) else { return .failure(.incompatibleTags(w.tags)) }
        rank = r
      }
    case .sdist:
      guard formats.allowsSource(project) else { return .failure(.sourceNotAllowed) }
      rank = matcher.sdistRank
    }
    if !ignoreRequiresPython, let python, let rp = file.requiresPython, let spec = try? SpecifierSet(rp) {
      // An invalid Requires-Python is ignored, as pip does.
      if !spec.contains(python) { return .failure(.requiresPython(rp)) }
    }
    return .success((kind, rank))
  }
}

/// Collects what `index versions` prints, file by file, in constant memory per version.
public struct VersionCollector: Sendable {
  public let evaluator: CandidateEvaluator
  public let includePrereleases: Bool
  /// Each version once (by PEP 440 equality), with the text of its first occurrence.
  public private(set) var versions: Set<Version> = []

  public init(evaluator: CandidateEvaluator, includePrereleases: Bool) {
    self.evaluator = evaluator
    self.includePrereleases = includePrereleases
  }

  /// The most distinct versions kept (PyPI's largest projects have a few tens of thousands):
  /// a hostile page of millions stops at this bound instead of taking gigabytes.
  public static let limit = 200_000
  /// Whether a page held more distinct versions than ``limit``.
  public private(set) var overflowed = false

  public mutating func add(_ file: DistributionFile) {
    guard let version = evaluator.listedVersion(file) else { return }
    if !includePrereleases && version.isPrerelease { return }
    if versions.count >= VersionCollector.limit, !versions.contains(version) {
      overflowed = true
      return
    }
    versions.insert(version)
  }

  /// Newest first.
  public var sorted: [Version] { versions.sorted(by: >) }
}

/// Picks the file pip would download for a requirement from a set of candidates.
public struct CandidateSelector: Sendable {
  public let specifier: SpecifierSet
  public let allowPrereleases: Bool
  public init(specifier: SpecifierSet, allowPrereleases: Bool) {
    self.specifier = specifier
    self.allowPrereleases = allowPrereleases
  }

  /// Whether the requirement pins one version exactly (`==1.0` or `===1.0`): only then may a
  /// yanked file be chosen (PEP 592).
  public var isExactPin: Bool { specifier.isExactPin }

  /// The best candidate: the newest allowed version, then not yanked, then the best tag,
  /// then the highest build tag; nil when none fits.
  public func best(from candidates: [Candidate]) -> Candidate? {
    let usable = candidates.filter { $0.file.yanked == nil || isExactPin }
    let allowed = Set(specifier.filter(Array(Set(usable.map(\.version))), prereleases: allowPrereleases))
    return usable.filter { allowed.contains($0.version) }.max { a, b in
      let ya = a.file.yanked == nil ? 0 : -1, yb = b.file.yanked == nil ? 0 : -1
      if ya != yb { return ya < yb }
      if a.version != b.version { return a.version < b.version }
      if a.tagRank != b.tagRank { return a.tagRank > b.tagRank }
      let ba = a.buildTag, bb = b.buildTag
      if ba.0 != bb.0 { return ba.0 < bb.0 }
      return ba.1 < bb.1
    }
  }
}

extension Candidate {
  var buildTag: (Int, String) {
    if case .wheel(let w) = kind, let b = w.build { return (b.number, b.rest) }
    return (-1, "")
  }
}
