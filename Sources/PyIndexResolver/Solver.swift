public import PyIndexModel

/// One version of a project as the solver sees it.
public struct VersionInfo: Sendable, Hashable {
  public let version: Version
  /// Yanked (PEP 592): chosen only for an exact pin (`==` without `*`, `===`).
  public let yanked: Bool
  public init(version: Version, yanked: Bool) { (self.version, self.yanked) = (version, yanked) }
}

/// A requirement on a project, as a dependency or a root requirement states it.
public struct Dependency: Sendable, Hashable {
  /// The normalized project name.
  public let project: String
  public let extras: [String]
  public let specifier: SpecifierSet
  /// The requirement as written, for explanations.
  public let text: String
  /// A `name @ URL` requirement (pip decides those first).
  public let direct: Bool
  public init(project: String, extras: [String] = [], specifier: SpecifierSet, text: String, direct: Bool = false) {
    (self.project, self.extras, self.specifier, self.text, self.direct) = (project, extras, specifier, text, direct)
  }
}

/// What the solver asks of the index: a project's versions, a version's dependencies.
/// Answers are memoized by the caller (each page and metadata file is fetched once per run).
public protocol ResolverProvider: Sendable {
  /// The versions of `project` that can be chosen for the target (tags, Requires-Python,
  /// formats and cut-off already applied), newest first.
  func versions(of project: String) async throws -> [VersionInfo]
  /// The dependencies version `version` of `project` declares for the target with `extra`
  /// (only what the extra adds, when given); nil when they cannot be known (a source
  /// distribution, which is never built).
  func dependencies(of project: String, version: Version, extra: String?) async throws -> [Dependency]?
  /// A hint that `version` of `project` may be decided soon: its metadata may be fetched ahead.
  func prefetch(_ project: String, version: Version) async
}

/// What made an incompatibility true.
indirect enum Cause: Sendable {
  /// The root must be selected.
  case root
  /// The user's requirement (`text`).
  case requirement(String)
  /// A `-c` constraint.
  case constraint(String)
  /// `package` at these versions depends on `text`.
  case dependency(Package, VersionSet, String)
  /// `pkg[extra]` is `pkg` at the same version.
  case extraOf(Package, VersionSet)
  /// No version of the project matches.
  case noVersions(Package, VersionSet)
  /// Learned from two others.
  case derived(Incompatibility, Incompatibility)
}

/// Terms that cannot all be true at once.
final class Incompatibility: Sendable {
  let terms: [Term]
  let cause: Cause
  init(_ terms: [Term], _ cause: Cause) {
    // One term per package: terms on the same package are intersected.
    var merged: [Package: Term] = [:]
    var order: [Package] = []
    for t in terms {
      if let m = merged[t.package] { merged[t.package] = m.intersection(t) } else {
        merged[t.package] = t
        order.append(t.package)
      }
    }
    self.terms = order.compactMap { merged[$0] }
    self.cause = cause
  }
  func term(for package: Package) -> Term? { terms.first { $0.package == package } }
}

/// Why resolution failed, in a few readable lines.
public struct ResolutionFailure: Error, Sendable, CustomStringConvertible {
  /// The explanation, one fact a line, in the order they were used.
  public let lines: [String]
  /// The requirement that has no version at all, when that alone is the failure.
  public let missingProject: String?
  /// Whether only the user's requirements and constraints are involved (no dependency).
  public let onlyRequirements: Bool
  public var description: String { lines.joined(separator: "\n") }
}

/// The solver gave up (too many steps, or past its time limit).
public struct ResolutionTooLong: Error, Sendable, CustomStringConvertible {
  public let steps: Int
  public let timedOut: Bool
  public var description: String { timedOut ? "resolution did not finish in its time limit (\(steps) steps)" : "resolution did not finish after \(steps) steps" }
}

/// The PubGrub algorithm (Dart pub's `doc/solver.md`; `pubgrub-rs`, which uv uses) over finite
/// version sets: unit propagation, decisions newest-first in pip's order of preference, and
/// conflict-driven learning, so a conflict met once is never explored again. One solver
/// resolves one target.
public struct Solver: Sendable {
  public let provider: any ResolverProvider
  public let prereleases: Bool
  /// The most decisions and conflicts before giving up.
  public let maxSteps: Int
  /// How long it may take (20 minutes by default; pip gives up on none).
  public let timeLimit: Duration

  public init(provider: any ResolverProvider, prereleases: Bool, maxSteps: Int = 200_000, timeLimit: Duration = .seconds(1200)) {
    (self.provider, self.prereleases, self.maxSteps, self.timeLimit) = (provider, prereleases, maxSteps, timeLimit)
  }

  /// The chosen version of each project, and the extras selected for it.
  public struct Solution: Sendable {
    public var versions: [String: Version]
    public var extras: [String: Set<String>]
    /// Projects in the order they were first required (the user's first).
    public var order: [String]
  }

  /// Resolves `requirements` under `constraints`.
  /// - Throws: ``ResolutionFailure`` with its explanation, ``ResolutionTooLong``, or what the
  ///   provider throws (a network failure).
  public func solve(_ requirements: [Dependency], constraints: [Dependency] = []) async throws -> Solution {
    var state = State(prereleases: prereleases)
    try await state.prepare(requirements + constraints, provider: provider)
    // pip allows a yanked version for every requirement on a project once the user pins it
    // exactly (its candidates are found for all of a project's requirements at once).
    for d in requirements + constraints where d.specifier.isExactPin {
      for v in state.versions[d.project] ?? [] where v.yanked && d.specifier.contains(v.version) {
        state.pinnedYanked.insert("\(d.project) \(v.version)")
      }
    }
    // The root's one version depends on each requirement; a constraint only narrows.
    state.add(Incompatibility([Term(.root, positive: false, VersionSet(full: 1))], .root))
    for (k, r) in requirements.enumerated() {
      for p in r.extras.isEmpty ? [Package(project: r.project)] : r.extras.map({ Package(project: r.project, extra: $0) }) where state.requested[p] == nil {
        state.requested[p] = k
      }
      if state.requested[Package(project: r.project)] == nil { state.requested[Package(project: r.project)] = k }
      for i in state.requirementIncompatibilities(r, from: .root, versions: VersionSet(full: 1), cause: .requirement(r.text)) { state.add(i) }
    }
    for c in constraints {
      let base = Package(project: c.project)
      guard let info = state.versions[c.project] else { continue }
      let allowed = state.allowed(c.specifier, in: info, project: c.project)
      state.add(Incompatibility([Term(.root, positive: true, VersionSet(full: 1)), Term(base, positive: true, allowed.complement)], .constraint(c.text)))
    }
    state.decide(.root, 0)
    var next: Package? = .root
    var steps = 0
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeLimit)
    while let package = next {
      steps += 1
      guard steps <= maxSteps else { throw ResolutionTooLong(steps: steps, timedOut: false) }
      guard clock.now < deadline else { throw ResolutionTooLong(steps: steps, timedOut: true) }
      try Task.checkCancellation()
      try await state.propagate(from: package, provider: provider)
      next = try await state.chooseNext(provider: provider)
    }
    return state.solution()
  }

  /// The solver's partial solution and everything it learned.
  struct State {
    let prereleases: Bool
    var versions: [String: [VersionInfo]] = [:]
    var incompatibilities: [Package: [Incompatibility]] = [:]
    var assignments: [Assignment] = []
    /// Per package: the intersection of its assignments, and its decision.
    var accumulated: [Package: Term] = [:]
    var decisions: [Package: Int] = [:]
    var level = 0
    /// The order packages were first met, for preference and for the result.
    var seen: [Package: Int] = [:]
    /// What each package is asked for, by whom (for pip's order of preference): the root, or a
    /// package at one version.
    var requests: [Package: [(from: Package, version: Int, dependency: Dependency)]] = [:]
    /// The user's requirements' order, by package.
    var requested: [Package: Int] = [:]
    /// Yanked versions the user pinned exactly (`project version`).
    var pinnedYanked: Set<String> = []

    struct Assignment {
      let term: Term
      let level: Int
      /// nil for a decision.
      let cause: Incompatibility?
    }

    init(prereleases: Bool) { self.prereleases = prereleases }

    /// Reads the versions of every project named (in parallel).
    mutating func prepare(_ dependencies: [Dependency], provider: any ResolverProvider) async throws {
      let missing = Array(Set(dependencies.map(\.project))).filter { versions[$0] == nil }.sorted()
      guard !missing.isEmpty else { return }
      let found = try await withThrowingTaskGroup(of: (String, [VersionInfo]).self) { group in
        for p in missing { group.addTask { (p, try await provider.versions(of: p)) } }
        return try await group.reduce(into: [String: [VersionInfo]]()) { $0[$1.0] = $1.1 }
      }
      versions.merge(found) { a, _ in a }
    }

    func domain(_ p: Package) -> Int { p.isRoot ? 1 : versions[p.project]?.count ?? 0 }

    /// The versions `specifier` allows: pip's rules (pre-releases when asked for, named, or
    /// the only ones; yanked only for an exact pin).
    func allowed(_ specifier: SpecifierSet, in info: [VersionInfo], project: String = "") -> VersionSet {
      let exact = specifier.isExactPin
      let usable = info.indices.filter { !info[$0].yanked || exact || pinnedYanked.contains("\(project) \(info[$0].version)") }
      let kept = Set(specifier.filter(usable.map { info[$0].version }, prereleases: prereleases))
      return VersionSet(count: info.count, indexes: usable.filter { kept.contains(info[$0].version) })
    }

    /// Every incompatibility `d` adds (one per extra beyond the first).
    mutating func requirementIncompatibilities(_ d: Dependency, from: Package, versions set: VersionSet, cause: Cause) -> [Incompatibility] {
      let info = versions[d.project] ?? []
      let allowedSet = allowed(d.specifier, in: info, project: d.project)
      let targets = d.extras.isEmpty ? [Package(project: d.project)] : d.extras.map { Package(project: d.project, extra: $0) }
      for t in targets { requests[t, default: []].append((from, set.first ?? 0, d)) }
      return targets.map { Incompatibility([Term(from, positive: true, set), Term($0, positive: false, allowedSet)], cause) }
    }

    mutating func add(_ i: Incompatibility) {
      for t in i.terms {
        incompatibilities[t.package, default: []].append(i)
        if seen[t.package] == nil { seen[t.package] = seen.count }
      }
    }

    mutating func decide(_ p: Package, _ version: Int) {
      level += 1
      decisions[p] = version
      assign(Term(p, positive: true, VersionSet(count: domain(p), indexes: [version])), cause: nil)
    }

    mutating func assign(_ term: Term, cause: Incompatibility?) {
      assignments.append(Assignment(term: term, level: level, cause: cause))
      accumulated[term.package] = accumulated[term.package].map { $0.intersection(term) } ?? term
    }

    enum Relation { case satisfied, contradicted, inconclusive }

    func relation(_ term: Term) -> Relation {
      guard let a = accumulated[term.package] else {
        // Nothing known: only "not selected at these" could already hold (it cannot).
        return .inconclusive
      }
      if a.satisfies(term) { return .satisfied }
      if a.contradicts(term) { return .contradicted }
      return .inconclusive
    }

    /// Unit propagation from `package`; a conflict is resolved (learning) or thrown.
    mutating func propagate(from package: Package, provider: any ResolverProvider) async throws {
      var changed: [Package] = [package]
      while let p = changed.popLast() {
        for incompat in (incompatibilities[p] ?? []).reversed() {
          var unsatisfied: Term? = nil
          var contradicted = false
          var twoOpen = false
          for t in incompat.terms {
            switch relation(t) {
            case .satisfied: continue
            case .contradicted: contradicted = true
            case .inconclusive:
              if unsatisfied != nil { twoOpen = true } else { unsatisfied = t }
            }
            if contradicted || twoOpen { break }
          }
          if contradicted || twoOpen { continue }
          if let t = unsatisfied {
            assign(t.negated, cause: incompat)
            if !changed.contains(t.package) { changed.append(t.package) }
          } else {
            let learned = try resolveConflict(incompat)
            // The learned incompatibility is now almost satisfied: its open term is derived.
            changed = []
            for t in learned.terms where relation(t) != .satisfied {
              assign(t.negated, cause: learned)
              changed = [t.package]
              break
            }
            break
          }
        }
      }
    }

    /// PubGrub's conflict resolution: walks back through the causes of a satisfied
    /// incompatibility until it can backjump, adding what it learned.
    mutating func resolveConflict(_ start: Incompatibility) throws -> Incompatibility {
      var incompat = start
      var learnedAny = false
      while true {
        if incompat.terms.isEmpty || (incompat.terms.count == 1 && incompat.terms[0].package.isRoot) {
          throw report(incompat)
        }
        let (satisfierIndex, previousLevel) = satisfier(of: incompat)
        let satisfier = assignments[satisfierIndex]
        if satisfier.cause == nil || previousLevel < satisfier.level {
          if learnedAny { add(incompat) }
          backtrack(to: previousLevel)
          return incompat
        }
        guard let cause = satisfier.cause, let term = incompat.term(for: satisfier.term.package) else { throw report(incompat) }
        var terms = incompat.terms.filter { $0.package != satisfier.term.package } + cause.terms.filter { $0.package != satisfier.term.package }
        if !satisfier.term.satisfies(term) {
          // not (satisfier \ term)
          let rest = satisfier.term.intersection(term.negated)
          terms.append(rest.negated)
        }
        incompat = Incompatibility(terms, .derived(incompat, cause))
        learnedAny = true
      }
    }

    /// The assignment that first makes every term of `incompat` hold, and the highest decision
    /// level among the assignments that made the other terms hold earlier (1 at least).
    func satisfier(of incompat: Incompatibility) -> (Int, Int) {
      var acc: [Package: Term] = [:]
      var satisfiedAt: [Package: Int] = [:]
      var found = assignments.count - 1
      for (k, a) in assignments.enumerated() {
        guard let t = incompat.term(for: a.term.package) else { continue }
        let now = acc[a.term.package].map { $0.intersection(a.term) } ?? a.term
        acc[a.term.package] = now
        if satisfiedAt[t.package] == nil, now.satisfies(t) { satisfiedAt[t.package] = k }
        if satisfiedAt.count == incompat.terms.count { found = k; break }
      }
      let satisfier = assignments[found]
      var previous = 1
      for t in incompat.terms where t.package != satisfier.term.package {
        if let k = satisfiedAt[t.package] { previous = max(previous, assignments[k].level) }
      }
      // The satisfier's own term: the earliest assignment before it that, with it, satisfies it.
      if let t = incompat.term(for: satisfier.term.package) {
        var before: Term? = nil
        for k in 0..<found where assignments[k].term.package == t.package {
          before = before.map { $0.intersection(assignments[k].term) } ?? assignments[k].term
          if let b = before, b.intersection(satisfier.term).satisfies(t) {
            previous = max(previous, assignments[k].level)
            break
          }
        }
      }
      return (found, previous)
    }

    mutating func backtrack(to target: Int) {
      while let last = assignments.last, last.level > target {
        assignments.removeLast()
        if last.cause == nil { decisions[last.term.package] = nil }
      }
      level = target
      accumulated = [:]
      for a in assignments { accumulated[a.term.package] = accumulated[a.term.package].map { $0.intersection(a.term) } ?? a.term }
    }

    /// The next package to decide, in pip's order of preference (exact pins, then the order
    /// packages were first required, then the name): its newest allowed version is decided and
    /// its dependencies added; nil when every required package is decided.
    mutating func chooseNext(provider: any ResolverProvider) async throws -> Package? {
      let open = accumulated.filter { $0.value.positive && decisions[$0.key] == nil }.map(\.key)
      guard let p = open.min(by: { preference($0) < preference($1) }) else { return nil }
      guard let term = accumulated[p] else { return nil }
      // An extra takes its project's version: the newest both allow. When the project allows
      // none of the extra's, that is learned for the whole set at once (`pkg[e]` in S needs
      // `pkg` in S), not version by version.
      let own = term.allowed
      var candidates = own
      if p.extra != nil, let base = accumulated[p.base] {
        candidates = own.intersection(base.allowed)
        if candidates.isEmpty, !own.isEmpty {
          add(Incompatibility([Term(p, positive: true, own), Term(p.base, positive: false, own)], .extraOf(p, own)))
          return p
        }
      }
      guard let pick = candidates.first else {
        add(Incompatibility([Term(p, positive: true, own)], .noVersions(p, own)))
        return p
      }
      guard let info = versions[p.project]?[pick] else { return p }
      let declared = try await provider.dependencies(of: p.project, version: info.version, extra: p.extra)
      let one = VersionSet(count: domain(p), indexes: [pick])
      // A source distribution: chosen, its dependencies not followed (pyindex never builds).
      let deps = declared ?? []
      try await prepare(deps, provider: provider)
      var added: [Incompatibility] = []
      if p.extra != nil {
        added.append(Incompatibility([Term(p, positive: true, one), Term(p.base, positive: false, one)], .extraOf(p, one)))
      }
      for d in deps where !d.project.isEmpty {
        added += requirementIncompatibilities(d, from: p, versions: one, cause: .dependency(p, one, d.text))
      }
      var conflicted = false
      for i in added {
        add(i)
        // Deciding would satisfy it at once: let propagation find the conflict instead.
        if i.terms.allSatisfy({ $0.package == p || relation($0) == .satisfied }) { conflicted = true }
      }
      for d in deps {
        if let info = versions[d.project], let newest = allowed(d.specifier, in: info, project: d.project).first { await provider.prefetch(d.project, version: info[newest].version) }
      }
      if !conflicted { decide(p, pick) }
      return p
    }

    /// pip's order (its resolvelib provider's `get_preference`), from the requirements of the
    /// root and of the packages decided now: direct URLs, then exact pins, then upper bounds,
    /// then the user's order, then any specifier at all, then the name.
    func preference(_ p: Package) -> (Int, Int, Int, Int, Int, String) {
      let active = (requests[p] ?? []).filter { $0.from.isRoot || decisions[$0.from] == $0.version }.map(\.dependency)
      let specifiers = active.flatMap(\.specifier.specifiers)
      let direct = active.contains(where: \.direct)
      let pinned = specifiers.contains { ($0.op == .equal && !$0.isPrefix) || $0.op == .arbitrary }
      let upper = specifiers.contains { $0.op == .less || $0.op == .lessEqual || $0.op == .compatible || ($0.op == .equal && $0.isPrefix) }
      let order = requested[p] ?? Int.max
      let identifier = p.extra.map { "\(p.project)[\($0)]" } ?? p.project
      return (direct ? 0 : 1, pinned ? 0 : 1, upper ? 0 : 1, order, specifiers.isEmpty ? 1 : 0, identifier)
    }

    func solution() -> Solution {
      var out = Solution(versions: [:], extras: [:], order: [])
      for (p, i) in decisions.sorted(by: { (seen[$0.key] ?? 0) < (seen[$1.key] ?? 0) }) where !p.isRoot {
        guard let v = versions[p.project]?[i].version else { continue }
        if let e = p.extra { out.extras[p.project, default: []].insert(e) } else {
          out.versions[p.project] = v
        }
      }
      let order = seen.filter { !$0.key.isRoot && $0.key.extra == nil && out.versions[$0.key.project] != nil }.sorted { $0.value < $1.value }.map(\.key.project)
      out.order = order
      return out
    }

    // MARK: explanation

    /// The failure, told from the incompatibilities that led to it: each fact once, in the
    /// order they were used.
    func report(_ incompat: Incompatibility) -> ResolutionFailure {
      var facts: [(rank: (Int, Int), text: String)] = []
      // Versions of one package that depend on the same thing are one fact ("scipy 1.11.1…1.11.4
      // (4 versions) depend on numpy<1.28"): by package and dependency, the fact's position and
      // the versions it holds so far.
      var grouped: [String: (index: Int, set: VersionSet)] = [:]
      var missing: String? = nil
      var external = 0
      var dependencies = 0
      func walk(_ i: Incompatibility) {
        switch i.cause {
        case .derived(let a, let b):
          walk(a)
          walk(b)
        case .root: break
        default:
          external += 1
          if case .dependency = i.cause { dependencies += 1 }
          // The user's requirements first, then what each package depends on in the order
          // the packages were met, then what is missing.
          let rank: (Int, Int)
          switch i.cause {
          case .requirement, .constraint: rank = (0, 0)
          case .dependency(let p, _, _): rank = (1, seen[p.base] ?? seen[p] ?? Int.max)
          default: rank = (2, 0)
          }
          if case .dependency(let p, let set, let text) = i.cause {
            let key = "\(p)\u{0}\(text)"
            if let g = grouped[key], g.set.count == set.count {
              let union = g.set.union(set)
              grouped[key] = (g.index, union)
              facts[g.index].text = dependencyLine(p, union, text)
            } else {
              grouped[key] = (facts.count, set)
              facts.append((rank, dependencyLine(p, set, text)))
            }
          } else if let line = describe(i), !facts.contains(where: { $0.text == line }) {
            facts.append((rank, line))
          }
          for t in i.terms where !t.package.isRoot && (versions[t.package.project] ?? []).isEmpty {
            missing = t.package.project
            let line = "\(t.package.project) has no version that can be used here"
            if !facts.contains(where: { $0.text == line }) { facts.append(((2, 0), line)) }
          }
        }
      }
      walk(incompat)
      let only = external <= 2 ? missing : nil
      let ordered = facts.enumerated().sorted { a, b in a.element.rank != b.element.rank ? a.element.rank < b.element.rank : a.offset < b.offset }
      return ResolutionFailure(lines: ordered.map(\.element.text), missingProject: only, onlyRequirements: dependencies == 0)
    }

    func describe(_ i: Incompatibility) -> String? {
      switch i.cause {
      case .root, .derived: return nil
      case .requirement(let text): return "you require \(text)"
      case .constraint(let text): return "a constraint says \(text)"
      case .dependency(let p, let set, let text): return dependencyLine(p, set, text)
      case .extraOf: return nil
      case .noVersions(let p, let set):
        let info = versions[p.project] ?? []
        if info.isEmpty { return "\(p.project) has no version that can be used here" }
        let wanted = i.terms.first?.set ?? set
        return "no version of \(p.project) is in \(showVersions(p, wanted, empty: "the range asked for")) (usable here: \(summary(info)))"
      }
    }

    /// "un-a 1.0 depends on un-c>=2"; "scipy 1.9.2, 1.9.3 depend on numpy<1.26.0"; "every
    /// version of un-b depends on un-c<1".
    func dependencyLine(_ p: Package, _ set: VersionSet, _ text: String) -> String {
      if p.isRoot || set.elementCount < 2 { return "\(show(p, set)) depends on \(text)" }
      if set.isFull { return "every version of \(p) depends on \(text)" }
      return "\(show(p, set)) depend on \(text)"
    }

    func show(_ p: Package, _ set: VersionSet) -> String {
      if p.isRoot { return "the requirements" }
      return "\(p) \(showVersions(p, set, empty: "(no version)"))"
    }

    func showVersions(_ p: Package, _ set: VersionSet, empty: String) -> String {
      let info = versions[p.project] ?? []
      let picked = set.indexes.compactMap { info.indices.contains($0) ? info[$0].version.description : nil }
      switch picked.count {
      case 0: return empty
      case 1: return picked[0]
      case 2, 3: return picked.reversed().joined(separator: ", ")
      default:
        if set.isFull { return "(any version)" }
        return "\(picked.last ?? "")…\(picked.first ?? "") (\(picked.count) versions)"
      }
    }

    func summary(_ info: [VersionInfo]) -> String {
      let names = info.filter { !$0.yanked }.map(\.version.description)
      if names.count <= 4 { return names.isEmpty ? "none" : names.reversed().joined(separator: ", ") }
      return "\(names.last ?? "")…\(names.first ?? ""), \(names.count) versions"
    }
  }
}
