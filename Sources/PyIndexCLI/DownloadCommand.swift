import ArgumentParser
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Dispatch
#if canImport(Glibc)
  import Glibc
#endif
import PyIndexAuth
import PyIndexClient
import PyIndexModel

extension PyIndexCommand {
  /// `pyindex download REQ...`: fetch the file pip would pick, verified, atomically.
  struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Download distributions, as pip download does: verified against every digest, written atomically.")

    @Argument(help: "PEP 508 requirements: name, name==1.2, name>=1,<2, name[extra].")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirement")], help: ArgumentHelp("Install from the given requirements file (pip's format: -r/-c nesting, --hash, option lines, ${VAR}); repeatable.", valueName: "file"))
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

    @OptionGroup(title: "Target") var target: TargetOptions
    @OptionGroup(title: "Indexes") var index: IndexOptions
    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Output") var output: OutputOptions

    mutating func validate() throws {
      guard (1...64).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 64") }
      guard !requirements.isEmpty || !requirementFiles.isEmpty else { throw ValidationError("give at least one requirement, or -r FILE") }
      if target.hasTargetFlags, !noDeps, !(target.formats.onlyBinary.contains(":all:") && target.formats.noBinary.isEmpty) {
        throw ValidationError(
          "When restricting platform and interpreter constraints using --python-version, --platform, --abi, or --implementation, either --no-deps must be set, or --only-binary=:all: must be set and --no-binary must not be set (or must be set to :none:).")
      }
    }

    func run() async throws {
      let session = Session(output: output)
      let console = session.console
      var lines: [RequirementLine]
      var fromFiles = RequirementsFile()
      let resolvedTarget: Target
      let fullVersion: String?
      var index = self.index, network = self.network, target = self.target
      do {
        lines = try requirements.map { (r: String) throws(ModelError) in RequirementLine(requirement: try Requirement(r)) }
        for path in requirementFiles + constraintFiles.map({ "\u{0}" + $0 }) {
          let isConstraint = path.hasPrefix("\u{0}")
          let file = try RequirementsFile.load(isConstraint ? String(path.dropFirst()) : path, environment: session.environment) { p in
            guard FileManager.default.fileExists(atPath: p) else { throw RequirementsFile.ParseError.unreadable(path: p, reason: "no such file") }
            guard let text = try? String(contentsOfFile: p, encoding: .utf8) else { throw RequirementsFile.ParseError.unreadable(path: p, reason: "not readable as UTF-8 text") }
            return text
          }
          if isConstraint {
            fromFiles.constraints += file.requirements + file.constraints
          } else {
            fromFiles.requirements += file.requirements
            fromFiles.constraints += file.constraints
          }
          fromFiles.requireHashes = fromFiles.requireHashes || file.requireHashes
          // Option lines of the files, where the command line did not say otherwise.
          if index.indexURL == nil, let u = file.indexURL { index.indexURL = u }
          index.extraIndexURL += file.extraIndexURLs
          index.findLinks += file.findLinks
          if file.noIndex { index.noIndex = true }
          network.trustedHost += file.trustedHosts
          if file.pre { target.pre = true }
          target.onlyBinary += file.onlyBinary
          target.noBinary += file.noBinary
        }
        lines += fromFiles.requirements
        (resolvedTarget, fullVersion) = try downloadTarget(target, environment: session.environment)
      } catch let e as ModelError {
        console.error(e.description)
        throw ExitCode(64)
      } catch let e as RequirementsFile.ParseError {
        console.error(e.description, hint: "requirements files follow pip's format: https://pip.pypa.io/en/stable/reference/requirements-file-format/")
        throw ExitCode(64)
      }
      guard !lines.isEmpty else {
        console.error("no requirements to download: the requirements files list none")
        throw ExitCode(64)
      }
      // Markers are evaluated for the target, not for the machine pyindex runs on.
      let environment = MarkerEnvironment(target: resolvedTarget, pythonFullVersion: fullVersion)
      for line in lines where !line.requirement.applies(to: environment) {
        if !json, !output.quiet { console.out("Ignoring \(line.requirement.name.typed): markers '\(line.requirement.marker ?? "")' don't match your environment") }
      }
      lines = lines.filter { $0.requirement.applies(to: environment) }
      var options = DownloadOptions(
        destination: dest, target: resolvedTarget, formats: target.formats,
        prereleases: target.pre, ignoreRequiresPython: target.ignoreRequiresPython)
      options.requireHashes = requireHashes || fromFiles.requireHashes
      options.parallelism = jobs
      options.resolveDependencies = !noDeps
      options.pythonFullVersion = fullVersion
      options.constraints = fromFiles.constraints
      var downloaded: [DownloadedFile] = []
      let requested = lines
      // `name @ URL` requirements: their userinfo is a credential source for their origin.
      var credentialURLs: [IndexURL] = []
      for line in lines {
        guard let url = line.requirement.url, url.hasPrefix("http") else { continue }
        do { credentialURLs.append(try IndexURL(url)) } catch {
          console.error(error.description, hint: error.hint)
          throw ExitCode(64)
        }
      }
      let display = json ? nil : ProgressDisplay.forTerminal(quiet: output.quiet)
      var progress: (@Sendable (DownloadProgress) -> Void)? = nil
      if let display { progress = { @Sendable event in display.handle(event) } }
      let warn: @Sendable (String) -> Void = { message in
        display?.clear()
        console.warning(message)
      }
      do {
        try await session.run(index: index, network: network, credentialURLs: credentialURLs) { client in
          let downloader = Downloader(client: client, warn: warn, progress: progress)
          downloaded = try await downloader.download(lines: requested, options: options)
        }
      } catch {
        display?.clear()
        throw error
      }
      display?.clear()
      let files = downloaded
      if json {
        console.out("[" + files.map(Download.json).joined(separator: ", ") + "]")
        return
      }
      if output.quiet { return }  // errors only
      for f in files {
        console.out(f.alreadyPresent ? "File was already downloaded \(f.path)" : "Saved \(Download.display(f.path))")
      }
      var seen = Set<String>()
      let names = files.map(\.project).filter { seen.insert($0).inserted }
      console.out("Successfully downloaded \(names.joined(separator: " "))")
    }

    /// The target: flags where given, the machine for the rest (pip's defaults).
    /// - Returns: the target, and the full Python version when it came from the host's `python3`.
    func downloadTarget(_ target: TargetOptions, environment: [String: String]) throws -> (Target, String?) {
      var t = try target.explicitTarget()
      var full: String? = nil
      // The host's python3 tells the Python (when not given) and whether it runs on musl.
      let host = t.platforms == nil || t.pythonVersion == nil ? HostTarget.python(environment: environment) : nil
      if t.platforms == nil { t.platforms = HostTarget.platformTags(python: host, environment: environment) }
      if t.pythonVersion == nil {
        guard let py = host else {
          throw ValidationError("no python3 on PATH to take the target Python from; pass --python-version (e.g. --python-version 3.12)")
        }
        t.pythonVersion = py.version
        full = py.fullVersion
        if t.implementation == nil { t.implementation = py.implementation }
      }
      return (t, full)
    }

    /// `./dest/file` for paths under the current directory, as pip shows them.
    static func display(_ path: String) -> String {
      let cwd = FileManager.default.currentDirectoryPath
      if path.hasPrefix(cwd + "/") { return "./" + path.dropFirst(cwd.count + 1) }
      return path
    }

    static func json(_ f: DownloadedFile) -> String {
      "{\"name\": \(JSON.quote(f.project)), \"version\": \(JSON.quote(f.version)), \"filename\": \(JSON.quote(f.filename)), \"path\": \(JSON.quote(f.path)), \"sha256\": \(JSON.quote(f.sha256)), \"size\": \(f.size), \"url\": \(JSON.quote(f.url.description))}"
    }
  }
}
