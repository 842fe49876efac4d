import Crypto
import SwiftASN1
import X509

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A certificate authority made at test time (swift-certificates, P-256), and the
/// certificates the fixtures serve: a valid leaf for `127.0.0.1` and `localhost`, an expired
/// one, one for another host name, and a client certificate. Nothing of it is ever written to
/// the repository.
public struct TestPKI: Sendable {
  /// The CA certificate, PEM: what a client must trust.
  public let caPEM: String
  private let caKey: P256.Signing.PrivateKey
  private let caName: DistinguishedName

  /// The kinds of server certificate a fixture can present.
  public enum Leaf: String, Sendable, CaseIterable {
    /// For `127.0.0.1`, `::1` and `localhost`, valid now.
    case valid
    /// For the same names, expired a day ago.
    case expired
    /// Valid now, but for `wrong-host.example` only.
    case wrongHost
  }

  /// A certificate and its private key, both PEM.
  public struct Identity: Sendable {
    public let certificatePEM: String
    public let privateKeyPEM: String
    /// Certificate and key in one file, as pip's `--client-cert` takes them.
    public var combinedPEM: String { certificatePEM + privateKeyPEM }
  }

  /// Makes a new CA named `name`.
  public init(name: String = "pyindex fixture CA") throws {
    let key = P256.Signing.PrivateKey()
    let dn = try DistinguishedName { CommonName(name); OrganizationName("pyindex tests") }
    let now = Date()
    let ca = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
      notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(86400 * 30),
      issuer: dn, subject: dn, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: try Certificate.Extensions {
        Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
        Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
      },
      issuerPrivateKey: .init(key))
    caPEM = try ca.serializeAsPEM().pemString + "\n"
    caKey = key
    caName = dn
  }

  /// A server certificate of `kind`, signed by this CA; `addresses` (IPv4, dotted) are named
  /// too, for a fixture on another loopback address than 127.0.0.1.
  public func server(_ kind: Leaf, addresses: [String] = []) throws -> Identity {
    let now = Date()
    let (before, after): (Date, Date) = kind == .expired
      ? (now.addingTimeInterval(-86400 * 10), now.addingTimeInterval(-86400))
      : (now.addingTimeInterval(-3600), now.addingTimeInterval(86400 * 7))
    let names: [GeneralName] = kind == .wrongHost
      ? [.dnsName("wrong-host.example")]
      : [.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])), .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))]
        + addresses.compactMap { a in
          let bytes = a.split(separator: ".").compactMap { UInt8($0) }
          return bytes.count == 4 ? .ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))) : nil
        }
    return try issue(commonName: kind == .wrongHost ? "wrong-host.example" : "localhost", before: before, after: after, names: names, usage: .serverAuth)
  }

  /// A client certificate, signed by this CA.
  public func client(commonName: String = "pyindex test client") throws -> Identity {
    let now = Date()
    return try issue(commonName: commonName, before: now.addingTimeInterval(-3600), after: now.addingTimeInterval(86400 * 7), names: nil, usage: .clientAuth)
  }

  private func issue(commonName: String, before: Date, after: Date, names: [GeneralName]?, usage: ExtendedKeyUsage.Usage) throws -> Identity {
    let key = P256.Signing.PrivateKey()
    let extensions = try Certificate.Extensions {
      Critical(BasicConstraints.notCertificateAuthority)
      Critical(KeyUsage(digitalSignature: true))
      try ExtendedKeyUsage([usage])
      if let names { SubjectAlternativeNames(names) }
    }
    let cert = try Certificate(
      version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
      notValidBefore: before, notValidAfter: after,
      issuer: caName, subject: try DistinguishedName { CommonName(commonName) }, signatureAlgorithm: .ecdsaWithSHA256,
      extensions: extensions, issuerPrivateKey: .init(caKey))
    return Identity(certificatePEM: try cert.serializeAsPEM().pemString + "\n", privateKeyPEM: key.pemRepresentation + "\n")
  }
}
