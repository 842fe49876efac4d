public import PyIndexModel

/// What pyindex may fetch, and whether any credential source may be asked for it. The
/// transport asks it for every hop of every request (index pages, file links, `<base href>`
/// targets, PEP 658 metadata, range requests, redirect hops, serve's upstream fetches), so no
/// path can skip it.
///
/// - Only `http` and `https` go out; `file:` locations are read by the client itself, and only
///   where the user configured them. `http+unix:` and every other scheme are refused.
/// - A host is compared and connected to after ASCII lower-casing only; a host with any other
///   character is refused (an internationalized name must be given in its `xn--` form), so no
///   Unicode case rule (the Kelvin sign lower-cases to `k`) can make two hosts one.
/// - Credentials never travel in clear text to a host that is neither a loopback address nor a
///   `--trusted-host`: on such a plain-http hop no source is consulted.
public struct OutboundPolicy: Sendable {
  /// Whether `--trusted-host` names this host (and port).
  private let isTrustedHost: @Sendable (_ host: String, _ port: Int?) -> Bool

  public init(isTrustedHost: @escaping @Sendable (_ host: String, _ port: Int?) -> Bool) {
    self.isTrustedHost = isTrustedHost
  }

  /// The policy's answer for one hop.
  public enum Verdict: Sendable, Equatable {
    /// Fetch it; when `credentials` is false no credential source may be asked, and `note`
    /// says why (for the `-v` trace).
    case allow(credentials: Bool, note: String?)
    /// Do not fetch it; the reason is shown to the user.
    case refuse(String)
  }

  /// The verdict for fetching `url` (its userinfo is not looked at: it never goes out as such).
  public func judge(_ url: SafeURL) -> Verdict {
    let parts = url, scheme = url.scheme
    guard scheme == "http" || scheme == "https" else { return .refuse("pyindex fetches only http and https URLs, not \(scheme):") }
    guard parts.hasASCIIHost else { return .refuse("its host is not ASCII; give an internationalized name in its xn-- form") }
    if scheme == "http", !allowsCleartext(to: parts) {
      return .allow(credentials: false, note: "no credentials in clear text to a host that is neither loopback nor --trusted-host")
    }
    return .allow(credentials: true, note: nil)
  }

  /// The verdict for a token endpoint (STS, an OAuth token endpoint, a metadata server): nil
  /// to allow it, else why not. https, or plain http to a loopback address or to one of the
  /// cloud metadata addresses (169.254.169.254 and `fd00:ec2::254` for EC2, 169.254.170.2
  /// and 169.254.170.23 / `fd00:ec2::23` for ECS and EKS, `metadata.google.internal`), which
  /// serve plain http only; `--trusted-host` does not widen it.
  public func refusesTokenEndpoint(_ url: SafeURL) -> String? {
    switch url.scheme {
    case "https": break
    case "http":
      if url.isLoopback || OutboundPolicy.metadataHosts.contains(url.host) { break }
      return "a token is requested over https only (plain http only from a loopback or cloud metadata address)"
    default: return "a token is requested over https only, not \(url.scheme):"
    }
    return url.hasASCIIHost ? nil : "its host is not ASCII"
  }

  /// The link-local metadata services, which serve plain http.
  public static let metadataHosts: Set<String> = [
    "169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "metadata.google.internal",
  ]

  /// pip's secure-origin rule for plain http: loopback hosts (`localhost`, 127.0.0.0/8, `::1`)
  /// and `--trusted-host` ones.
  public func allowsCleartext(to parts: SafeURL) -> Bool {
    parts.isLoopback || isTrustedHost(parts.host, parts.port)
  }
}
