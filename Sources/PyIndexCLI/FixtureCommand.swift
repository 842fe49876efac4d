import ArgumentParser
import PyIndexFixtures

extension PyIndexCommand {
  /// `pyindex fixture --profile NAME`: a fixture index that behaves like a private registry,
  /// for testing an auth setup in CI. It shares the binary (and its runtime) with pyindex: 0.5
  /// MiB, against 30 MiB for a second program (measured for #15).
  struct Fixture: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: FixtureOptions.abstract, discussion: FixtureOptions.discussion)

    @OptionGroup var options: FixtureOptions

    func run() async throws { try await options.run() }
  }
}
