import Foundation
import PyIndexFixtures
import Testing

/// The target's Python version to its patch level, and free-threaded builds, through the
/// binary; pip is the reference where it is installed (`PeerTests` compares the two on the
/// selection matrix too).
@Suite("targets: patch-level Python versions, free-threaded ABIs")
struct TargetEndToEndTests {
  /// `2.0` needs Python 3.11.5 or later (soupsieve 4.1.3 does); `1.0` runs anywhere.
  static let patchy = FixtureProject(name: "patchy", files: [
    .wheel("patchy", "1.0"), .wheel("patchy", "2.0", requiresPython: ">=3.11.5"),
  ])

  /// Wheels for GIL and free-threaded CPython: abi3 (never for a free-threaded build), abi3t
  /// (PEP 803: only for one), a version-specific free-threaded wheel, and a pure one.
  static let threads = FixtureProject(name: "threads", files: [
    .wheel("threads", "1.0"),
    .wheel("threads", "2.0", tag: "cp37-abi3-manylinux_2_28_x86_64"),
    .wheel("threads", "3.0", tag: "cp313-cp313t-manylinux_2_28_x86_64"),
    .wheel("threads", "4.0", tag: "cp315-abi3t-manylinux_2_28_x86_64"),
  ])

  @Test("--python-version X.Y.Z keeps its patch for Requires-Python", arguments: [("3.11.7", "2.0"), ("3.11.4", "1.0"), ("3.11", "1.0"), ("3.12", "2.0")])
  func patchLevel(_ python: String, _ latest: String) async throws {
    try await Harness.withIndex(FixtureProfile(projects: [Self.patchy])) { index in
      let r = try await Harness.run(["index", "versions", "patchy", "-i", index.simpleURL, "--python-version", python])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.hasPrefix("patchy (\(latest))\n"), "\(r.stdout)")
      if PeerTests.pip != nil {
        let home = try Harness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let reference = try await PeerTests.runPip(["index", "versions", "patchy", "-i", index.simpleURL, "--python-version", python], home: home)
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(r.stdout == reference.stdout, "pip: \(reference.stdout)")
      }
    }
  }

  @Test("the host's python3 counts with its patch level", arguments: [(7, "patchy-2.0-py3-none-any.whl"), (4, "patchy-1.0-py3-none-any.whl")])
  func hostPatchLevel(_ micro: Int, _ expected: String) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
    try "#!/bin/sh\nprintf '3 11 cpython \(micro)\\n/bin/sh\\n'\n".write(toFile: dir + "/bin/python3", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/python3")
    try await Harness.withIndex(FixtureProfile(projects: [Self.patchy])) { index in
      let r = try await Harness.run(["download", "patchy", "-d", dir + "/out", "-i", index.simpleURL], environment: ["PATH": dir + "/bin:/usr/bin:/bin"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/out") == [expected])
    }
  }

  @Test("free-threaded targets never take abi3 wheels and take abi3t ones; GIL targets the reverse", arguments: [
    ("cp313t", "3.13", "threads-3.0-cp313-cp313t-manylinux_2_28_x86_64.whl"),
    ("cp314t", "3.14", "threads-1.0-py3-none-any.whl"),
    ("cp315t", "3.15", "threads-4.0-cp315-abi3t-manylinux_2_28_x86_64.whl"),
    ("cp315", "3.15", "threads-2.0-cp37-abi3-manylinux_2_28_x86_64.whl"),
  ])
  func freeThreaded(_ abi: String, _ python: String, _ expected: String) async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try await Harness.withIndex(FixtureProfile(projects: [Self.threads])) { index in
      let flags = ["--python-version", python, "--implementation", "cp", "--abi", abi, "--platform", "manylinux_2_28_x86_64", "--only-binary", ":all:", "-i", index.simpleURL]
      let r = try await Harness.run(["download", "threads", "-d", dir + "/ours"] + flags)
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/ours") == [expected])
      if PeerTests.pip != nil {
        let pip = try await PeerTests.runPip(["download", "threads", "-d", dir + "/pip"] + flags, home: dir)
        #expect(pip.status == 0, "\(pip.stderr)")
        #expect(Harness.files(in: dir + "/pip") == [expected])
      }
    }
  }
}

/// Usage errors read like every other error: `error: …`, a `hint:` where one is known, exit 64;
/// nothing on the command line makes pyindex trap.
@Suite("usage errors")
struct UsageErrorTests {
  @Test("usage errors print error: and a hint, exit 64", arguments: [
    (["download"], "error: give at least one requirement, or -r FILE", "hint: see 'pyindex download --help'"),
    (["index", "versions"], "error: Missing expected argument '<project>'", "hint: see 'pyindex index versions --help'"),
    (["--bogus"], "error: Unknown option '--bogus'", "hint: see 'pyindex --help'"),
    (["download", "x", "-j", "0"], "error: --jobs must be between 1 and 64", "hint: see 'pyindex download --help'"),
    (["index", "versions", "x", "--python-version", "312345678901234567890"], "error: The value '312345678901234567890' is invalid for '--python-version <version>': invalid Python version '312345678901234567890'", "hint: see 'pyindex index versions --help'"),
    (["download", "x", "--no-deps", "--python-version", "3.99999999999999999999"], "error: The value '3.99999999999999999999' is invalid for '--python-version <version>': invalid Python version '3.99999999999999999999'", "hint: see 'pyindex download --help'"),
    (["index", "versions", "x", "--python-version", "3.11.7.1"], "error: The value '3.11.7.1' is invalid for '--python-version <version>': invalid Python version '3.11.7.1'", "hint: see 'pyindex index versions --help'"),
  ] as [([String], String, String?)])
  func usage(_ arguments: [String], _ error: String, _ hint: String?) async throws {
    let r = try await Harness.run(arguments + ["-i", "http://127.0.0.1:\(LoopbackPort.refusing)/simple/"])
    #expect(r.status == 64, "\(r.stderr)")
    #expect(r.stderr.hasPrefix(error), "\(r.stderr)")
    if let hint { #expect(r.stderr.contains("\n" + hint), "\(r.stderr)") }
    #expect(!r.stderr.contains("Error:"), "\(r.stderr)")
    #expect(r.stdout.isEmpty)
  }

  @Test("--help and --version still print on stdout, exit 0")
  func helpAndVersion() async throws {
    let help = try await Harness.run(["download", "--help"])
    #expect(help.status == 0)
    #expect(help.stdout.contains("USAGE: pyindex download"), "\(help.stdout)")
    let version = try await Harness.run(["--version"])
    #expect(version.status == 0)
    #expect(version.stdout.hasPrefix("pyindex "))
  }
}
