import ArgumentParser
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexParsing

extension PyIndexCommand.Index {
  /// `pyindex index versions NAME`: what `pip index versions` prints, byte for byte.
  struct Versions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the versions of a project, newest first, as pip index versions does.")

    @Argument(help: "The project name, as typed (it is echoed back).")
    var project: String

    @Flag(help: "Print one JSON object: {\"name\", \"versions\", \"latest\"}.")
    var json = false

    @OptionGroup(title: "Target") var target: TargetOptions
    @OptionGroup var options: IndexCommandOptions

    mutating func validate() throws {
      try target.validate(matrix: false)
    }

    func run() async throws {
      let session = Session(output: options.output)
      let name: ProjectName
      do { name = try ProjectName(project) } catch { throw session.fail(error) }
      let configured = try session.configure(command: "index", index: options.index, network: options.network, target: target)
      let evaluator = CandidateEvaluator(project: name, target: target.explicitTarget, formats: configured.formats, ignoreRequiresPython: target.ignoreRequiresPython)
      let collector = ConcurrentVersionCollector(VersionCollector(evaluator: evaluator, includePrereleases: configured.pre))
      var status: IndexClient.ProjectStatus? = nil
      try await session.run(configured, index: options.index) { client, _ in
        status = try await client.fileBatches(for: name, detail: .listing) { batch in collector.add(batch) }
      }
      let (versions, overflowed) = await collector.finish()
      if overflowed { throw session.fail(ClientError.tooManyFiles(project: name, what: "versions", limit: VersionCollector.limit)) }
      guard let latest = versions.first else {
        session.console.error("No matching distribution found for \(project)")
        throw ExitCode(FailureKind.resolution.exitCode)
      }
      let list = versions.map(\.description)
      if json {
        let quoted = list.map(JSON.quote).joined(separator: ", ")
        // PEP 792: "status" always ("active" when the index says nothing), "status_reason" when given.
        let statusText = ", \"status\": \(JSON.quote(status?.status ?? "active"))" + (status?.reason.map { ", \"status_reason\": \(JSON.quote($0))" } ?? "")
        session.console.out("{\"name\": \(JSON.quote(project)), \"versions\": [\(quoted)], \"latest\": \(JSON.quote(latest.description))\(statusText)}")
      } else {
        session.console.out("\(project) (\(latest))")
        session.console.out("Available versions: \(list.joined(separator: ", "))")
      }
    }
  }
}

/// JSON text for the commands' output (see ``JSONText``).
typealias JSON = JSONText
