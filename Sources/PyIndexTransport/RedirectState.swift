public import PyIndexAuth
public import PyIndexModel

/// Where one request is in its chain of hops, after async-http-client's `RedirectState`: the
/// URL of the next hop, the credentials it carries, and how many redirects were followed.
///
/// Each hop is judged once: the first by ``start(_:store:policy:exchange:)`` (may it be fetched, may
/// credentials go; then the sources are asked), every later one by
/// ``redirect(to:store:policy:)``, whose rule is ``RedirectPolicy/decide(current:location:currentMatch:hops:store:policy:)``
/// (the outbound policy for the target, credentials kept on the same origin or an upgrade to
/// https, the `Location`'s userinfo for that hop only, the sources asked afresh for another
/// origin, at most ``RedirectPolicy/maxHops``).
struct RedirectState: Sendable {
  /// The URL of the next hop (no userinfo, no fragment).
  private(set) var url: SafeURL
  /// The credentials that go with it, and where they came from.
  private(set) var match: CredentialStore.Match
  /// Why credentials known for this hop do not go (plain http to a remote host), for the trace.
  private(set) var withheld: String?
  /// Redirects followed so far.
  private(set) var hops = 0

  private init(url: SafeURL, match: CredentialStore.Match, withheld: String?) {
    self.url = url
    self.match = match
    self.withheld = withheld
  }

  /// Judges the first hop: a URL the policy refuses throws; where credentials may go, the
  /// sources are asked (none is asked about a plain-http hop to a remote host).
  /// - Parameter exchange: sends the token requests of a credential provider that mints.
  static func start(_ url: SafeURL, store: CredentialStore, policy: OutboundPolicy, exchange: (any TokenExchanging)? = nil) async throws(TransportError) -> RedirectState {
    let first = url.withoutUserinfo.withoutFragment
    switch policy.judge(first) {
    case .refuse(let reason): throw .refused(url: first, reason: reason)
    case .allow(credentials: true, _): return RedirectState(url: first, match: await store.lookup(first, exchange: exchange), withheld: nil)
    case .allow(credentials: false, let note): return RedirectState(url: first, match: .none, withheld: note)
    }
  }

  /// Judges the hop a redirect leads to and moves there; returns what happened to the
  /// credentials, for the trace.
  /// - Throws: ``TransportError/redirectRefused(url:reason:)`` (the state stays where it was).
  mutating func redirect(to location: String, store: CredentialStore, policy: OutboundPolicy) async throws(TransportError) -> String {
    switch await RedirectPolicy.decide(current: url, location: location, currentMatch: match, hops: hops, store: store, policy: policy) {
    case .refuse(let reason):
      throw .redirectRefused(url: url, reason: reason)
    case .follow(let next, let nextMatch, let note):
      (url, match, withheld, hops) = (next, nextMatch, nil, hops + 1)
      return note
    }
  }
}
