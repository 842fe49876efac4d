public import PyIndexModel
import Synchronization
import Dispatch
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import PyIndexSystem

/// What a keyring said about one service.
public enum KeyringAnswer: Sendable, Hashable {
  case found(Credentials)
  case notFound
  /// The keyring could not be asked at all; the text says why (never a secret).
  case unavailable(String)
}

/// A keyring to ask for credentials (`--keyring-provider`).
public protocol KeyringProvider: Sendable {
  /// Credentials stored for `service` (an index URL or `host[:port]`). With `username`, the
  /// keyring is asked for that user's password; without, it names the user itself.
  func lookup(service: String, username: String?) -> KeyringAnswer
}

/// The `keyring` command-line program, asked as pip and uv ask it:
/// `keyring get SERVICE USERNAME` (the password on stdout), or, with no user name known,
/// `keyring --mode=creds --output=json get SERVICE` (keyring 25.2.1 or later).
public struct SubprocessKeyring: KeyringProvider {
  /// The program's path; nil when `keyring` is not on `PATH`.
  public let executable: String?
  private let environment: [String: String]
  private let timeout: Double

  public init(environment: [String: String], executable: String? = nil, timeout: Double = 60) {
    self.init(environment: environment, found: executable ?? Subprocess.find("keyring", path: environment["PATH"]), timeout: timeout)
  }

  /// With the program already looked for on `PATH` (nil: there is none): no second search.
  public init(environment: [String: String], found executable: String?, timeout: Double = 60) {
    self.executable = executable
    var env = environment
    env["PYTHONIOENCODING"] = "utf-8"
    self.environment = env
    self.timeout = timeout
  }

  public func lookup(service: String, username: String?) -> KeyringAnswer {
    guard let executable else {
      return .unavailable("--keyring-provider subprocess: no keyring program on PATH (install it with: pipx install keyring, plus the backend your registry needs)")
    }
    let arguments = username.map { ["get", service, $0] } ?? ["--mode=creds", "--output=json", "get", service]
    guard let outcome = Subprocess.run(executable, arguments, environment: environment, timeout: timeout, limit: 64 * 1024) else {
      return .unavailable("--keyring-provider subprocess: \(executable) could not be started")
    }
    if outcome.timedOut {
      return .unavailable("--keyring-provider subprocess: keyring gave no answer within \(Int(timeout)) s (is it waiting for a desktop unlock prompt?)")
    }
    guard outcome.status == 0 else {
      let err = String(decoding: outcome.stderr, as: UTF8.self)
      if username == nil, outcome.status == 2, err.contains("unrecognized arguments") || err.contains("--mode") {
        return .unavailable("the keyring program is older than 25.2.1 and cannot name the user; put the user name in the index URL (https://USER@host/…) or upgrade keyring")
      }
      return .notFound
    }
    if let username {
      var password = String(decoding: outcome.stdout, as: UTF8.self)
      while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
      return password.isEmpty ? .notFound : .found(Credentials(username: username, password: password))
    }
    guard let pair = KeyringJSON.credentials(outcome.stdout), !pair.password.isEmpty else { return .notFound }
    return .found(pair)
  }
}

/// `{"username": "...", "password": "..."}` as `keyring --mode=creds --output=json` prints it.
enum KeyringJSON {
  private struct Pair: Decodable {
    var username: String?
    var password: String?
  }

  static func credentials(_ bytes: [UInt8]) -> Credentials? {
    guard let pair = try? JSONDecoder().decode(Pair.self, from: Data(bytes)), let password = pair.password else { return nil }
    return Credentials(username: pair.username ?? "", password: password)
  }
}

/// Asks a keyring at most once per origin and user name in a run, and reports each reason it
/// could not be asked once. Lookups are single-flight per origin and user (uv's
/// `fetch_credentials`): concurrent requests to one origin wait for the one lookup in flight;
/// other origins do not wait. The program runs on a thread of its own, never on Swift's
/// cooperative pool, and no lock is held while it runs.
final class KeyringMemo: Sendable {
  private let provider: any KeyringProvider
  private let warn: @Sendable (String) -> Void
  private enum Entry {
    case done(Credentials?)
    case running(waiters: [CheckedContinuation<Credentials?, Never>])
  }
  private struct State {
    var entries: [String: Entry] = [:]
    var warned: Set<String> = []
  }
  private let state = Mutex(State())

  init(provider: any KeyringProvider, warn: @escaping @Sendable (String) -> Void) {
    self.provider = provider
    self.warn = warn
  }

  /// What to do about one key: answer, wait for the lookup in flight, or run it.
  private enum Step { case known(Credentials?), wait, run }

  /// Credentials for `origin`: the services are tried in order until one answers.
  func credentials(origin: Origin, services: [String], username: String?) async -> Credentials? {
    let key = "\(origin)\u{0}\(username ?? "")"
    let step = state.withLock { s -> Step in
      switch s.entries[key] {
      case .done(let c): return .known(c)
      case .running: return .wait
      case nil:
        s.entries[key] = .running(waiters: [])
        return .run
      }
    }
    switch step {
    case .known(let c): return c
    case .wait: return await wait(for: key)
    case .run:
      let found = await ask(origin: origin, services: services, username: username)
      let waiters = state.withLock { s -> [CheckedContinuation<Credentials?, Never>] in
        defer { s.entries[key] = .done(found) }
        if case .running(let waiters) = s.entries[key] { return waiters }
        return []
      }
      for w in waiters { w.resume(returning: found) }
      return found
    }
  }

  /// Waits for the lookup in flight for `key`.
  private func wait(for key: String) async -> Credentials? {
    await withCheckedContinuation { c in
      let answer = state.withLock { s -> Credentials?? in
        switch s.entries[key] {
        case .done(let found): return .some(found)
        case .running(let waiters):
          s.entries[key] = .running(waiters: waiters + [c])
          return .none
        case nil: return .some(nil)
        }
      }
      if let answer { c.resume(returning: answer) }
    }
  }

  /// Runs the lookups on a thread of their own.
  private func ask(origin: Origin, services: [String], username: String?) async -> Credentials? {
    await withCheckedContinuation { c in
      DispatchQueue.global().async { c.resume(returning: self.askBlocking(origin: origin, services: services, username: username)) }
    }
  }

  private func askBlocking(origin: Origin, services: [String], username: String?) -> Credentials? {
    var found: Credentials? = nil
    for service in services where found == nil {
      switch provider.lookup(service: service, username: username) {
      case .found(let c): found = c
      case .notFound: continue
      case .unavailable(let reason):
        if state.withLock({ $0.warned.insert(reason).inserted }) { warn(reason) }
      }
    }
    if let found {
      for p in TokenInspector.inspect(found, host: origin.host, now: Clock.now()).problems {
        warn("keyring credentials for \(origin): \(p)")
      }
    }
    return found
  }
}

/// Seconds since 1970.
enum Clock {
  static func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
