public import PyIndexModel
import NIOCore
import PyIndexAuth
import NIOPosix
import NIOSSL
import NIOTLS
import SwiftASN1
import X509

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Tells why a certificate failed verification: it redoes the handshake with verification
/// off, only to read the server's certificate (nothing is sent after the handshake), and
/// checks its dates, its names and its issuer.
enum CertificateProbe {
  static func diagnose(host: String, port: Int, timeout: Double) async -> TLSProblem {
    guard let der = await leafCertificate(host: host, port: port, timeout: timeout),
      let certificate = try? Certificate(derEncoded: der)
    else { return .verificationFailed }
    return problem(with: certificate, host: host, now: Date())
  }

  /// "issued by X, valid until DAY" for the certificate `host:port` presents.
  static func summary(host: String, port: Int, timeout: Double) async -> String? {
    guard let der = await leafCertificate(host: host, port: port, timeout: timeout),
      let certificate = try? Certificate(derEncoded: der)
    else { return nil }
    let issuer = commonName(certificate.issuer).map { "issued by \($0)" } ?? "issuer without a common name"
    return "\(issuer), valid until \(day(certificate.notValidAfter))"
  }

  /// What is wrong with `certificate` for `host` at `now`, checked in the order a user fixes
  /// them: dates, names, then the issuer.
  static func problem(with certificate: Certificate, host: String, now: Date) -> TLSProblem {
    if certificate.notValidAfter < now { return .expired(day(certificate.notValidAfter)) }
    if certificate.notValidBefore > now { return .notYetValid(day(certificate.notValidBefore)) }
    let names = subjectNames(certificate)
    if !names.isEmpty, !names.contains(where: { matches($0, host) }) {
      return .wrongHost(names.joined(separator: ", "))
    }
    return .untrustedIssuer(commonName(certificate.issuer))
  }

  static func subjectNames(_ certificate: Certificate) -> [String] {
    guard let san = try? certificate.extensions.subjectAlternativeNames else { return [] }
    return san.compactMap { name -> String? in
      switch name {
      case .dnsName(let d): return d
      case .ipAddress(let bytes):
        let b = Array(bytes.bytes)
        if b.count == 4 { return b.map(String.init).joined(separator: ".") }
        if b.count == 16 {
          return stride(from: 0, to: 16, by: 2).map { String(UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]), radix: 16) }.joined(separator: ":")
        }
        return nil
      default: return nil
      }
    }
  }

  static func matches(_ pattern: String, _ host: String) -> Bool {
    let p = pattern.lowercased(), h = host.lowercased()
    if p == h { return true }
    if p.hasPrefix("*."), let dot = h.firstIndex(of: ".") { return h[dot...] == p.dropFirst() }
    return false
  }

  static func commonName(_ name: DistinguishedName) -> String? {
    for rdn in name {
      for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
        return "\(attribute.value)"
      }
    }
    return nil
  }

  static func day(_ date: Date) -> String {
    CivilTime(secondsSince1970: date.timeIntervalSince1970).date
  }

  /// The DER of the server's leaf certificate, or nil when the handshake cannot be made.
  static func leafCertificate(host: String, port: Int, timeout: Double) async -> [UInt8]? {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.certificateVerification = .none
    guard let context = try? NIOSSLContext(configuration: tls) else { return nil }
    let sni = NoProxy.ipBytes(host) == nil ? host : nil
    let promise = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: [UInt8]?.self)
    let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .connectTimeout(.milliseconds(max(WireNumber.milliseconds(timeout), 1)))
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          let handler = try NIOSSLClientHandler(context: context, serverHostname: sni)
          try channel.pipeline.syncOperations.addHandler(handler)
          try channel.pipeline.syncOperations.addHandler(HandshakeWatcher(promise: promise))
        }
      }
    do {
      let channel = try await bootstrap.connect(host: host, port: port).get()
      // A peer that accepts and stays silent must not hold the diagnosis: the handshake gets
      // `timeout` seconds, then the probe gives up (the promise takes the first answer only).
      let deadline = channel.eventLoop.scheduleTask(in: .milliseconds(max(WireNumber.milliseconds(timeout), 1))) { promise.succeed(nil) }
      let result = try? await promise.futureResult.get()
      deadline.cancel()
      try? await channel.close()
      return result ?? nil
    } catch {
      promise.succeed(nil)
      return nil
    }
  }

  /// Reads the peer certificate once the handshake completes.
  private final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    let promise: EventLoopPromise<[UInt8]?>
    init(promise: EventLoopPromise<[UInt8]?>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
      if case TLSUserEvent.handshakeCompleted = event {
        let der = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate?.toDERBytes()
        promise.succeed(der)
      }
      context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
      promise.succeed(nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
      promise.succeed(nil)
      context.fireChannelInactive()
    }
  }
}
