/// A PEP 425 compatibility tag: interpreter, ABI and platform.
public struct Tag: Sendable, Hashable, CustomStringConvertible {
  public let interpreter: String
  public let abi: String
  public let platform: String
  public init(_ interpreter: String, _ abi: String, _ platform: String) {
    self.interpreter = interpreter.asciiLowercased()
    self.abi = abi.asciiLowercased()
    self.platform = platform.asciiLowercased()
  }
  public var description: String { "\(interpreter)-\(abi)-\(platform)" }
}

/// A parsed wheel file name: `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`.
///
/// Parsing allocates almost nothing: the name and tags are read from the file name when asked.
public struct WheelFilename: Sendable, Hashable {
  private let nameText: Substring
  private let versionSubstring: Substring
  private let tagText: Substring
  public let version: Version
  /// The build tag, split into its leading number and the rest (`1b` → (1, "b")).
  public let build: (number: Int, rest: String)?

  /// The distribution name as written in the file name.
  public var name: String { String(nameText) }
  /// The version text as written in the file name.
  public var versionText: String { String(versionSubstring) }

  /// Every tag of the expanded compressed tag set (`py2.py3-none-any` gives two).
  public var tags: [Tag] {
    let parts = tagText.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    let dot = UInt8(ascii: ".")
    var out: [Tag] = []
    for p in parts[0].split(separator: dot) {
      for a in parts[1].split(separator: dot) {
        for q in parts[2].split(separator: dot) { out.append(Tag(String(Substring(p)), String(Substring(a)), String(Substring(q)))) }
      }
    }
    return out
  }

  /// Whether the name part normalises to `project`'s name.
  public func belongs(to project: ProjectName) -> Bool { ProjectName.matches(nameText, normalized: project.normalized) }

  public static func == (a: WheelFilename, b: WheelFilename) -> Bool {
    a.nameText == b.nameText && a.versionSubstring == b.versionSubstring && a.tagText == b.tagText && a.build?.number == b.build?.number && a.build?.rest == b.build?.rest
  }
  public func hash(into h: inout Hasher) { h.combine(nameText); h.combine(versionSubstring); h.combine(tagText) }

  /// Parses a wheel file name, or returns nil when `filename` is not a valid one.
  public init?(_ filename: String) { self.init(Substring(filename)) }

  /// Parses a wheel file name held in part of a larger string (a link), without copying it.
  public init?(_ filename: Substring) {
    guard filename.utf8.count > 4, filename.hasASCIISuffixIgnoringCase(".whl") else { return nil }
    let u = filename.utf8
    let stemEnd = u.index(u.endIndex, offsetBy: -4)
    // Up to five dash positions, kept inline (no heap array per file name).
    var slots: (String.Index, String.Index, String.Index, String.Index, String.Index) = (stemEnd, stemEnd, stemEnd, stemEnd, stemEnd)
    var count = 0
    var i = u.startIndex
    while i < stemEnd {
      if u[i] == UInt8(ascii: "-") {
        switch count {
        case 0: slots.0 = i
        case 1: slots.1 = i
        case 2: slots.2 = i
        case 3: slots.3 = i
        case 4: slots.4 = i
        default: return nil
        }
        count += 1
      }
      i = u.index(after: i)
    }
    guard count == 4 || count == 5 else { return nil }
    let dashes = DashPositions(slots: slots, count: count)
    func piece(_ from: String.Index?, _ to: String.Index) -> Substring {
      filename[(from.map { u.index(after: $0) } ?? u.startIndex)..<to]
    }
    let name = piece(nil, dashes[0])
    guard !name.isEmpty, name.utf8.allSatisfy({ ASCII.isLetter($0) || ASCII.isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }) else { return nil }
    let versionPart = piece(dashes[0], dashes[1])
    guard let version = Version.parse(versionPart) else { return nil }
    var build: (Int, String)? = nil
    if dashes.count == 5 {
      let b = piece(dashes[1], dashes[2])
      let digits = b.utf8.prefix(while: { $0 >= 0x30 && $0 <= 0x39 })
      guard !digits.isEmpty, let n = Int(Substring(digits)) else { return nil }
      build = (n, String(b[digits.endIndex...]))
    }
    let n = dashes.count
    // python, abi and platform parts must each name at least one tag (not empty, not only dots)
    func named(_ p: Substring) -> Bool { p.utf8.contains { $0 != UInt8(ascii: ".") } }
    guard named(piece(dashes[n - 3], dashes[n - 2])), named(piece(dashes[n - 2], dashes[n - 1])), named(piece(dashes[n - 1], stemEnd)) else { return nil }
    let tags = piece(dashes[n - 3], stemEnd)
    self.nameText = name
    self.versionSubstring = versionPart
    self.tagText = tags
    self.version = version
    self.build = build
  }
}

/// The dash positions of a wheel name, indexed like an array.
private struct DashPositions {
  let slots: (String.Index, String.Index, String.Index, String.Index, String.Index)
  let count: Int
  subscript(_ k: Int) -> String.Index {
    switch k {
    case 0: slots.0
    case 1: slots.1
    case 2: slots.2
    case 3: slots.3
    default: slots.4
    }
  }
}

/// A parsed source distribution file name: `{name}-{version}{.tar.gz|.zip|...}`.
public struct SdistFilename: Sendable, Hashable {
  /// The archive extensions pip accepts for source distributions.
  public static let extensions: [StaticString] = [".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma", ".tar", ".zip"]

  /// The archive extension `filename` ends with, ASCII case-insensitively.
  public static func archiveExtension(of filename: some StringProtocol) -> StaticString? {
    extensions.first { filename.hasASCIISuffixIgnoringCase($0) }
  }

  public let name: String
  public let version: Version
  public let versionText: String
  public let `extension`: String

  /// Parses an sdist name for `project`, splitting at the first `-` where the text before it
  /// normalises to the project's name (so `aws-adfs-ebsco-0.3.6-2.tar.gz` reads right).
  /// Returns nil for other archives, another project's file or an invalid version.
  public init?(_ filename: String, project: ProjectName) { self.init(Substring(filename), project: project) }

  /// Parses an sdist name held in part of a larger string, without copying it.
  public init?(_ filename: Substring, project: ProjectName) {
    guard let ext = SdistFilename.archiveExtension(of: filename) else { return nil }
    let stem = filename[..<filename.utf8.index(filename.utf8.endIndex, offsetBy: -ext.utf8CodeUnitCount)]
    var idx = stem.startIndex
    while let dash = stem.utf8[idx...].firstIndex(of: UInt8(ascii: "-")) {
      if ProjectName.matches(stem[..<dash], normalized: project.normalized) {
        let versionPart = stem[stem.utf8.index(after: dash)...]
        guard let version = Version.parse(versionPart) else { return nil }
        let versionText = String(versionPart)
        self.name = String(stem[..<dash])
        self.version = version
        self.versionText = versionText
        self.extension = ext.description
        return
      }
      idx = stem.utf8.index(after: dash)
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
  public init?(filename: String, project: ProjectName) { self.init(filename: Substring(filename), project: project) }

  /// Reads a file name held in part of a larger string (see ``DistributionFile/filenameText``).
  public init?(filename: Substring, project: ProjectName) {
    if let w = WheelFilename(filename) {
      guard w.belongs(to: project) else { return nil }
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
