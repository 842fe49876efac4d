import Foundation
import PyIndexFixtures
import Testing

@Suite("download -r: requirements files, hashes, constraints")
struct RequirementsEndToEndTests {
  static let target = DownloadEndToEndTests.target
  static let wheel130 = FixtureFile.wheel("demo-pkg", "1.3.0")

  static func write(_ text: String, in dir: String, name: String = "requirements.txt") throws -> String {
    let path = dir + "/" + name
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test("a --hash that matches, two allowed digests, and one that does not (exit 4, nothing kept)")
  func hashes() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo()) { index in
      let right = try Self.write("demo-pkg==1.3.0 --hash=sha256:\(String(repeating: "0", count: 64)) --hash=sha256:\(Self.wheel130.sha256)\n", in: dir)
      let ok = try await Harness.run(["download", "-r", right, "-d", dir + "/ok", "-i", index.simpleURL] + Self.target)
      #expect(ok.status == 0, "\(ok.stderr)")
      #expect(Harness.files(in: dir + "/ok") == [Self.wheel130.filename])
      let wrong = try Self.write("demo-pkg==1.3.0 --hash=sha256:\(String(repeating: "ab", count: 32))\n", in: dir, name: "wrong.txt")
      let bad = try await Harness.run(["download", "-r", wrong, "-d", dir + "/bad", "-i", index.simpleURL] + Self.target)
      #expect(bad.status == 4)
      #expect(bad.stderr.contains("does not match its sha256 digest: expected \(String(repeating: "ab", count: 32)), got \(Self.wheel130.sha256)"), "\(bad.stderr)")
      #expect(Harness.files(in: dir + "/bad").isEmpty)
    }
  }

  @Test("--require-hashes: a requirement without a hash fails with the line to add; an unpinned one with the pin rule")
  func requireHashes() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo()) { index in
      let reqs = try Self.write("demo-pkg==1.3.0\n", in: dir)
      let r = try await Harness.run(["download", "-r", reqs, "--require-hashes", "-d", dir + "/out", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 4)
      #expect(r.stderr.contains("hashes are required in --require-hashes mode"))
      #expect(r.stderr.contains("    demo-pkg==1.3.0 --hash=sha256:\(Self.wheel130.sha256)"), "\(r.stderr)")
      #expect(Harness.files(in: dir + "/out").isEmpty)
      let loose = try Self.write("demo-pkg>=1 --hash=sha256:\(Self.wheel130.sha256)\n", in: dir, name: "loose.txt")
      let u = try await Harness.run(["download", "-r", loose, "-d", dir + "/out", "-i", index.simpleURL] + Self.target)
      #expect(u.status == 4)
      #expect(u.stderr.contains("every requirement must be pinned with ==; these are not: \(loose):1: demo-pkg>=1"), "\(u.stderr)")
    }
  }

  @Test("an --index-url line with ${TOKEN}: credentials from the environment, never shown")
  func indexURLWithVariable() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "__token__", password: "pypi-req-file-token-1"))) { index in
      let reqs = try Self.write("--index-url http://__token__:${PYPI_TOKEN}@127.0.0.1:\(index.server.port)/simple/\ndemo-pkg==1.3.0\n", in: dir)
      let r = try await Harness.run(["download", "-r", reqs, "-d", dir + "/out", "-v"] + Self.target, environment: ["PYPI_TOKEN": "pypi-req-file-token-1"], secrets: ["pypi-req-file-token-1"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stderr.contains("credentials: url (user \"__token__\", 21-character password)"))
      #expect(index.requests.first?.header("Authorization") == Harness.basic("__token__", "pypi-req-file-token-1"))
    }
  }

  @Test("-c constraints narrow a requirement; -r files nest relative to the including file")
  func constraintsAndNesting() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
    try await Harness.withIndex(.demo()) { index in
      _ = try Self.write("demo-pkg  # newest, unless constrained\n", in: dir + "/sub", name: "inner.txt")
      let outer = try Self.write("-r sub/inner.txt\n", in: dir, name: "outer.txt")
      let constraints = try Self.write("demo-pkg<1.5\n", in: dir, name: "constraints.txt")
      let r = try await Harness.run(["download", "-r", outer, "-c", constraints, "-d", dir + "/out", "-i", index.simpleURL, "--json"] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/out") == [Self.wheel130.filename])
      let bad = try Self.write("--editable ./src\n", in: dir, name: "bad.txt")
      let e = try await Harness.run(["download", "-r", bad, "-i", index.simpleURL] + Self.target)
      #expect(e.status == 64)
      #expect(e.stderr.contains("error: \(bad):1: the option --editable is not supported in requirements files"))
    }
  }
}

extension RequirementsEndToEndTests {
  @Test("markers are evaluated for the target: one that does not hold is ignored, as pip says it")
  func markers() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo()) { index in
      let reqs = try Self.write("demo-pkg==1.3.0 ; sys_platform == 'linux' and python_version >= '3.8'\ndemo-pkg==1.0.0 ; sys_platform == 'win32'\n", in: dir)
      let r = try await Harness.run(["download", "-r", reqs, "-d", dir + "/out", "-i", index.simpleURL] + Self.target)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("Ignoring demo-pkg: markers 'sys_platform == 'win32'' don't match your environment"), "\(r.stdout)")
      #expect(Harness.files(in: dir + "/out") == [Self.wheel130.filename])
      let windows = try await Harness.run(["download", "demo-pkg==1.0.0 ; sys_platform == 'win32'", "-d", dir + "/win", "-i", index.simpleURL, "--no-deps", "--python-version", "3.11", "--platform", "win_amd64"])
      #expect(windows.status == 0, "\(windows.stderr)")
      #expect(Harness.files(in: dir + "/win") == ["demo_pkg-1.0.0-py3-none-any.whl"])
    }
  }
}

extension RequirementsEndToEndTests {
  @Test("name @ URL is downloaded as given: its userinfo authenticates, its #sha256 is checked")
  func urlRequirements() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(.demo(auth: FixtureAuth(username: "u", password: "url-req-pw-5"))) { index in
      let base = "http://u:url-req-pw-5@127.0.0.1:\(index.server.port)/files/\(Self.wheel130.filename)"
      let ok = try await Harness.run(["download", "demo-pkg @ \(base)#sha256=\(Self.wheel130.sha256)", "-d", dir + "/ok", "-i", index.simpleURL, "-v"] + Self.target)
      #expect(ok.status == 0, "\(ok.stderr)")
      #expect(Harness.files(in: dir + "/ok") == [Self.wheel130.filename])
      #expect(index.requests.last?.header("Authorization") == Harness.basic("u", "url-req-pw-5"))
      #expect(ok.stderr.contains("credentials: url (user \"u\", 12-character password), Authorization sent → 200"))
      let bad = try await Harness.run(["download", "demo-pkg @ \(base)#sha256=\(String(repeating: "0", count: 64))", "-d", dir + "/bad", "-i", index.simpleURL] + Self.target)
      #expect(bad.status == 4)
      #expect(Harness.files(in: dir + "/bad").isEmpty)
      let other = try await Harness.run(["download", "other-pkg @ \(base)", "-d", dir + "/other", "-i", index.simpleURL] + Self.target)
      #expect(other.status == 64)
      #expect(other.stderr.contains("is not a wheel or sdist of other-pkg"), "\(other.stderr)")
      let local = dir + "/" + Self.wheel130.filename
      _ = FileManager.default.createFile(atPath: local, contents: Data(Self.wheel130.contents))
      let file = try await Harness.run(["download", "demo-pkg @ file://\(local)", "-d", dir + "/local", "--require-hashes"] + Self.target)
      #expect(file.status == 4)
      #expect(file.stderr.contains("demo-pkg==1.3.0 --hash=sha256:\(Self.wheel130.sha256)"), "\(file.stderr)")
    }
  }
}
