import PyIndexAuth
public import PyIndexConfig
public import PyIndexModel

/// A lock file refused for a target: its `requires-python` or `environments` exclude the
/// target, a package has no file for it (exit 1), or a package is a source pyindex cannot
/// download (`vcs`, `directory`: exit 64).
public struct LockRefusal: PyIndexError {
  public let description: String
  public let kind: FailureKind
  public let hint: String?
}

/// What `download -r pylock.toml` fetches for one target, as PEP 751's installation steps say:
/// the lock's `requires-python` and `environments` must admit the target; each package whose
/// marker holds (extras as given, dependency groups as given or the lock's `default-groups`) gets its best
/// wheel for the target's tags, else its sdist or archive where `--only-binary` allows; every
/// hash and the size are checked; nothing else is ever asked of an index. `--extra` and
/// `--group` set the `extras` and `dependency_groups` markers see.
public enum LockPlan {
  /// The `name @ URL` lines (with the lock's hashes) for `target`, and the locked sizes by URL.
  /// - Parameters:
  ///   - extras: `--extra` names (markers see them in `extras`).
  ///   - groups: `--group` names; nil for the lock's `default-groups`.
  public static func lines(
    _ lock: PyLock, target: Target, pythonFullVersion: String?, formats: FormatControl, extras: [String] = [], groups: [String]? = nil
  ) throws -> (lines: [RequirementLine], sizes: [SafeURL: Int]) {
    var environment = MarkerEnvironment(target: target, pythonFullVersion: pythonFullVersion)
    environment.values["extras"] = extras.map(ProjectName.normalize).joined(separator: " ")
    environment.values["dependency_groups"] = (groups ?? lock.defaultGroups).map(ProjectName.normalize).joined(separator: " ")
    let lockName = lock.path.split(separator: "/").last.map(String.init) ?? lock.path
    let python = pythonFullVersion ?? target.pythonVersion.map { $0.map(String.init).joined(separator: ".") }
    if let rp = lock.requiresPython, let python, let spec = try? SpecifierSet(rp), let v = try? Version(python), !spec.contains(v) {
      throw LockRefusal(description: "\(lockName) requires Python \(rp); the target's is \(python)", kind: .resolution, hint: "lock for this Python, or download for one the lock admits")
    }
    if !lock.environments.isEmpty {
      let admitted = lock.environments.contains { text in (try? Marker(text))?.evaluate(environment) ?? false }
      guard admitted else {
        throw LockRefusal(description: "none of \(lockName)'s environments (\(lock.environments.joined(separator: "; "))) admits the target", kind: .resolution, hint: "lock for this platform and Python (uv export --format pylock.toml --python-platform ...)")
      }
    }
    let matcher = TagMatcher(target: target)
    let directory = lock.path.contains("/") ? String(lock.path[..<(lock.path.lastIndex(of: "/") ?? lock.path.endIndex)]) : "."
    var lines: [RequirementLine] = []
    var sizes: [SafeURL: Int] = [:]
    for package in lock.packages {
      if let text = package.marker {
        guard let marker = try? Marker(text) else {
          throw LockRefusal(description: "\(lockName): the marker of \(package.name) cannot be read: \(text)", kind: .usage, hint: "markers follow PEP 508 (and PEP 751's extras and dependency_groups)")
        }
        if !marker.evaluate(environment) { continue }
      }
      if let source = package.unsupportedSource {
        throw LockRefusal(description: "\(lockName): \(package.name) is locked as a \(source) source, which pyindex cannot download as a file", kind: .usage, hint: "lock it from an index or as an archive")
      }
      guard let name = try? ProjectName(package.name) else { throw LockRefusal(description: "\(lockName): '\(package.name)' is not a project name", kind: .usage, hint: nil) }
      guard let file = choose(package, name: name, matcher: matcher, formats: formats) else {
        let sdistRefused = (package.sdist ?? package.archive) != nil && !formats.allowsSource(name)
        throw LockRefusal(
          description: "\(lockName) locks no file of \(package.name) \(package.version ?? "") that fits the target", kind: .resolution,
          hint: sdistRefused
            ? "the lock has a source distribution of it: drop --only-binary, or relax it (--only-binary :none: or without \(name.typed)), to download that; or lock for this platform and Python"
            : "the lock was made for other platforms or Pythons; lock for this one")
      }
      guard !file.hashes.isEmpty else {
        throw LockRefusal(
          description: "\(lockName): \(file.name) of \(package.name) has no hashes, and PEP 751 requires them: nothing would verify what is downloaded",
          kind: .integrity, hint: "lock again with a tool that records hashes (uv export --format pylock.toml, pip lock)")
      }
      let url = try location(file, directory: directory, lockName: lockName)
      let requirement = Requirement(name: name, url: url.with(fragment: file.hashes["sha256"].map { "sha256=" + $0 }))
      lines.append(RequirementLine(requirement: requirement, hashes: file.hashes.mapValues { [$0] }, origin: lockName))
      if let size = file.size, let parsed = requirement.url { sizes[parsed.withoutUserinfo.withoutFragment] = size }
    }
    return (lines, sizes)
  }

  /// The best wheel for the target's tags, else the sdist or archive where allowed.
  static func choose(_ p: PyLock.Package, name: ProjectName, matcher: TagMatcher, formats: FormatControl) -> PyLock.File? {
    let binaryAllowed = formats.allowsBinary(name)
    let sourceAllowed = formats.allowsSource(name)
    if binaryAllowed {
      let ranked = p.wheels.compactMap { w -> (PyLock.File, Int)? in
        guard case .wheel(let parsed)? = DistributionKind(filename: w.name, project: name), let r = matcher.rank(parsed.tags) else { return nil }
        return (w, r)
      }
      if let best = ranked.min(by: { $0.1 < $1.1 }) { return best.0 }
    }
    return sourceAllowed ? (p.sdist ?? p.archive) : nil
  }

  /// The file's URL: its `url`, else its `path` (relative to the lock's directory) as `file:`.
  /// A path must name a regular file inside the lock's directory tree once every link is
  /// followed: a lock cannot make pyindex copy `~/.netrc` into DEST.
  static func location(_ f: PyLock.File, directory: String, lockName: String) throws -> SafeURL {
    if let text = f.url {
      do { return try SafeURL(parsing: text) } catch {
        throw LockRefusal(description: "\(lockName): the url of \(f.name) is not usable: \(error.reason)", kind: .usage, hint: nil)
      }
    }
    guard let path = f.path else { throw LockRefusal(description: "\(lockName): \(f.name) has neither a url nor a path", kind: .usage, hint: nil) }
    let given = path.hasPrefix("/") ? path : directory + "/" + path
    guard let root = LocalFile.realPath(directory), let absolute = LocalFile.realPath(given) else {
      throw LockRefusal(description: "\(lockName): the locked path \(path) of \(f.name) does not exist", kind: .fileSystem, hint: "put the file where the lock says, or lock again")
    }
    guard absolute.hasPrefix(root == "/" ? "/" : root + "/"), LocalFile.isRegularFile(absolute) else {
      throw LockRefusal(
        description: "\(lockName): the locked path \(path) of \(f.name) is not a regular file inside the lock's directory", kind: .usage,
        hint: "a lock's path entries must stay inside the directory of the lock (no link out of it)")
    }
    return SafeURL(filePath: absolute)
  }
}
