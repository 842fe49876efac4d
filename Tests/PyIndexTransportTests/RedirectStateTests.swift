import PyIndexAuth
import PyIndexModel
import Synchronization
@testable import PyIndexTransport
import Testing

/// The chain of hops of one request: each hop judged once by the outbound policy, the
/// credentials decided with it.
@Suite("redirect state")
struct RedirectStateTests {
  /// A policy that trusts no remote host for plain http, and counts how often it was asked.
  final class CountingPolicy: Sendable {
    let asked = Mutex(0)
    var policy: OutboundPolicy {
      OutboundPolicy { _, _ in
        self.asked.withLock { $0 += 1 }
        return false
      }
    }
    var count: Int { asked.withLock { $0 } }
  }

  let store = CredentialStore(
    indexes: [try! IndexURL("https://u:p@index.example/simple/")], environment: [:],
    netrcText: "machine files.example login n password netrc-pw")

  @Test("every hop is judged once: the first by start, each redirect by redirect(to:)")
  func judgedOnce() async throws {
    let counter = CountingPolicy()
    var state = try await RedirectState.start("http://files.example/simple/x/", store: store, policy: counter.policy)
    #expect(counter.count == 1)
    #expect(state.match == .none)
    #expect(state.withheld != nil)
    _ = try await state.redirect(to: "http://files.example/x.whl", store: store, policy: counter.policy)
    #expect(counter.count == 2)
    _ = try await state.redirect(to: "http://cdn.example/x.whl", store: store, policy: counter.policy)
    #expect(counter.count == 3)
    #expect(state.hops == 2)
    #expect(state.url == "http://cdn.example/x.whl")
  }

  @Test("credentials: looked up for the first hop, kept on the same origin, asked afresh elsewhere, none past the hop limit")
  func credentials() async throws {
    let policy = OutboundPolicy { _, _ in false }
    var state = try await RedirectState.start("https://index.example/simple/x/#frag", store: store, policy: policy)
    #expect(state.url == "https://index.example/simple/x/")
    #expect(state.match.credentials?.username == "u")
    let kept = try await state.redirect(to: "/simple/x/?page=2", store: store, policy: policy)
    #expect(kept.contains("kept"))
    #expect(state.match.credentials?.username == "u")
    _ = try await state.redirect(to: "https://files.example/x.whl", store: store, policy: policy)
    #expect(state.match.source == .netrc)
    for _ in state.hops..<RedirectPolicy.maxHops { _ = try await state.redirect(to: "/again", store: store, policy: policy) }
    await #expect(throws: TransportError.self) { _ = try await state.redirect(to: "/one-more", store: store, policy: policy) }
    #expect(state.hops == RedirectPolicy.maxHops)
  }

  @Test("a first hop the policy refuses throws before any source is asked")
  func refusedStart() async {
    await #expect(throws: TransportError.self) {
      _ = try await RedirectState.start("file:///etc/passwd", store: store, policy: OutboundPolicy { _, _ in false })
    }
  }
}
