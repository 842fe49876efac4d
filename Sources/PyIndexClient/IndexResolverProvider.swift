import PyIndexModel
import PyIndexResolver
import Synchronization

/// The resolver's view of the indexes for one target: each project's versions (its page read
/// once per run, through the run's memo), and a version's dependencies from its wheel's
/// metadata (PEP 658, range requests, or the wheel itself, each once per run).
final class IndexResolverProvider: ResolverProvider {
  let downloader: Downloader
  let options: DownloadOptions
  let environment: MarkerEnvironment
  let matcher: TagMatcher
  let memo: RunMemo
  let dest: String
  let staging: StagedFiles
  /// `name @ URL` requirements of the user, by project: the one candidate of that project.
  let direct: [String: Downloader.Selected]
  /// `--hash` values of the user's lines, by project (files read for their metadata are
  /// checked as the download will check them).
  let hashes: [String: [String: Set<String>]]

  /// Per project: its versions newest first, and the file chosen for each.
  private let catalogue = Mutex<[String: Listing]>([:])
  private let warned = Mutex<Set<String>>([])
  /// Projects listed and versions whose dependencies were read, for the progress line.
  private let counts = Mutex((projects: 0, versions: 0))

  struct Listing: Sendable {
    var versions: [VersionInfo]
    /// The file chosen for each version, and the URL its link resolves against.
    var files: [Version: (DistributionFile, SafeURL?)]
  }

  init(
    downloader: Downloader, options: DownloadOptions, environment: MarkerEnvironment, memo: RunMemo, dest: String, staging: StagedFiles,
    direct: [String: Downloader.Selected], hashes: [String: [String: Set<String>]]
  ) {
    (self.downloader, self.options, self.environment, self.memo, self.dest, self.staging) = (downloader, options, environment, memo, dest, staging)
    (self.direct, self.hashes) = (direct, hashes)
    matcher = TagMatcher(target: options.target)
  }

  func versions(of project: String) async throws -> [VersionInfo] {
    try await listing(project).versions
  }

  /// The project's usable files grouped by version, the best file of each (pip's order: not
  /// yanked, then the best tag, then the highest build tag).
  func listing(_ project: String) async throws -> Listing {
    if let known = catalogue.withLock({ $0[project] }) { return known }
    let name = try ProjectName(project)
    var listing = Listing(versions: [], files: [:])
    if let url = direct[project] {
      // Its version from the file name; one the server names later counts as 0 here.
      let version = Version.parse(url.version) ?? Version(release: [0])
      listing.versions = [VersionInfo(version: version, yanked: false)]
      listing.files[version] = (url.file, nil)
    } else {
      let evaluator = CandidateEvaluator(project: name, matcher: matcher, formats: options.formats, ignoreRequiresPython: options.ignoreRequiresPython)
      let files: [RunMemo.Listed]
      do { files = try await memo.files(for: name, client: downloader.client) } catch let e as ClientError where e.isProjectNotFound { files = [] }
      var byVersion: [Version: [(Candidate, SafeURL?)]] = [:]
      for listed in files {
        if let cutoff = options.uploadedPriorTo, try !Downloader.uploaded(listed.file, before: cutoff, page: listed.base) { continue }
        if case .success(let c) = evaluator.evaluate(listed.file) { byVersion[c.version, default: []].append((c, listed.base)) }
      }
      for (version, candidates) in byVersion {
        let exact = CandidateSelector(specifier: (try? SpecifierSet("===\(version)")) ?? SpecifierSet(), allowPrereleases: true)
        let best = exact.best(from: candidates.map(\.0)) ?? candidates[0].0
        let base = candidates.first { $0.0 == best }?.1 ?? nil
        listing.files[version] = (best.file, base)
        listing.versions.append(VersionInfo(version: version, yanked: candidates.allSatisfy { $0.0.file.yanked != nil }))
      }
      listing.versions.sort { $0.version > $1.version }
    }
    let done = listing
    report(projects: 1, versions: 0)
    return catalogue.withLock { table in
      if let first = table[project] { return first }
      table[project] = done
      return done
    }
  }

  func dependencies(of project: String, version: Version, extra: String?) async throws -> [Dependency]? {
    guard let metadata = try await metadata(project, version) else { return nil }
    if extra == nil { report(projects: 0, versions: 1) }
    let shown = "\(project) \(version)"
    let declared = Set(metadata.providesExtra)
    if let extra, !declared.contains(extra) {
      warnOnce("\(shown) does not provide the extra '\(extra)'")
      return []
    }
    var out: [Dependency] = []
    for text in metadata.requiresDist {
      let dep: Requirement
      do { dep = try Requirement(text) } catch {
        warnOnce("\(shown) declares an invalid dependency '\(text)'; it is skipped")
        continue
      }
      let base = dep.applies(to: environment)
      let wanted = extra.map { dep.applies(to: environment, extra: $0) && !base } ?? base
      guard wanted else { continue }
      if let url = dep.url {
        // pip refuses a direct URL declared by a distribution from an index; a `file:` one
        // would make pyindex read the machine's files.
        if url.isFile { throw ClientError.localDependency(shown: ServerText.clean("\(shown) → \(dep.name.typed) @ \(url)")) }
        throw ClientError.dependencyConflict("\(shown) depends on \(dep.name.typed) @ \(url), a direct URL; pip refuses those from a package of an index")
      }
      // Shown without its marker: it holds for this target, that is all the explanation needs.
      let shownText = dep.text.split(separator: ";", maxSplits: 1).first.map { String($0.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) } ?? dep.text
      out.append(Dependency(project: dep.name.normalized, extras: dep.extras, specifier: dep.specifier, text: ServerText.clean(shownText)))
    }
    return out
  }

  func prefetch(_ project: String, version: Version) async {
    // Only metadata that costs no download (PEP 658 files, range requests), in the background;
    // the same memo entry serves the resolver when it gets there.
    guard let listing = try? await listing(project), let (file, base) = listing.files[version],
      file.filename.hasASCIISuffixIgnoringCase(".whl"), let selected = selection(project, file, base)
    else { return }
    let memo = self.memo, downloader = self.downloader
    Task { _ = try? await memo.metadata(for: selected.url) { try await downloader.remoteMetadata(selected) } }
  }

  /// What `download` would fetch for this version.
  func selection(_ project: String, _ file: DistributionFile, _ base: SafeURL?) -> Downloader.Selected? {
    if let url = direct[project] { return url }
    guard let base, let url = file.resolvedURL(base: base), let name = try? ProjectName(project),
      let kind = DistributionKind(filename: file.filename, project: name)
    else { return nil }
    return Downloader.Selected(file: file, version: kind.version.description, url: url.withoutUserinfo, project: name, mayReadLocal: base.isFile)
  }

  /// The version's core metadata, nil for a source distribution (never built).
  func metadata(_ project: String, _ version: Version) async throws -> CoreMetadata? {
    let listing = try await listing(project)
    guard let (file, base) = listing.files[version], let selected = selection(project, file, base) else { return nil }
    guard selected.file.filename.hasASCIISuffixIgnoringCase(".whl") else {
      warnOnce("\(selected.file.filename) is a source distribution: its dependencies are not followed (pyindex never builds sdists)")
      return nil
    }
    if let remote = try await memo.metadata(for: selected.url, { try await self.downloader.remoteMetadata(selected) }) { return remote }
    // Neither PEP 658 nor range requests: the wheel itself, fetched once for the run (the
    // download reuses it).
    let stored: DownloadedFile
    do {
      stored = try await downloader.storeOnce(selected, dest: dest, allowed: hashes[project] ?? [:], options: options, staging: staging, memo: memo)
    } catch is Downloader.MissingHash {
      // Reported by the download, with the line to add.
      return nil
    }
    do {
      return CoreMetadata(try WheelMetadata.read(path: staging.location(of: stored.path)))
    } catch {
      throw ClientError.fileSystem(path: stored.path, detail: "cannot read the wheel's METADATA: \(error)")
    }
  }

  private func report(projects: Int, versions: Int) {
    guard let sink = downloader.progressSink else { return }
    let now = counts.withLock { c in
      c.projects += projects
      c.versions += versions
      return c
    }
    sink(.resolving(projects: now.projects, versions: now.versions))
  }

  private func warnOnce(_ message: String) {
    if warned.withLock({ $0.insert(message).inserted }) { downloader.warn(message) }
  }
}
