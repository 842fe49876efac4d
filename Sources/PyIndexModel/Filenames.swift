/// A PEP 425 compatibility tag: interpreter, ABI and platform.
public struct Tag: Sendable, Hashable, CustomStringConvertible {
  public let interpreter: String
  public let abi: String
  public let platform: String
  public init(_ interpreter: String, _ abi: String, _ platform: String) {
    self.interpreter = interpreter.lowercased()
    self.abi = abi.lowercased()
    self.platform = platform.lowercased()
  }
  public var description: String { "\(interpreter)-\(abi)-\(platform)" }
}

/// A parsed wheel file name: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
public struct WheelFilename: Sendable, Hashable {
  /// The distribution name as written in the file name.
  public let name: String
  public let version: Version
  /// The version text as written in the file name.
  public let versionText: String
  /// The build tag, split into its leading number and the rest (`1b` → (1, "b")).
  public let build: (number: Int, rest: String)?
  /// Every tag of the expanded compressed tag set (`py2.py3-none-any` gives two).
  public let tags: [Tag]

  public static func == (a: WheelFilename, b: WheelFilename) -> Bool {
    a.name == b.name && a.versionText == b.versionText && a.tags == b.tags && a.build?.number == b.build?.number && a.build?.rest == b.build?.rest
  }
  public func hash(into h: inout Hasher) { h.combine(name); h.combine(versionText); h.combine(tags) }

  /// Parses a wheel file name, or returns nil when `filename` is not a valid one.
  public init?(_ filename: String) {
    guard filename.utf8.count > 4, filename.lowercased().hasSuffix(".whl") else { return nil }
    let stem = filename.dropLast(4)
    let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 5 || parts.count == 6 else { return nil }
    let name = parts[0]
    guard !name.isEmpty, name.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) else { return nil }
    guard let version = Version.parse(String(parts[1])) else { return nil }
    var build: (Int, String)? = nil
    if parts.count == 6 {
      let b = parts[2]
      let digits = b.prefix(while: { $0.isASCII && $0.isNumber })
      guard !digits.isEmpty, let n = Int(digits) else { return nil }
      build = (n, String(b.dropFirst(digits.count)))
    }
    let py = parts[parts.count - 3], abi = parts[parts.count - 2], plat = parts[parts.count - 1]
    guard !py.isEmpty, !abi.isEmpty, !plat.isEmpty else { return nil }
    var tags: [Tag] = []
    for p in py.split(separator: ".") { for a in abi.split(separator: ".") { for q in plat.split(separator: ".") { tags.append(Tag(String(p), String(a), String(q))) } } }
    guard !tags.isEmpty else { return nil }
    self.name = String(name)
    self.version = version
    self.versionText = String(parts[1])
    self.build = build
    self.tags = tags
  }
}

/// A parsed source distribution file name: `{name}-{version}{.tar.gz|.zip|...}`.
public struct SdistFilename: Sendable, Hashable {
  /// The archive extensions pip accepts for source distributions.
  public static let extensions = [".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma", ".tar", ".zip"]

  public let name: String
  public let version: Version
  public let versionText: String
  public let `extension`: String

  /// Parses an sdist name for `project`, splitting at the first `-` where the text before it
  /// normalises to the project's name (so `aws-adfs-ebsco-0.3.6-2.tar.gz` reads right).
  /// Returns nil for other archives, another project's file or an invalid version.
  public init?(_ filename: String, project: ProjectName) {
    let lower = filename.lowercased()
    guard let ext = SdistFilename.extensions.first(where: { lower.hasSuffix($0) }) else { return nil }
    let stem = filename.dropLast(ext.count)
    var idx = stem.startIndex
    while let dash = stem[idx...].firstIndex(of: "-") {
      if ProjectName.normalize(String(stem[..<dash])) == project.normalized {
        let versionText = String(stem[stem.index(after: dash)...])
        guard let version = Version.parse(versionText) else { return nil }
        self.name = String(stem[..<dash])
        self.version = version
        self.versionText = versionText
        self.extension = ext
        return
      }
      idx = stem.index(after: dash)
    }
    return nil
  }
}

/// What kind of distribution a file is, once its name has been read for a project.
public enum DistributionKind: Sendable, Hashable {
  case wheel(WheelFilename)
  case sdist(SdistFilename)

  /// Reads `filename` as a distribution of `project`; nil for anything else (wrong project,
  /// unsupported archive, invalid version), which callers skip rather than mis-read.
  public init?(filename: String, project: ProjectName) {
    if let w = WheelFilename(filename) {
      guard ProjectName.normalize(w.name) == project.normalized else { return nil }
      self = .wheel(w)
    } else if let s = SdistFilename(filename, project: project) {
      self = .sdist(s)
    } else {
      return nil
    }
  }

  public var version: Version {
    switch self { case .wheel(let w): w.version; case .sdist(let s): s.version }
  }

  public var isWheel: Bool { if case .wheel = self { true } else { false } }
}
