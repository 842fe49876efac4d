/// A PEP 508 requirement: `name[extra,...] (specifiers) ; marker` or `name @ url`.
///
/// Markers are kept as text for now; evaluating them for a target comes with the
/// resolver (see the README).
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
  public let name: ProjectName
  public private(set) var extras: [String]
  public private(set) var specifier: SpecifierSet
  /// The direct URL of `name @ URL`, parsed (its userinfo kept apart).
  public let url: SafeURL?
  public let marker: String?
  /// The requirement as written.
  public let text: String

  /// Parses a requirement.
  /// - Throws: ``ModelError/invalidRequirement(_:reason:)`` saying what is wrong.
  public init(_ text: String) throws(ModelError) {
    self.text = text
    var rest = Substring(text.trimmingASCIIWhitespace())
    var marker: String? = nil
    if let semi = rest.firstIndex(of: ";") {
      let m = rest[rest.index(after: semi)...].trimmingASCIIWhitespace()
      guard !m.isEmpty else { throw .invalidRequirement(text, reason: "empty marker after ';'") }
      do { _ = try Marker(m) } catch { throw .invalidRequirement(text, reason: "invalid marker '\(m)'" + (error.description.split(separator: ":").last.map { ":" + $0 } ?? "")) }
      marker = m
      rest = rest[..<semi]
    }
    let nameEnd = rest.firstIndex(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".")) }) ?? rest.endIndex
    let nameText = String(rest[..<nameEnd])
    guard !nameText.isEmpty else { throw .invalidRequirement(text, reason: "expected a project name") }
    do { name = try ProjectName(nameText) } catch { throw .invalidRequirement(text, reason: "'\(nameText)' is not a valid project name") }
    rest = rest[nameEnd...]
    rest = rest.drop(while: { $0 == " " || $0 == "\t" })
    var extras: [String] = []
    if rest.first == "[" {
      guard let close = rest.firstIndex(of: "]") else { throw .invalidRequirement(text, reason: "unclosed '['") }
      for e in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
        let x = e.trimmingASCIIWhitespace()
        guard ProjectName.isValid(x) else { throw .invalidRequirement(text, reason: "'\(x)' is not a valid extra name") }
        extras.append(ProjectName.normalize(x))
      }
      rest = rest[rest.index(after: close)...].drop(while: { $0 == " " || $0 == "\t" })
    }
    self.extras = extras
    if rest.first == "@" {
      let u = rest.dropFirst().trimmingASCIIWhitespace()
      guard u.contains("://") else { throw .invalidRequirement(text, reason: "'@' must be followed by a URL") }
      do { url = try SafeURL(parsing: u) } catch {
        // The text is not quoted back: an unparsable URL may hold a secret nothing can mask.
        let shown = "\(nameText) @ <URL>"
        if error != .userinfoNotUTF8, u.contains("@") { throw .invalidRequirement(shown, reason: SafeURL.Problem.secretNeedsEncoding.reason) }
        throw .invalidRequirement(shown, reason: "the URL after '@' is not usable: \(error.reason)")
      }
      specifier = SpecifierSet()
    } else {
      url = nil
      var spec = rest.trimmingASCIIWhitespace()
      if spec.hasPrefix("(") {
        guard spec.hasSuffix(")") else { throw .invalidRequirement(text, reason: "unclosed '('") }
        spec = String(spec.dropFirst().dropLast())
      }
      do { specifier = try SpecifierSet(spec) } catch {
        if case .invalidSpecifier(_, let reason) = error { throw .invalidRequirement(text, reason: reason) }
        throw .invalidRequirement(text, reason: "invalid version specifier")
      }
    }
    self.marker = marker
  }

  /// `name @ url`, from values already parsed (a lock entry): nothing is parsed again.
  public init(name: ProjectName, url: SafeURL) {
    self.name = name
    self.url = url
    extras = []
    specifier = SpecifierSet()
    marker = nil
    text = "\(name.typed) @ \(url.revealedWithSecrets())"
  }

  public var description: String { text }

  /// Whether the requirement applies to `environment` (true when it has no marker).
  public func applies(to environment: MarkerEnvironment, extra: String = "") -> Bool {
    guard let marker, let parsed = try? Marker(marker) else { return true }
    return parsed.evaluate(environment, extra: extra)
  }

  /// `name[extras]==version`: what the resolver chose, as a requirement the download selects
  /// exactly (`===` when the version's text does not read back as itself).
  public static func pinned(_ name: ProjectName, version: Version, extras: [String]) -> Requirement? {
    let head = name.normalized + (extras.isEmpty ? "" : "[" + extras.joined(separator: ",") + "]")
    return (try? Requirement(head + "==" + version.description)) ?? (try? Requirement(head + "===" + version.description))
  }

  /// The same requirement with `more` extras.
  public func adding(extras more: [String]) -> Requirement {
    var copy = self
    for e in more where !copy.extras.contains(e) { copy.extras.append(e) }
    return copy
  }

  /// The same requirement with `more` specifiers added (from `-c` constraints).
  public func narrowed(by more: [Specifier]) -> Requirement {
    var copy = self
    copy.specifier = SpecifierSet(specifier.specifiers + more)
    return copy
  }
}
