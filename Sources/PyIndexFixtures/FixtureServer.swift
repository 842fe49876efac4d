import NIOCore
import NIOPosix
import NIOHTTP1
import NIOSSL
import Synchronization

import PyIndexSystem

/// A request the fixture received, headers included (credentials too: tests inspect them).
public struct RecordedRequest: Sendable {
  public let method: String
  public let uri: String
  public let headers: [(String, String)]
  /// The port of the server that received it.
  public let serverPort: Int
  /// The request's body (token requests carry one), at most 1 MiB.
  public var body: [UInt8] = []

  public func header(_ name: String) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
  }
  /// The path without the query.
  public var path: String { String(uri.prefix(while: { $0 != "?" })) }
}

/// What the fixture answers.
public struct FixtureResponse: Sendable {
  public var status: Int
  public var headers: [(String, String)]
  public var body: [UInt8]
  /// Send only this many bytes of the body, then hold the connection open until the server stops.
  public var stallAfter: Int?
  /// Send only this many bytes of the body (with the full `Content-Length`), then close the
  /// connection: a body cut short.
  public var closeAfter: Int?
  /// Send only this many bytes of the body, then reset the connection (`SO_LINGER` 0: an RST,
  /// not a FIN), as a middlebox or a crashing server does.
  public var resetAfter: Int?
  /// Send the body in this many pieces, with this many milliseconds between them (a slow body).
  public var slowly: (pieces: Int, milliseconds: Int)?
  /// A `Content-Length` to announce instead of the body's (a lie); the connection closes
  /// after the body that was really sent.
  public var announcedLength: Int?
  public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], stallAfter: Int? = nil) {
    self.status = status
    self.headers = headers
    self.body = body
    self.stallAfter = stallAfter
  }
  static func text(_ status: Int, _ s: String, type: String = "text/plain") -> FixtureResponse {
    FixtureResponse(status: status, headers: [("Content-Type", type)], body: Array(s.utf8))
  }
}

/// A loopback HTTP/1.1 server on SwiftNIO that answers every request with a closure and
/// records it. Binds a loopback address only (127.0.0.1 unless told another of 127.0.0.0/8).
public final class LoopbackServer: Sendable {
  /// The loopback address it listens on.
  public let host: String
  public let port: Int
  /// Whether the server speaks TLS (then ``origin`` is `https://`).
  public let isTLS: Bool
  private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
  private let log = Mutex<[RecordedRequest]>([])
  private let waiters = Mutex<[(predicate: @Sendable (RecordedRequest) -> Bool, continuation: CheckedContinuation<RecordedRequest, Never>)]>([])
  private let task = Mutex<Task<Void, Never>?>(nil)

  /// Starts a server on `host:port` (port 0 picks a free one), plain or with `tls`.
  /// - Precondition: `host` is an IPv4 loopback address (127.0.0.0/8).
  public static func start(host: String = "127.0.0.1", port: Int = 0, tls: FixtureTLS? = nil, respond: @escaping @Sendable (RecordedRequest) -> FixtureResponse) async throws -> LoopbackServer {
    guard host.hasPrefix("127."), host.split(separator: ".").count == 4 else { throw FixtureError.notLoopback(host) }
    let context = try tls.map { try $0.makeContext() }
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: host, port: port) { child in
        child.eventLoop.makeCompletedFuture {
          if let context { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
          try child.pipeline.syncOperations.configureHTTPServerPipeline()
          return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
        }
      }
    let server = LoopbackServer(channel: channel, host: host, port: channel.channel.localAddress?.port ?? port, isTLS: tls != nil)
    let t = Task(executorPreference: FixtureExecutor(label: "pyindex.fixture.\(server.port)")) { await server.serve(respond) }
    server.task.withLock { $0 = t }
    return server
  }

  private init(channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>, host: String, port: Int, isTLS: Bool) {
    self.channel = channel
    self.host = host
    self.port = port
    self.isTLS = isTLS
  }

  /// `http://HOST:PORT`, or `https://` with TLS.
  public var origin: String { "\(isTLS ? "https" : "http")://\(host):\(port)" }

  /// Every request received so far, in order.
  public var requests: [RecordedRequest] { log.withLock { $0 } }

  /// Waits until a request matching `predicate` arrives (or has arrived), and returns it.
  public func request(where predicate: @escaping @Sendable (RecordedRequest) -> Bool) async -> RecordedRequest {
    await withCheckedContinuation { c in
      let seen: RecordedRequest? = log.withLock { log in
        if let r = log.first(where: predicate) { return r }
        waiters.withLock { $0.append((predicate, c)) }
        return nil
      }
      if let seen { c.resume(returning: seen) }
    }
  }

  private func record(_ request: RecordedRequest) {
    let ready: [CheckedContinuation<RecordedRequest, Never>] = log.withLock { log in
      log.append(request)
      return waiters.withLock { w in
        let (match, rest) = (w.filter { $0.predicate(request) }, w.filter { !$0.predicate(request) })
        w = rest
        return match.map(\.continuation)
      }
    }
    for c in ready { c.resume(returning: request) }
  }

  /// Forgets the recorded requests.
  public func clearRequests() { log.withLock { $0.removeAll() } }

  /// Stops accepting and closes the listening socket.
  public func stop() async {
    try? await channel.channel.close()
    let t = task.withLock { $0 }
    t?.cancel()  // stalled connections stop holding on
    await t?.value
  }

  private func serve(_ respond: @escaping @Sendable (RecordedRequest) -> FixtureResponse) async {
    try? await channel.executeThenClose { inbound in
      try await withThrowingDiscardingTaskGroup { group in
        for try await connection in inbound {
          group.addTask { await self.handle(connection, respond) }
        }
      }
    }
  }

  private func handle(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ respond: @Sendable (RecordedRequest) -> FixtureResponse) async {
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead? = nil
      var body: [UInt8] = []
      for try await part in inbound {
        switch part {
        case .head(let h): (head, body) = (h, [])
        case .body(let b): if body.count + b.readableBytes <= 1 << 20 { body += b.readableBytesView }
        case .end:
          guard let h = head else { continue }
          var request = RecordedRequest(method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) }, serverPort: port)
          request.body = body
          record(request)
          let r = respond(request)
          var headers = HTTPHeaders(r.headers)
          headers.replaceOrAdd(name: "Content-Length", value: String(r.announcedLength ?? r.body.count))
          if !h.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
          try await outbound.write(.head(HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: r.status), headers: headers)))
          if let stall = r.stallAfter {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: r.body.prefix(stall)))))
            // Hold the connection (at most a minute, or until the server stops): the client
            // sees a body that stops arriving.
            try? await Task.sleep(for: .seconds(60))
            return
          }
          if let cut = r.resetAfter {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: r.body.prefix(cut)))))
            if let provider = connection.channel as? any SocketOptionProvider {
              try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await connection.channel.close()
            return
          }
          if let cut = r.closeAfter {
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: r.body.prefix(cut)))))
            return  // closing the connection mid-body
          }
          if let (pieces, milliseconds) = r.slowly, pieces > 1 {
            let size = (r.body.count + pieces - 1) / pieces
            for (k, start) in stride(from: 0, to: r.body.count, by: size).enumerated() {
              if k > 0 { try await Task.sleep(for: .milliseconds(milliseconds)) }
              try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: r.body[start..<min(start + size, r.body.count)]))))
            }
            if r.announcedLength != nil { return }  // closing short of what was announced
            try await outbound.write(.end(nil))
            if !h.isKeepAlive { return }
            head = nil
            continue
          }
          if !r.body.isEmpty, h.method != .HEAD { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: r.body)))) }
          try await outbound.write(.end(nil))
          if !h.isKeepAlive { return }
          head = nil
        }
      }
    }
  }
}

/// A fixture package index: serves a ``FixtureProfile`` (projects as PEP 503 HTML or PEP 691
/// JSON by `Accept`, Basic auth with a registry's failure behaviour, files on the same path,
/// another path or another origin) and records every request, its own and its storage's.
public final class FixtureIndex: Sendable {
  public let server: LoopbackServer
  /// The other-origin file host, for ``FileHosting/otherOrigin``.
  public let storage: LoopbackServer?
  public let profile: FixtureProfile

  /// Starts the index (and its storage server when the profile needs one), with TLS when
  /// `tls` is given.
  public static func start(_ profile: FixtureProfile, host: String = "127.0.0.1", port: Int = 0, tls: FixtureTLS? = nil) async throws -> FixtureIndex {
    var storage: LoopbackServer? = nil
    if profile.needsStorage {
      storage = try await LoopbackServer.start { request in FixtureRouter.storage(request, profile: profile) }
    }
    let storagePort = storage?.port
    let attempts = AttemptCounter()
    let server = try await LoopbackServer.start(host: host, port: port, tls: tls) { request in
      for endpoints in profile.endpoints {
        if let answer = endpoints.answer(request) { return answer }
      }
      return FixtureRouter.index(request, profile: profile, storagePort: storagePort, attempt: attempts.next(request.uri))
    }
    profile.google?.serve(at: server.origin)
    profile.entra?.serve(at: server.origin)
    return FixtureIndex(server: server, storage: storage, profile: profile)
  }

  private init(server: LoopbackServer, storage: LoopbackServer?, profile: FixtureProfile) {
    self.server = server
    self.storage = storage
    self.profile = profile
  }

  /// `http://127.0.0.1:PORT/simple/` (or the profile's index path).
  public var simpleURL: String { server.origin + profile.layout.simplePath }

  /// Requests to the index and to its storage, in the order each received them.
  public var requests: [RecordedRequest] { server.requests + (storage?.requests ?? []) }

  public func stop() async {
    await server.stop()
    await storage?.stop()
  }
}

/// A fixture that cannot be set up as asked.
public enum FixtureError: Error, CustomStringConvertible {
  /// Fixture servers bind loopback addresses only.
  case notLoopback(String)

  public var description: String {
    switch self {
    case .notLoopback(let host): "fixture servers bind loopback addresses (127.0.0.0/8) only, not \(host)"
    }
  }
}

/// How many times each URI was asked for (1 for the first request), for faults that pass.
final class AttemptCounter: Sendable {
  private let counts = Mutex<[String: Int]>([:])
  func next(_ uri: String) -> Int {
    counts.withLock { c in
      c[uri, default: 0] += 1
      return c[uri] ?? 1
    }
  }
}

/// The TLS side of a fixture server: its certificate, and whether it demands a client
/// certificate signed by a given CA.
public struct FixtureTLS: Sendable {
  public var identity: TestPKI.Identity
  /// PEM of the CA client certificates must chain to; nil: no client certificate asked for.
  public var clientCA: String?

  public init(identity: TestPKI.Identity, clientCA: String? = nil) {
    self.identity = identity
    self.clientCA = clientCA
  }

  func makeContext() throws -> NIOSSLContext {
    var config = TLSConfiguration.makeServerConfiguration(
      certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8)).map { .certificate($0) },
      privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)))
    if let clientCA {
      config.certificateVerification = .noHostnameVerification
      config.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientCA.utf8)))
    }
    return try NIOSSLContext(configuration: config)
  }
}
