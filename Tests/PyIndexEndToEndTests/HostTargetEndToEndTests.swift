import Foundation
import PyIndexFixtures
import Testing

/// The default target when `python3` runs on musl (Alpine and the like): pyindex reads the
/// program interpreter of `sys.executable`, as packaging does, and asks musl's loader for its
/// version. The interpreter here is a tiny ELF file naming a loader script that prints musl's
/// banner, so the test runs on a glibc machine.
@Suite("download: the host target on musl")
struct HostTargetEndToEndTests {
  /// A minimal 64-bit little-endian ELF file whose only program header is `PT_INTERP` = `interpreter`.
  static func elf(interpreter: String) -> [UInt8] {
    func le(_ v: Int, _ size: Int) -> [UInt8] { (0..<size).map { UInt8((v >> (8 * $0)) & 0xFF) } }
    var header: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
    header += le(2, 2) + le(0x3E, 2) + le(1, 4) + le(0, 8)  // type, machine, version, entry
    header += le(64, 8) + le(0, 8) + le(0, 4)  // phoff, shoff, flags
    header += le(64, 2) + le(56, 2) + le(1, 2) + le(64, 2) + le(0, 2) + le(0, 2)
    let path = Array(interpreter.utf8) + [0]
    let program = le(3, 4) + le(4, 4) + le(120, 8) + le(0, 8) + le(0, 8) + le(path.count, 8) + le(path.count, 8) + le(1, 8)
    return header + program + path
  }

  static func machine() async throws -> String {
    let r = try await Harness.execute("/bin/sh", ["-c", "uname -m"], environment: ["PATH": "/usr/bin:/bin"])
    return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test("a musl python3: musllinux wheels for its musl version, never manylinux ones")
  func musl() async throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let arch = try await Self.machine()
    let loader = dir + "/ld-musl-\(arch).so.1"
    try "#!/bin/sh\necho 'musl libc (\(arch))' >&2\necho 'Version 1.2.4' >&2\necho 'Dynamic Program Loader' >&2\nexit 1\n".write(toFile: loader, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: loader)
    try Data(Self.elf(interpreter: loader)).write(to: URL(fileURLWithPath: dir + "/python3.12"))
    try FileManager.default.createDirectory(atPath: dir + "/bin", withIntermediateDirectories: true)
    try "#!/bin/sh\nprintf '3 12 cpython 4\\n%s\\n' '\(dir)/python3.12'\n".write(toFile: dir + "/bin/python3", atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/python3")
    let profile = FixtureProfile(projects: [
      FixtureProject(name: "native", files: [
        .wheel("native", "1.0"),
        .wheel("native", "2.0", tag: "cp312-cp312-manylinux_2_17_\(arch)"),
        .wheel("native", "2.0", tag: "cp312-cp312-musllinux_1_1_\(arch)"),
        .wheel("native", "3.0", tag: "cp312-cp312-musllinux_1_3_\(arch)"),
      ])
    ])
    try await Harness.withIndex(profile) { index in
      let r = try await Harness.run(["download", "native", "-d", dir + "/musl", "-i", index.simpleURL], environment: ["PATH": dir + "/bin:/usr/bin:/bin"])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(Harness.files(in: dir + "/musl") == ["native-2.0-cp312-cp312-musllinux_1_1_\(arch).whl"])
      // The same machine with a glibc python3 (its own shell as sys.executable): manylinux.
      try "#!/bin/sh\nprintf '3 12 cpython 4\\n/bin/sh\\n'\n".write(toFile: dir + "/bin/python3", atomically: true, encoding: .utf8)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/python3")
      let glibc = try await Harness.run(["download", "native", "-d", dir + "/glibc", "-i", index.simpleURL], environment: ["PATH": dir + "/bin:/usr/bin:/bin"])
      #expect(glibc.status == 0, "\(glibc.stderr)")
      #expect(Harness.files(in: dir + "/glibc") == ["native-2.0-cp312-cp312-manylinux_2_17_\(arch).whl"])
    }
  }
}
