public import PyIndexAuth
import PyIndexConfig
public import PyIndexModel

/// What `download` was asked on the command line, before its requirements files are read.
public struct DownloadRequest: Sendable {
  /// PEP 508 requirements given as arguments.
  public var requirements: [String] = []
  /// `-r` files and `-c` files, in order.
  public var requirementFiles: [String] = []
  public var constraintFiles: [String] = []
  public var requireHashes = false
  public var destination = "."
  public var parallelism = 8
  /// False for `--no-deps`.
  public var resolveDependencies = true
  /// The target the flags name; what they leave unset comes from the host.
  public var target = Target(platforms: nil, pythonVersion: nil, implementation: nil, abis: nil)
  /// Several targets in one run (`--python-platform` and `--python-version` repeated: every
  /// combination); empty for the one ``target``. What a target leaves unset comes from the host.
  public var matrix: [NamedTarget] = []
  /// `--only-binary`/`--no-binary` as the run's settings resolved them (configuration and
  /// flags); the requirements files' option lines are added to it.
  public var formats = FormatControl()
  /// More `--only-binary`/`--no-binary` values, applied after ``formats``.
  public var onlyBinary: [String] = []
  public var noBinary: [String] = []
  public var pre = false
  public var ignoreRequiresPython = false
  /// `--uploaded-prior-to`.
  public var uploadedPriorTo: Timestamp?
  /// `--dry-run`.
  public var dryRun = false
  /// `--report`: each file's core metadata is kept, for pip's `metadata` object.
  public var recordMetadata = false
  /// `--extra` and `--group`, for a lock file's markers (nil groups: the lock's default).
  public var lockExtras: [String] = []
  public var lockGroups: [String]? = nil

  public init() {}
}

/// A target of a run, and how it is named in messages (`x86_64-manylinux_2_28, Python 3.12`).
public struct NamedTarget: Sendable, Hashable {
  public var name: String
  public var target: Target
  public init(name: String, target: Target) {
    (self.name, self.target) = (name, target)
  }
}

/// `download`'s plan, made before any request: requirements files read and merged (their
/// option lines under the command line's), the target completed from the host's `python3`,
/// markers evaluated for it. Tests build plans in process.
public struct DownloadPlan: Sendable {
  /// The requirements to download (their markers hold for the target).
  public var lines: [RequirementLine]
  /// The requirements whose markers do not hold for the target, said and skipped.
  public var ignored: [RequirementLine]
  public var options: DownloadOptions
  /// The requirements files' option lines (indexes, `--find-links`, `--trusted-host`), which
  /// the command line's flags override.
  public var fileOptions: RequirementsFile
  /// `name @ URL` requirements: their userinfo is a credential source for their origin.
  public var credentialURLs: [IndexURL]
  /// Every target of the run with its options (one, unless the request has a matrix).
  public var targets: [PlannedTarget]
  /// What holds for the whole run: DEST, `--dry-run`.
  public var run: RunOptions

  /// Makes the plan.
  /// - Parameters:
  ///   - read: a file's text (the command line reads the disk; tests pass a table).
  ///   - host: the host's Python, asked only when the target leaves something unset.
  /// - Throws: ``ModelError``, ``RequirementsFile/ParseError``, ``AuthError`` or
  ///   ``ClientError/usage(_:hint:)``: all usage errors (exit 64).
  public static func make(
    _ request: DownloadRequest, environment: [String: String], read: (String) throws -> String, host: () -> HostPython? = { nil }
  ) throws -> DownloadPlan {
    var lines = try request.requirements.map { (r: String) throws(ModelError) in RequirementLine(requirement: try Requirement(r)) }
    let lock = try readLock(request, read: read)
    var files = RequirementsFile()
    for (path, isConstraint) in request.requirementFiles.filter({ !PyLock.isLockFile($0) }).map({ ($0, false) }) + request.constraintFiles.map({ ($0, true) }) {
      files.merge(try RequirementsFile.load(path, environment: environment, read: read), asConstraints: isConstraint)
    }
    lines += files.requirements
    guard !lines.isEmpty || lock != nil else { throw ClientError.usage("no requirements to download: the requirements files list none", hint: nil) }
    var formats = request.formats
    // pip applies the options in the order given: the settings', then the files' lines
    // (--no-binary after --only-binary per value).
    for v in request.onlyBinary + files.onlyBinary { formats.add(v, onlyBinary: true) }
    for v in request.noBinary + files.noBinary { formats.add(v, onlyBinary: false) }
    var targets: [PlannedTarget] = []
    for named in request.matrix.isEmpty ? [NamedTarget(name: "", target: request.target)] : request.matrix {
      let (target, fullVersion) = try completeTarget(named.target, host: host)
      var options = DownloadOptions(
        destination: request.destination, target: target, formats: formats, prereleases: request.pre || files.pre, ignoreRequiresPython: request.ignoreRequiresPython,
        parallelism: request.parallelism)
      options.requireHashes = request.requireHashes || files.requireHashes
      options.resolveDependencies = request.resolveDependencies
      options.pythonFullVersion = fullVersion
      options.constraints = files.constraints
      options.uploadedPriorTo = request.uploadedPriorTo
      options.dryRun = request.dryRun
      options.recordMetadata = request.recordMetadata
      if let lock {
        // Exactly the locked files: no dependency is followed, no index page is read.
        let (locked, sizes) = try LockPlan.lines(
          lock, target: target, pythonFullVersion: fullVersion, formats: formats, extras: request.lockExtras, groups: request.lockGroups)
        options.resolveDependencies = false
        options.lockedSizes = sizes
        targets.append(PlannedTarget(name: named.name, lines: locked, options: options))
      } else {
        targets.append(PlannedTarget(name: named.name, lines: lines, options: options))
      }
    }
    let first = targets[0]
    let credentialURLs = try lines.compactMap { line throws(AuthError) -> IndexURL? in
      guard let url = line.requirement.url, url.isWeb else { return nil }
      return try IndexURL(url)
    }
    // Markers are evaluated for each target (by PlannedTarget), not for the machine pyindex
    // runs on; pip's "Ignoring" lines are the first target's.
    return DownloadPlan(
      lines: first.lines, ignored: first.ignored, options: first.options, fileOptions: files, credentialURLs: credentialURLs, targets: targets,
      run: RunOptions(destination: request.destination, dryRun: request.dryRun))
  }

  /// The lock file among the `-r` files (`pylock.toml`, `pylock.NAME.toml`), which is
  /// downloaded alone.
  static func readLock(_ request: DownloadRequest, read: (String) throws -> String) throws -> PyLock? {
    let locks = request.requirementFiles.filter(PyLock.isLockFile)
    guard let path = locks.first else {
      if !request.lockExtras.isEmpty || request.lockGroups != nil {
        throw ClientError.usage("--extra and --group choose what a lock file installs; give -r pylock.toml", hint: "for a requirement's extras, write name[extra]")
      }
      return nil
    }
    guard locks.count == 1, request.requirementFiles.count == 1, request.requirements.isEmpty, request.constraintFiles.isEmpty else {
      throw ClientError.usage("a lock file is downloaded alone: no other requirement, -r or -c file with it", hint: "one run per lock; several targets with --python-platform and --python-version")
    }
    return try PyLock(parsing: try read(path), path: path)
  }

  /// The target: the flags where given, the host's Python for the rest (pip's defaults).
  /// - Returns: the target, and the full Python version when it came from the host.
  static func completeTarget(_ given: Target, host: () -> HostPython?) throws(ClientError) -> (Target, String?) {
    var t = given
    guard t.platforms == nil || t.pythonVersion == nil else { return (t, nil) }
    // The host's python3 tells the Python (when not given) and whether it runs on musl.
    let python = host()
    if t.platforms == nil { t.platforms = python?.platformTags ?? HostTarget.platformTags(python: nil, environment: [:]) }
    guard t.pythonVersion == nil else { return (t, nil) }
    guard let python else {
      throw .usage("no python3 on PATH to take the target Python from; pass --python-version (e.g. --python-version 3.12)", hint: nil)
    }
    t.pythonVersion = python.version
    if t.implementation == nil { t.implementation = python.implementation }
    return (t, python.fullVersion)
  }
}

/// The host's `python3`, as a download target: its version, implementation and the
/// platform tags it accepts (musllinux on musl, else manylinux for this glibc).
public struct HostPython: Sendable, Hashable {
  public var version: [Int]
  public var implementation: String
  public var fullVersion: String
  public var platformTags: [String]

  /// Asks the `python3` on `PATH` of `environment`; nil when there is none.
  public static func probe(environment: [String: String]) -> HostPython? {
    guard let python = HostTarget.python(environment: environment) else { return nil }
    return HostPython(
      version: python.version, implementation: python.implementation, fullVersion: python.fullVersion,
      platformTags: HostTarget.platformTags(python: python, environment: environment))
  }
}

extension RequirementsFile {
  /// Adds `file`'s lines and options; the lines of a `-c` file are all constraints.
  mutating func merge(_ file: RequirementsFile, asConstraints: Bool) {
    if asConstraints {
      constraints += file.requirements + file.constraints
    } else {
      requirements += file.requirements
      constraints += file.constraints
    }
    requireHashes = requireHashes || file.requireHashes
    if indexURL == nil { indexURL = file.indexURL }
    extraIndexURLs += file.extraIndexURLs
    findLinks += file.findLinks
    noIndex = noIndex || file.noIndex
    trustedHosts += file.trustedHosts
    pre = pre || file.pre
    onlyBinary += file.onlyBinary
    noBinary += file.noBinary
  }
}
