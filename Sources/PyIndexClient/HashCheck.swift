public import PyIndexModel

/// What a downloaded file is checked against: the index's digests (all must match) and the
/// requirement's `--hash` values (one must match), under `--require-hashes` or not.
struct HashCheck: Sendable {
  let expected: [String: String]
  let allowed: [String: Set<String>]
  let requireHashes: Bool

  /// Whether digests satisfy the `--hash` values (true when there are none).
  func matchesAllowed(_ digests: [String: String]) -> Bool {
    allowed.isEmpty || allowed.contains { alg, values in digests[alg].map(values.contains) ?? false }
  }

  /// The digests of the file already at `path`, when it passes every check (a re-run).
  func alreadyPresent(at path: String) -> (digests: [String: String], size: Int)? {
    let algorithms = Set(expected.keys).union(allowed.keys).union(["sha256"])
    guard let existing = LocalFile.digests(ofFileAt: path, algorithms: algorithms),
      expected.allSatisfy({ existing.digests[$0.key] == $0.value }), matchesAllowed(existing.digests), !(requireHashes && allowed.isEmpty)
    else { return nil }
    return existing
  }

  /// After the index's digests matched: throws when no `--hash` value matches; returns the
  /// line to add when hashes are required and the requirement has none.
  func missingLine(_ digests: [String: String], filename: String, url: SafeURL, project: ProjectName, version: String) throws(ClientError) -> String? {
    if !matchesAllowed(digests), let (alg, values) = allowed.sorted(by: { $0.key > $1.key }).first {
      throw .digestMismatch(filename: filename, url: (url), algorithm: alg, expected: values.sorted().joined(separator: " or "), actual: digests[alg] ?? "?")
    }
    guard requireHashes, allowed.isEmpty else { return nil }
    return "\(project.typed)==\(version) --hash=sha256:\(digests["sha256"] ?? "")"
  }
}
