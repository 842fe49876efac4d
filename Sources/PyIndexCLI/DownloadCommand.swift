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
import PyIndexClient
import PyIndexModel

extension PyIndexCommand {
  /// `pyindex download REQ...`: fetch the file pip would pick, verified, atomically.
  struct Download: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Download distributions, as pip download does: verified against every digest, written atomically.")

    @Argument(help: "PEP 508 requirements: name, name==1.2, name>=1,<2, name[extra].")
    var requirements: [String] = []

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
      guard !requirements.isEmpty else { throw ValidationError("give at least one requirement") }
      if target.hasTargetFlags, !noDeps, !(target.formats.onlyBinary.contains(":all:") && target.formats.noBinary.isEmpty) {
        throw ValidationError(
          "When restricting platform and interpreter constraints using --python-version, --platform, --abi, or --implementation, either --no-deps must be set, or --only-binary=:all: must be set and --no-binary must not be set (or must be set to :none:).")
      }
    }

    func run() async throws {
      let session = Session(output: output)
      let console = session.console
      let reqs: [Requirement]
      let resolvedTarget: Target
      do {
        reqs = try requirements.map { (r: String) throws(ModelError) in try Requirement(r) }
        resolvedTarget = try downloadTarget(environment: session.environment)
      } catch let e as ModelError {
        console.error(e.description)
        throw ExitCode(64)
      }
      if !noDeps { console.warning("dependencies are not resolved yet: only the requirements given are downloaded (pass --no-deps to silence this)") }
      let options = DownloadOptions(
        destination: dest, target: resolvedTarget, formats: target.formats,
        prereleases: target.pre, ignoreRequiresPython: target.ignoreRequiresPython)
      var files: [DownloadedFile] = []
      try await session.run(index: index, network: network) { client in
        let downloader = Downloader(client: client, warn: { console.warning($0) })
        files = try await downloader.download(reqs, options: options)
      }
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
    func downloadTarget(environment: [String: String]) throws -> Target {
      var t = try target.explicitTarget()
      if t.platforms == nil { t.platforms = HostTarget.platformTags() }
      if t.pythonVersion == nil {
        guard let py = HostTarget.python(environment: environment) else {
          throw ValidationError("no python3 on PATH to take the target Python from; pass --python-version (e.g. --python-version 3.12)")
        }
        t.pythonVersion = py.version
        if t.implementation == nil { t.implementation = py.implementation }
      }
      return t
    }

    /// `./dest/file` for paths under the current directory, as pip shows them.
    static func display(_ path: String) -> String {
      let cwd = FileManager.default.currentDirectoryPath
      if path.hasPrefix(cwd + "/") { return "./" + path.dropFirst(cwd.count + 1) }
      return path
    }

    static func json(_ f: DownloadedFile) -> String {
      "{\"name\": \(JSON.quote(f.project)), \"version\": \(JSON.quote(f.version)), \"filename\": \(JSON.quote(f.filename)), \"path\": \(JSON.quote(f.path)), \"sha256\": \(JSON.quote(f.sha256)), \"size\": \(f.size), \"url\": \(JSON.quote(f.url))}"
    }
  }
}
