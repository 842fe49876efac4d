import Foundation
import PyIndexFixtures
import Synchronization
import Testing

/// Every secret any test of this process has handed to a fixture or to pyindex: each run of
/// the binary is swept for all of them, raw, percent-encoded and as a Basic token, in its
/// stdout, its stderr and every file it wrote.
enum SecretSweep {
  private static let known = Mutex<Set<String>>([])

  /// Registers a secret in every form it may travel in. Short ones (under 8 characters)
  /// would match ordinary words, and tests do not use them.
  static func register(user: String, password: String) {
    let secret = password.isEmpty ? user : password
    guard secret.count >= 8 else { return }
    known.withLock { set in
      set.insert(secret)
      set.insert(Harness.percentEncode(secret))
      set.insert(Data("\(user):\(password)".utf8).base64EncodedString())
    }
  }

  static func register(_ secrets: [String]) {
    known.withLock { set in for s in secrets where s.count >= 8 { set.insert(s) } }
  }

  static var all: Set<String> { known.withLock { $0 } }

  /// The secrets found in `text`.
  static func leaks(in text: String) -> [String] {
    all.filter { text.contains($0) }.sorted()
  }
}

/// Runs the built `pyindex` binary (and peers such as pip) in a scrubbed environment, and
/// checks that no secret ever reaches their output.
enum Harness {
  /// The package root, from this file's path.
  static let root: String = {
    let file = #filePath
    return String(file[..<file.range(of: "/Tests/")!.lowerBound])
  }()

  /// The `pyindex` binary next to the test bundle (SwiftPM builds it with the tests), or `PYINDEX_BIN`.
  static let pyindex: String = {
    if let p = ProcessInfo.processInfo.environment["PYINDEX_BIN"], !p.isEmpty { return p }
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    for candidate in [dir + "/pyindex", root + "/.build/debug/pyindex"] where FileManager.default.isExecutableFile(atPath: candidate) {
      return candidate
    }
    return root + "/.build/debug/pyindex"
  }()

  /// A fresh, empty directory.
  static func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "pyindex-e2e-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// The environment every process starts from: no CA, proxy, pip or pyindex variables of the
  /// machine, and none of its pip or uv configuration files (`/etc/pip.conf` is read whatever
  /// `HOME` is). The configuration tests lay out their own files and drop the last two.
  static func baseEnvironment(home: String) -> [String: String] {
    ["PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8", "TMPDIR": NSTemporaryDirectory(), "PIP_CONFIG_FILE": "/dev/null", "UV_NO_CONFIG": "1"]
  }

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
  }

  /// Runs `pyindex` with `arguments`; every secret in `secrets` must be absent from its output.
  /// - Parameter killAfter: the bound on the run, in seconds (a test of a bound uses a short one).
  static func run(_ arguments: [String], environment: [String: String] = [:], secrets: [String] = [], cwd: String? = nil, killAfter: Double = 180, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
    let home = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: home) }
    var env = baseEnvironment(home: home)
    env.merge(environment) { _, new in new }
    SecretSweep.register(secrets)
    for (k, v) in environment where k == "PYINDEX_PASSWORD" { SecretSweep.register(user: environment["PYINDEX_USERNAME"] ?? "", password: v) }
    let r = try await execute(pyindex, arguments, environment: env, cwd: cwd, timeout: killAfter)
    for s in secrets where !s.isEmpty {
      #expect(!r.stdout.contains(s), "secret in stdout: \(r.stdout)", sourceLocation: sourceLocation)
      #expect(!r.stderr.contains(s), "secret in stderr: \(r.stderr)", sourceLocation: sourceLocation)
    }
    #expect(SecretSweep.leaks(in: r.stdout).isEmpty, "a secret in stdout: \(r.stdout)", sourceLocation: sourceLocation)
    #expect(SecretSweep.leaks(in: r.stderr).isEmpty, "a secret in stderr: \(r.stderr)", sourceLocation: sourceLocation)
    // Every file the run wrote: the destination directory and the working directory.
    var dirs = [home] + (cwd.map { [$0] } ?? [])
    if let d = arguments.firstIndex(where: { $0 == "-d" || $0 == "--dest" }), d + 1 < arguments.count { dirs.append(arguments[d + 1]) }
    if let cache = environment["XDG_CACHE_HOME"] { dirs.append(cache) }
    for dir in dirs {
      // Recursively: the page cache lives in subdirectories.
      let walker = FileManager.default.enumerator(atPath: dir)
      while let name = walker?.nextObject() as? String {
        guard let data = FileManager.default.contents(atPath: dir + "/" + name) else { continue }
        let text = String(decoding: data, as: UTF8.self)
        #expect(SecretSweep.leaks(in: text).isEmpty, "a secret in \(name)", sourceLocation: sourceLocation)
      }
    }
    return r
  }

  /// Runs `pyindex` with `arguments` under GNU time: its result, and its peak resident set.
  static func runMeasured(_ arguments: [String]) async throws -> (result: Result, maxRSSKiB: Int) {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let r = try await execute("/usr/bin/time", ["-f", "%M", "-o", dir + "/rss", pyindex] + arguments, environment: baseEnvironment(home: dir))
    let text = (try? String(contentsOfFile: dir + "/rss", encoding: .utf8)) ?? ""
    let kib = text.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? Int.max
    return (r, kib)
  }

  /// Runs any executable to completion (killed after `timeout` seconds, counted from its start).
  ///
  /// At most ``ProcessSlots/width`` of these run at once: Swift Testing starts every test at
  /// the same time, and on a 2-core CI machine a hundred concurrent pyindex and pip processes
  /// starve the in-process fixture servers, so that a page takes longer than a test's
  /// `--timeout`. Long-lived servers (serve, pypiserver, tinyproxy) are started elsewhere and
  /// take no slot, so waiting for one cannot deadlock.
  static func execute(_ executable: String, _ arguments: [String], environment: [String: String], cwd: String? = nil, timeout: Double = 180) async throws -> Result {
    try await ProcessSlots.shared.withSlot {
      try await executeNow(executable, arguments, environment: environment, cwd: cwd, timeout: timeout)
    }
  }

  private static func executeNow(_ executable: String, _ arguments: [String], environment: [String: String], cwd: String?, timeout: Double) async throws -> Result {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let outPath = dir + "/stdout", errPath = dir + "/stderr"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.environment = environment
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
      p.terminationHandler = { _ in c.resume() }
      do { try p.run() } catch { c.resume(throwing: error); return }
      DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { if p.isRunning { p.terminate() } }
    }
    try out.close()
    try err.close()
    let stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    return Result(status: p.terminationStatus, stdout: stdout, stderr: stderr)
  }

  /// Starts a fixture index for the duration of `body`.
  static func withIndex<T>(_ profile: FixtureProfile, _ body: (FixtureIndex) async throws -> T) async throws -> T {
    for account in profile.auth?.accounts ?? [] { SecretSweep.register(user: account.sampleUser, password: account.password) }
    return try await using(try await FixtureIndex.start(profile), stop: { await $0.stop() }, body)
  }

  /// Runs `body` with `resource`, and `stop`s it whatever happens.
  static func using<R, T>(_ resource: R, stop: (R) async -> Void, _ body: (R) async throws -> T) async throws -> T {
    do {
      let result = try await body(resource)
      await stop(resource)
      return result
    } catch {
      await stop(resource)
      throw error
    }
  }

  /// `http://user:password@127.0.0.1:PORT/simple/` with both parts percent-encoded.
  static func url(_ index: FixtureIndex, user: String, password: String, path: String = "/simple/") -> String {
    "http://\(percentEncode(user)):\(percentEncode(password))@127.0.0.1:\(index.server.port)\(path)"
  }

  static func percentEncode(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+")) ?? s
  }

  /// Every form a credential could leak in.
  static func secretForms(user: String, password: String) -> [String] {
    [password, percentEncode(password), Data("\(user):\(password)".utf8).base64EncodedString()]
  }

  static func basic(_ user: String, _ password: String) -> String {
    "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
  }

  /// A fake Google service-account key, base64-encoded, ending in `==`; `withSlash` picks one
  /// whose base64 holds a `/` (which must be percent-encoded in a URL).
  static func serviceAccountKey(withSlash: Bool) -> String {
    for i in 0..<10_000 {
      let json = """
        {"n": "\(String(repeating: "x", count: i % 7))\(i)", "type": "service_account", "project_id": "demo", "private_key_id": "0123abcd", "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n", "client_email": "ci@demo.iam.gserviceaccount.com", "note": "\(withSlash ? "???" : "")"}
        """
      let b64 = Data(json.utf8).base64EncodedString()
      if b64.hasSuffix("=="), b64.contains("/") == withSlash { return b64 }
    }
    fatalError("no key found")
  }

  static func files(in dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
  }
}

extension FixtureProfile {
  static func demo(auth: FixtureAuth? = nil, hosting: FileHosting = .otherPath, json: Bool = true) -> FixtureProfile {
    FixtureProfile(projects: [FixtureProfile.demoProject()], auth: auth, hosting: hosting, json: json)
  }
}

/// A counting semaphore for child processes: `withSlot` waits (without blocking a thread)
/// until fewer than `width` bodies are running. Waiters are served first come, first served.
final class ProcessSlots: Sendable {
  /// Twice the processor count, at least 4: enough to keep the machine busy while the
  /// fixture servers still answer within a test's timeout.
  static let width = max(4, 2 * ProcessInfo.processInfo.activeProcessorCount)
  static let shared = ProcessSlots(width: width)

  private struct State {
    var free: Int
    var waiting: [CheckedContinuation<Void, Never>] = []
  }
  private let state: Mutex<State>

  init(width: Int) { state = Mutex(State(free: width)) }

  func withSlot<T>(_ body: () async throws -> T) async throws -> T {
    await acquire()
    defer { release() }
    return try await body()
  }

  private func acquire() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let now = state.withLock { s -> Bool in
        if s.free > 0 { s.free -= 1; return true }
        s.waiting.append(c)
        return false
      }
      if now { c.resume() }
    }
  }

  private func release() {
    let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
      if s.waiting.isEmpty { s.free += 1; return nil }
      return s.waiting.removeFirst()
    }
    next?.resume()
  }
}

/// Everything a child process writes to a pipe, collected as it arrives until end of file.
/// Tests wait on what they need (a line, end of file), each wait bounded, and read ``text``
/// only after end of file when they judge the whole output.
final class ChildOutput: Sendable {
  private struct Waiter {
    let id: Int
    let until: @Sendable (String, _ eof: Bool) -> Bool
    let continuation: CheckedContinuation<Bool, Never>
  }
  private struct State {
    var bytes: [UInt8] = []
    var eof = false
    var waiters: [Waiter] = []
    var nextID = 0
    var text: String { String(decoding: bytes, as: UTF8.self) }
  }
  private let state = Mutex(State())
  /// The read end, held for as long as its handler may run: closing a descriptor under a live
  /// dispatch source (a pipe released before end of file, as when a test kills a child whose
  /// own child still holds the pipe) can crash libdispatch's event loop in this process.
  private let handle: FileHandle

  /// Starts reading `pipe`; the child never blocks on a full pipe.
  init(_ pipe: Pipe) {
    handle = pipe.fileHandleForReading
    handle.readabilityHandler = { [weak self] handle in
      let data = handle.availableData
      if data.isEmpty { handle.readabilityHandler = nil }
      self?.append(data)
    }
  }

  deinit { handle.readabilityHandler = nil }

  /// What was written so far.
  var text: String { state.withLock { $0.text } }

  private func append(_ data: Data) {
    let ready = state.withLock { s -> [(CheckedContinuation<Bool, Never>, Bool)] in
      if data.isEmpty { s.eof = true } else { s.bytes += data }
      let text = s.text
      var out: [(CheckedContinuation<Bool, Never>, Bool)] = []
      s.waiters.removeAll { w in
        let met = w.until(text, s.eof)
        if met || s.eof { out.append((w.continuation, met)) }
        return met || s.eof
      }
      return out
    }
    for (c, met) in ready { c.resume(returning: met) }
  }

  /// Waits until `until` holds for the output (and whether end of file came), end of file, or
  /// `seconds`; returns whether `until` held.
  func wait(seconds: Double, until: @escaping @Sendable (String, _ eof: Bool) -> Bool) async -> Bool {
    await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
      let now: Bool? = state.withLock { s in
        let met = until(s.text, s.eof)
        if met || s.eof { return met }
        s.nextID += 1
        let id = s.nextID
        s.waiters.append(Waiter(id: id, until: until, continuation: c))
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [weak self] in self?.expire(id) }
        return nil
      }
      if let now { c.resume(returning: now) }
    }
  }

  private func expire(_ id: Int) {
    let expired = state.withLock { s -> CheckedContinuation<Bool, Never>? in
      guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
      return s.waiters.remove(at: i).continuation
    }
    expired?.resume(returning: false)
  }

  /// Waits until `needle` was written (false after end of file or `seconds` without it).
  func wait(for needle: String, seconds: Double) async -> Bool {
    await wait(seconds: seconds) { text, _ in text.contains(needle) }
  }

  /// Waits for end of file (the child and everything it started closed the pipe), at most
  /// `seconds`; whether it came.
  func waitForEOF(seconds: Double) async -> Bool {
    await wait(seconds: seconds) { _, eof in eof }
  }
}
