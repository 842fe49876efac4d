import ArgumentParser
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexAuth
import PyIndexClient
import PyIndexModel
import PyIndexTransport

import PyIndexSystem

extension PyIndexCommand.Auth {
  /// `pyindex auth helper --protocol bazel get`: Bazel's credential-helper protocol, as
  /// `uv auth helper` speaks it, answered from pyindex's sources.
  struct Helper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Answer as a credential helper for build tools, from pyindex's credentials.",
      discussion: """
        Bazel's protocol (rules_python, --credential_helper=pyindex-helper, with a wrapper that runs \
        'pyindex auth helper --protocol bazel "$@"'): reads {"uri": URL} on stdin and prints \
        {"headers": {"Authorization": ["Basic ..."]}} with the credentials pyindex would send to \
        that URL (index URL userinfo, PYINDEX_USERNAME/PYINDEX_PASSWORD, UV_INDEX_<NAME>_*, netrc, \
        minted credentials), or {} when it has none; exit 0. No credential is given for plain http \
        to a host that is neither loopback nor --trusted-host.
        """)

    /// The protocols pyindex speaks.
    enum HelperProtocol: String, CaseIterable, ExpressibleByArgument { case bazel }
    /// What the build tool asks.
    enum Action: String, CaseIterable, ExpressibleByArgument { case get }

    @Option(name: .customLong("protocol"), help: ArgumentHelp("The helper protocol: bazel.", valueName: "protocol"))
    var helperProtocol: HelperProtocol

    @Argument(help: "get: answer the request on stdin.")
    var action: Action

    @OptionGroup(title: "Indexes") var index: IndexOptions

    /// The most bytes of request read from stdin.
    static let maxRequest = 64 << 10

    func run() async throws {
      let session = Session(verbosity: 0, quiet: false)
      guard let request = Self.readRequest(), let url = SafeURL(request)?.withoutUserinfo.withoutFragment, url.isWeb else {
        throw session.fail(ClientError.usage("the request on stdin is not {\"uri\": \"https://…\"}", hint: "Bazel's credential-helper protocol sends one JSON object with the URL as \"uri\""))
      }
      let configured = try session.configure(command: nil, index: index, network: NetworkOptions.parse([]), report: false)
      let (store, _) = session.credentialStore(configured, silent: true)
      let trust = configured.network.trust
      let policy = OutboundPolicy { host, port in trust.isTrusted(host: host, port: port) }
      guard case .allow(credentials: true, _) = policy.judge(url) else {
        session.console.secret("{}")
        return
      }
      let match = await session.credentials(for: url, configured, store: store)
      if let failure = match.mintFailure { session.console.error(failure.description, hint: failure.hint) }
      guard let c = match.credentials else {
        session.console.secret("{}")
        return
      }
      session.console.secret("{\"headers\": {\"Authorization\": [\(JSONText.quote(c.authorizationHeader))]}}")
    }

    /// The `uri` of the JSON object on stdin (at most ``maxRequest`` bytes), nil when there is none.
    static func readRequest() -> String? {
      var bytes: [UInt8] = []
      var buffer = [UInt8](repeating: 0, count: 4096)
      while bytes.count <= maxRequest {
        let n = buffer.withUnsafeMutableBytes { LibC.read(0, $0.baseAddress, $0.count) }
        if n < 0, errno == EINTR { continue }
        if n <= 0 { break }
        bytes += buffer[0..<n]
      }
      guard bytes.count <= maxRequest, let request = try? JSONDecoder().decode(Request.self, from: Data(bytes)) else { return nil }
      return request.uri
    }

    /// Bazel's request: `{"uri": URL}` (other members ignored).
    struct Request: Decodable { let uri: String }
  }
}
