public import PyIndexModel
import NIOSSL

import PyIndexSystem

/// What TLS trusts: the system roots, plus every CA bundle the contract names (all of those
/// that are set, none replacing another), a client certificate, and hosts whose certificates
/// are not checked (`--trusted-host`).
public struct TrustSettings: Sendable {
  /// A file or directory of CA certificates, and the option or variable that named it.
  public struct Source: Sendable, Hashable {
    public let name: String
    public let path: String
    public let isDirectory: Bool
    public init(name: String, path: String, isDirectory: Bool) {
      (self.name, self.path, self.isDirectory) = (name, path, isDirectory)
    }
  }

  public var sources: [Source]
  /// `--client-cert`: one PEM file with the certificate chain and the private key.
  public var clientCertificate: String?
  /// `--trusted-host HOST[:PORT]`.
  public var trustedHosts: [String]

  public init(sources: [Source] = [], clientCertificate: String? = nil, trustedHosts: [String] = []) {
    self.sources = sources
    self.clientCertificate = clientCertificate
    self.trustedHosts = trustedHosts
  }

  /// The variables that name CA bundles, in the order they are read.
  public static let fileVariables = ["PYINDEX_CERT", "PIP_CERT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"]

  /// `--cert`, then the variables of ``fileVariables`` that are set, then `SSL_CERT_DIR`
  /// (colon-separated, as OpenSSL reads it).
  /// - Parameter certSource: what named `cert`: `--cert`, or pip's `cert` setting in a file.
  public static func from(environment env: [String: String], cert: String?, certSource: String = "--cert", clientCertificate: String?, trustedHosts: [String]) -> TrustSettings {
    var sources: [Source] = []
    if let cert { sources.append(Source(name: certSource, path: cert, isDirectory: false)) }
    for name in fileVariables {
      if let v = env[name], !v.isEmpty { sources.append(Source(name: name, path: v, isDirectory: false)) }
    }
    if let dirs = env["SSL_CERT_DIR"] {
      for d in dirs.split(separator: ":") where !d.isEmpty { sources.append(Source(name: "SSL_CERT_DIR", path: String(d), isDirectory: true)) }
    }
    return TrustSettings(sources: sources, clientCertificate: clientCertificate, trustedHosts: trustedHosts)
  }

  /// Whether certificates of `host` on `port` are not checked.
  public func isTrusted(host: String, port: Int?) -> Bool {
    trustedHosts.contains { entry in
      let e = entry.lowercased()
      if e == host { return true }
      if let port, e == "\(host):\(port)" { return true }
      return false
    }
  }

  /// The certificates each source holds, read now.
  /// - Throws: ``NetworkConfigError/certificateFile(source:path:reason:)`` for a source that is
  ///   missing or holds no certificate.
  /// A source naming the system's own bundle or directory (often set machine-wide) is
  /// checked but not read again: those roots are trusted already. A path named twice is read once.
  func load() throws(NetworkConfigError) -> [(Source, [NIOSSLCertificate])] {
    var out: [(Source, [NIOSSLCertificate])] = []
    var cache: [String: [NIOSSLCertificate]] = [:]
    for source in sources {
      var st = stat()
      guard stat(source.path, &st) == 0 else { throw .certificateFile(source: source.name, path: source.path, reason: "does not exist") }
      let isDir = (st.st_mode & S_IFMT) == S_IFDIR
      let real = TrustSettings.realPath(source.path)
      if TrustSettings.systemPaths.contains(real) {
        out.append((source, []))
        continue
      }
      if let known = cache[real] {
        out.append((source, known))
        continue
      }
      var certificates: [NIOSSLCertificate] = []
      if isDir {
        for file in TrustSettings.files(in: source.path) {
          // A certs directory holds other things too (c_rehash links to the same files, CRLs):
          // read every PEM certificate, skip what is not one.
          if let c = try? NIOSSLCertificate.fromPEMFile(source.path + "/" + file) { certificates += c }
        }
      } else {
        guard let c = try? NIOSSLCertificate.fromPEMFile(source.path) else {
          throw .certificateFile(source: source.name, path: source.path, reason: "cannot be read as PEM certificates")
        }
        certificates = c
      }
      guard !certificates.isEmpty else {
        throw .certificateFile(source: source.name, path: source.path, reason: isDir ? "holds no PEM certificate" : "holds no certificate")
      }
      cache[real] = certificates
      out.append((source, certificates))
    }
    return out
  }

  /// Where NIOSSL finds the system roots on Linux (its `LinuxCABundle`).
  static let systemPaths: Set<String> = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs"]

  static func realPath(_ path: String) -> String {
    guard let r = realpath(path, nil) else { return path }
    defer { free(r) }
    return String(cString: r)
  }

  static func files(in dir: String) -> [String] {
    guard let d = opendir(dir) else { return [] }
    defer { closedir(d) }
    var names: [String] = []
    while let e = readdir(d) {
      let name = withUnsafeBytes(of: e.pointee.d_name) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
      if name != ".", name != ".." { names.append(name) }
    }
    return names.sorted()
  }
}

/// The TLS configurations a transport uses, built once from ``TrustSettings``.
struct LoadedTrust: Sendable {
  /// Verifies against the system roots and every configured CA.
  let verifying: TLSConfiguration
  /// For `--trusted-host`: no verification.
  let unverified: TLSConfiguration
  /// For hints: what was trusted ("the system roots; REQUESTS_CA_BUNDLE=/etc/x.pem (3 certificates)").
  let summary: String

  /// The bundles NIOSSL reads the system roots from on Linux, in its order.
  static let systemBundles = ["/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]

  /// Whether one of `bundles` is there: a machine without (a slim container, a binary copied
  /// from elsewhere) verifies nothing against "the system roots".
  static func hasSystemRoots(_ bundles: [String] = systemBundles) -> Bool {
    bundles.contains { access($0, R_OK) == 0 }
  }

  /// - Parameter systemBundles: where the system roots are looked for (tests name others).
  init(_ settings: TrustSettings, systemBundles: [String] = LoadedTrust.systemBundles) throws(NetworkConfigError) {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.minimumTLSVersion = .tlsv12
    let loaded = try settings.load()
    tls.additionalTrustRoots = loaded.filter { !$0.1.isEmpty }.map { .certificates($0.1) }
    if let path = settings.clientCertificate {
      let chain: [NIOSSLCertificate]
      do { chain = try NIOSSLCertificate.fromPEMFile(path) } catch { throw .clientCertificate(path: path, reason: "cannot be read as PEM certificates") }
      guard !chain.isEmpty else { throw .clientCertificate(path: path, reason: "holds no certificate") }
      let key: NIOSSLPrivateKey
      do { key = try NIOSSLPrivateKey(file: path, format: .pem) } catch { throw .clientCertificate(path: path, reason: "holds no unencrypted private key") }
      tls.certificateChain = chain.map { .certificate($0) }
      tls.privateKey = .privateKey(key)
    }
    verifying = tls
    var none = tls
    none.certificateVerification = .none
    unverified = none
    // Without a bundle where NIOSSL looks, and no other CA, nothing can be verified: the
    // summary says so, and TLS hints then name SSL_CERT_FILE.
    let roots = LoadedTrust.hasSystemRoots(systemBundles)
    var parts = [roots ? "the system roots" : loaded.isEmpty ? LoadedTrust.noSystemRoots : "no system roots"]
    for (source, certs) in loaded {
      parts.append("\(source.name)=\(source.path) (\(certs.isEmpty ? "the system roots" : "\(certs.count) certificate\(certs.count == 1 ? "" : "s")"))")
    }
    summary = parts.joined(separator: ", ")
  }

  /// How the summary starts when the machine has no CA bundle where NIOSSL looks.
  static let noSystemRoots = "no system roots (no CA bundle at /etc/ssl/certs/ca-certificates.crt or /etc/pki/tls/certs/ca-bundle.crt)"
}
