public import PyIndexAuth
public import PyIndexModel

/// A forward proxy, as configured.
public struct ProxyServer: Sendable, Hashable, CustomStringConvertible {
  public enum Kind: String, Sendable, Hashable { case http, socks5 }
  public let kind: Kind
  public let host: String
  public let port: Int
  /// From the proxy URL's userinfo (percent-decoded), sent as `Proxy-Authorization: Basic`.
  public let credentials: Credentials?
  /// Where it was configured: `HTTPS_PROXY`, `https_proxy`, `--proxy`, ...
  public let source: String
  /// The proxy URL with its password masked.
  public let redacted: String

  public var description: String { "\(redacted) (from \(source))" }
  /// How a route names it: the redacted URL with its root path (`http://proxy:3128/`), so that
  /// a line that goes on to name an e-mail address (a service account) cannot be read as one
  /// URL with a password spanning words.
  public var shown: String {
    guard let sep = redacted.firstRange(of: "://"), !redacted[sep.upperBound...].contains("/") else { return redacted }
    return redacted + "/"
  }
}

/// Bad network configuration, found before any request: exit 64.
public enum NetworkConfigError: PyIndexError, Equatable {
  public var kind: FailureKind { .usage }

  case invalidProxy(source: String, redacted: String, reason: String)
  case certificateFile(source: String, path: String, reason: String)
  case clientCertificate(path: String, reason: String)

  public var description: String {
    switch self {
    case .invalidProxy(let source, let r, let reason): "the proxy \(r) from \(source) cannot be used: \(reason)"
    case .certificateFile(let source, let path, let reason): "\(source) names \(path), which \(reason)"
    case .clientCertificate(let path, let reason): "the client certificate \(path) \(reason)"
    }
  }

  public var hint: String? {
    switch self {
    case .invalidProxy: "proxy URLs look like http://[user:password@]host:port or socks5://host:port"
    case .certificateFile: "point it at a PEM file (or, for SSL_CERT_DIR, a directory of PEM files) holding the CA certificates, or unset it"
    case .clientCertificate: "--client-cert takes one PEM file with the certificate (and its chain) and the unencrypted private key"
    }
  }
}

/// The proxies of the contract: `--proxy`, else `http_proxy`/`https_proxy`/`all_proxy` and
/// their upper-case forms (lower-case wins); `no_proxy`/`NO_PROXY` for the exceptions.
public struct ProxySettings: Sendable {
  public var http: ProxyServer?
  public var https: ProxyServer?
  public var noProxy: NoProxy

  public init(http: ProxyServer? = nil, https: ProxyServer? = nil, noProxy: NoProxy = NoProxy("")) {
    self.http = http
    self.https = https
    self.noProxy = noProxy
  }

  /// Reads the variables of `environment`; `override` (`--proxy`, or pip's `proxy` setting,
  /// named by `overrideSource`) takes the place of all of them.
  /// `HTTP_PROXY` in upper case is ignored when `REQUEST_METHOD` is set (the "httpoxy" rule).
  public static func resolve(environment env: [String: String], override: String?, overrideSource: String = "--proxy") throws(NetworkConfigError) -> ProxySettings {
    func pick(_ names: String...) -> (String, String)? {
      for n in names {
        if n == "HTTP_PROXY", env["REQUEST_METHOD"] != nil { continue }
        if let v = env[n], !v.trimmingASCIIWhitespace().isEmpty { return (n, v) }
      }
      return nil
    }
    let noProxy = NoProxy(pick("no_proxy", "NO_PROXY")?.1 ?? "")
    if let override {
      let p = try parse(override, source: overrideSource)
      return ProxySettings(http: p, https: p, noProxy: noProxy)
    }
    let all = pick("all_proxy", "ALL_PROXY")
    let http = try (pick("http_proxy", "HTTP_PROXY") ?? all).map { (v: (String, String)) throws(NetworkConfigError) in try parse(v.1, source: v.0) }
    let https = try (pick("https_proxy", "HTTPS_PROXY") ?? all).map { (v: (String, String)) throws(NetworkConfigError) in try parse(v.1, source: v.0) }
    return ProxySettings(http: http, https: https, noProxy: noProxy)
  }

  /// Parses one proxy URL: no scheme means `http://`; `socks5://` and `socks5h://` are SOCKS
  /// (names resolved by the proxy either way); the port defaults to 80 (1080 for SOCKS), as
  /// pip and uv do.
  static func parse(_ raw: String, source: String) throws(NetworkConfigError) -> ProxyServer {
    let text = raw.trimmingASCIIWhitespace()
    let full = text.contains("://") ? text : "http://" + text
    let redacted = Redaction.redact(full)
    let parts: SafeURL
    do { parts = try SafeURL(parsing: full) } catch {
      if error == .userinfoNotUTF8 { throw .invalidProxy(source: source, redacted: redacted, reason: "its credentials do not percent-decode to UTF-8") }
      if error == .noHost { throw .invalidProxy(source: source, redacted: redacted, reason: "it names no host") }
      throw .invalidProxy(source: source, redacted: redacted, reason: "it is not a URL")
    }
    let kind: ProxyServer.Kind
    switch parts.scheme {
    case "http": kind = .http
    case "socks5", "socks5h": kind = .socks5
    case "https": throw .invalidProxy(source: source, redacted: redacted, reason: "TLS to the proxy itself (an https:// proxy URL) is not supported; use http://, which still tunnels https with CONNECT")
    default: throw .invalidProxy(source: source, redacted: redacted, reason: "the scheme \(parts.scheme) is not supported (http, socks5, socks5h)")
    }
    var credentials: Credentials? = nil
    if let info = parts.userinfo {
      credentials = Credentials(username: info.user, password: info.password ?? "")
      if kind == .socks5 { throw .invalidProxy(source: source, redacted: redacted, reason: "SOCKS proxies with credentials are not supported") }
    }
    var host = parts.host
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    guard !host.isEmpty else { throw .invalidProxy(source: source, redacted: redacted, reason: "it names no host") }
    let port = parts.port ?? (kind == .socks5 ? 1080 : 80)
    return ProxyServer(kind: kind, host: host, port: port, credentials: credentials, source: source, redacted: redacted)
  }

  /// The proxy for a request to `parts`, or nil to go direct.
  public func proxy(for parts: SafeURL) -> ProxyServer? {
    let chosen = parts.scheme == "https" ? https : http
    guard let chosen else { return nil }
    return noProxy.matches(host: parts.host, port: parts.effectivePort ?? 0) ? nil : chosen
  }
}

/// `NO_PROXY` with curl's meaning: comma- (or space-) separated; `*` alone matches every host;
/// a name matches itself and its subdomains, with or without a leading dot; IP literals
/// (brackets stripped) match exactly; CIDR ranges match addresses inside them; an entry
/// with `:port` matches that port only.
public struct NoProxy: Sendable, Hashable {
  enum Entry: Sendable, Hashable {
    case all
    case domain(String, port: Int?)
    case address([UInt8], prefix: Int, port: Int?)
  }
  let entries: [Entry]

  public init(_ text: String) {
    var out: [Entry] = []
    for raw in text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\n" }) {
      var item = raw.lowercased()
      if item == "*" { out.append(.all); continue }
      var port: Int? = nil
      // host:port, [v6]:port, v4:port; a bare IPv6 literal has several colons and no port.
      if item.hasPrefix("[") {
        if let close = item.firstIndex(of: "]") {
          let after = item[item.index(after: close)...]
          if after.hasPrefix(":") { port = Int(after.dropFirst()) }
          item = String(item[item.index(after: item.startIndex)..<close])
        }
      } else if item.filter({ $0 == ":" }).count == 1, let colon = item.lastIndex(of: ":"), let p = Int(item[item.index(after: colon)...]) {
        port = p
        item = String(item[..<colon])
      }
      var prefix: Int? = nil
      if let slash = item.firstIndex(of: "/") {
        prefix = Int(item[item.index(after: slash)...])
        item = String(item[..<slash])
      }
      if let bytes = NoProxy.ipBytes(item) {
        let bits = min(prefix ?? bytes.count * 8, bytes.count * 8)
        out.append(.address(bytes, prefix: bits, port: port))
      } else {
        while item.hasPrefix(".") || item.hasPrefix("*.") { item = String(item.drop(while: { $0 == "." || $0 == "*" })) }
        if item.hasSuffix(".") { item.removeLast() }
        if !item.isEmpty { out.append(.domain(item, port: port)) }
      }
    }
    entries = out
  }

  public var isEmpty: Bool { entries.isEmpty }

  /// Whether a request to `host` (lower-case, brackets allowed) on `port` goes direct.
  public func matches(host rawHost: String, port: Int) -> Bool {
    var host = rawHost.lowercased()
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    if host.hasSuffix(".") { host.removeLast() }
    let address = NoProxy.ipBytes(host)
    for entry in entries {
      switch entry {
      case .all: return true
      case .domain(let d, let p):
        if let p, p != port { continue }
        if address == nil, host == d || host.hasSuffix("." + d) { return true }
      case .address(let bytes, let prefix, let p):
        if let p, p != port { continue }
        if let address, address.count == bytes.count, NoProxy.samePrefix(address, bytes, bits: prefix) { return true }
      }
    }
    return false
  }

  static func samePrefix(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
    var remaining = bits
    var i = 0
    while remaining > 0, i < a.count {
      let n = min(remaining, 8)
      let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - n))
      if a[i] & mask != b[i] & mask { return false }
      remaining -= n
      i += 1
    }
    return true
  }

  /// The bytes of an IPv4 or IPv6 literal, or nil.
  static func ipBytes(_ s: String) -> [UInt8]? {
    if !s.contains(":") {
      let parts = s.split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count == 4 else { return nil }
      var out: [UInt8] = []
      for p in parts {
        guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt8(p) else { return nil }
        out.append(v)
      }
      return out
    }
    // IPv6: up to 8 groups, one "::".
    let halves = s.components(separatedBy: "::")
    guard halves.count <= 2 else { return nil }
    func groups(_ t: String) -> [UInt16]? {
      if t.isEmpty { return [] }
      var g: [UInt16] = []
      for part in t.split(separator: ":", omittingEmptySubsequences: false) {
        guard !part.isEmpty, part.count <= 4, let v = UInt16(part, radix: 16) else { return nil }
        g.append(v)
      }
      return g
    }
    guard let head = groups(halves[0]) else { return nil }
    var all: [UInt16]
    if halves.count == 2 {
      guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
      all = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
    } else {
      guard head.count == 8 else { return nil }
      all = head
    }
    return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
  }
}

extension String {
  func components(separatedBy separator: String) -> [String] {
    var out: [String] = []
    var rest = Substring(self)
    while let r = rest.firstRange(of: separator) {
      out.append(String(rest[..<r.lowerBound]))
      rest = rest[r.upperBound...]
    }
    out.append(String(rest))
    return out
  }
}
