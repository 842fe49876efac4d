import ArgumentParser
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexModel
import PyIndexTransport

extension PyIndexCommand {
  /// `pyindex keyring [--mode=creds] [--output=json] get URL [USERNAME]`: the `keyring` program
  /// pip's and uv's `--keyring-provider subprocess` call, answering from pyindex's own sources.
  struct Keyring: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Answer as the keyring program pip and uv call, from pyindex's credentials.",
      discussion: """
        Install it as the keyring provider with a one-line wrapper named keyring on PATH:

            printf '#!/bin/sh\\nexec pyindex keyring "$@"\\n' > ~/.local/bin/keyring && chmod +x ~/.local/bin/keyring

        then run pip or uv with --keyring-provider subprocess. The answer comes from the \
        credentials pyindex would use for the URL: the userinfo of the configured index URLs \
        (-i, --extra-index-url, and pip's and uv's configuration: pyindex config shows them), \
        PYINDEX_USERNAME and PYINDEX_PASSWORD, UV_INDEX_<NAME>_USERNAME and _PASSWORD, netrc, and credentials \
        minted from this machine's identity (GitLab CI's job token); never from a keyring. Exit 1, printing nothing, when there \
        are none (or none for that user name).
        """)

    @Option(help: ArgumentHelp("creds: print the user name and the password (two lines, or JSON with --output json).", valueName: "mode"))
    var mode: Mode?

    @Option(help: ArgumentHelp("json: print {\"username\": ..., \"password\": ...} (with --mode creds).", valueName: "format"))
    var output: Output?

    @Argument(help: "get (set and del are not supported: pyindex reads its own sources).")
    var action: Action

    /// `--mode`: what to print.
    enum Mode: String, CaseIterable, ExpressibleByArgument { case creds, password }
    /// `--output`: how to print it.
    enum Output: String, CaseIterable, ExpressibleByArgument { case json, plain }
    /// The keyring operation asked for.
    enum Action: String, CaseIterable, ExpressibleByArgument { case get, set, del }

    @Argument(help: "The service: an index URL, or host[:port].")
    var service: String

    @Argument(help: "The user name, when the caller knows one.")
    var username: String?

    @OptionGroup(title: "Indexes") var index: IndexOptions

    func run() async throws {
      guard action == .get else { throw ExitCode(1) }
      let session = Session(verbosity: 0, quiet: true)
      let configured: RunSettings
      do {
        configured = try session.settings(command: nil, index: index, network: NetworkOptions.parse([]))
      } catch {
        throw ExitCode(1)
      }
      let (store, _) = session.credentialStore(configured, silent: true)
      // The transport's own rule: no credential for a hop that would carry it in clear text
      // to a host that is neither loopback nor --trusted-host.
      let trust = configured.network.trust
      let policy = OutboundPolicy { host, port in trust.isTrusted(host: host, port: port) }
      // pip asks for the index URL, then for host[:port]; uv for the URL it is fetching.
      let candidates = service.contains("://") ? [service] : ["https://" + service + "/", "http://" + service + "/"]
      for text in candidates {
        guard let url = SafeURL(text)?.withoutUserinfo, case .allow(credentials: true, _) = policy.judge(url) else { continue }
        let match = await session.credentials(for: url, configured, store: store)
        if let failure = match.mintFailure {
          // pip and uv show a keyring's stderr; nothing on stdout means "none".
          session.console.error(failure.description, hint: failure.hint)
        }
        guard let c = match.credentials, !c.password.isEmpty else { continue }
        if let username, !username.isEmpty, !c.username.isEmpty, c.username != username { continue }
        if mode == .creds {
          if output == .json {
            session.console.secret("{\"username\": \(JSON.quote(c.username)), \"password\": \(JSON.quote(c.password))}")
          } else {
            session.console.secret(c.username + "\n" + c.password)
          }
        } else {
          session.console.secret(c.password)
        }
        return
      }
      throw ExitCode(1)
    }
  }
}
