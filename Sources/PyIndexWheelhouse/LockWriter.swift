#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
public import PyIndexClient
public import PyIndexModel
import TOMLKit

/// `download --lock-output FILE`: a PEP 751 lock of what one target's run chose. Its
/// `requires-python` and `environments` admit that target; each file has `size` and `hashes`;
/// a file is a `path` relative to the lock (a wheelhouse) or a `url` without userinfo and
/// without query (a lock never holds a secret).
public enum LockWriter {
  /// Whether `path` names a lock file as PEP 751 names them: `pylock.toml`, `pylock.NAME.toml`.
  public static func isLockName(_ path: String) -> Bool {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard name == "pylock.toml" || (name.hasPrefix("pylock.") && name.hasSuffix(".toml")) else { return false }
    let middle = name.dropFirst("pylock.".count).dropLast(".toml".count)
    return name == "pylock.toml" || (!middle.isEmpty && middle.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
  }

  /// The lock of one target among several, beside `file`: `pylock.TARGET.toml`, the target's
  /// name with every character but letters, digits, `.`, `_` and `-` made `-`.
  public static func path(for target: String, beside file: String) -> String {
    let dir = file.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let name = target.replacing(", Python ", with: "-py").map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }
    return (dir.isEmpty ? "" : dir + "/") + "pylock." + String(name) + ".toml"
  }

  /// The lock's text.
  /// - Parameters:
  ///   - lockPath: where the lock goes (absolute): `path` entries are relative to its directory.
  ///   - relative: whether files are `path` entries (a wheelhouse) rather than `url` ones.
  public static func text(_ files: [DownloadedFile], target: Target, lockPath: String, relative: Bool) throws -> String {
    let environment = MarkerEnvironment(target: target)
    var clauses: [String] = []
    for key in ["python_version", "sys_platform", "platform_machine"] {
      if let v = environment.values[key], !v.isEmpty, target.pythonVersion != nil || key != "python_version" { clauses.append("\(key) == '\(v)'") }
    }
    let lockDirectory = String(lockPath[..<(lockPath.lastIndex(of: "/") ?? lockPath.startIndex)])
    var packages: [String: LockPackage] = [:]
    for f in files {
      let entry = LockFileEntry(
        name: f.filename, url: relative ? nil : Self.plainURL(f.url), path: relative ? Self.relativePath(f.path, from: lockDirectory) : nil, size: f.size,
        hashes: ["sha256": f.sha256])
      let key = ProjectName.normalize(f.project)
      var p = packages[key] ?? LockPackage(name: key, version: f.version)
      if f.filename.hasSuffix(".whl") { p.wheels = (p.wheels ?? []) + [entry] } else { p.sdist = entry }
      packages[key] = p
    }
    let document = LockDocument(
      environments: clauses.isEmpty ? nil : [clauses.joined(separator: " and ")],
      requiresPython: environment.values["python_version"].flatMap { target.pythonVersion != nil ? "==\($0).*" : nil },
      packages: packages.keys.sorted().compactMap { packages[$0] })
    return try TOMLEncoder().encode(document) + "\n"
  }

  /// `scheme://host[:port]/path`: no userinfo, no query, no fragment.
  static func plainURL(_ url: SafeURL) -> String {
    url.withoutUserinfo.withoutFragment.with(path: url.path, query: nil).revealedForRequest()
  }

  /// `file` relative to the directory `base` (both absolute).
  static func relativePath(_ file: String, from base: String) -> String {
    let f = file.split(separator: "/"), b = base.split(separator: "/")
    var common = 0
    while common < min(f.count - 1, b.count), f[common] == b[common] { common += 1 }
    return (Array(repeating: "..", count: b.count - common) + f[common...].map(String.init)).joined(separator: "/")
  }
}

struct LockDocument: Encodable {
  let lockVersion = "1.0"
  let environments: [String]?
  let requiresPython: String?
  let createdBy = "pyindex"
  let packages: [LockPackage]
  enum CodingKeys: String, CodingKey {
    case lockVersion = "lock-version", environments, requiresPython = "requires-python", createdBy = "created-by", packages
  }
}

struct LockPackage: Encodable {
  let name: String
  let version: String
  var wheels: [LockFileEntry]?
  var sdist: LockFileEntry?
}

struct LockFileEntry: Encodable {
  let name: String
  let url: String?
  let path: String?
  let size: Int
  let hashes: [String: String]
}
