/// A set of a project's known versions, as bits over its version list (newest first).
///
/// A project's versions are known in full once its page is read, so every set the solver
/// needs — what a specifier allows, what a conflict excludes, their complements — is a finite
/// set over that list, and every set operation is a few word operations.
public struct VersionSet: Sendable, Hashable {
  /// How many versions the project has.
  public let count: Int
  private var words: [UInt64]

  /// The empty set over `count` versions.
  public init(empty count: Int) {
    self.count = count
    words = Array(repeating: 0, count: (count + 63) / 64)
  }

  /// Every one of `count` versions.
  public init(full count: Int) {
    self.init(empty: count)
    for i in 0..<count { insert(i) }
  }

  /// The versions at these indexes.
  public init(count: Int, indexes: some Sequence<Int>) {
    self.init(empty: count)
    for i in indexes where i >= 0 && i < count { insert(i) }
  }

  public mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }
  public func contains(_ i: Int) -> Bool { i >= 0 && i < count && words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
  public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }
  public var isFull: Bool { elementCount == count }
  public var elementCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

  /// The lowest index in the set: the newest version it holds.
  public var first: Int? {
    for (w, word) in words.enumerated() where word != 0 { return w * 64 + word.trailingZeroBitCount }
    return nil
  }

  /// The indexes, lowest (newest) first.
  public var indexes: [Int] { (0..<count).filter(contains) }

  public func intersection(_ other: VersionSet) -> VersionSet { combine(other) { $0 & $1 } }
  public func union(_ other: VersionSet) -> VersionSet { combine(other) { $0 | $1 } }
  public func subtracting(_ other: VersionSet) -> VersionSet { combine(other) { $0 & ~$1 } }
  public var complement: VersionSet { VersionSet(full: count).subtracting(self) }
  public func isSubset(of other: VersionSet) -> Bool { subtracting(other).isEmpty }

  private func combine(_ other: VersionSet, _ op: (UInt64, UInt64) -> UInt64) -> VersionSet {
    precondition(count == other.count, "version sets of different projects")
    var out = self
    for i in words.indices { out.words[i] = op(words[i], other.words[i]) }
    return out
  }
}

/// A package the solver decides: a project, or one of its extras (`pkg[extra]`, which pins the
/// project to its own version and adds the extra's dependencies), or the root (what the user
/// asked for).
public struct Package: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The normalized project name; "" for the root.
  public let project: String
  /// The normalized extra, for `pkg[extra]`.
  public let extra: String?

  public init(project: String, extra: String? = nil) {
    (self.project, self.extra) = (project, extra)
  }

  public static let root = Package(project: "")
  public var isRoot: Bool { project.isEmpty }
  /// The project itself, without the extra.
  public var base: Package { Package(project: project) }

  public var description: String { isRoot ? "the requirements" : extra.map { "\(project)[\($0)]" } ?? project }

  public static func < (a: Package, b: Package) -> Bool { (a.project, a.extra ?? "") < (b.project, b.extra ?? "") }
}

/// A statement about one package (PubGrub's term): `positive` — it is selected, at a version of
/// `set`; negative — it is not selected at any version of `set` (it may be absent).
public struct Term: Sendable, Hashable {
  public let package: Package
  public let positive: Bool
  public let set: VersionSet

  public init(_ package: Package, positive: Bool, _ set: VersionSet) {
    (self.package, self.positive, self.set) = (package, positive, set)
  }

  public var negated: Term { Term(package, positive: !positive, set) }

  /// The versions it allows (for a negative term: those not excluded).
  var allowed: VersionSet { positive ? set : set.complement }

  /// Both at once.
  func intersection(_ other: Term) -> Term {
    switch (positive, other.positive) {
    case (true, true): Term(package, positive: true, set.intersection(other.set))
    case (true, false): Term(package, positive: true, set.subtracting(other.set))
    case (false, true): Term(package, positive: true, other.set.subtracting(set))
    case (false, false): Term(package, positive: false, set.union(other.set))
    }
  }

  /// Whether every way of meeting `self` meets `other`.
  func satisfies(_ other: Term) -> Bool {
    switch (positive, other.positive) {
    case (true, true): set.isSubset(of: other.set)
    case (true, false): set.intersection(other.set).isEmpty
    case (false, true): false
    case (false, false): other.set.isSubset(of: set)
    }
  }

  /// Whether no way of meeting `self` meets `other`.
  func contradicts(_ other: Term) -> Bool {
    let both = intersection(other)
    return both.positive && both.set.isEmpty
  }
}
