/// A request that did not get an HTTP answer, or whose answer was cut short.
/// Every URL it carries is already redacted.
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  case dns(host: String, url: String)
  case connect(host: String, port: Int, url: String, detail: String)
  case tls(host: String, url: String, detail: String)
  case timeout(url: String)
  case redirectRefused(url: String, reason: String)
  case bodyInterrupted(url: String, detail: String)
  case other(url: String, detail: String)

  public var description: String {
    switch self {
    case .dns(let host, let url): "cannot resolve host '\(host)' while fetching \(url)"
    case .connect(let host, let port, let url, let detail): "cannot connect to \(host):\(port) while fetching \(url) (\(detail))"
    case .tls(let host, let url, let detail): "TLS handshake with \(host) failed while fetching \(url): \(detail)"
    case .timeout(let url): "timed out while fetching \(url)"
    case .redirectRefused(let url, let reason): "refused to follow the redirect from \(url): \(reason)"
    case .bodyInterrupted(let url, let detail): "the response from \(url) was cut short (\(detail))"
    case .other(let url, let detail): "request to \(url) failed: \(detail)"
    }
  }

  /// What to try next.
  public var hint: String? {
    switch self {
    case .dns: "check the host name of the index URL, and your DNS or VPN"
    case .connect: "check the host and port of the index URL, and whether a proxy is needed"
    case .tls: "if your network inspects TLS, add its CA (--cert FILE); to check the host's certificate, run: openssl s_client -connect HOST:443"
    case .timeout: "the server did not answer in time; raise --timeout or check the network"
    case .redirectRefused: nil
    case .bodyInterrupted: "retry; if it persists, the server or a proxy is closing connections"
    case .other: nil
    }
  }

  /// Whether retrying may help (connection resets and cut bodies; never TLS or DNS).
  var isRetryable: Bool {
    switch self {
    case .connect, .bodyInterrupted, .timeout: true
    default: false
    }
  }
}
