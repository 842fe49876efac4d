/// A project name as PEP 503 defines it: the name a user typed, and its normalised form.
///
/// Normalisation lower-cases the name and collapses every run of `-`, `_` and `.` into a
/// single `-`; the normalised form is what index URLs and comparisons use, the typed form
/// is what output echoes (as pip does).
public struct ProjectName: Hashable, Sendable, CustomStringConvertible {
  /// The name exactly as given.
  public let typed: String
  /// The PEP 503 normalised name (`Foo.Bar_baz` → `foo-bar-baz`).
  public let normalized: String

  /// Validates `name` against the PEP 508 name rule and normalises it.
  /// - Throws: ``ModelError/invalidProjectName(_:)`` when the name is empty, has characters
  ///   other than ASCII letters, digits, `-`, `_`, `.`, or starts or ends with a separator.
  public init(_ name: String) throws(ModelError) {
    guard ProjectName.isValid(name) else { throw .invalidProjectName(name) }
    typed = name
    normalized = ProjectName.normalize(name)
  }

  /// Whether `name` is a valid distribution name: `^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])\Z`, case-insensitively.
  public static func isValid(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard let first = bytes.first, let last = bytes.last else { return false }
    func alnum(_ c: UInt8) -> Bool { ASCII.isDigit(c) || ASCII.isLetter(c) }
    guard alnum(first), alnum(last) else { return false }
    return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
  }

  /// PEP 503 normalisation of any string: lower-case, runs of `-_.` become `-`.
  public static func normalize(_ name: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(name.utf8.count)
    var inSeparator = false
    for c in name.utf8 {
      if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") {
        if !inSeparator { out.append(UInt8(ascii: "-")) }
        inSeparator = true
      } else {
        out.append(ASCII.lower(c))
        inSeparator = false
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  public var description: String { typed }

  /// Whether `name` normalises to `normalized`, compared byte by byte without allocating.
  public static func matches(_ name: Substring, normalized: String) -> Bool {
    var target = normalized.utf8.makeIterator()
    var inSeparator = false
    for c in name.utf8 {
      if c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") {
        if !inSeparator { guard target.next() == UInt8(ascii: "-") else { return false } }
        inSeparator = true
      } else {
        guard target.next() == ASCII.lower(c) else { return false }
        inSeparator = false
      }
    }
    return target.next() == nil
  }
}

/// Small ASCII helpers shared by the byte-level parsers of this module.
enum ASCII {
  @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
  @inline(__always) static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }
  @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0C || c == 0x0B }

  static func trim(_ s: Substring.UTF8View) -> Substring.UTF8View {
    var start = s.startIndex, end = s.endIndex
    while start < end, isSpace(s[start]) { start = s.index(after: start) }
    while end > start, isSpace(s[s.index(before: end)]) { end = s.index(before: end) }
    return s[start..<end]
  }
}

/// Byte-level string helpers for the per-link hot paths (no grapheme breaking, no allocation).
extension StringProtocol {
  /// Whether the string ends with `suffix`, ASCII case-insensitively (`suffix` is lower-case).
  @inlinable
  public func hasASCIISuffixIgnoringCase(_ suffix: StaticString) -> Bool {
    let n = suffix.utf8CodeUnitCount
    let u = utf8
    guard u.count >= n else { return false }
    var i = u.index(u.endIndex, offsetBy: -n)
    let p = suffix.utf8Start
    for k in 0..<n {
      var c = u[i]
      if c >= 0x41 && c <= 0x5A { c += 32 }
      if c != p[k] { return false }
      i = u.index(after: i)
    }
    return true
  }

  /// The string lower-cased if it holds upper-case ASCII, else itself (no allocation).
  @inlinable
  public func asciiLowercased() -> String {
    if utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) {
      return String(decoding: utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 32 : $0 }, as: UTF8.self)
    }
    return String(self)
  }
}
