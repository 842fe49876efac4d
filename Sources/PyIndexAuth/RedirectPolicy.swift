public import PyIndexModel

/// What to do with a redirect, decided at every hop.
public enum RedirectDecision: Sendable, Hashable {
  /// Follow to `url` (userinfo removed), with these credentials; `note` says whether they were
  /// kept or dropped and why (for the `-v` trace).
  case follow(url: SafeURL, match: CredentialStore.Match, note: String)
  /// Do not follow; the reason is shown to the user.
  case refuse(reason: String)
}

/// The per-hop credential rule: what a redirect does to the credentials (kept, dropped, taken
/// from the `Location`, or looked up afresh for another origin: the one step that asks the
/// sources, hence `async`). ``RedirectState`` in the transport applies it once per hop.
public enum RedirectPolicy {
  /// The most hops a request may take.
  public static let maxHops = 10

  /// Decides the next hop of a redirect.
  /// - Parameters:
  ///   - current: the URL that answered with a redirect (no userinfo).
  ///   - location: the `Location` header, relative or absolute.
  ///   - currentMatch: the credentials sent to `current`.
  ///   - hops: redirects followed so far, this one excluded.
  ///   - store: the sources, consulted afresh when credentials are dropped.
  ///   - policy: whether the target may be fetched at all, and whether credentials may go
  ///     there (none in clear text to a remote host, whatever their source).
  public static func decide(current: SafeURL, location: String, currentMatch: CredentialStore.Match, hops: Int, store: CredentialStore, policy: OutboundPolicy) async -> RedirectDecision {
    if hops >= maxHops {
      return .refuse(reason: "more than \(maxHops) redirects")
    }
    let resolved = URLReference.resolve(location, against: current.revealedForRequest())
    guard let scheme = URLReference.scheme(of: resolved) else { return .refuse(reason: "the Location header is not a URL") }
    guard scheme == "http" || scheme == "https" else {
      return .refuse(reason: "a redirect to a \(scheme): URL is not allowed")
    }
    guard let target = SafeURL(resolved) else {
      return .refuse(reason: "the Location header is not a valid URL")
    }
    let parts = target, from = current
    let locationCredentials = target.userinfo.map { Credentials(username: $0.user, password: $0.password ?? "") }
    let next = target.withoutUserinfo.withoutFragment
    switch policy.judge(next) {
    case .refuse(let reason): return .refuse(reason: "its target was refused: \(reason)")
    case .allow(credentials: false, let note):
      let dropped = currentMatch.credentials == nil && locationCredentials == nil ? "no credentials" : "credentials dropped"
      return .follow(url: next, match: .none, note: "\(dropped): \(note ?? "plain http")")
    case .allow: break
    }
    if let locationCredentials {
      return .follow(url: next, match: .init(credentials: locationCredentials, source: .location), note: "credentials from the Location header, for this hop only")
    }
    if from.origin == parts.origin {
      return .follow(url: next, match: currentMatch, note: currentMatch.credentials == nil ? "same origin" : "credentials kept: same origin")
    }
    if from.origin.upgrades(to: parts.origin) {
      return .follow(url: next, match: currentMatch, note: currentMatch.credentials == nil ? "upgrade to https" : "credentials kept: upgrade to https on the same host")
    }
    let fresh = await store.lookup(next)
    let dropped = currentMatch.credentials == nil ? "other origin" : "credentials dropped: other origin"
    let note = fresh.credentials == nil ? dropped : "\(dropped); \(fresh.source.rawValue) credentials for \(parts.origin)"
    return .follow(url: next, match: fresh, note: note)
  }
}
