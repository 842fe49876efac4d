public import PyIndexModel
import PyIndexAuth
import PyIndexParsing

/// The fuzz targets: each takes arbitrary bytes and must neither crash nor break an invariant
/// (a property that holds for every input: a version prints as itself, a redacted URL holds
/// no password...). A broken invariant is a `precondition` failure, which libFuzzer reports
/// as a crash with the input that caused it.
///
/// Run them with `scripts/fuzz TARGET SECONDS`; `Tests/PyIndexFuzzingTests` replays the seed
/// corpus and every crash found (`fixtures/fuzz/<target>/`) on each test run.
public enum FuzzTarget: String, CaseIterable, Sendable {
  case html, json, url, version, specifier, requirement, marker, requirementsFile = "requirements-file", filename, contentDisposition = "content-disposition", headers

  /// The URL type's invariants: a parsed URL serializes to text that parses back to the same
  /// value; what goes to a server (``SafeURL/revealedForRequest()``) carries no userinfo; the
  /// printed form is stable (redacting it again changes nothing) and shows neither the password
  /// nor any query value (checked for values that stand once in the input, so that a host or
  /// path repeating the characters does not count). The fragment is not a query: it is never
  /// sent, and it is shown as it is.
  static func checkSafeURL(_ text: String) {
    guard let url = SafeURL(text) else { return }
    precondition(SafeURL(url.revealedWithSecrets()) == url, "the URL does not round-trip")
    precondition(SafeURL(url.revealedForRequest())?.userinfo == nil, "a request would carry the userinfo")
    let shown = url.description
    precondition(Redaction.redact(shown) == shown, "redaction is not stable: \(shown.debugDescription) from \(text.debugDescription)")
    if !url.looksLikeRawSecret { precondition(SafeURL(shown)?.description ?? shown == shown, "printing is not stable: \(shown)") }
    precondition("\(url)" == shown && String(reflecting: url) == shown, "a printed form differs from the redacted one")
    func once(_ value: some StringProtocol) -> Bool { text.split(separator: String(value), omittingEmptySubsequences: false).count == 2 }
    if let password = url.userinfo?.password, password.count >= 4, once(password), !password.contains("*") {
      precondition(!shown.contains(password), "the password is shown: \(shown)")
    }
    if let info = url.userinfo, info.password == nil, info.user.count >= 4, once(info.user), !info.user.contains("*") {
      precondition(!shown.contains(info.user), "a token user name is shown: \(shown)")
    }
    for item in (url.query ?? "").split(separator: "&") {
      guard let eq = item.firstIndex(of: "=") else { continue }
      let value = item[item.index(after: eq)...]
      guard value.count >= 4, !value.contains(where: { "*=&#?@/:".contains($0) }), once(value) else { continue }
      precondition(!shown.contains(value), "a query value is shown: \(shown)")
    }
  }

  static let base = SafeURL(scheme: "https", host: "example.org", port: nil, path: "/simple/p/")

  /// Runs the target on one input.
  public func run(_ data: UnsafeRawBufferPointer) {
    let bytes = Array(data)
    let text = String(decoding: bytes, as: UTF8.self)
    switch self {
    case .html:
      var count = 0
      let info = try? HTMLPageParser.parse(bytes: bytes, pageURL: FuzzTarget.base, sink: { file, base in
        count += 1
        _ = file.filename
        _ = file.digests
        _ = base.flatMap(file.resolvedURL)
      })
      if let info { precondition(info.linkCount >= count, "more files than links") }
    case .json:
      _ = try? JSONPageParser.parse(bytes: bytes, pageURL: FuzzTarget.base, sink: { file, base in
        _ = file.filename
        _ = base.flatMap(file.resolvedURL)
      })
    case .url:
      if let index = try? IndexURL(text), let c = index.credentials, !c.password.isEmpty {
        // The password is masked where it stood: after `://` the redacted URL shows the user
        // name, then `****@`; the password is not in what comes before `****@` (unless the
        // user name itself holds it). The host and path may repeat any characters, as typed.
        let afterScheme = index.redacted.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false).last ?? Substring(index.redacted)
        let masked = afterScheme.firstRange(of: "****@")
        // A URL whose delimiters are fused into graphemes is masked whole after its scheme.
        precondition(masked != nil || afterScheme == "****" || index.redacted == "****", "redacted URL without ****@")
        // Checked when the URL holds the password once (else an occurrence in the user name,
        // raw or percent-encoded, is indistinguishable from it).
        if let masked, c.password.count >= 4, text.split(separator: c.password, omittingEmptySubsequences: false).count == 2 {
          precondition(!afterScheme[..<masked.lowerBound].contains(c.password), "the redacted userinfo shows the password")
        }
        // The same URL inside a line of text (the console's last line of defence).
        if c.password.count >= 4, text.split(separator: c.password, omittingEmptySubsequences: false).count == 2 {
          precondition(!Redaction.redactText("error: cannot reach " + text + " now").contains(c.password), "redactText shows the password")
        }
      }
      FuzzTarget.checkSafeURL(text)
      _ = FuzzTarget.base.resolving(text)
      _ = URLReference.fragmentDigests(text)
    case .version:
      if let v = Version.parse(text) {
        // The normalised form parses back to an equal version.
        let again = Version.parse(v.description)
        precondition(again == v, "\(v) does not round-trip")
      }
    case .specifier:
      let lines = text.split(separator: "\n", maxSplits: 1)
      if let set = try? SpecifierSet(String(lines.first ?? "")), let v = Version.parse(String(lines.count > 1 ? lines[1] : "1.0")) {
        _ = set.contains(v)
        _ = set.description
      }
    case .requirement:
      if let r = try? Requirement(text) {
        _ = r.text
        _ = r.applies(to: FuzzTarget.environment)
      }
    case .marker:
      if let m = try? Marker(text) { _ = m.evaluate(FuzzTarget.environment, extra: "x") }
    case .requirementsFile:
      _ = try? RequirementsFile.load("requirements.txt", environment: ["TOKEN": "t"]) { path in
        guard path == "requirements.txt" else { throw ModelError.invalidRequirement(path, reason: "no such file") }
        return text
      }
    case .filename:
      if let w = WheelFilename(text) { _ = FuzzTarget.matcher.rank(w.tags) }
      if let project = try? ProjectName("p") { _ = DistributionKind(filename: text, project: project) }
      _ = ProjectName.normalize(text)
    case .contentDisposition:
      if let name = ContentDisposition.filename(text) {
        precondition(!name.contains("/") && name != ".." && !name.isEmpty, "unsafe name \(name)")
      }
    case .headers:
      // Numbers a server sends: never a trap, always in range.
      if let n = WireNumber.count(text) { precondition(n >= 0 && String(n) == text.trimmingCharacters(in: " \t").drop(while: { $0 == "0" }).description.replacingEmpty(with: "0")) }
      if let s = WireNumber.seconds(text, limit: 30) { precondition(s >= 0 && s <= 30 && s.isFinite) }
      if let d = WireNumber.httpDate(text) { precondition(d >= -62_135_596_800 && d <= 253_402_300_800) }
      for value in [Double(text), Double(text.count) * 1e300].compactMap({ $0 }) {
        let ms = WireNumber.milliseconds(value)
        precondition(ms >= 0 && ms <= 365 * 86_400 * 1000)
        if let u = WireNumber.userSeconds(value) { precondition(u > 0 && u <= WireNumber.maxUserSeconds) }
      }
      _ = HostHeader.accepts(text, listeningOn: "127.0.0.1", port: 8080)
      if HostHeader.accepts(text, listeningOn: "127.0.0.1", port: 8080) {
        precondition(text.lowercased().hasSuffix(":8080") || !text.contains(":"), "accepted \(text)")
      }
    }
  }

  static let environment = MarkerEnvironment(target: Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11], implementation: "cp"), pythonFullVersion: "3.11.7")
  static let matcher = TagMatcher(target: Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11], implementation: "cp"))
}

extension String {
  fileprivate func trimmingCharacters(in set: String) -> Substring {
    var s = Substring(self)
    while let f = s.first, set.contains(f) { s = s.dropFirst() }
    while let l = s.last, set.contains(l) { s = s.dropLast() }
    return s
  }
  fileprivate func replacingEmpty(with other: String) -> String { isEmpty ? other : self }
}
