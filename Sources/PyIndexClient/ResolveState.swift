import PyIndexModel

extension Downloader {
  /// The resolver-lite's bookkeeping, apart from the tasks: which requirement became which item,
  /// what was chosen per project, the jobs waiting for a slot, and when a wave is complete.
  /// Pure state changes; the ``Downloader`` runs the jobs.
  struct ResolveState {
    /// One requirement being selected, downloaded and (maybe) followed.
    struct Item {
      var pending: Pending
      var selected: Selected?
      var file: DownloadedFile?
      /// Whether its dependencies are known (or will never be: sdist, `--no-deps`, not kept).
      var settled = false
      /// Whether the dependencies are to be read from the downloaded file.
      var awaitsFile = false
    }

    let options: DownloadOptions
    let environment: MarkerEnvironment
    let warn: @Sendable (String) -> Void
    let progress: (@Sendable (DownloadProgress) -> Void)?

    private(set) var items: [Item] = []
    private var chosen: [String: Chosen] = [:]
    /// Jobs waiting for a slot: downloads go before selections, so that files start flowing
    /// as soon as their file is chosen (and DEST fills while pages are still being read).
    private var selections: [Job] = []
    private var nextSelection = 0
    private var stores: [Job] = []
    private var nextStore = 0
    /// The items of the wave being selected, and the dependencies they declared so far.
    private var wave: Range<Int> = 0..<0
    private var carried: [Pending] = []
    private var waves = 0
    /// `--require-hashes` lines to add, for files not kept.
    private(set) var missing: [String] = []

    init(options: DownloadOptions, environment: MarkerEnvironment, warn: @escaping @Sendable (String) -> Void, progress: (@Sendable (DownloadProgress) -> Void)?) {
      self.options = options
      self.environment = environment
      self.warn = warn
      self.progress = progress
    }

    /// The files downloaded, in the order their requirements were queued.
    var results: [DownloadedFile] { picks.map(\.file) }

    /// Each file downloaded with the selection it came from, in queue order.
    var picks: [(file: DownloadedFile, selected: Selected?)] {
      items.compactMap { item in
        item.file.map { f in
          var f = f
          f.requested = item.pending.chain.isEmpty
          f.isDirect = item.pending.line.requirement.url != nil
          if f.requested { f.requestedExtras = item.pending.requestedExtras ?? item.pending.line.requirement.extras.sorted() }
          f.isYanked = item.selected?.file.yanked != nil
          return (f, item.selected)
        }
      }
    }

    /// The next job to start, if any waits.
    mutating func nextJob() -> Job? {
      if nextStore < stores.count {
        defer { nextStore += 1 }
        return stores[nextStore]
      }
      guard nextSelection < selections.count else { return nil }
      defer { nextSelection += 1 }
      return selections[nextSelection]
    }

    /// Starts a wave with `pendings`: requirements of projects already chosen are checked
    /// against the choice (a conflict stops everything), several of one project are merged,
    /// and the rest are queued for selection.
    mutating func begin(_ pendings: [Pending]) throws(ClientError) {
      var pendings = pendings
      while !pendings.isEmpty {
        waves += 1
        guard waves <= 100 else { throw .badAnswer("the dependency closure is deeper than 100 levels", hint: "the index's metadata chains more dependencies than any real project has; report it to its operator") }
        var fresh: [Pending] = []
        var extraDependencies: [Pending] = []
        for pending in pendings {
          let req = pending.line.requirement
          let key = req.name.normalized
          if var c = chosen[key] {
            if !req.specifier.isEmpty, !req.specifier.contains(c.version) {
              throw .dependencyConflict("\(pending.shown) excludes \(req.name.typed) \(c.version), which was chosen for \(c.why)")
            }
            let newExtras = Set(req.extras).subtracting(c.extras)
            if !newExtras.isEmpty, let metadata = c.metadata {
              c.extras.formUnion(newExtras)
              chosen[key] = c
              extraDependencies += dependencies(metadata, extras: newExtras, onlyExtras: true, chain: pending.chain + ["\(req.name.typed) \(c.version)"])
            }
            continue
          }
          if let i = fresh.firstIndex(where: { $0.line.requirement.name == req.name }) {
            // Same project twice in one wave: one download that satisfies both.
            let first = fresh[i].line
            fresh[i].merged = fresh[i].demands + pending.demands
            fresh[i].line = RequirementLine(
              requirement: first.requirement.narrowed(by: req.specifier.specifiers).adding(extras: req.extras),
              hashes: first.hashes.merging(pending.line.hashes) { $0.union($1) }, origin: first.origin ?? pending.line.origin,
              isDependency: first.isDependency)
            continue
          }
          fresh.append(pending)
        }
        if fresh.isEmpty {
          pendings = extraDependencies
          continue
        }
        carried = extraDependencies
        progress?(.queued(fresh.count))
        let first = items.count
        for pending in fresh {
          selections.append(.select(item: items.count, line: pending.line, demands: pending.demands, metadata: options.resolveDependencies))
          items.append(Item(pending: pending))
        }
        wave = first..<items.count
        return
      }
    }

    /// Takes in what a job reported; queues downloads, and the next wave once every item of
    /// this one has its dependencies known.
    mutating func handle(_ event: Event) throws(ClientError) {
      switch event {
      case .selected(let i, let selected, let metadata):
        items[i].selected = selected
        let req = items[i].pending.line.requirement
        let isWheel = selected.file.filename.hasSuffix(".whl")
        let awaitsFile = options.resolveDependencies && isWheel && metadata == nil
        stores.append(.store(item: i, selected, line: items[i].pending.line, readMetadata: awaitsFile))
        if let version = try? Version(selected.version) {
          chosen[req.name.normalized] = Chosen(version: version, why: items[i].pending.shown, metadata: metadata, extras: Set(req.extras))
        }
        if options.resolveDependencies, !isWheel {
          warn("\(selected.file.filename) is a source distribution: its dependencies are not followed (pyindex never builds sdists)")
        }
        items[i].awaitsFile = awaitsFile
        items[i].settled = !awaitsFile
      case .stored(let i, let file, let missingHash, let metadata):
        items[i].file = file
        if let missingHash { missing.append(missingHash) }
        if items[i].awaitsFile {
          let key = items[i].pending.line.requirement.name.normalized
          chosen[key]?.metadata = metadata
          items[i].settled = true
        }
      }
      if wave.allSatisfy({ items[$0].settled }), !wave.isEmpty {
        var next = carried
        for i in wave {
          let item = items[i]
          guard let selected = item.selected, let metadata = chosen[item.pending.line.requirement.name.normalized]?.metadata else { continue }
          let req = item.pending.line.requirement
          next += dependencies(metadata, extras: Set(req.extras), onlyExtras: false, chain: item.pending.chain + ["\(req.name.typed) \(selected.version)"])
        }
        wave = items.count..<items.count
        carried = []
        try begin(next)
      }
    }

    /// The `Requires-Dist` entries of `metadata` that apply to the target with `extras`
    /// (only those an extra adds, when `onlyExtras`). An extra the metadata does not declare in
    /// `Provides-Extra` is ignored with pip's warning.
    private func dependencies(_ metadata: CoreMetadata, extras asked: Set<String>, onlyExtras: Bool, chain: [String]) -> [Pending] {
      var out: [Pending] = []
      let declared = Set(metadata.providesExtra)
      let extras = asked.filter { declared.contains(ProjectName.normalize($0)) }
      for extra in asked.subtracting(extras).sorted() {
        warn("\(chain.last ?? "?") does not provide the extra '\(extra)'")
      }
      for text in metadata.requiresDist {
        let dep: Requirement
        do { dep = try Requirement(text) } catch {
          warn("\(chain.last ?? "?") declares an invalid dependency '\(text)'; it is skipped")
          continue
        }
        let base = !onlyExtras && dep.applies(to: environment)
        let viaExtra = extras.contains { dep.applies(to: environment, extra: $0) } && !dep.applies(to: environment)
        guard base || viaExtra else { continue }
        out.append(Pending(line: RequirementLine(requirement: dep, origin: nil, isDependency: true), chain: chain))
      }
      return out
    }
  }
}
