import ArgumentParser
import Foundation
import PyIndexFixtures

/// `pyindex-fixture`: start a fixture index on loopback with a named profile, print its URL,
/// and serve until SIGINT or SIGTERM.
@main
struct FixtureCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pyindex-fixture",
    abstract: "Serve a fixture package index on 127.0.0.1 that behaves like a private registry.",
    discussion: """
      Profiles: \(FixtureProfile.names.joined(separator: ", ")).
      public: no credentials. protected: Basic auth, 401 challenge. gitlab: 404 without credentials.
      artifact-registry: 403 without credentials. storage-redirect: files 302 to another origin
      with a presigned query. login-page: 200 sign-in page without credentials.
      static: serve --root as a PEP 503 tree (index.html / index.json per project).
      The password is read from --password-file so it never shows in a process listing.
      """)

  @Option(help: "The profile to serve.")
  var profile: String = "public"

  @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
  var port: Int = 0

  @Option(help: "User name the protected profiles require.")
  var username: String = "user"

  @Option(help: "File whose content (trailing newline removed) is the password the protected profiles require.")
  var passwordFile: String?

  @Option(help: "Directory served by the static profile.")
  var root: String?

  func run() async throws {
    var password = "password"
    if let passwordFile {
      password = try String(contentsOfFile: passwordFile, encoding: .utf8)
      while password.hasSuffix("\n") || password.hasSuffix("\r") { password.removeLast() }
    }
    guard let p = FixtureProfile.named(profile, username: username, password: password, root: root) else {
      throw ValidationError("unknown profile '\(profile)'; one of: \(FixtureProfile.names.joined(separator: ", "))")
    }
    let index = try await FixtureIndex.start(p, port: port)
    FileHandle.standardOutput.write(Data("Serving on \(index.simpleURL)\n".utf8))
    await waitForTermination()
    await index.stop()
  }

  private func waitForTermination() async {
    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
      let once = OnceFlag()
      var sources: [any DispatchSourceSignal] = []
      for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        s.setEventHandler { if once.set() { c.resume() } }
        s.resume()
        sources.append(s)
      }
      Keep.sources = sources
    }
  }
}

private enum Keep { nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = [] }

private final class OnceFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var done = false
  func set() -> Bool { lock.lock(); defer { lock.unlock() }; if done { return false }; done = true; return true }
}
