import ArgumentParser
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel

import PyIndexSystem

extension PyIndexCommand {
  /// `pyindex auth ...`
  struct Auth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check the credentials and the network path to each index, or hand them to a build tool.",
      subcommands: [Check.self, Helper.self])
  }
}

extension PyIndexCommand.Auth {
  /// `pyindex auth check [--project NAME] [--json]`: the troubleshooting checklist, run.
  struct Check: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Try each configured index and say what works, what fails, why, and what to do.",
      discussion: """
        For each index: where its credentials come from and whether they look right for the \
        registry, DNS, the connection (direct or through which proxy), TLS, the index root and, \
        with --project, that project's page. Exit 0 when every index answers with its \
        credentials; otherwise the exit code of the first index that fails (2 auth, 1 not found, \
        3 network, 4 protocol).
        """)

    @Option(help: "Also fetch this project's page on each index.")
    var project: String?

    @Flag(help: "Print a JSON array, one object per index.")
    var json = false

    @OptionGroup var options: IndexCommandOptions

    func run() async throws {
      let session = Session(output: options.output)
      var name: ProjectName?
      if let project {
        do { name = try ProjectName(project) } catch { throw session.fail(error) }
      }
      var reports: [AuthCheckReport] = []
      let configured = try session.configure(command: nil, index: options.index, network: options.network)
      try await session.run(configured, index: options.index) { client, routes in
        reports = await AuthChecker(client: client, routes: routes, now: Double(time(nil))).check(project: name)
      }
      // One report per configured index, in order: each names where its URL came from.
      for (k, i) in configured.configuration.indexes.enumerated() where k < reports.count {
        reports[k].indexSource = i.source.description
      }
      if json {
        session.console.out("[" + reports.map(Self.json).joined(separator: ", ") + "]")
      } else {
        for (k, r) in reports.enumerated() {
          if k > 0 { session.console.out("") }
          session.console.out(Self.checklist(r))
        }
      }
      for r in reports where r.outcome != .ok {
        session.console.error("\(r.index): \(r.cause ?? r.outcome.rawValue)", hint: r.hint)
      }
      if let failing = reports.first(where: { $0.outcome != .ok }) { throw ExitCode(failing.outcome.exitCode) }
    }

    /// The human checklist for one index.
    static func checklist(_ r: AuthCheckReport) -> String {
      var lines = [r.index + (r.indexSource.map { "  (from \($0))" } ?? "")]
      let width = max(12, (r.steps.map(\.name.count).max() ?? 0) + 2)
      for step in r.steps {
        let mark = step.passed.map { $0 ? "✓" : "✗" } ?? "·"
        lines.append("  \(mark) \(step.name.padding(to: width))\(step.detail)")
      }
      lines.append(r.outcome == .ok ? "  → ok" : "  → \(r.outcome.rawValue): \(r.cause ?? "")")
      return lines.joined(separator: "\n")
    }

    static func json(_ r: AuthCheckReport) -> String {
      let steps = r.steps.map { s in
        "{\"name\": \(JSON.quote(s.name)), \"passed\": \(s.passed.map { $0 ? "true" : "false" } ?? "null"), \"detail\": \(JSON.quote(s.detail))}"
      }
      return "{\"index\": \(JSON.quote(r.index)), \"index_source\": \(r.indexSource.map(JSON.quote) ?? "null"), \"credential_source\": \(JSON.quote(r.credentialSource.rawValue)), \"outcome\": \(JSON.quote(r.outcome.rawValue)), "
        + "\"http_status\": \(r.httpStatus.map(String.init) ?? "null"), \"hint\": \(r.hint.map(JSON.quote) ?? "null"), \"cause\": \(r.cause.map(JSON.quote) ?? "null"), "
        + "\"steps\": [\(steps.joined(separator: ", "))]}"
    }
  }
}

extension String {
  func padding(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
