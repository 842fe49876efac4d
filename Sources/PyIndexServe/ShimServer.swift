import Crypto
public import PyIndexClient
import PyIndexAuth
public import PyIndexModel
import PyIndexParsing
import PyIndexTransport
import NIOCore
import NIOPosix
import NIOHTTP1
import Synchronization

import PyIndexSystem

/// `pyindex serve`: a local PEP 503/691 index in front of the configured upstream indexes, for
/// installers (pip, uv, poetry). Pages are built from the upstream pages with the index
/// strategy; every file link points back here (`/files/<token>/<filename>`) and is streamed
/// from upstream with every credential, redirect, proxy and trust rule, its digest checked on
/// the way (a mismatch cuts the response short, so the installer never accepts it). Upstream
/// URLs and credentials never reach the installer: not in pages, headers or errors.
public final class ShimServer: Sendable {
  /// Where the server listens.
  public let host: String
  public let port: Int
  private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
  private let client: IndexClient
  /// Receives one line per request; `failed` marks an upstream failure, which the installer
  /// only sees as a 502 or a cut download and the user must see whatever the verbosity.
  private let report: @Sendable (_ line: String, _ failed: Bool) -> Void
  private let listenToken: String?
  /// `--cache-dir`: verified files kept by SHA-256, served from there next time.
  private let cacheDirectory: String?
  /// Upstream files by token: the tokens are the only thing the installer sees. Bounded: the
  /// oldest tokens go first once ``TokenTable/capacity`` are held.
  private let files = Mutex(TokenTable<Upstream>())

  /// An upstream file behind a token.
  struct Upstream: Sendable {
    var url: SafeURL
    var digests: [String: String]
    var coreMetadata: [String: String]?
  }

  /// Binds `host:port` (0 picks a free port).
  /// - Throws: ``ListenError`` when it cannot.
  /// - Parameters:
  ///   - log: the access log, upstream URLs redacted; `failed` marks upstream failures.
  ///   - listenToken: when set, installers must present it as the password of Basic auth
  ///     (any user name), or get 401.
  ///   - cacheDirectory: where verified files are kept (by SHA-256) and served from again.
  public static func start(
    host: String, port: Int, client: IndexClient, listenToken: String? = nil, cacheDirectory: String? = nil, log: @escaping @Sendable (_ line: String, _ failed: Bool) -> Void
  ) async throws -> ShimServer {
    let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    do {
      channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: host, port: port) { child in
          child.eventLoop.makeCompletedFuture {
            try child.pipeline.syncOperations.configureHTTPServerPipeline()
            return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
          }
        }
    } catch {
      throw ListenError(host: host, port: port, cause: error)
    }
    return ShimServer(
      channel: channel, host: host, port: channel.channel.localAddress?.port ?? port, client: client, listenToken: listenToken, cacheDirectory: cacheDirectory, log: log)
  }

  private init(
    channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>, host: String, port: Int, client: IndexClient,
    listenToken: String?, cacheDirectory: String?, log: @escaping @Sendable (_ line: String, _ failed: Bool) -> Void
  ) {
    (self.cacheDirectory, self.channel, self.host, self.port) = (cacheDirectory, channel, host, port)
    (self.client, self.listenToken, self.report) = (client, listenToken, log)
  }

  /// `http://HOST:PORT/simple/`.
  public var url: SafeURL { SafeURL(scheme: "http", host: host.contains(":") ? "[\(host)]" : host, port: port, path: "/simple/") }

  /// Serves until ``stop()`` is called (or the task is cancelled).
  public func run() async {
    let task = Task<Void, Never> {
      _ = try? await channel.executeThenClose { inbound in
        try await withThrowingDiscardingTaskGroup { group in
          for try await connection in inbound {
            group.addTask { await self.handle(connection) }
          }
        }
      }
    }
    serving.withLock { $0 = task }
    await withTaskCancellationHandler { _ = await task.value } onCancel: { task.cancel() }
  }

  /// Stops accepting and ends the connections still open (idle keep-alive ones included:
  /// closing the listening channel alone does not end them); ``run()`` then returns.
  public func stop() async {
    try? await channel.channel.close()
    serving.withLock { $0 }?.cancel()
  }

  private let serving = Mutex<Task<Void, Never>?>(nil)

  private func handle(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
    try? await connection.executeThenClose { inbound, outbound in
      var head: HTTPRequestHead? = nil
      for try await part in inbound {
        switch part {
        case .head(let h): head = h
        case .body: continue
        case .end:
          guard let h = head else { continue }
          head = nil
          let keepAlive = try await respond(to: h, outbound)
          if !keepAlive || !h.isKeepAlive { return }
        }
      }
    }
  }

  /// Answers one request; false when the connection must close (a body cut short).
  private func respond(to request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
    let path = String(request.uri.prefix(while: { $0 != "?" }))
    guard request.method == .GET || request.method == .HEAD else {
      try await send(out, request, status: .methodNotAllowed, text: "only GET and HEAD")
      return true
    }
    if listenToken == nil, !HostHeader.accepts(request.headers["Host"].first, listeningOn: host, port: port) {
      // DNS rebinding: a web page whose name now points at this address sends its own name.
      log("refused a request for another host (Host: \(ServerText.clean(request.headers["Host"].first ?? "none"))): serve answers only for \(host):\(port) without --listen-token")
      try await send(out, request, status: .misdirectedRequest, text: "this index answers only requests for its own address")
      return true
    }
    if let token = listenToken, !ShimServer.authorized(request.headers["Authorization"].first, token: token) {
      try await send(out, request, status: .unauthorized, text: "this index wants the --listen-token as password", headers: [("WWW-Authenticate", "Basic realm=\"pyindex serve\"")])
      return true
    }
    let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    if parts == ["simple"] {
      guard path.hasSuffix("/") else { return try await redirect(out, request, to: "/simple/") }
      try await send(out, request, status: .ok, text: "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"></head><body></body></html>\n", type: "text/html")
      return true
    }
    if parts.count == 2, parts[0] == "simple" {
      guard path.hasSuffix("/") else { return try await redirect(out, request, to: path + "/") }
      return try await page(parts[1], request, out)
    }
    if parts.count == 3, parts[0] == "files" {
      return try await file(token: parts[1], name: parts[2], request, out)
    }
    try await send(out, request, status: .notFound, text: "Not Found")
    return true
  }

  // MARK: pages

  private func page(_ rawName: String, _ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
    let name = URLReference.percentDecode(Substring(rawName)) ?? rawName
    guard let project = try? ProjectName(name) else {
      try await send(out, request, status: .notFound, text: "Not Found")
      return true
    }
    if project.normalized != name {
      return try await redirect(out, request, to: "/simple/\(project.normalized)/")
    }
    var listed: [(DistributionFile, SafeURL?)] = []
    do throws(ClientError) {
      var overflowed = false
      try await client.files(for: project) { file, base in
        if listed.count >= ShimServer.maxFiles { overflowed = true } else { listed.append((file, base)) }
      }
      if overflowed { throw ClientError.tooManyFiles(project: project, what: "files", limit: ShimServer.maxFiles) }
    } catch {
      let status: HTTPResponseStatus = error.isNotFound ? .notFound : .badGateway
      log("GET \(request.uri) → \(status.code): \(error.description)" + (status == .notFound ? "" : error.hint.map { "; hint: \($0)" } ?? ""), failed: status != .notFound)
      // The details (which upstream, what it said) go to serve's log; installers hear what failed
      // in general terms only.
      try await send(out, request, status: status, text: status == .notFound ? "Not Found" : "upstream index failed; see the log of pyindex serve\n")
      return true
    }
    var entries: [(file: DistributionFile, token: String)] = []
    files.withLock { table in
      for (file, base) in listed {
        // A link that resolves to no URL is not served (the page is hostile or broken).
        guard let url = base.flatMap({ file.resolvedURL(base: $0) })?.withoutUserinfo else { continue }
        let token = ShimServer.token(url)
        table.insert(token, Upstream(url: url, digests: file.digests, coreMetadata: file.coreMetadata))
        entries.append((file, token))
      }
    }
    let accept = request.headers["Accept"].joined(separator: ",")
    let json = accept.contains("application/vnd.pypi.simple.v1+json") || accept.contains("application/vnd.pypi.simple.latest+json")
    let body = json ? ShimServer.jsonPage(project, entries) : ShimServer.htmlPage(project, entries)
    log("GET \(request.uri) → 200 (\(entries.count) files, \(json ? "JSON" : "HTML"))")
    try await send(out, request, status: .ok, body: Array(body.utf8), type: json ? "application/vnd.pypi.simple.v1+json" : "application/vnd.pypi.simple.v1+html", headers: [("Vary", "Accept"), ("Cache-Control", "max-age=0")])
    return true
  }

  /// The most files of one project a page of serve lists: a hostile upstream page of millions
  /// is refused (502), not held in memory.
  static let maxFiles = 100_000

  /// A token for an upstream URL: its SHA-256, shortened. Stable across runs, reveals nothing.
  static func token(_ url: SafeURL) -> String {
    String(SHA256.hash(data: Array(url.revealedForRequest().utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined().prefix(32))
  }

  static func link(_ file: DistributionFile, token: String) -> String {
    let digests = file.digests
    let fragment = (digests["sha256"].map { "sha256=\($0)" }) ?? digests.sorted { $0.key > $1.key }.first.map { "\($0.key)=\($0.value)" }
    return "/files/\(token)/\(percentEncode(file.filename))" + (fragment.map { "#" + $0 } ?? "")
  }

  static func htmlPage(_ project: ProjectName, _ entries: [(file: DistributionFile, token: String)]) -> String {
    var html = "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for \(escape(project.normalized))</title></head><body>\n"
    for (file, token) in entries {
      var attrs = ""
      if let rp = file.requiresPython { attrs += " data-requires-python=\"\(escape(rp))\"" }
      if let y = file.yanked { attrs += " data-yanked=\"\(escape(y))\"" }
      if let m = file.coreMetadata {
        let value = m["sha256"].map { "sha256=\($0)" } ?? "true"
        attrs += " data-core-metadata=\"\(value)\" data-dist-info-metadata=\"\(value)\""
      }
      html += "<a href=\"\(escape(link(file, token: token)))\"\(attrs)>\(escape(file.filename))</a><br>\n"
    }
    return html + "</body></html>\n"
  }

  static func jsonPage(_ project: ProjectName, _ entries: [(file: DistributionFile, token: String)]) -> String {
    var versions: [String] = []
    var seen = Set<String>()
    let items = entries.map { (file, token) -> String in
      if let v = DistributionKind(filename: file.filename, project: project)?.version.description, seen.insert(v).inserted { versions.append(v) }
      var o = "{\"filename\": \(quote(file.filename)), \"url\": \(quote(link(file, token: token).prefix(while: { $0 != "#" }).description)), \"hashes\": {"
      o += file.digests.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \(quote($0.value))" }.joined(separator: ", ") + "}"
      if let rp = file.requiresPython { o += ", \"requires-python\": \(quote(rp))" }
      if let y = file.yanked { o += ", \"yanked\": " + (y.isEmpty ? "true" : quote(y)) }
      if let m = file.coreMetadata {
        let value = m.isEmpty ? "true" : "{" + m.sorted { $0.key < $1.key }.map { "\(quote($0.key)): \(quote($0.value))" }.joined(separator: ", ") + "}"
        o += ", \"core-metadata\": \(value), \"dist-info-metadata\": \(value)"
      }
      if let size = file.size { o += ", \"size\": \(size)" }
      if let t = file.uploadTime { o += ", \"upload-time\": \(quote(t))" }
      return o + "}"
    }
    return "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \(quote(project.normalized)), \"files\": [\(items.joined(separator: ", "))], \"versions\": [\(versions.map(quote).joined(separator: ", "))]}"
  }

  // MARK: files

  /// A file: from `--cache-dir` when kept there, else from upstream through the one
  /// ``VerifiedFetch`` (resumed when cut short; the last piece held back until every digest
  /// matched, so a mismatch leaves the installer short of bytes, never with a bad file).
  private func file(token: String, name: String, _ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws -> Bool {
    let metadata = name.hasSuffix(".metadata")
    guard let upstream = files.withLock({ $0[token] }), !(metadata && upstream.coreMetadata == nil) else {
      try await send(out, request, status: .notFound, text: "Not Found (ask for the project page first)")
      return true
    }
    let expected = metadata ? (upstream.coreMetadata ?? [:]) : upstream.digests
    let kept = cacheDirectory.flatMap { dir in expected["sha256"].map { FileCache(directory: dir, sha256: $0) } }
    let range = request.headers["Range"].first
    if let kept, range == nil, kept.isPresent {
      return await relay(VerifiedFetch(transport: client.transport, url: VerifiedFetch.fileURL(kept.path), expected: ["sha256": kept.sha256], allowsLocal: true), request, out, from: "--cache-dir", damaged: kept)
    }
    // A range (uv reads a wheel's METADATA that way) is passed upstream; a 206 is passed back
    // as it is, unverified (a part has no digest: the installer checks the whole file).
    let fetch = VerifiedFetch(transport: client.transport, url: metadata ? upstream.url.appendingToPath(".metadata") : upstream.url, expected: expected, range: range)
    return await relay(fetch, request, out, keeping: request.method == .GET ? kept?.writer() : nil)
  }

  /// Runs `fetch` into the installer's connection; false when the connection must close.
  private func relay(
    _ fetch: VerifiedFetch, _ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
    from: String? = nil, damaged kept: FileCache? = nil, keeping: StagedFile? = nil
  ) async -> Bool {
    var sink = InstallerSink(out: out, request: request, keeping: keeping)
    defer { keeping?.discard() }
    do {
      guard let verified = try await fetch.run(into: &sink) else {
        log("GET \(request.uri)\(sink.passedRange.map { " (\($0)) → 206" } ?? " → 200 (head only)")\(from.map { " from \($0)" } ?? "")")
        return true
      }
      try await out.write(.end(nil))
      log("GET \(request.uri) → 200 (\(verified.size) bytes from \(from ?? sink.source))")
      return true
    } catch let m as DigestMismatch {
      if let kept {
        log("GET \(request.uri) → cut: the kept file \(kept.path) is damaged; it was removed", failed: true)
        kept.remove()
      } else {
        // Cut the response short: the installer sees a broken download, never a bad file.
        log("GET \(request.uri) → cut: the \(m.algorithm) of \(sink.source) is \(m.actual), the index said \(m.expected)", failed: true)
      }
    } catch let e as ChannelError where e == .ioOnClosedChannel || e == .alreadyClosed || e == .outputClosed {
      // The installer hung up (often right after the last byte): not an upstream failure.
      log("GET \(request.uri) → the installer closed the connection")
    } catch {
      await answerFailure(error, sink: sink, request, out)
    }
    return false
  }

  /// An upstream failure: a 404 or 502 when nothing was sent yet (the installer gets an HTTP
  /// answer, not a closed connection), the details only in serve's log.
  private func answerFailure(_ error: any Error, sink: InstallerSink, _ request: HTTPRequestHead, _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async {
    let failure = ClientError(error, at: request.uri)
    var status = HTTPResponseStatus.badGateway
    var text = "upstream index failed; see the log of pyindex serve\n"
    if let (url, code) = failure.httpFailure {
      if case .missing = ResponseMeaning(status: code) { status = .notFound }
      text = "upstream answered \(code)\n"
      log("GET \(request.uri) → \(status.code): upstream \(url) answered \(code)", failed: true)
    } else {
      log("GET \(request.uri) → failed: \(failure)", failed: true)
    }
    guard !sink.answered else { return }
    try? await send(out, request, status: status, text: text)
  }

  // MARK: plumbing

  private func log(_ line: String, failed: Bool = false) { report(line, failed) }

  private func send(
    _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ request: HTTPRequestHead, status: HTTPResponseStatus, text: String, type: String = "text/plain",
    headers: [(String, String)] = []
  ) async throws {
    try await send(out, request, status: status, body: Array(text.utf8), type: type, headers: headers)
  }

  private func send(
    _ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ request: HTTPRequestHead, status: HTTPResponseStatus, body: [UInt8], type: String,
    headers: [(String, String)] = []
  ) async throws {
    var h = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.count))])
    for (n, v) in headers { h.add(name: n, value: v) }
    try await out.write(.head(HTTPResponseHead(version: request.version, status: status, headers: h)))
    if request.method != .HEAD, !body.isEmpty { try await out.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
    try await out.write(.end(nil))
  }

  private func redirect(_ out: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, _ request: HTTPRequestHead, to location: String) async throws -> Bool {
    try await send(out, request, status: .movedPermanently, text: "", headers: [("Location", location)])
    return true
  }

  /// Whether `header` is Basic auth with `token` as its password, compared in constant time
  /// (the time taken does not tell how much of a guess was right).
  static func authorized(_ header: String?, token: String) -> Bool {
    guard let given = header.flatMap(Credentials.init(basicAuthorization:))?.password else { return false }
    return constantTimeEquals(Array(given.utf8), Array(token.utf8))
  }

  static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<max(a.count, b.count) {
      difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return difference == 0
  }

  static func escape(_ s: String) -> String { MarkupText.html(s) }

  static func quote(_ s: String) -> String { JSONText.quote(s) }

  /// A file name as a path segment (`+` and `!` kept, as the page always wrote them).
  static func percentEncode(_ s: String) -> String { MarkupText.percentEncoded(s, keep: [UInt8(ascii: "+"), UInt8(ascii: "!")]) }
}


/// `serve` could not listen where it was asked to.
public struct ListenError: PyIndexError {
  public let host: String
  public let port: Int
  public let cause: any Error
  public var kind: FailureKind { .network }
  public var description: String { "cannot listen on \(host):\(port): \(cause)" }
  public var hint: String? { "pick another --port, or 0 for a free one" }
  public var underlying: (any Error)? { cause }
}
