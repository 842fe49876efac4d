/// A PEP 440 version: epoch, release, pre-, post- and dev-release, local label.
///
/// Parsing accepts everything the PEP's permissive grammar accepts (leading `v`, upper case,
/// `-`/`_`/`.` separators, implicit post releases `1.0-1`, spelled-out pre-release labels,
/// surrounding whitespace). ``description`` is the normalised form, and `==`, `<` and
/// hashing follow PEP 440 ordering (`1.0 == 1.0.0`, `1.0.dev0 < 1.0a0 < 1.0 < 1.0.post0`).
public struct Version: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Pre-release kinds, in PEP 440 order.
  public enum PreKind: Int, Sendable, Comparable {
    case alpha = 0, beta = 1, rc = 2
    public static func < (a: PreKind, b: PreKind) -> Bool { a.rawValue < b.rawValue }
    var label: String { switch self { case .alpha: "a"; case .beta: "b"; case .rc: "rc" } }
  }

  /// One dot-separated part of a local version label.
  public enum LocalSegment: Sendable, Hashable, Comparable {
    case number(Int)
    case text(String)
    /// Alphanumeric segments sort before numeric ones, as in PEP 440.
    public static func < (a: LocalSegment, b: LocalSegment) -> Bool {
      switch (a, b) {
      case (.number(let x), .number(let y)): x < y
      case (.text(let x), .text(let y)): x < y
      case (.text, .number): true
      case (.number, .text): false
      }
    }
  }

  public let epoch: Int
  public let release: [Int]
  public let pre: (kind: PreKind, number: Int)?
  public let post: Int?
  public let dev: Int?
  public let local: [LocalSegment]?

  /// Parses a PEP 440 version string.
  /// - Throws: ``ModelError/invalidVersion(_:)``.
  public init(_ string: String) throws(ModelError) {
    guard let v = Version.parse(string) else { throw .invalidVersion(string) }
    self = v
  }

  /// Builds a version from its parts (used for the versions a target names, e.g. `3.12`).
  public init(epoch: Int = 0, release: [Int], pre: (kind: PreKind, number: Int)? = nil, post: Int? = nil, dev: Int? = nil, local: [LocalSegment]? = nil) {
    (self.epoch, self.release, self.pre) = (epoch, release, pre)
    (self.post, self.dev, self.local) = (post, dev, local)
  }

  /// Parses a PEP 440 version string, or returns `nil` when it is not one.
  public static func parse(_ string: String) -> Version? {
    parse(Substring(string))
  }

  /// Parses a PEP 440 version held in part of a larger string (a file name).
  public static func parse(_ text: Substring) -> Version? {
    if let plain = plainRelease(text.utf8) { return plain }
    var parser = VersionParser(Array(text.utf8))
    return parser.parse()
  }

  /// `1.2.3` and the like, without the general parser: most versions on real pages.
  private static func plainRelease(_ u: Substring.UTF8View) -> Version? {
    var release: [Int] = []
    release.reserveCapacity(4)
    var current = 0, digits = 0
    for c in u {
      if c >= 0x30 && c <= 0x39 {
        guard digits < 18 else { return nil }
        current = current * 10 + Int(c - 0x30)
        digits += 1
      } else if c == UInt8(ascii: ".") {
        guard digits > 0 else { return nil }
        release.append(current)
        current = 0
        digits = 0
      } else {
        return nil
      }
    }
    guard digits > 0 else { return nil }
    release.append(current)
    return Version(release: release)
  }

  /// Whether this is a pre-release or a dev release (`1.0a1`, `1.0.dev0`).
  public var isPrerelease: Bool { pre != nil || dev != nil }
  /// Whether this is a post-release.
  public var isPostrelease: Bool { post != nil }
  /// The version without its local label.
  public var publicVersion: Version { Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: nil) }
  /// Epoch and release only (`1!2.0rc1+x` → `1!2.0`).
  public var baseVersion: Version { Version(epoch: epoch, release: release) }

  public var description: String {
    var s = epoch != 0 ? "\(epoch)!" : ""
    s += release.map(String.init).joined(separator: ".")
    if let pre { s += "\(pre.kind.label)\(pre.number)" }
    if let post { s += ".post\(post)" }
    if let dev { s += ".dev\(dev)" }
    if let local {
      s += "+" + local.map { seg in
        switch seg { case .number(let n): String(n); case .text(let t): t }
      }.joined(separator: ".")
    }
    return s
  }

  // MARK: Ordering (PEP 440 / packaging's comparison key)

  /// The release with trailing zeros removed, so that `1.0 == 1.0.0`.
  private var trimmedRelease: ArraySlice<Int> {
    var end = release.count
    while end > 0, release[end - 1] == 0 { end -= 1 }
    return release[0..<end]
  }

  /// Pre-release position: a dev-only release sorts before every pre-release of its release,
  /// and a final release after them.
  private var preKey: (Int, Int, Int) {
    if let pre { return (1, pre.kind.rawValue, pre.number) }
    if post == nil, dev != nil { return (0, 0, 0) }
    return (2, 0, 0)
  }

  public static func == (a: Version, b: Version) -> Bool {
    a.epoch == b.epoch && a.trimmedRelease.elementsEqual(b.trimmedRelease) && a.preKey == b.preKey
      && a.post == b.post && a.dev == b.dev && a.local == b.local
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(epoch)
    for r in trimmedRelease { hasher.combine(r) }
    hasher.combine(preKey.0); hasher.combine(preKey.1); hasher.combine(preKey.2)
    hasher.combine(post); hasher.combine(dev); hasher.combine(local)
  }

  public static func < (a: Version, b: Version) -> Bool {
    if a.epoch != b.epoch { return a.epoch < b.epoch }
    let ra = a.trimmedRelease, rb = b.trimmedRelease
    for (x, y) in zip(ra, rb) where x != y { return x < y }
    if ra.count != rb.count { return ra.count < rb.count }
    if a.preKey != b.preKey { return a.preKey < b.preKey }
    if a.post != b.post {  // no post sorts first
      guard let pa = a.post else { return true }
      guard let pb = b.post else { return false }
      return pa < pb
    }
    if a.dev != b.dev {  // no dev sorts last
      guard let da = a.dev else { return false }
      guard let db = b.dev else { return true }
      return da < db
    }
    switch (a.local, b.local) {
    case (nil, nil): return false
    case (nil, _): return true
    case (_, nil): return false
    case (let la?, let lb?):
      for (x, y) in zip(la, lb) where x != y { return x < y }
      return la.count < lb.count
    }
  }
}

/// A hand-written matcher for PEP 440's canonical regular expression, with the same
/// backtracking where an optional separator could belong to two parts.
struct VersionParser {
  private let b: [UInt8]
  init(_ bytes: [UInt8]) {
    var s = 0, e = bytes.count
    while s < e, ASCII.isSpace(bytes[s]) { s += 1 }
    while e > s, ASCII.isSpace(bytes[e - 1]) { e -= 1 }
    b = bytes[s..<e].map(ASCII.lower)
  }

  private func at(_ i: Int) -> UInt8? { i < b.count ? b[i] : nil }
  private func isSep(_ i: Int) -> Bool { guard let c = at(i) else { return false }; return c == 0x2D || c == 0x5F || c == 0x2E }

  /// Reads digits at `i`; returns the value and the index after them.
  private func number(_ i: Int) -> (Int, Int)? {
    var j = i, v = 0
    while let c = at(j), ASCII.isDigit(c) {
      let (m, o1) = v.multipliedReportingOverflow(by: 10)
      let (n, o2) = m.addingReportingOverflow(Int(c - 0x30))
      if o1 || o2 { return nil }
      v = n; j += 1
    }
    return j > i ? (v, j) : nil
  }

  private func word(_ i: Int, _ w: StaticString) -> Int? {
    let n = w.utf8CodeUnitCount
    guard i + n <= b.count else { return nil }
    let p = w.utf8Start
    for k in 0..<n where b[i + k] != p[k] { return nil }
    return i + n
  }

  /// `[-_.]? number?` after a label, greedy, as the regex does.
  private func optionalNumber(_ i: Int) -> [(Int?, Int)] {
    var options: [(Int?, Int)] = []
    if isSep(i) {
      if let (n, j) = number(i + 1) { options.append((n, j)) }
      options.append((nil, i + 1))
    }
    if let (n, j) = number(i) { options.append((n, j)) }
    options.append((nil, i))
    return options
  }

  mutating func parse() -> Version? {
    var i = 0
    if at(0) == UInt8(ascii: "v") { i = 1 }
    var epoch = 0
    if let (n, j) = number(i), at(j) == UInt8(ascii: "!") { epoch = n; i = j + 1 }
    var release: [Int] = []
    guard let (first, j0) = number(i) else { return nil }
    release.append(first); i = j0
    while at(i) == UInt8(ascii: "."), let (n, j) = number(i + 1) { release.append(n); i = j }
    // pre → post → dev → local → end, trying alternatives in the regex's order.
    for (pre, i1) in preOptions(i) {
      for (post, i2) in postOptions(i1) {
        for (dev, i3) in devOptions(i2) {
          if let (local, i4) = localPart(i3), i4 == b.count {
            return Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
          }
        }
      }
    }
    return nil
  }

  private func preOptions(_ i: Int) -> [((kind: Version.PreKind, number: Int)?, Int)] {
    var out: [((kind: Version.PreKind, number: Int)?, Int)] = []
    for start in isSep(i) ? [i + 1, i] : [i] {
      let labels: [(StaticString, Version.PreKind)] = [
        ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta), ("preview", .rc), ("pre", .rc), ("c", .rc), ("rc", .rc),
      ]
      for (w, kind) in labels {
        guard let j = word(start, w) else { continue }
        for (n, k) in optionalNumber(j) { out.append(((kind, n ?? 0), k)) }
      }
    }
    out.append((nil, i))
    return out
  }

  private func postOptions(_ i: Int) -> [(Int?, Int)] {
    var out: [(Int?, Int)] = []
    if at(i) == UInt8(ascii: "-"), let (n, j) = number(i + 1) { out.append((n, j)) }
    for start in isSep(i) ? [i + 1, i] : [i] {
      for w: StaticString in ["post", "rev", "r"] {
        guard let j = word(start, w) else { continue }
        for (n, k) in optionalNumber(j) { out.append((n ?? 0, k)) }
      }
    }
    out.append((nil, i))
    return out
  }

  private func devOptions(_ i: Int) -> [(Int?, Int)] {
    var out: [(Int?, Int)] = []
    for start in isSep(i) ? [i + 1, i] : [i] {
      guard let j = word(start, "dev") else { continue }
      for (n, k) in optionalNumber(j) { out.append((n ?? 0, k)) }
    }
    out.append((nil, i))
    return out
  }

  private func localPart(_ i: Int) -> ([Version.LocalSegment]?, Int)? {
    guard at(i) == UInt8(ascii: "+") else { return (nil, i) }
    var segments: [Version.LocalSegment] = []
    var j = i + 1
    while true {
      let s = j
      while let c = at(j), ASCII.isDigit(c) || ASCII.isLetter(c) { j += 1 }
      guard j > s else { return nil }
      let text = String(decoding: b[s..<j], as: UTF8.self)
      if b[s..<j].allSatisfy(ASCII.isDigit), let n = Int(text) { segments.append(.number(n)) } else { segments.append(.text(text)) }
      if isSep(j), j + 1 < b.count { j += 1 } else { break }
    }
    return (segments, j)
  }
}
