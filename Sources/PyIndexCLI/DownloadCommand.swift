import ArgumentParser
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Dispatch
import PyIndexSystem
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexWheelhouse

/// One target of a matrix failed: its error, said with the target's name.
struct TargetFailure: PyIndexError {
  let target: String
  let error: ClientError
  var kind: FailureKind { error.kind }
  var hint: String? { error.hint }
  var underlying: (any Error)? { error }
  var description: String { "target \(target): \(error.description)" }
}

extension PyIndexCommand {
  /// `pyindex download REQ...`: fetch the file pip would pick, verified, atomically.
  struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Download distributions, as pip download does: verified against every digest, written atomically.")

    @Argument(help: "PEP 508 requirements: name, name==1.2, name>=1,<2, name[extra].")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: ArgumentHelp("Install from the given requirements file (pip's format: -r/-c nesting, --hash, option lines, ${VAR}); repeatable. A PEP 751 lock (pylock.toml, pylock.NAME.toml) is downloaded exactly, alone.", valueName: "file"))
    var requirementFiles: [String] = []

    @Option(name: [.customShort("c"), .customLong("constraint")], help: ArgumentHelp("Constrain versions with the given constraints file; repeatable.", valueName: "file"))
    var constraintFiles: [String] = []

    @Flag(help: "Require a --hash for every requirement (implied by any --hash in a requirements file).")
    var requireHashes = false

    @Option(name: [.customShort("j"), .long], help: ArgumentHelp("How many files to download at once.", valueName: "n"))
    var jobs: Int = 8

    @Option(name: [.customShort("d"), .long], help: ArgumentHelp("Directory to write files into.", valueName: "dir"))
    var dest: String = "."

    @Flag(help: "Do not download dependencies.")
    var noDeps = false

    @Flag(help: "Print a JSON array: one object per file.")
    var json = false

    @Option(help: ArgumentHelp("With -r pylock.toml: an extra the lock's markers see in 'extras'; repeatable.", valueName: "name"))
    var extra: [String] = []

    @Option(help: ArgumentHelp("With -r pylock.toml: a dependency group the lock's markers see in 'dependency_groups' (default: the lock's default-groups); repeatable.", valueName: "name"))
    var group: [String] = []

    @Flag(help: "Resolve and choose, and write nothing to DEST (a file is fetched to a temporary directory only when its dependencies cannot be read otherwise).")
    var dryRun = false

    @Option(help: ArgumentHelp("Write pip's installation report (version 1) of what was chosen to FILE; - for stdout (the usual lines are then left out).", valueName: "file"))
    var report: String?

    /// How DEST is laid out.
    enum Layout: String, CaseIterable, ExpressibleByArgument { case flat, index }

    @Option(help: ArgumentHelp("flat: the files only. index: DEST is also a static index (DEST/simple/, PEP 503 and 691 pages, a .metadata beside every wheel) that pip and uv install from offline with --index-url file:///DEST/simple; rewritten from every distribution in DEST on each run.", valueName: "layout"))
    var layout: Layout = .flat

    @Option(help: ArgumentHelp("Write a PEP 751 lock of what was chosen to FILE (pylock.toml or pylock.NAME.toml): path entries relative to it with --layout index, else url entries without credentials or query; with several targets, one pylock.TARGET.toml per target beside it.", valueName: "file"))
    var lockOutput: String?

    @Option(
      help: ArgumentHelp("Ignore files uploaded at or after this time (PEP 700 upload-time): RFC 3339 (2024-05-01T12:00:00Z) or a date (2024-05-01, midnight UTC).", valueName: "datetime"),
      transform: { (text: String) throws -> Timestamp in
        guard let t = Timestamp(text) else { throw ValidationError("'\(text)' is not an RFC 3339 time (2024-05-01T12:00:00Z) or a date (2024-05-01)") }
        return t
      })
    var uploadedPriorTo: Timestamp?

    @OptionGroup(title: "Target") var target: TargetOptions
    @OptionGroup(title: "Indexes") var index: IndexOptions
    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Output") var output: OutputOptions

    mutating func validate() throws {
      guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
      guard !requirements.isEmpty || !requirementFiles.isEmpty else { throw ValidationError("give at least one requirement, or -r FILE") }
      try target.validate(matrix: true)
      if report == "-", json { throw ValidationError("--report - and --json both write to stdout; give --report a file") }
      if report?.isEmpty == true { throw ValidationError("--report needs a file, or - for stdout") }
      if let lockOutput, !LockWriter.isLockName(lockOutput) {
        throw ValidationError("--lock-output \(lockOutput): a PEP 751 lock is named pylock.toml or pylock.NAME.toml")
      }
      if let report, report != "-", StagedFile.destination(forUserPath: report) == nil {
        throw ValidationError("--report \(report) is not a regular file; give a new or regular file, or - for stdout")
      }
    }

    func run() async throws {
      let session = Session(output: output)
      let (plan, configured) = try prepare(session: session)
      if !json, !output.quiet {
        for line in plan.ignored { session.console.out("Ignoring \(line.requirement.name.typed): markers '\(line.requirement.marker ?? "")' don't match your environment") }
      }
      let display = json ? nil : ProgressDisplay.forTerminal(quiet: output.quiet)
      defer { display?.clear() }
      let outcomes = try await download(plan, configured, session: session, display: display)
      display?.clear()
      try await finish(outcomes, plan: plan, session: session)
    }

    /// Everything before the first request: the configuration (pip's and uv's files read once),
    /// pip's target-flag rule, the plan (requirements files merged, the target from the host),
    /// and the configuration again under the option lines of the requirements files.
    func prepare(session: Session) throws -> (DownloadPlan, RunSettings) {
      let base = try session.configure(command: "download", index: index, network: network, target: target)
      // pip's rule, with the configured --only-binary/--no-binary counted as pip counts them.
      // A lock names every file: no dependency is followed, so the rule has nothing to guard.
      let locked = requirementFiles.contains(where: PyLock.isLockFile)
      if target.hasTargetFlags, !noDeps, !locked, !(base.formats.onlyBinary.contains(":all:") && base.formats.noBinary.isEmpty) {
        throw session.fail(
          ClientError.usage(
            "When restricting platform and interpreter constraints using --python-version, --platform, --abi, or --implementation, either --no-deps must be set, or --only-binary=:all: must be set and --no-binary must not be set (or must be set to :none:).",
            hint: "see 'pyindex download --help'"))
      }
      var request = self.request
      request.formats = base.formats
      request.pre = base.pre
      let plan: DownloadPlan
      do {
        plan = try DownloadPlan.make(request, environment: session.environment, read: Self.readText) { HostPython.probe(environment: session.environment) }
      } catch let e as any PyIndexError {
        throw session.fail(e)
      }
      // The option lines of requirements files sit between the command line and the rest.
      let configured = plan.fileOptions.hasIndexOptions ? try session.configure(command: "download", index: index, network: network, target: target, fileOptions: plan.fileOptions, report: false) : base
      return (plan, configured)
    }

    /// Says what the run did: the report, pip's lines (each file once, with the targets it
    /// serves), and for a matrix each target's outcome; a failed target's error and exit code.
    func finish(_ outcomes: [TargetOutcome], plan: DownloadPlan, session: Session) async throws {
      let matrix = outcomes.count > 1
      var files: [DownloadedFile] = []
      var targets: [String: [String]] = [:]
      for o in outcomes {
        for f in (try? o.result.get()) ?? [] {
          if targets[f.path] == nil { files.append(f) }
          targets[f.path, default: []].append(o.name)
        }
      }
      if let path = report {
        let served = files.map { ($0, matrix ? targets[$0.path] ?? [] : []) }
        let environment = matrix ? nil : plan.targets.first.map { MarkerEnvironment(target: $0.options.target, pythonFullVersion: $0.options.pythonFullVersion) }
        try await write(InstallationReport.json(served, environment: environment, version: PyIndexCommand.version), to: path, session: session)
      }
      if report != "-" { self.report(files, targets: matrix ? targets : nil, console: session.console) }
      if layout == .index, !dryRun, outcomes.contains(where: { (try? $0.result.get()) != nil }) { try await writeIndex(files, session: session) }
      if let lockOutput { try await writeLocks(outcomes, plan: plan, to: lockOutput, session: session) }
      guard matrix else { return }
      if !json, !output.quiet, report != "-" {
        for o in outcomes {
          if case .success(let got) = o.result { session.console.out("Target \(o.name): \(got.count) file\(got.count == 1 ? "" : "s")") }
        }
      }
      var code: ExitCode? = nil
      for o in outcomes {
        if case .failure(let e) = o.result { code = code ?? session.fail(TargetFailure(target: o.name, error: e)) }
      }
      if let code { throw code }
    }

    /// `--layout index`: DEST's pages, from every distribution it holds.
    func writeIndex(_ files: [DownloadedFile], session: Session) async throws {
      do throws(ClientError) {
        let root = dest.hasPrefix("/") ? dest : (LibC.currentDirectory() ?? ".") + "/" + dest
        let summary = try await WheelhouseIndex.write(dest: root, known: files)
        if !json, !output.quiet, report != "-" {
          let s = { (n: Int) in n == 1 ? "" : "s" }
          session.console.out("Wrote the index \(Download.display(root + "/simple/")): \(summary.projects) project\(s(summary.projects)), \(summary.files) file\(s(summary.files))")
        }
      } catch {
        throw session.fail(error)
      }
    }

    /// `--lock-output`: one lock per target that succeeded (FILE itself for one target).
    func writeLocks(_ outcomes: [TargetOutcome], plan: DownloadPlan, to file: String, session: Session) async throws {
      let absolute = file.hasPrefix("/") ? file : (LibC.currentDirectory() ?? ".") + "/" + file
      for o in outcomes {
        guard case .success(let files) = o.result, let target = plan.targets.first(where: { $0.name == o.name }) else { continue }
        let path = outcomes.count > 1 ? LockWriter.path(for: o.name, beside: absolute) : absolute
        do {
          let text = try LockWriter.text(files, target: target.options.target, lockPath: path, relative: layout == .index)
          let writer = try StagedFile(finalPath: path, mode: 0o644)
          _ = Array(text.utf8).withUnsafeBytes { writer.write($0) }
          try await writer.commit()
        } catch let e as ClientError {
          throw session.fail(e)
        } catch {
          throw session.fail(ClientError.fileSystem(path: path, detail: "cannot write the lock: \(error)"))
        }
        if !json, !output.quiet, report != "-" { session.console.out("Wrote the lock \(Download.display(path))") }
      }
    }

    /// The report on stdout (`-`) or into a file.
    func write(_ text: String, to path: String, session: Session) async throws {
      if path == "-" {
        session.console.out(text)
      } else {
        guard let target = StagedFile.destination(forUserPath: path) else {
          throw session.fail(ClientError.usage("--report \(path) is not a regular file", hint: "give a new or regular file, or - for stdout"))
        }
        do throws(ClientError) {
          let writer = try StagedFile(finalPath: target, mode: 0o644)
          Array((text + "\n").utf8).withUnsafeBytes { _ = writer.write($0) }
          try await writer.commit()
        } catch {
          throw session.fail(ClientError.fileSystem(path: path, detail: "cannot write the report: \(error.description)"))
        }
      }
    }

    /// The command line as a ``DownloadRequest``.
    var request: DownloadRequest {
      var r = DownloadRequest()
      (r.requirements, r.requirementFiles, r.constraintFiles) = (requirements, requirementFiles, constraintFiles)
      (r.requireHashes, r.destination, r.parallelism, r.resolveDependencies) = (requireHashes, dest, jobs, !noDeps)
      r.target = target.explicitTarget
      r.matrix = target.matrix
      r.uploadedPriorTo = uploadedPriorTo
      r.dryRun = dryRun
      r.recordMetadata = report != nil
      (r.lockExtras, r.lockGroups) = (extra, group.isEmpty ? nil : group)
      r.ignoreRequiresPython = target.ignoreRequiresPython
      return r
    }

    /// Runs the plan, progress on the terminal.
    func download(_ plan: DownloadPlan, _ configured: RunSettings, session: Session, display: ProgressDisplay?) async throws -> [TargetOutcome] {
      let console = session.console
      var progress: (@Sendable (DownloadProgress) -> Void)? = nil
      if let display { progress = { @Sendable event in display.handle(event) } }
      let warn: @Sendable (String) -> Void = { message in
        display?.clear()
        console.warning(message)
      }
      var outcomes: [TargetOutcome] = []
      try await session.run(configured, index: index, credentialURLs: plan.credentialURLs) { client, _ in
        outcomes = try await Downloader(client: client, warn: warn, progress: progress).download(targets: plan.targets, run: plan.run)
        // One target: its failure is the run's, reported as ever.
        if outcomes.count == 1, case .failure(let e) = outcomes[0].result { throw e }
      }
      return outcomes
    }

    /// What was downloaded: pip's lines, or one JSON array.
    /// - Parameter targets: for a matrix, the targets each file serves, by path.
    func report(_ files: [DownloadedFile], targets: [String: [String]]?, console: Console) {
      if json {
        console.out("[" + files.map { f in Download.json(f, targets: targets?[f.path]) }.joined(separator: ", ") + "]")
        return
      }
      if output.quiet { return }  // errors only
      for f in files {
        console.out(f.dryRun ? "Would download \(f.filename)" : f.alreadyPresent ? "File was already downloaded \(f.path)" : "Saved \(Download.display(f.path))")
      }
      if dryRun { return }
      var seen = Set<String>()
      let names = files.map(\.project).filter { seen.insert($0).inserted }
      console.out("Successfully downloaded \(names.joined(separator: " "))")
    }

    /// A requirements file's text.
    static func readText(_ path: String) throws -> String {
      guard FileManager.default.fileExists(atPath: path) else { throw RequirementsFile.ParseError.unreadable(path: path, reason: "no such file") }
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw RequirementsFile.ParseError.unreadable(path: path, reason: "not readable as UTF-8 text") }
      return text
    }

    /// `./dest/file` for paths under the current directory, as pip shows them.
    static func display(_ path: String) -> String {
      let cwd = FileManager.default.currentDirectoryPath
      if path.hasPrefix(cwd + "/") { return "./" + path.dropFirst(cwd.count + 1) }
      return path
    }

    static func json(_ f: DownloadedFile, targets: [String]? = nil) -> String {
      let served = targets.map { ", \"targets\": [" + $0.map(JSON.quote).joined(separator: ", ") + "]" } ?? ""
      return "{\"name\": \(JSON.quote(f.project)), \"version\": \(JSON.quote(f.version)), \"filename\": \(JSON.quote(f.filename)), \"path\": \(JSON.quote(f.path)), \"sha256\": \(JSON.quote(f.sha256)), \"size\": \(f.size), \"url\": \(JSON.quote(f.url.description))\(f.provenance.map { ", \"provenance\": \(JSON.quote($0))" } ?? "")\(served)}"
    }
  }
}
