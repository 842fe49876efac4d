import PyIndexModel
import ArgumentParser
import Dispatch
import PyIndexAuth
import PyIndexClient
import PyIndexConfig
import PyIndexServe

import PyIndexSystem

extension PyIndexCommand {
  /// `pyindex serve`: a local index in front of the configured ones, for pip, uv and poetry.
  struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Serve a local PEP 503/691 index in front of the configured indexes, credentials injected.",
      discussion: """
        Point an installer at it (pip install --index-url http://127.0.0.1:PORT/simple/ ...): \
        pages come from the upstream indexes under the index strategy, and files are streamed \
        from upstream with pyindex's credential, redirect, proxy and trust rules, their digests \
        checked on the way. With --cache-dir, verified files are kept there and served locally \
        next time. No upstream URL or credential reaches the installer. The first line \
        on stdout is "Serving on http://HOST:PORT/simple/"; SIGINT or SIGTERM stops it (exit 0).
        """)

    @Option(help: "The address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "The port; 0 picks a free one.")
    var port = 0

    @Option(help: ArgumentHelp("Require installers to send this as the password of Basic auth (any user name); also PYINDEX_LISTEN_TOKEN, which keeps it out of the process list. Required for a --host other than loopback.", valueName: "token"))
    var listenToken: String?

    @OptionGroup var options: IndexCommandOptions

    func run() async throws {
      let session = Session(output: options.output)
      let console = session.console
      // An explicit --cache-dir also keeps verified files (DIR/files/), served from there again.
      let files = options.index.noCache ? nil : options.index.cacheDir
      let token = listenToken ?? session.environment["PYINDEX_LISTEN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
      let (host, port) = (self.host, self.port)
      guard token != nil || SafeURL.isLoopback(host: SafeURL.asciiLowercased(host)) else {
        throw session.fail(
          ClientError.usage(
            "--host \(host) is not a loopback address: anyone who can reach it could install through your credentials",
            hint: "set PYINDEX_LISTEN_TOKEN (or --listen-token) to a secret that installers send as their password, or keep the default 127.0.0.1"))
      }
      let configured = try session.configure(command: nil, index: options.index, network: options.network)
      try await session.run(configured, index: options.index, signals: false) { client, _ in
        let server = try await ShimServer.start(host: host, port: port, client: client, listenToken: token, cacheDirectory: files) { line, failed in
          // Upstream failures always show: the installer only sees a 502 or a cut download.
          if failed { console.warning("serve: \(line)") } else { console.note("serve: \(line)") }
        }
        Signals.route { _ in Task { await server.stop() } }
        console.out("Serving on \(server.url)")
        await server.run()
      }
    }
  }
}

