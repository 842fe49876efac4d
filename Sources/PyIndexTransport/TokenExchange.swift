import AsyncHTTPClient
public import PyIndexAuth
public import PyIndexModel
import NIOCore
import NIOHTTP1

extension Transport {
  /// Sends one token request (STS, an OAuth token endpoint, a metadata server) under the
  /// outbound policy for token endpoints: https, or plain http to a loopback or cloud metadata
  /// address. No credential source is asked and no redirect followed; the answer's body is
  /// read whole, up to 1 MiB. Proxies and trust are the run's. The hop is on the `-v` trace
  /// with every secret header masked.
  /// - Throws: ``TransportError``: refused, or no answer.
  public func exchange(_ request: TokenRequest) async throws -> TokenAnswer {
    let url = request.url.withoutUserinfo.withoutFragment
    if let reason = policy.refusesTokenEndpoint(url) { throw TransportError.refused(url: url, reason: reason) }
    // The metadata services are on the machine's own link: never through a proxy.
    let proxy = OutboundPolicy.metadataHosts.contains(url.host) ? nil : configuration.proxies.proxy(for: url)
    var r = HTTPClientRequest(url: url.revealedForRequest())
    r.method = HTTPMethod(rawValue: request.method)
    r.headers.add(name: "User-Agent", value: configuration.userAgent)
    for (n, v) in request.headers { r.headers.replaceOrAdd(name: n, value: v) }
    if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" {
      r.body = .bytes(ByteBuffer(bytes: request.body))
    }
    let secret = request.secretHeaders.map { $0.lowercased() }
    func masked(_ name: String, _ value: String) -> String {
      secret.contains(name.lowercased()) ? "****" : Transport.mask(header: name, value: value)
    }
    var hop = Hop(
      method: request.method, url: url, route: proxy.map { "proxy \($0.shown) (\($0.source))" } ?? "direct", source: .none,
      credentialShape: "token request", authorizationAttached: r.headers.contains(name: "Authorization"), status: nil, redirect: nil,
      requestHeaders: r.headers.map { ($0.name, masked($0.name, $0.value)) }, responseHeaders: [], attempt: 0)
    let timeout = request.timeout ?? configuration.timeout
    let started = NIODeadline.now()
    let response: HTTPClientResponse
    do {
      let client = clients[proxy] ?? clients[nil]!
      response = try await client.execute(r, timeout: .milliseconds(max(WireNumber.milliseconds(timeout), 1)))
    } catch {
      log(hop)
      throw Transport.classify(error, url: url, proxy: proxy, trusted: trust.summary)
    }
    hop.status = Int(response.status.code)
    let headers = response.headers.map { ($0.name, $0.value) }
    hop.responseHeaders = headers.map { ($0.0, masked($0.0, $0.1)) }
    log(hop)
    let body = try await ResponseBody(network: response.body, url: url, pace: BodyPace(start: started, timeout: timeout)).collect(upTo: 1 << 20)
    let status = Int(response.status.code)
    return TokenAnswer(status: status, headers: headers, body: body, succeeded: ResponseMeaning(status: status).isSuccess)
  }
}
