import ArgumentParser
import PyIndexFixtures

/// `pyindex-fixture`: `pyindex fixture` under its own name.
@main
struct FixtureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pyindex-fixture", abstract: FixtureOptions.abstract, discussion: FixtureOptions.discussion)

  @OptionGroup var options: FixtureOptions

  func run() async throws { try await options.run() }
}
