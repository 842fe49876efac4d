public import PyIndexAuth
public import PyIndexModel

/// What was wrong with a TLS handshake, as far as pyindex could tell.
public enum TLSProblem: Sendable, Hashable {
  /// The chain does not lead to a trusted CA (issuer name when it could be read).
  case untrustedIssuer(String?)
  /// The server's certificate expired (UTC date).
  case expired(String)
  case notYetValid(String)
  /// The certificate names other hosts (listed).
  case wrongHost(String)
  case clientCertificateRequired
  /// Verification failed and the certificate could not be inspected (through a proxy, say).
  case verificationFailed
  case other
}

/// A request that did not get an HTTP answer, or whose answer was cut short.
/// Every URL it carries redacts itself when printed (``SafeURL``).
public enum TransportError: PyIndexError, Equatable {
  public var kind: FailureKind { .network }

  case dns(host: String, url: SafeURL)
  case connect(host: String, port: Int, url: SafeURL, detail: String)
  case tls(host: String, url: SafeURL, detail: String, problem: TLSProblem, trusted: String)
  /// The proxy failed: unreachable, 407, or it refused the tunnel. `proxy` says which proxy
  /// (redacted) and where it was configured.
  case proxy(proxy: String, url: SafeURL, detail: String, hint: String)
  case timeout(url: SafeURL)
  case redirectRefused(url: SafeURL, reason: String)
  /// The outbound policy refused the URL itself (a scheme other than http(s), a host that is
  /// not ASCII).
  case refused(url: SafeURL, reason: String)
  case bodyInterrupted(url: SafeURL, detail: String)
  case other(url: SafeURL, detail: String)

  public var description: String {
    switch self {
    case .dns(let host, let url): "cannot resolve host '\(host)' while fetching \(url)"
    case .connect(let host, let port, let url, let detail): "cannot connect to \(host):\(port) while fetching \(url) (\(detail))"
    case .tls(let host, let url, let detail, let problem, _):
      switch problem {
      case .untrustedIssuer(let issuer): "the certificate of \(host) is not trusted: its issuer\(issuer.map { " (\($0))" } ?? "") is not among the trusted CAs (while fetching \(url))"
      case .expired(let date): "the certificate of \(host) expired on \(date) (while fetching \(url))"
      case .notYetValid(let date): "the certificate of \(host) is not valid before \(date) (while fetching \(url))"
      case .wrongHost(let names): "the certificate presented by \(host) is for \(names), not for \(host) (while fetching \(url))"
      case .clientCertificateRequired: "\(host) requires a client certificate, and none was accepted (while fetching \(url))"
      case .verificationFailed: "the certificate of \(host) could not be verified: \(detail) (while fetching \(url))"
      case .other: "TLS handshake with \(host) failed while fetching \(url): \(detail)"
      }
    case .proxy(let proxy, let url, let detail, _): "the proxy \(proxy) failed while fetching \(url): \(detail)"
    case .timeout(let url): "timed out while fetching \(url)"
    case .redirectRefused(let url, let reason): "refused to follow the redirect from \(url): \(reason)"
    case .refused(let url, let reason): "refused to fetch \(url): \(reason)"
    case .bodyInterrupted(let url, let detail): "the response from \(url) was cut short (\(detail))"
    case .other(let url, let detail): "request to \(url) failed: \(detail)"
    }
  }

  /// What to try next.
  public var hint: String? {
    switch self {
    case .dns: "check the host name of the index URL, and your DNS or VPN"
    case .connect: "check the host and port of the index URL, and whether a proxy is needed"
    case .tls(let host, _, _, let problem, let trusted):
      switch problem {
      case .untrustedIssuer, .verificationFailed, .other:
        trusted.hasPrefix(LoadedTrust.noSystemRoots)
          ? "this machine has no CA bundle where pyindex looks (\(LoadedTrust.systemBundles.joined(separator: ", "))): set SSL_CERT_FILE to a PEM bundle of the CAs to trust (your distribution's ca-certificates package installs one; python3 -m certifi prints the path of certifi's), or pass --cert FILE"
          : "pyindex trusted \(trusted); if your network inspects TLS or the index uses a private CA, add that CA's PEM with --cert FILE or PYINDEX_CERT (REQUESTS_CA_BUNDLE, SSL_CERT_FILE and the others are read too, all of them added to the system roots)"
      case .expired, .notYetValid:
        "the server must renew its certificate (or the clock here is wrong); only for a test server, --trusted-host \(host) skips the check"
      case .wrongHost:
        "use a host name the certificate names in the index URL; only for a test server, --trusted-host \(host) skips the check"
      case .clientCertificateRequired:
        "pass --client-cert FILE: one PEM file with the certificate the server accepts and its private key"
      }
    case .proxy(_, _, _, let hint): hint
    case .timeout: "the server did not answer in time; raise --timeout or check the network"
    case .redirectRefused, .refused: nil
    case .bodyInterrupted: "retry; if it persists, the server or a proxy is closing connections"
    case .other: nil
    }
  }

  /// Whether retrying may help (connection resets and cut bodies; never TLS or DNS).
  /// A body that stopped arriving: cut short by the server or the network, or stalled past
  /// `--timeout`. Worth resuming.
  public var isCutShort: Bool {
    switch self {
    case .bodyInterrupted, .timeout: true
    default: false
    }
  }

  /// A few words for a retry line: "a connection failure", "a timeout"...
  public var shortReason: String {
    switch self {
    case .connect: "a connection failure"
    case .timeout: "a timeout"
    case .bodyInterrupted: "a body cut short"
    default: "a failure"
    }
  }

  var isRetryable: Bool {
    switch self {
    case .connect, .bodyInterrupted, .timeout: true
    default: false
    }
  }
}
