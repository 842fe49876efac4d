public import PyIndexModel
public import PyIndexAuth
import PyIndexTransport
import PyIndexResolver

import PyIndexSystem

/// What `download` was asked to do, besides the requirements.
public struct DownloadOptions: Sendable {
  public var destination: String
  public var target: Target
  public var formats: FormatControl
  public var prereleases: Bool
  public var ignoreRequiresPython: Bool
  /// How many files are fetched at once.
  public var parallelism: Int
  /// Whether dependencies are followed (false for `--no-deps`).
  public var resolveDependencies = false
  /// `--require-hashes` (also implied by any `--hash`): every requirement must be pinned with
  /// `==` and carry a hash, and every file must match one of its requirement's hashes.
  public var requireHashes = false
  /// `-c` constraints: their specifiers narrow the requirements of the same project.
  public var constraints: [RequirementLine] = []
  /// The target's full Python version for markers (`python_full_version`), when known.
  public var pythonFullVersion: String?
  /// `--uploaded-prior-to`: files uploaded at or after it (PEP 700 `upload-time`) are ignored.
  public var uploadedPriorTo: Timestamp?
  /// `--dry-run`: choose without writing to DEST. A file is fetched (into a temporary
  /// directory, then removed) only when its dependencies can be read no other way.
  public var dryRun = false
  /// `--report`: keep each file's core metadata (read from the wheel when the resolver did not).
  public var recordMetadata = false
  /// The sizes a lock file gives, by URL: a file of another size is an integrity failure.
  public var lockedSizes: [SafeURL: Int] = [:]

  public init(destination: String, target: Target, formats: FormatControl = .init(), prereleases: Bool = false, ignoreRequiresPython: Bool = false, parallelism: Int = 8) {
    (self.destination, self.target, self.formats) = (destination, target, formats)
    (self.prereleases, self.ignoreRequiresPython, self.parallelism) = (prereleases, ignoreRequiresPython, parallelism)
  }
}

/// What a progress display is told.
public enum DownloadProgress: Sendable {
  /// `count` more bytes of `filename` arrived.
  case bytes(filename: String, count: Int)
  /// A file is in DEST (downloaded or already there).
  case finished(filename: String)
  /// More requirements were queued (dependencies of a wave).
  case queued(Int)
  /// The resolver has read the versions of `projects` projects and the dependencies of
  /// `versions` versions so far.
  case resolving(projects: Int, versions: Int)
}

/// One target of a `download` run: its name (for messages), its requirements and options.
public struct PlannedTarget: Sendable {
  /// How the target is named in messages ("" for the one target of a plain run).
  public var name: String
  /// The requirements whose markers hold for the target.
  public private(set) var lines: [RequirementLine]
  /// The requirements whose markers do not (pip's "Ignoring" lines).
  public private(set) var ignored: [RequirementLine]
  public var options: DownloadOptions
  /// The markers of `lines` are evaluated here, once, for the target.
  public init(name: String, lines: [RequirementLine], options: DownloadOptions) {
    let environment = MarkerEnvironment(target: options.target, pythonFullVersion: options.pythonFullVersion)
    self.name = name
    self.lines = lines.filter { $0.requirement.applies(to: environment) }
    self.ignored = lines.filter { !$0.requirement.applies(to: environment) }
    self.options = options
  }

  /// The marker environment of the target.
  var environment: MarkerEnvironment { MarkerEnvironment(target: options.target, pythonFullVersion: options.pythonFullVersion) }
}

/// What holds for a whole run, whatever its targets: where the files go, and whether anything
/// is written there.
public struct RunOptions: Sendable {
  public var destination: String
  public var dryRun: Bool
  public init(destination: String, dryRun: Bool = false) {
    (self.destination, self.dryRun) = (destination, dryRun)
  }
}

/// What one target of a run got: its files, or why it failed.
public struct TargetOutcome: Sendable {
  public let name: String
  public let result: Result<[DownloadedFile], ClientError>
}

/// One file `download` wrote (or found already there, verified).
public struct DownloadedFile: Sendable, Hashable {
  public let project: String
  public let version: String
  public let filename: String
  /// Absolute path of the file in DEST.
  public let path: String
  public let sha256: String
  public let size: Int
  /// The URL it came from (printed redacted).
  public let url: SafeURL
  public let alreadyPresent: Bool
  /// Asked for by the user (not a dependency), in the target that reported it.
  public internal(set) var requested = false
  /// A `name @ URL` requirement.
  public internal(set) var isDirect = false
  /// The extras the user's requirement named (pip's `requested_extras`), normalized and sorted.
  public internal(set) var requestedExtras: [String] = []
  /// Whether the index marked the file yanked (PEP 592).
  public internal(set) var isYanked = false
  /// Chosen but not fetched (`--dry-run`): `path` is where it would go.
  public internal(set) var dryRun = false
  /// Its core metadata, when `--report` asked for it and it could be read (wheels).
  public internal(set) var metadata: CoreMetadata?
  /// What the index said of it: `Requires-Python`, the yank reason ("" for none given),
  /// PEP 700 `upload-time`, and the PEP 740 provenance URL (absolute, no userinfo or query).
  public internal(set) var requiresPython: String?
  public internal(set) var yankReason: String?
  public internal(set) var uploadTime: String?
  public internal(set) var provenance: String?
}

extension DownloadedFile {
  /// This file as a dry run reports it: in `dest`, not fetched.
  func wouldGo(to dest: String) -> DownloadedFile {
    var f = DownloadedFile(project: project, version: version, filename: filename, path: dest + "/" + filename, sha256: sha256, size: size, url: url, alreadyPresent: alreadyPresent)
    (f.requested, f.isDirect, f.dryRun) = (requested, isDirect, true)
    (f.requestedExtras, f.isYanked, f.metadata) = (requestedExtras, isYanked, metadata)
    (f.requiresPython, f.yankReason, f.uploadTime, f.provenance) = (requiresPython, yankReason, uploadTime, provenance)
    return f
  }
}

/// Picks and fetches the file pip would pick for each requirement, writing it to a
/// temporary name in DEST and renaming it only after every known digest matched.
public struct Downloader: Sendable {
  public let client: IndexClient
  public let warn: @Sendable (String) -> Void
  /// Receives progress events (bytes, files finished, requirements queued).
  let progressSink: (@Sendable (DownloadProgress) -> Void)?

  public init(client: IndexClient, warn: @escaping @Sendable (String) -> Void, progress: (@Sendable (DownloadProgress) -> Void)? = nil) {
    self.client = client
    self.warn = warn
    self.progressSink = progress
  }

  /// Downloads one file per requirement, several at a time, results in requirement order.
  /// - Throws: ``ClientError`` of the first requirement that failed; files of the others that
  ///   completed stay (complete and verified), partial ones are removed.
  public func download(_ requirements: [Requirement], options: DownloadOptions) async throws(ClientError) -> [DownloadedFile] {
    let lines = requirements.map { RequirementLine(requirement: $0) }
    let run = RunOptions(destination: options.destination, dryRun: options.dryRun)
    let outcome = try await download(targets: [PlannedTarget(name: "", lines: lines, options: options)], run: run)[0]
    return try outcome.result.get()
  }

  /// Downloads for several targets in one run: each resolved on its own (markers, tags and
  /// Requires-Python for that target), concurrently, sharing the run's pages, metadata and
  /// files (a file several targets choose is downloaded once). A target that fails does not
  /// stop the others. When every failure is a resolution failure, DEST keeps the files of the
  /// targets that succeeded and nothing else; after a network or integrity failure every
  /// complete, verified file stays, so that a re-run resumes.
  /// - Returns: each target's files or failure, in the order given.
  /// - Throws: ``ClientError`` before anything is fetched (DEST, `--require-hashes` lines).
  public func download(targets planned: [PlannedTarget], run: RunOptions) async throws(ClientError) -> [TargetOutcome] {
    // The run's settings hold for every target.
    let targets = planned.map { t in
      var t = t
      (t.options.destination, t.options.dryRun) = (run.destination, run.dryRun)
      return t
    }
    var work: [(PlannedTarget, MarkerEnvironment, [RequirementLine])] = []
    for t in targets {
      if t.options.requireHashes { try Downloader.checkPinned(t.lines) }
      work.append((t, t.environment, t.lines))
    }
    let dryRun = run.dryRun
    let finalDest = try Downloader.prepareDestination(run.destination, create: !dryRun)
    let dest = dryRun ? try Downloader.scratchDirectory() : finalDest
    defer { if dryRun { Downloader.removeScratch(dest) } }
    let staging = StagedFiles()
    let memo = RunMemo(usable: Downloader.usable(by: targets.map(\.options)))
    let results = await withTaskGroup(of: Resolved.self) { group in
      for (k, (t, environment, requirements)) in work.enumerated() {
        group.addTask {
          do {
            return Resolved(index: k, result: .success(try await self.resolve(requirements, options: t.options, dest: dest, environment: environment, staging: staging, memo: memo)))
          } catch {
            return Resolved(index: k, result: .failure(ClientError(error, at: dest)))
          }
        }
      }
      var out: [Int: Result<[DownloadedFile], ClientError>] = [:]
      while let resolved = await group.next() { out[resolved.index] = resolved.result }
      return out
    }
    var outcomes = targets.indices.map { TargetOutcome(name: targets[$0].name, result: results[$0] ?? .failure(.internalFault("the target was not resolved"))) }
    if dryRun {
      staging.discard()
      // Where each file would go.
      outcomes = outcomes.map { o in TargetOutcome(name: o.name, result: o.result.map { $0.map { $0.wouldGo(to: finalDest) } }) }
      return outcomes
    }
    let failures = outcomes.compactMap { o -> ClientError? in if case .failure(let e) = o.result { return e } else { return nil } }
    if failures.allSatisfy(\.isResolutionFailure) {
      // pip's behaviour for a run that fails to resolve, per target: only the files of the
      // targets that resolved are kept.
      let kept = Set(outcomes.flatMap { (try? $0.result.get()) ?? [] }.map(\.path))
      try staging.commit(keeping: kept)
    } else {
      try? staging.commit()
    }
    return outcomes
  }

  /// What a target's task reports.
  struct Resolved: Sendable {
    let index: Int
    let result: Result<[DownloadedFile], ClientError>
  }

  /// `--require-hashes`: every requirement pinned with `==` (a URL requirement names one file:
  /// it counts as pinned, as in pip).
  static func checkPinned(_ requirements: [RequirementLine]) throws(ClientError) {
    let unpinned = requirements.filter { line in
      line.requirement.url == nil && !(line.requirement.specifier.specifiers.count == 1 && [.equal, .arbitrary].contains(line.requirement.specifier.specifiers[0].op) && !line.requirement.specifier.specifiers[0].isPrefix)
    }
    if !unpinned.isEmpty {
      throw .hashesRequired(missing: unpinned.map { ($0.origin.map { "\($0): " } ?? "") + $0.requirement.text }, unpinned: true)
    }
  }

  /// A requirement waiting in the queue, and the chain of choices that led to it.
  struct Pending: Sendable {
    var line: RequirementLine
    var chain: [String]
    /// When requirements on the same project were merged into this one (same wave): each of
    /// them as it was asked, this one's own first.
    var merged: [Demand] = []
    var shown: String { (chain + [line.requirement.text]).joined(separator: " → ") }
    /// The extras the user asked for (pip's `requested_extras`), when the line was pinned by
    /// the resolver with the extras of the whole closure; nil: those of the line.
    var requestedExtras: [String]? = nil
    /// What each requirement merged here asks of the project.
    var demands: [Demand] { merged.isEmpty ? [Demand(specifier: line.requirement.specifier, shown: shown)] : merged }
  }

  /// One requirement's specifier on a project, and how it came to be asked for.
  struct Demand: Sendable {
    var specifier: SpecifierSet
    var shown: String
  }

  /// What was chosen for a project, and why.
  struct Chosen {
    var version: Version
    var why: String
    var metadata: CoreMetadata?
    var extras: Set<String>
  }

  /// The file selection chose for a requirement, and where it comes from.
  struct Selected: Sendable {
    var file: DistributionFile
    var version: String
    /// Absolute, without fragment; userinfo stripped (a credential source already).
    var url: SafeURL
    var project: ProjectName
    /// Whether a `file:` URL may be read: the user configured its location (a local index or
    /// find-links path, a requirement or lock they gave), never an index page or metadata.
    var mayReadLocal = false
    /// A `name @ URL` whose path names no distribution file: the response's
    /// `Content-Disposition` names it (and so gives the version).
    var nameFromResponse = false
  }

  /// Work for one child task of the resolver.
  enum Job: Sendable {
    /// Choose the file for item `item` and, when `metadata`, read its dependencies from PEP 658
    /// metadata or through range requests before the file itself is downloaded.
    case select(item: Int, line: RequirementLine, demands: [Demand], metadata: Bool)
    /// Download the chosen file; when `readMetadata`, read `METADATA` from it afterwards.
    case store(item: Int, Selected, line: RequirementLine, readMetadata: Bool)
  }

  /// What a child task reports.
  enum Event: Sendable {
    case selected(item: Int, Selected, CoreMetadata?)
    case stored(item: Int, DownloadedFile?, missingHash: String?, CoreMetadata?)
  }

  /// Resolves the target's requirements (unless `--no-deps`) with the PubGrub solver
  /// (``Solver``), then downloads the chosen version of each project.
  private func resolve(_ requirements: [RequirementLine], options: DownloadOptions, dest: String, environment: MarkerEnvironment, staging: StagedFiles, memo: RunMemo) async throws -> [DownloadedFile] {
    guard options.resolveDependencies else {
      return try await fetchAll(requirements.map { Pending(line: $0, chain: []) }, options: options, dest: dest, environment: environment, staging: staging, memo: memo)
    }
    let pinned = try await solve(requirements, options: options, dest: dest, environment: environment, staging: staging, memo: memo)
    var flat = options
    flat.resolveDependencies = false
    return try await fetchAll(pinned, options: flat, dest: dest, environment: environment, staging: staging, memo: memo)
  }

  /// The chosen version of every project of the closure, as requirement lines: the user's
  /// own lines pinned (their hashes, extras and URLs kept), then the dependencies.
  private func solve(_ requirements: [RequirementLine], options: DownloadOptions, dest: String, environment: MarkerEnvironment, staging: StagedFiles, memo: RunMemo) async throws -> [Pending] {
    var direct: [String: Selected] = [:]
    var hashes: [String: [String: Set<String>]] = [:]
    var userLines: [String: [RequirementLine]] = [:]
    for line in requirements {
      let req = line.requirement
      let key = req.name.normalized
      if let url = req.url, direct[key] == nil { direct[key] = try selectURL(url, requirement: req, fromUser: true, shown: req.text) }
      hashes[key, default: [:]].merge(line.hashes) { $0.union($1) }
      userLines[key, default: []].append(line)
    }
    let provider = IndexResolverProvider(
      downloader: self, options: options, environment: environment, memo: memo, dest: dest, staging: staging, direct: direct, hashes: hashes)
    let roots = requirements.map { line in
      Dependency(
        project: line.requirement.name.normalized, extras: line.requirement.extras, specifier: line.requirement.url == nil ? line.requirement.specifier : SpecifierSet(),
        text: Redaction.redactText(line.requirement.text), direct: line.requirement.url != nil)
    }
    let constraints = options.constraints.map { c in
      Dependency(
        project: c.requirement.name.normalized, specifier: c.requirement.specifier,
        text: Redaction.redactText(c.requirement.text) + (c.origin.map { " (\($0))" } ?? ""))
    }
    let solution: Solver.Solution
    do {
      solution = try await Solver(provider: provider, prereleases: options.prereleases).solve(roots, constraints: constraints)
    } catch let failure as ResolutionFailure {
      if failure.onlyRequirements || failure.missingProject != nil {
        // The user's own requirements on one project: pip's words (no matching distribution,
        // the versions there are, or the requirements that exclude each other).
        try await explainAlone(requirements, options: options, memo: memo)
      }
      throw ClientError.dependencyConflict(
        "no set of versions satisfies the requirements:\n" + failure.lines.map { "  " + ServerText.clean($0) }.joined(separator: "\n"))
    } catch let long as ResolutionTooLong {
      throw ClientError.usage("the resolution was stopped: \(long)", hint: "pin some of the projects (a -c constraints file) to narrow the search")
    }
    let order = try await pipOrder(of: solution, roots: requirements.map(\.requirement.name.normalized), provider: provider)
    var out: [Pending] = []
    for project in order {
      guard let version = solution.versions[project], let name = try? ProjectName(project) else { continue }
      let extras = (solution.extras[project] ?? []).sorted()
      let own = userLines[project] ?? []
      if let first = own.first, first.requirement.url != nil {
        out.append(Pending(line: first, chain: []))
        continue
      }
      guard let pin = Requirement.pinned(name, version: version, extras: extras) else { continue }
      let line = RequirementLine(
        requirement: pin, hashes: hashes[project] ?? [:], origin: own.first?.origin, isDependency: own.isEmpty)
      // The user's extras are theirs (pip's requested_extras); the resolver's are the union.
      var pending = Pending(line: line, chain: own.isEmpty ? ["a dependency"] : [])
      if !own.isEmpty { pending.requestedExtras = Array(Set(own.flatMap(\.requirement.extras))).sorted() }
      out.append(pending)
    }
    return out
  }

  /// The order pip reports a closure in: the user's requirements, then their dependencies level
  /// by level, each in the order its metadata declares them; what is left in the solver's order.
  private func pipOrder(of solution: Solver.Solution, roots: [String], provider: IndexResolverProvider) async throws -> [String] {
    var order: [String] = []
    var queue = roots
    while !queue.isEmpty {
      var next: [String] = []
      for project in queue where !order.contains(project) {
        guard let version = solution.versions[project] else { continue }
        order.append(project)
        for extra in [nil] + (solution.extras[project] ?? []).sorted().map(Optional.some) {
          for d in (try await provider.dependencies(of: project, version: version, extra: extra)) ?? [] { next.append(d.project) }
        }
      }
      queue = next
    }
    return order + solution.order.filter { !order.contains($0) }
  }

  /// Selects each project the user named on its own, for pip's error when that alone fails.
  private func explainAlone(_ requirements: [RequirementLine], options: DownloadOptions, memo: RunMemo) async throws {
    let matcher = TagMatcher(target: options.target)
    var groups: [(RequirementLine, [Demand])] = []
    for line in requirements {
      let demand = Demand(specifier: line.requirement.specifier, shown: line.requirement.text)
      if let i = groups.firstIndex(where: { $0.0.requirement.name == line.requirement.name }) {
        let first = groups[i].0
        groups[i].0 = RequirementLine(
          requirement: first.requirement.narrowed(by: line.requirement.specifier.specifiers).adding(extras: line.requirement.extras),
          hashes: first.hashes.merging(line.hashes) { $0.union($1) }, origin: first.origin ?? line.origin)
        groups[i].1.append(demand)
      } else {
        groups.append((line, [demand]))
      }
    }
    for (line, demands) in groups { _ = try await select(line, demands: demands, options: options, matcher: matcher, memo: memo) }
  }

  /// Selects and downloads each requirement (no dependencies followed), several at a time.
  private func fetchAll(_ pendings: [Pending], options: DownloadOptions, dest: String, environment: MarkerEnvironment, staging: StagedFiles, memo: RunMemo) async throws -> [DownloadedFile] {
    var state = ResolveState(options: options, environment: environment, warn: warn, progress: progressSink)
    try state.begin(pendings)
    let width = max(1, options.parallelism)
    let matcher = TagMatcher(target: options.target)
    try await withThrowingTaskGroup(of: Event.self) { group in
      var running = 0
      while true {
        while running < width, let job = state.nextJob() {
          group.addTask(operation: run(job, options: options, dest: dest, matcher: matcher, staging: staging, memo: memo))
          running += 1
        }
        guard running > 0, let event = try await group.next() else { break }
        running -= 1
        try state.handle(event)
      }
    }
    if !state.missing.isEmpty { throw ClientError.hashesRequired(missing: state.missing.sorted(), unpinned: false) }
    guard options.recordMetadata else { return state.results }
    // The metadata the resolver read, else the wheel's own (in DEST or staged there), else —
    // a dry run that fetched nothing — the index's metadata file or range requests.
    var files: [DownloadedFile] = []
    for (file, selected) in state.picks {
      var f = file
      if f.filename.hasASCIISuffixIgnoringCase(".whl") {
        if let known = memo.knownMetadata(for: f.url) {
          f.metadata = known
        } else if !f.dryRun, let text = try? WheelMetadata.read(path: staging.location(of: f.path)) {
          f.metadata = CoreMetadata(text)
        } else if let selected {
          f.metadata = try await memo.metadata(for: selected.url) { try await self.remoteMetadata(selected) }
        }
      }
      files.append(f)
    }
    return files
  }

  /// Stores `selected` once for the run: the resolver reading a wheel's metadata, the
  /// download, and every target that chose it share one fetch.
  func storeOnce(_ selected: Selected, dest: String, allowed: [String: Set<String>], options: DownloadOptions, staging: StagedFiles, memo: RunMemo) async throws -> DownloadedFile {
    try await memo.stored(at: dest + "/" + selected.file.filename + (selected.nameFromResponse ? "\u{0}" + selected.url.revealedForRequest() : "")) {
      try await self.store(selected, dest: dest, allowed: allowed, requireHashes: options.requireHashes, size: options.lockedSizes[selected.url], staging: staging)
    }
  }

  /// The body of a child task for `job`.
  private func run(_ job: Job, options: DownloadOptions, dest: String, matcher: TagMatcher, staging: StagedFiles, memo: RunMemo) -> @Sendable () async throws -> Event {
    {
      switch job {
      case .select(let item, let line, let demands, let wantsMetadata):
        let selected = try await self.select(line, demands: demands, options: options, matcher: matcher, memo: memo)
        let metadata = wantsMetadata && selected.file.filename.hasSuffix(".whl") ? try await memo.metadata(for: selected.url) { try await self.remoteMetadata(selected) } : nil
        return .selected(item: item, selected, metadata)
      case .store(let item, let selected, let line, let readMetadata):
        if options.dryRun, !readMetadata, !selected.nameFromResponse, let sha256 = selected.file.digests["sha256"] {
          // Chosen, its dependencies known: nothing to fetch.
          var file = selected.downloaded(
            filename: selected.file.filename, version: selected.version, dest: dest, digests: ["sha256": sha256], size: selected.file.size ?? 0, alreadyPresent: false)
          file.dryRun = true
          return .stored(item: item, file, missingHash: nil, nil)
        }
        let file: DownloadedFile
        do {
          // A file several targets choose is stored once; each of them gets the same answer.
          file = try await self.storeOnce(selected, dest: dest, allowed: line.hashes, options: options, staging: staging, memo: memo)
        } catch let m as MissingHash {
          return .stored(item: item, nil, missingHash: m.line, nil)
        }
        self.progressSink?(.finished(filename: file.filename))
        guard readMetadata else { return .stored(item: item, file, missingHash: nil, nil) }
        do {
          return .stored(item: item, file, missingHash: nil, CoreMetadata(try WheelMetadata.read(path: staging.location(of: file.path))))
        } catch {
          throw ClientError.fileSystem(path: file.path, detail: "cannot read the wheel's METADATA: \(error)")
        }
      }
    }
  }

  /// A fresh directory for the files a dry run has to read.
  static func scratchDirectory() throws(ClientError) -> String {
    var template = Array(((getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/pyindex-dry-run-XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buf in buf.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) } }
    guard let made else {
      throw .fileSystem(path: "/tmp", detail: "cannot make a temporary directory: \(String(cString: strerror(errno)))")
    }
    return made
  }

  /// Removes a dry run's scratch directory and what it holds (no subdirectories).
  static func removeScratch(_ dir: String) {
    if let d = opendir(dir) {
      while let e = readdir(d) {
        let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if name != ".", name != ".." { unlink(dir + "/" + name) }
      }
      closedir(d)
    }
    rmdir(dir)
  }

  static func prepareDestination(_ path: String, create: Bool = true) throws(ClientError) -> String {
    var absolute = path
    if !path.hasPrefix("/") {
      guard let cwd = LibC.currentDirectory() else { throw .fileSystem(path: path, detail: "cannot read the current directory") }
      absolute = path == "." ? cwd : cwd + "/" + path
    }
    while absolute.count > 1, absolute.hasSuffix("/") { absolute.removeLast() }
    if !create { return absolute }
    // mkdir -p
    var built = ""
    for part in absolute.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o755) != 0, errno != EEXIST {
        throw .fileSystem(path: built, detail: "cannot create the directory: \(String(cString: strerror(errno)))")
      }
    }
    var st = stat()
    guard stat(absolute, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { throw .fileSystem(path: absolute, detail: "not a directory") }
    return absolute
  }

  /// Chooses the file pip would choose for `line` (constraints applied), or the file a
  /// `name @ URL` requirement names. `demands` are the requirements merged into `line`: when
  /// each alone could be met but not all together, that is a conflict, not a missing file.
  private func select(_ line: RequirementLine, demands: [Demand], options: DownloadOptions, matcher: TagMatcher, memo: RunMemo) async throws -> Selected {
    var req = line.requirement
    let constraints = options.constraints.filter { $0.requirement.name == req.name }
    let narrowing = constraints.flatMap(\.requirement.specifier.specifiers)
    if !narrowing.isEmpty {
      req = req.narrowed(by: narrowing)
    }
    let demands = demands + constraints.map { Demand(specifier: $0.requirement.specifier, shown: "constraint \($0.requirement.text)\($0.origin.map { " (\($0))" } ?? "")") }
    if let url = req.url { return try selectURL(url, requirement: req, fromUser: !line.isDependency, shown: demands.first?.shown ?? req.text) }
    let evaluator = CandidateEvaluator(project: req.name, matcher: matcher, formats: options.formats, ignoreRequiresPython: options.ignoreRequiresPython)
    var candidates: [(Candidate, SafeURL?)] = []
    var wrongPython = Set<String>()
    for listed in try await memo.files(for: req.name, client: client) {
      let file = listed.file
      if let cutoff = options.uploadedPriorTo, try !Downloader.uploaded(file, before: cutoff, page: listed.base) { continue }
      switch evaluator.evaluate(file) {
      case .success(let c): candidates.append((c, listed.base))
      case .failure(.requiresPython(let rp)):
        if let k = DistributionKind(filename: file.filename, project: req.name) { wrongPython.insert("\(k.version) Requires-Python \(rp)") }
      default: break
      }
    }
    let selector = CandidateSelector(specifier: req.specifier, allowPrereleases: options.prereleases)
    guard let best = selector.best(from: candidates.map(\.0)) else {
      let alone = demands.filter { CandidateSelector(specifier: $0.specifier, allowPrereleases: options.prereleases).best(from: candidates.map(\.0)) != nil }
      if demands.count > 1, alone.count == demands.count {
        throw ClientError.dependencyConflict(Downloader.listed(demands.map(\.shown)) + " exclude each other: no version of \(req.name.typed) satisfies them all")
      }
      let visible = Set(candidates.filter { $0.0.file.yanked == nil }.map(\.0.version))
      let yanked = Set(candidates.filter { $0.0.file.yanked != nil }.map(\.0.version)).subtracting(visible)
      throw ClientError.noMatchingDistribution(
        requirement: req.text, versions: visible.sorted().map(\.description),
        yanked: yanked.sorted().map(\.description), wrongPython: wrongPython.sorted())
    }
    if let reason = best.file.yanked {
      warn("the candidate selected for download is a yanked version: \(ServerText.clean(best.file.filename))\(reason.isEmpty ? "" : "; reason for being yanked: \(ServerText.clean(reason))")")
    }
    let base = candidates.first { $0.0 == best }?.1 ?? nil
    guard let base, let url = best.file.resolvedURL(base: base) else {
      throw ClientError.badAnswer("the link of \(ServerText.clean(best.file.filename)) on the index page is not a URL (\(best.file.href))", hint: "the index serves a broken page; report it to its operator")
    }
    return Selected(
      file: best.file, version: best.version.description, url: url.withoutUserinfo, project: req.name,
      mayReadLocal: base.isFile)
  }

  /// Whether `file` was uploaded before `cutoff`.
  /// - Throws: a usage error naming the page when it gives no upload time (a page without
  ///   PEP 700 times cannot say what the index held then).
  static func uploaded(_ file: DistributionFile, before cutoff: Timestamp, page: SafeURL?) throws(ClientError) -> Bool {
    guard let text = file.uploadTime, let time = Timestamp(text) else {
      throw .usage(
        "--uploaded-prior-to: \(page.map(\.description) ?? "the index page") gives no upload time for \(ServerText.clean(file.filename))",
        hint: "it needs an index that serves PEP 700 upload-time (JSON pages: PyPI, pypiserver 2, recent devpi and Artifactory); drop --uploaded-prior-to for this index")
    }
    return time < cutoff
  }

  /// `name @ URL`: the file is downloaded as given (its userinfo was made a credential source
  /// for its origin), checked against the URL's `#sha256=` fragment and the line's `--hash`.
  /// A `file:` URL is read only when the user gave the requirement (`fromUser`), never when a
  /// distribution's metadata declared it.
  private func selectURL(_ given: SafeURL, requirement req: Requirement, fromUser: Bool, shown: String) throws -> Selected {
    let url = given.withoutUserinfo
    guard url.isWeb || url.isFile else {
      throw ClientError.usage("\(given): only http, https and file URLs can be downloaded", hint: nil)
    }
    if url.isFile, !fromUser { throw ClientError.localDependency(shown: ServerText.clean(Redaction.redact(shown))) }
    let file = DistributionFile(filename: nil, href: url.revealedWithSecrets())
    let filename = file.filename
    guard let kind = DistributionKind(filename: filename, project: req.name) else {
      // `/download?id=3`: the server's Content-Disposition will have to name the file.
      guard !url.isFile else {
        throw ClientError.usage("\(given) is not a wheel or sdist of \(req.name.typed) (its file name is '\(filename)')", hint: "name @ URL must point at a distribution file of that project")
      }
      return Selected(file: file, version: "", url: url.withoutFragment, project: req.name, nameFromResponse: true)
    }
    return Selected(file: file, version: kind.version.description, url: url.withoutFragment, project: req.name, mayReadLocal: fromUser)
  }

  /// For a project, whether a file can serve one of `targets`: what its evaluator accepts, or
  /// rejects only for Requires-Python (kept, so that "no matching distribution" can say why).
  static func usable(by targets: [DownloadOptions]) -> @Sendable (ProjectName) -> @Sendable (DistributionFile) -> Bool {
    let settings = targets.map { (matcher: TagMatcher(target: $0.target), formats: $0.formats, ignoreRequiresPython: $0.ignoreRequiresPython) }
    return { project in
      let evaluators = settings.map { CandidateEvaluator(project: project, matcher: $0.matcher, formats: $0.formats, ignoreRequiresPython: $0.ignoreRequiresPython) }
      return { file in
        evaluators.contains { e in
          switch e.evaluate(file) {
          case .success, .failure(.requiresPython): true
          default: false
          }
        }
      }
    }
  }

  /// `a`, `a and b`, `a, b and c`.
  static func listed(_ items: [String]) -> String {
    items.count <= 1 ? items.joined() : items.dropLast().joined(separator: ", ") + " and " + (items.last ?? "")
  }

  /// Writes the file to a temporary name, checks every digest the index gave and, when the
  /// requirement has `--hash` values, that the file matches one of them; stages it then, to be
  /// renamed once the run settles (``StagedFiles``).
  private func store(_ selected: Selected, dest: String, allowed: [String: Set<String>], requireHashes: Bool, size: Int? = nil, staging: StagedFiles) async throws -> DownloadedFile {
    let file = selected.file
    guard Downloader.isSafeFilename(file.filename) || selected.nameFromResponse else {
      throw ClientError.fileSystem(path: file.filename, detail: "unsafe file name (a separator, '..', NUL or a control character)")
    }
    if file.digests.isEmpty, !file.unverifiableAlgorithms.isEmpty {
      warn("\(file.filename): the index gives only \(file.unverifiableAlgorithms.joined(separator: ", ")) digests, which pyindex cannot verify")
    }
    let check = HashCheck(expected: file.digests, allowed: allowed, requireHashes: requireHashes)
    if !selected.nameFromResponse, let present = check.alreadyPresent(at: dest + "/" + file.filename) {
      return selected.downloaded(filename: file.filename, version: selected.version, dest: dest, digests: present.digests, size: present.size, alreadyPresent: true)
    }
    let staged = try StagedFile(
      finalPath: dest + "/" + file.filename, temporaryPath: dest + "/." + (selected.nameFromResponse ? "download" : file.filename) + "." + Downloader.randomSuffix() + ".part",
      mode: 0o644)
    var sink = DiskSink(file: staged, selected: selected, progress: progressSink)
    let verified: VerifiedFile
    do {
      verified = try await fetch(selected, check: check, into: &sink)
      try await staged.finish()
    } catch {
      staged.discard()
      throw error
    }
    let (filename, version) = (sink.filename, sink.version)
    if let size, verified.size != size {
      throw ClientError.digestMismatch(filename: filename, url: (selected.url), algorithm: "size", expected: String(size), actual: String(verified.size))
    }
    if let line = try check.missingLine(verified.digests, filename: filename, url: selected.url, project: selected.project, version: version) {
      // Nothing unverified is kept: the caller reports the line to add.
      throw MissingHash(line: line)
    }
    staging.add(temporary: staged.temporaryPath, final: dest + "/" + filename)
    staged.handOver()
    return selected.downloaded(filename: filename, version: version, dest: dest, digests: verified.digests, size: verified.size, alreadyPresent: false)
  }

  /// The file through ``VerifiedFetch``, a mismatch said with the file's name.
  private func fetch(_ selected: Selected, check: HashCheck, into sink: inout DiskSink) async throws -> VerifiedFile {
    let fetch = VerifiedFetch(transport: client.transport, url: selected.url, expected: check.expected, alsoCompute: check.allowed.keys, allowsLocal: selected.mayReadLocal)
    do {
      guard let verified = try await fetch.run(into: &sink) else { throw ClientError.fileSystem(path: sink.file.temporaryPath, detail: "no body") }
      return verified
    } catch let m as DigestMismatch {
      throw ClientError.digestMismatch(filename: sink.filename, url: (selected.url), algorithm: m.algorithm, expected: m.expected, actual: m.actual)
    }
  }

  /// A file name that can be written into DEST as it is: no separator, no `.`/`..`, no
  /// control character (C0, DEL, C1) and no bidirectional control (a U+202E would show
  /// `evil.whl` where `lhw.live` is written).
  static func isSafeFilename(_ name: String) -> Bool {
    !name.isEmpty && name != "." && name != ".." && !name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || ServerText.isUnsafe($0) }
  }

  /// A requirement without a hash under `--require-hashes`; `line` is what to add.
  struct MissingHash: Error { let line: String }

  static func randomSuffix() -> String {
    String(UInt64.random(in: 0...UInt64.max), radix: 36)
  }
}
