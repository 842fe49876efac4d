import Foundation
import PyIndexFixtures
import Testing

/// A real third-party index: pypiserver with an htpasswd file, on 127.0.0.1. `scripts/test`
/// installs pypiserver and passlib into `.venv` and sets `PYINDEX_PYPISERVER`.
@Suite("pypiserver, a real index with htpasswd")
struct PypiserverTests {
  static let executable: String? = {
    guard let p = ProcessInfo.processInfo.environment["PYINDEX_PYPISERVER"], FileManager.default.isExecutableFile(atPath: p) else { return nil }
    return p
  }()

  static let users: [(String, String)] = [
    ("alice", "s3cret-alice-1"),
    ("bob@example.com", "p@ss:w/rd=+%bob"),
    ("carol", "c@rol:pw+carol"),
  ]

  @Test func pypiserverIsInstalledWhenRequired() {
    if ProcessInfo.processInfo.environment["PYINDEX_REQUIRE_PEERS"] == "1" {
      #expect(Self.executable != nil, "PYINDEX_PYPISERVER must name pypiserver's pypi-server")
    }
  }

  /// A running pypiserver and where it keeps its files.
  struct Server {
    let port: Int
    let dir: String
    var base: String { "127.0.0.1:\(port)" }
  }

  /// Starts pypiserver on a free port with the demo project and `users`, runs `body`, stops it.
  static func withServer(_ body: (Server) async throws -> Void) async throws {
    let exe = try #require(executable)
    let python = URL(fileURLWithPath: exe).deletingLastPathComponent().path + "/python"
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/pkgs", withIntermediateDirectories: true)
    for f in [FixtureFile.wheel("demo-pkg", "1.0.0"), .wheel("demo-pkg", "1.3.0"), .wheel("demo-pkg", "1.10.0")] {
      _ = FileManager.default.createFile(atPath: dir + "/pkgs/" + f.filename, contents: Data(f.contents))
    }
    SecretSweep.register(users.map(\.1))
    for (u, p) in users { SecretSweep.register(user: u, password: p) }
    // The passwords go to passlib on stdin, never on a command line.
    let script = "import sys; from passlib.apache import HtpasswdFile as H; h = H(sys.argv[1], new=True)\nfor line in sys.stdin.read().splitlines():\n u, p = line.split('\\t', 1); h.set_password(u, p)\nh.save()"
    let input = users.map { "\($0.0)\t\($0.1)" }.joined(separator: "\n")
    try input.write(toFile: dir + "/users.tsv", atomically: true, encoding: .utf8)
    let htpasswd = try await Harness.execute("/bin/sh", ["-c", "\"$0\" -c \"$1\" \"$2\" < \"$3\"", python, script, dir + "/htpasswd", dir + "/users.tsv"], environment: Harness.baseEnvironment(home: dir))
    try #require(htpasswd.status == 0, "\(htpasswd.stderr)")
    try FileManager.default.removeItem(atPath: dir + "/users.tsv")

    // pypiserver prints "Listening on" just before it binds; pyindex's own connection retries
    // (--retries) cover that instant.
    try await Harness.withServerProcess(exe, ready: "Listening on", home: dir) { port in
      ["run", "-i", "127.0.0.1", "-p", "\(port)", "-a", "download,list", "-P", dir + "/htpasswd", "--disable-fallback", dir + "/pkgs"]
    } _: { port in
      try await body(Server(port: port, dir: dir))
    }
  }

  static let listing = "demo-pkg (1.10.0)\nAvailable versions: 1.10.0, 1.3.0, 1.0.0\n"

  @Test(.enabled(if: PypiserverTests.executable != nil), arguments: [0, 1, 2])
  func rightCredentialsPercentEncoded(_ user: Int) async throws {
    let (u, pw) = Self.users[user]
    try await Self.withServer { server in
      let url = "http://\(Harness.percentEncode(u)):\(Harness.percentEncode(pw))@\(server.base)/simple/"
      let r = try await Harness.run(["index", "versions", "demo-pkg", "-i", url, "-v"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout == Self.listing)
      let dest = try Harness.temporaryDirectory()
      defer { try? FileManager.default.removeItem(atPath: dest) }
      let d = try await Harness.run(["download", "demo-pkg==1.3.0", "--no-deps", "-d", dest, "-i", url] + RegistryEndToEndTests.target)
      #expect(d.status == 0, "\(d.stderr)")
      #expect(Harness.files(in: dest) == ["demo_pkg-1.3.0-py3-none-any.whl"])
    }
  }

  @Test("raw passwords: from the environment always, in the URL when the last-@ and first-: rules can split them", .enabled(if: PypiserverTests.executable != nil))
  func rawPasswords() async throws {
    try await Self.withServer { server in
      let env = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://\(server.base)/simple/"], environment: ["PYINDEX_USERNAME": "bob@example.com", "PYINDEX_PASSWORD": "p@ss:w/rd=+%bob"])
      #expect(env.status == 0, "\(env.stderr)")
      #expect(env.stdout == Self.listing)
      let carol = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://carol:c@rol:pw+carol@\(server.base)/simple/"])
      #expect(carol.status == 0, "\(carol.stderr)")
      #expect(carol.stderr.contains("warning: http://carol:****@\(server.base)/simple/: the credentials in the URL hold '@' not percent-encoded"))
      let bob = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://bob@example.com:p@ss:w/rd=+%bob@\(server.base)/simple/"])
      #expect(bob.status == 64)
      #expect(bob.stderr.contains("hint: percent-encode"))
    }
  }

  @Test("missing credentials: 401; wrong ones: 403; each with its own hint", .enabled(if: PypiserverTests.executable != nil))
  func missingAndWrong() async throws {
    try await Self.withServer { server in
      let none = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://\(server.base)/simple/"])
      #expect(none.status == 2)
      #expect(none.stderr.contains("error: HTTP 401 Unauthorized from http://\(server.base)/simple/demo-pkg/"))
      #expect(none.stderr.contains("hint: no credentials were sent"))
      let wrong = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://alice:wrong-alice-2@\(server.base)/simple/"], secrets: ["wrong-alice-2"])
      #expect(wrong.status == 2)
      #expect(wrong.stderr.contains("error: HTTP 403 Forbidden"))
      #expect(wrong.stderr.contains("the server does not know this user or password"))
      // Still percent-encoded in the Basic header, the password is wrong: decoding once matters.
      let twice = try await Harness.run(["index", "versions", "demo-pkg", "-i", "http://bob%2540example.com:\(Harness.percentEncode(Harness.percentEncode("p@ss:w/rd=+%bob")))@\(server.base)/simple/"])
      #expect(twice.status == 2)
      #expect(twice.stderr.contains("percent-encoded twice"), "\(twice.stderr)")
    }
  }
}

extension Harness {
  /// Runs a third-party server (pypiserver, tinyproxy) on a free loopback port for the
  /// duration of `body`, once it has written `ready` to its output (at most 30 s), and kills it
  /// afterwards (SIGKILL: programs started from the test process may have SIGTERM ignored).
  /// The port is free when chosen, but another process may take it before the server binds:
  /// a server that exits before it is ready is started again on another port (three tries).
  static func withServerProcess(_ executable: String, ready: String, home: String, arguments: (_ port: Int) throws -> [String], _ body: (_ port: Int) async throws -> Void) async throws {
    var lastOutput = ""
    for _ in 0..<3 {
      let port = try LoopbackPort.free()
      let p = Process()
      p.executableURL = URL(fileURLWithPath: executable)
      p.arguments = try arguments(port)
      p.environment = baseEnvironment(home: home)
      // stdout and stderr together: tinyproxy logs to one, pypiserver to the other.
      let err = Pipe()
      p.standardOutput = err
      p.standardError = err
      let exited = AsyncStream<Void>.makeStream()
      p.terminationHandler = { _ in exited.continuation.finish() }
      let output = ChildOutput(err)
      try p.run()
      let isReady = await output.wait(for: ready, seconds: 30)
      if !isReady, await output.waitForEOF(seconds: 0.1) {
        // It exited (its port was taken, say): try another port.
        lastOutput = output.text
        kill(p.processIdentifier, SIGKILL)
        for await _ in exited.stream {}
        continue
      }
      do {
        guard isReady else { throw ServerDidNotStart(output: output.text) }
        try await body(port)
      } catch {
        kill(p.processIdentifier, SIGKILL)
        for await _ in exited.stream {}
        throw error
      }
      kill(p.processIdentifier, SIGKILL)
      for await _ in exited.stream {}
      return
    }
    throw ServerDidNotStart(output: lastOutput)
  }

  struct ServerDidNotStart: Error, CustomStringConvertible {
    let output: String
    var description: String { "the server did not say it was ready within 30 s; it wrote: \(output)" }
  }
}
