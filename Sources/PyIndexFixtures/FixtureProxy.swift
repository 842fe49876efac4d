import NIOCore
import NIOPosix
import Synchronization

/// What the fixture proxy saw of one request: the request line and the headers sent to the
/// proxy itself (for a CONNECT, everything after travels inside the tunnel, unseen).
public struct ProxyRecord: Sendable {
  public let method: String
  /// `host:port` for CONNECT, the absolute URL otherwise.
  public let target: String
  public let headers: [(String, String)]
  /// The status the proxy answered with (200 for a tunnel that was opened).
  public let status: Int

  public func header(_ name: String) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
  }
}

/// A forward proxy on 127.0.0.1 for tests: `CONNECT host:port` tunnels and absolute-form
/// `GET http://…` requests, optional `Proxy-Authorization: Basic`, a set of ports CONNECT may
/// reach (as Squid's `SSL_ports` and tinyproxy's `ConnectPort`), and a record of everything it
/// saw. It only ever connects to 127.0.0.1: host names in `standIns` (a test's "remote" hosts,
/// `files.example`) are served from the same port on 127.0.0.1.
public final class FixtureProxy: Sendable {
  public let port: Int
  private let channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>
  private let log = Mutex<[ProxyRecord]>([])
  private let task = Mutex<Task<Void, Never>?>(nil)
  private let expectedAuthorization: String?
  private let connectPorts: Set<Int>?
  private let socks: Bool
  private let standIns: Set<String>

  /// - Parameters:
  ///   - credentials: the user and password the proxy demands (407 otherwise); nil: none.
  ///   - connectPorts: the only ports CONNECT may reach (403 otherwise); nil: any.
  ///   - socks: speak SOCKS5 (no authentication) instead of HTTP.
  ///   - standIns: host names answered from 127.0.0.1 (same port), standing in for remote hosts.
  public static func start(credentials: (String, String)? = nil, connectPorts: Set<Int>? = nil, socks: Bool = false, standIns: Set<String> = []) async throws -> FixtureProxy {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: "127.0.0.1", port: 0) { child in
        child.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
      }
    let auth = credentials.map { "Basic " + FixtureRouter.base64(Array("\($0.0):\($0.1)".utf8)) }
    let proxy = FixtureProxy(channel: channel, port: channel.channel.localAddress?.port ?? 0, authorization: auth, connectPorts: connectPorts, socks: socks, standIns: standIns)
    let t = Task(executorPreference: FixtureExecutor(label: "pyindex.fixture-proxy.\(proxy.port)")) { await proxy.serve() }
    proxy.task.withLock { $0 = t }
    return proxy
  }

  private init(channel: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>, port: Int, authorization: String?, connectPorts: Set<Int>?, socks: Bool, standIns: Set<String>) {
    self.standIns = standIns
    self.channel = channel
    self.port = port
    self.expectedAuthorization = authorization
    self.connectPorts = connectPorts
    self.socks = socks
  }

  /// `http://127.0.0.1:PORT`, or `socks5://127.0.0.1:PORT`.
  public var url: String { "\(socks ? "socks5" : "http")://127.0.0.1:\(port)" }

  /// Everything the proxy saw, in order.
  public var records: [ProxyRecord] { log.withLock { $0 } }

  public func stop() async {
    try? await channel.channel.close()
    let t = task.withLock { $0 }
    t?.cancel()
    await t?.value
  }

  private func serve() async {
    try? await channel.executeThenClose { inbound in
      try await withThrowingDiscardingTaskGroup { group in
        for try await connection in inbound {
          group.addTask { try? await self.handle(connection) }
        }
      }
    }
  }

  private func handle(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
    try await client.executeThenClose { inbound, outbound in
      var iterator = inbound.makeAsyncIterator()
      if socks {
        // SOCKS5 without authentication: greeting, CONNECT request, then the tunnel.
        var pending: [UInt8] = []
        func need(_ n: Int) async throws -> Bool {
          while pending.count < n {
            guard let chunk = try await iterator.next() else { return false }
            pending += chunk.readableBytesView
          }
          return true
        }
        guard try await need(2), pending[0] == 5, try await need(2 + Int(pending[1])) else { return }
        pending.removeFirst(2 + Int(pending[1]))
        try await outbound.write(ByteBuffer(bytes: [5, 0]))
        guard try await need(5), pending[0] == 5, pending[1] == 1 else { return }
        let host: String
        var length: Int
        switch pending[3] {
        case 1: length = 4 + 4; guard try await need(length + 2) else { return }; host = pending[4..<8].map(String.init).joined(separator: ".")
        case 3: length = 5 + Int(pending[4]); guard try await need(length + 2) else { return }; host = String(decoding: pending[5..<length], as: UTF8.self)
        default: return
        }
        let targetPort = Int(pending[length]) << 8 | Int(pending[length + 1])
        length += 2
        pending.removeFirst(length)
        log.withLock { $0.append(ProxyRecord(method: "SOCKS5 CONNECT", target: "\(host):\(targetPort)", headers: [], status: 0)) }
        guard host == "127.0.0.1" || host == "localhost",
          let upstream = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: targetPort, channelInitializer: { ch in
            ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
          })
        else {
          try await outbound.write(ByteBuffer(bytes: [5, 5, 0, 1, 0, 0, 0, 0, 0, 0]))
          return
        }
        try await outbound.write(ByteBuffer(bytes: [5, 0, 0, 1, 127, 0, 0, 1, 0, 0]))
        try await FixtureProxy.splice(&iterator, outbound, upstream, first: pending)
        return
      }
      // Read the request head (bounded: 64 KiB).
      var head: [UInt8] = []
      var rest: [UInt8] = []
      while true {
        guard let chunk = try await iterator.next() else { return }
        head += chunk.readableBytesView
        if let end = FixtureProxy.headEnd(head) {
          rest = Array(head[end...])
          head = Array(head[..<end])
          break
        }
        if head.count > 65536 { return }
      }
      let lines = String(decoding: head, as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
      let requestLine = lines.first?.split(separator: " ") ?? []
      guard requestLine.count == 3 else { return }
      let method = String(requestLine[0]), target = String(requestLine[1])
      let headers: [(String, String)] = lines.dropFirst().compactMap { line in
        guard let colon = line.firstIndex(of: ":") else { return nil }
        return (String(line[..<colon]), String(line[line.index(after: colon)...].drop(while: { $0 == " " })))
      }
      func answer(_ status: Int, _ reason: String, extra: String = "") async throws {
        log.withLock { $0.append(ProxyRecord(method: method, target: target, headers: headers, status: status)) }
        try await outbound.write(ByteBuffer(string: "HTTP/1.1 \(status) \(reason)\r\n\(extra)Content-Length: 0\r\nConnection: close\r\n\r\n"))
      }
      if let expectedAuthorization, headers.first(where: { $0.0.lowercased() == "proxy-authorization" })?.1 != expectedAuthorization {
        return try await answer(407, "Proxy Authentication Required", extra: "Proxy-Authenticate: Basic realm=\"fixture proxy\"\r\n")
      }
      let hostPort: Substring
      let forward: [UInt8]
      if method == "CONNECT" {
        hostPort = Substring(target)
        forward = rest
      } else {
        // Absolute form: http://host:port/path → origin form to the target.
        guard target.hasPrefix("http://") else { return try await answer(400, "Bad Request") }
        let afterScheme = target.dropFirst(7)
        let slash = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
        hostPort = afterScheme[..<slash]
        let path = slash == afterScheme.endIndex ? "/" : String(afterScheme[slash...])
        var text = "\(method) \(path) \(requestLine[2])\r\n"
        for (n, v) in headers where !["proxy-authorization", "proxy-connection", "connection", "keep-alive"].contains(n.lowercased()) && !n.isEmpty { text += "\(n): \(v)\r\n" }
        // One request per connection: what follows on the client's connection is spliced
        // as it comes, so a second request there would reach the server in absolute form.
        // The server closes after its answer, and the client opens a new connection.
        text += "Connection: close\r\n"
        forward = Array((text + "\r\n").utf8) + rest
      }
      guard let colon = hostPort.lastIndex(of: ":"), let targetPort = Int(hostPort[hostPort.index(after: colon)...]) else {
        return try await answer(400, "Bad Request")
      }
      let host = hostPort[..<colon]
      guard host == "127.0.0.1" || host == "localhost" || standIns.contains(String(host)) else { return try await answer(403, "Forbidden") }
      if method == "CONNECT", let connectPorts, !connectPorts.contains(targetPort) { return try await answer(403, "Forbidden") }
      let upstream: NIOAsyncChannel<ByteBuffer, ByteBuffer>
      do {
        upstream = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: targetPort) { ch in
          ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
        }
      } catch {
        return try await answer(502, "Bad Gateway")
      }
      if method == "CONNECT" {
        log.withLock { $0.append(ProxyRecord(method: method, target: target, headers: headers, status: 200)) }
        try await outbound.write(ByteBuffer(string: "HTTP/1.1 200 Connection established\r\n\r\n"))
      } else {
        log.withLock { $0.append(ProxyRecord(method: method, target: target, headers: headers, status: 200)) }
      }
      try await FixtureProxy.splice(&iterator, outbound, upstream, first: forward)
    }
  }

  /// Copies bytes both ways between the client and `upstream` (after sending `first`
  /// upstream) until one side closes.
  static func splice(
    _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, _ outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
    _ upstream: NIOAsyncChannel<ByteBuffer, ByteBuffer>, first: [UInt8]
  ) async throws {
    try await upstream.executeThenClose { upIn, upOut in
      if !first.isEmpty { try await upOut.write(ByteBuffer(bytes: first)) }
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          // Upstream → client; when the server is done, the client sees the end too.
          for try await chunk in upIn { try await outbound.write(chunk) }
          outbound.finish()
        }
        // Client → upstream, until the client closes.
        while let chunk = try await iterator.next() { try await upOut.write(chunk) }
        upOut.finish()
        group.cancelAll()
      }
    }
  }

  static func headEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
      return i + 4
    }
    return nil
  }
}
