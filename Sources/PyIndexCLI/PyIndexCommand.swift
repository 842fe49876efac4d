public import ArgumentParser
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Dispatch
import Synchronization
import PyIndexSystem
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport

/// The `pyindex` command: talk to Python package indexes.
public struct PyIndexCommand: AsyncParsableCommand {
  public static let version = PyIndexVersion.current

  public static let configuration = CommandConfiguration(
    commandName: "pyindex",
    abstract: "List versions and download distributions from Python package indexes, with credentials done right.",
    version: "pyindex \(version)\nLicense: \(PyIndexVersion.license)",
    subcommands: [Index.self, Download.self, Auth.self, Keyring.self, Serve.self, Config.self, Fixture.self])

  public init() {}

  /// Parses the command line and runs the command. Help and `--version` print as usual; every
  /// failure to parse or validate is said as the contract says: `error: …`, a `hint:` naming
  /// the help to read, exit 64. Commands report their own failures and exit with ExitCode.
  public static func runMain(arguments: [String]? = nil) async -> Never {
    do {
      var command = try parseAsRoot(arguments)
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
      exit()
    } catch {
      let code = exitCode(for: error)
      if error is ExitCode || code == .success { exit(withError: error) }
      let full = fullMessage(for: error)
      // "  See 'pyindex download --help' for more information." → the hint.
      let hint = full.split(separator: "\n").lazy.map { String($0.drop { $0 == " " }) }.first { $0.hasPrefix("See '") }.map { "see" + $0.dropFirst(3) }
      let text = message(for: error).split(separator: "\n").joined(separator: "\n")
      Console(verbosity: 0, quiet: false).error(text, hint: hint)
      terminate(code.rawValue)
    }
  }
}

extension PyIndexCommand {
  /// `pyindex index ...`
  struct Index: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Inspect projects on an index.",
      subcommands: [Versions.self])
  }
}

/// A command's composition root: the console, the environment and the run's configuration
/// files (read once), from which it makes the run's settings (``RunSettings``), the credential
/// store, the transport and the client; and the one place errors are said.
struct Session {
  let console: Console
  let environment: [String: String]
  /// pip's and uv's files, each read from disk once for the run, however often a command
  /// resolves its configuration.
  let configFiles: ConfigFileMemo

  init(output: OutputOptions, environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.init(verbosity: output.verbose, quiet: output.quiet, environment: environment)
  }

  /// - Parameter read: reads a configuration file from disk (in-process tests count it).
  init(verbosity: Int, quiet: Bool, environment: [String: String] = ProcessInfo.processInfo.environment, read: @escaping ConfigReader = ConfigFiles.read) {
    console = Console(verbosity: verbosity, quiet: quiet)
    self.environment = environment
    configFiles = ConfigFileMemo(read: read)
  }

  /// The credential store of a run (``RunSettings/credentialStore(extra:keyring:warn:)``);
  /// what looks wrong with the credentials is said as warnings before any request.
  /// - Returns: the store, and whether a warning named something wrong with the credentials.
  /// - Parameter silent: say nothing, ask no keyring (the `keyring` and `config` commands).
  func credentialStore(_ settings: RunSettings, extra: [IndexURL] = [], silent: Bool = false) -> (CredentialStore, flagged: Bool) {
    let console = self.console
    if !silent, let problem = settings.netrcProblem { console.warning(problem) }
    let store = settings.credentialStore(extra: extra, keyring: silent ? false : nil, warn: { console.warning($0) })
    let problems = store.inspect(now: Double(time(nil)))
    if !silent {
      for w in store.warnings { console.warning(w) }
      for w in problems { console.warning(w) }
    }
    return (store, !problems.isEmpty)
  }

  /// The run's settings from these flags (and requirements files' option lines) and the user's
  /// configuration, its files read through the run's memo.
  func settings(command: String?, index: IndexOptions, network: NetworkOptions, target: TargetOptions? = nil, fileOptions: RequirementsFile? = nil) throws -> RunSettings {
    var explicit = ExplicitSettings()
    index.explicit(into: &explicit, fileOptions: fileOptions)
    network.explicit(into: &explicit, fileOptions: fileOptions)
    target?.explicit(into: &explicit)
    // netrc goes through the run's memo too: a command that resolves its settings twice reads it once.
    let files = configFiles.reader
    return try RunSettings(
      command: command, explicit: explicit, strategy: index.indexStrategy, environment: environment, read: files, readText: { try? files($0) ?? nil })
  }

  /// The command line and the user's configuration for `command` (pip's section name), or
  /// the failure said and its exit code thrown. With `-v`, says which files were read and which
  /// keys were ignored.
  func configure(
    command: String?, index: IndexOptions, network: NetworkOptions, target: TargetOptions? = nil, fileOptions: RequirementsFile? = nil, report: Bool = true
  ) throws(ExitCode) -> RunSettings {
    let configured: RunSettings
    do {
      configured = try settings(command: command, index: index, network: network, target: target, fileOptions: fileOptions)
    } catch let e as any PyIndexError {
      throw fail(e)
    } catch {
      throw fail(ConfigError("the configuration could not be read: \(error)", at: .default))
    }
    if report {
      // `note` prints only under -v.
      let c = configured.configuration
      for file in c.files { console.note("config: read \(file)") }
      for i in c.ignored { console.note("config: ignored \(i.key) (\(i.source)): \(i.reason)") }
    }
    return configured
  }

  /// Runs `body` with an index client. Every failure is reported here, the one `catch` of
  /// the command line: `error:` and `hint:` as the error renders itself, and the exit code of
  /// its ``FailureKind``.
  /// - Parameter credentialURLs: further URLs whose userinfo is a credential source for their
  ///   origin (URL requirements), after the indexes.
  /// - Parameter signals: whether SIGINT/SIGTERM remove temporary files and exit at once
  ///   (`serve` handles them itself, to shut down cleanly).
  func run(
    _ configured: RunSettings, index: IndexOptions, credentialURLs: [IndexURL] = [], signals: Bool = true,
    _ body: (IndexClient, _ routes: any RouteInspecting) async throws -> Void
  ) async throws {
    if signals { installSignalHandlers() }
    var flagged = false
    do {
      let store: CredentialStore
      (store, flagged) = credentialStore(configured, extra: credentialURLs)
      let console = self.console
      try await Transport.with(configuration: configured.network, store: store, logger: console.traceLogger()) { transport in
        let client = IndexClient(transport: transport, settings: configured.index, cache: index.cache(environment: environment), warn: { console.warning($0) })
        try await body(client, transport)
      }
    } catch let e as any PyIndexError {
      throw fail(e, credentialsFlagged: flagged)
    }
  }

  /// The credentials a request to `url` would carry, every source asked (a token minted
  /// through a transport of the run's settings, which says nothing on the trace), for the
  /// commands that hand credentials on (`keyring`, `auth helper`).
  func credentials(for url: SafeURL, _ configured: RunSettings, store: CredentialStore) async -> CredentialStore.Match {
    let found = try? await Transport.with(configuration: configured.network, store: store) { transport in
      await transport.credentials(for: url)
    }
    if let found { return found }
    return await store.lookup(url)
  }

  /// Says `e` as the contract says errors (`error:`, then `hint:`), and returns the exit code
  /// its kind has, to throw.
  func fail(_ e: any PyIndexError, credentialsFlagged: Bool = false) -> ExitCode {
    var hint = e.hint
    if let c = e as? ClientError {
      if credentialsFlagged, c.credentialsMayBeTheCause, let h = hint {
        hint = "the warning above names what looks wrong with the credentials; " + h
      }
      if let (req, versions, yanked, wrongPython) = c.noMatch {
        if !yanked.isEmpty { console.error("Ignored the following yanked versions: \(yanked.joined(separator: ", "))") }
        if !wrongPython.isEmpty { console.error("Ignored the following versions that require a different python version: \(wrongPython.joined(separator: "; "))") }
        console.error("Could not find a version that satisfies the requirement \(req) (from versions: \(versions.isEmpty ? "none" : versions.joined(separator: ", ")))")
      }
    }
    console.error(e.description, hint: hint)
    return ExitCode(e.exitCode)
  }

  /// SIGINT and SIGTERM remove the temporary files of downloads in flight, then exit.
  private func installSignalHandlers() {
    SignalCleanup.installOnce()
  }
}

/// Removes in-flight temporary files when the process is interrupted.
enum SignalCleanup {
  private static let install: Void = {
    Signals.route { sig in
      TemporaryFiles.shared.removeAll()
      _exit(sig == SIGINT ? 130 : 143)
    }
  }()
  static func installOnce() { _ = install }
}

/// SIGINT and SIGTERM, routed to a handler on a dispatch queue (the one place the CLI handles
/// signals). The sources are kept for the life of the process: a source that is released
/// stops delivering, and the signals, ignored by then, would do nothing. (A local kept with
/// `_ = sources` is released early in optimized builds: release builds ignored SIGTERM.)
enum Signals {
  /// Written only under `lock`, read never: it only keeps the sources alive.
  nonisolated(unsafe) private static var kept: [any DispatchSourceSignal] = []
  private static let lock = Mutex(())

  /// Routes both signals to `handler`, replacing any earlier route.
  static func route(_ handler: @escaping @Sendable (Int32) -> Void) {
    let sources = [SIGINT, SIGTERM].map { sig in
      signal(sig, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
      source.setEventHandler { handler(sig) }
      source.resume()
      return source as any DispatchSourceSignal
    }
    lock.withLock { _ in kept = sources }
  }
}

/// Ends the process with `code` (outside the command types, whose `exit` is ArgumentParser's).
private func terminate(_ code: Int32) -> Never { exit(code) }
