import PyIndexAuth
import PyIndexModel

import PyIndexSystem

/// The machine pyindex runs on, as a download target: platform tags from the OS
/// (architecture; glibc version, or musl's when `python3` is linked against musl, as
/// packaging decides) and Python version and implementation from `python3`.
enum HostTarget {
  struct Python: Equatable {
    var version: [Int]
    var implementation: String
    var fullVersion: String
    /// `sys.executable`: the real interpreter binary, behind any shim or symlink.
    var executable: String
  }

  static func architecture() -> String {
    var u = utsname()
    uname(&u)
    let machine = withUnsafeBytes(of: &u.machine) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
    switch machine {
    case "amd64": return "x86_64"
    case "arm64": return "aarch64"
    default: return machine
    }
  }

  /// glibc's version (`confstr(_CS_GNU_LIBC_VERSION)`, "glibc 2.36"), or nil on another libc.
  static func glibcVersion() -> (Int, Int)? {
    guard let text = LibC.glibcVersionText(), text.hasPrefix("glibc ") else { return nil }
    let parts = text.dropFirst(6).split(separator: ".").compactMap { Int($0) }
    guard parts.count >= 2 else { return nil }
    return (parts[0], parts[1])
  }


  /// The program interpreter (`PT_INTERP`) an ELF executable names, e.g.
  /// `/lib/ld-musl-x86_64.so.1`; nil for anything else.
  static func elfInterpreter(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    func read(_ count: Int, at offset: Int) -> [UInt8]? {
      guard count > 0, count <= 4096, offset >= 0 else { return nil }
      var buf = [UInt8](repeating: 0, count: count)
      let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
      return n == count ? buf : nil
    }
    guard let ident = read(64, at: 0), ident[0] == 0x7F, ident[1] == 0x45, ident[2] == 0x4C, ident[3] == 0x46, ident[5] == 1 else { return nil }
    let is64 = ident[4] == 2
    func le(_ b: [UInt8], _ at: Int, _ size: Int) -> Int { (0..<size).reduce(0) { $0 | Int(b[at + $1]) << (8 * $1) } }
    let phoff = is64 ? le(ident, 0x20, 8) : le(ident, 0x1C, 4)
    let phentsize = is64 ? le(ident, 0x36, 2) : le(ident, 0x2A, 2)
    let phnum = is64 ? le(ident, 0x38, 2) : le(ident, 0x2C, 2)
    guard phentsize >= (is64 ? 56 : 32), phnum < 256 else { return nil }
    for i in 0..<phnum {
      guard let ph = read(phentsize, at: phoff + i * phentsize) else { return nil }
      guard le(ph, 0, 4) == 3 else { continue }  // PT_INTERP
      let offset = is64 ? le(ph, 0x08, 8) : le(ph, 0x04, 4)
      let size = is64 ? le(ph, 0x20, 8) : le(ph, 0x10, 4)
      guard let bytes = read(size, at: offset) else { return nil }
      return String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
    }
    return nil
  }

  /// musl's version when `executable` is linked against musl: its loader, run without
  /// arguments, prints `Version 1.2.4` on stderr (packaging's `_get_musl_version`).
  static func muslVersion(ofExecutable executable: String, environment: [String: String]) -> (Int, Int)? {
    guard let loader = elfInterpreter(executable), loader.contains("musl"),
      let result = Subprocess.run(loader, [], environment: environment, timeout: 10)
    else { return nil }
    return parseMuslVersion(String(decoding: result.stderr, as: UTF8.self))
  }

  /// `Version 1.2.4` on the second line of musl's loader banner.
  static func parseMuslVersion(_ banner: String) -> (Int, Int)? {
    let lines = banner.split(separator: "\n").map { $0.drop(while: { $0 == " " || $0 == "\t" }) }
    guard lines.count >= 2, lines[0].hasPrefix("musl"), lines[1].hasPrefix("Version ") else { return nil }
    let parts = lines[1].dropFirst(8).split(separator: ".").map { (part: Substring) in Int(part.prefix(while: { $0.isNumber })) }
    guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { return nil }
    return (major, minor)
  }

  /// Platform tags for this machine, best first, as packaging's `platform_tags()` lists them:
  /// musllinux tags when `python` runs on musl, else manylinux ones for this glibc.
  static func platformTags(python: Python?, environment: [String: String]) -> [String] {
    let arch = architecture()
    var tags: [String] = []
    if let exe = python?.executable, let (major, minor) = muslVersion(ofExecutable: exe, environment: environment) {
      for m in stride(from: minor, through: 0, by: -1) { tags.append("musllinux_\(major)_\(m)_\(arch)") }
    } else if let (major, minor) = glibcVersion(), major == 2 {
      let oldest = ["x86_64", "i686"].contains(arch) ? 5 : 17
      let legacy = [17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"]
      if minor >= oldest {
        for m in stride(from: minor, through: oldest, by: -1) {
          tags.append("manylinux_2_\(m)_\(arch)")
          if let l = legacy[m], m == 17 || ["x86_64", "i686"].contains(arch) { tags.append("\(l)_\(arch)") }
        }
      }
    }
    tags.append("linux_\(arch)")
    return tags
  }

  /// Asks the `python3` on `PATH` for its version and implementation; nil when there is none.
  /// `-S` skips `site` (its `.pth` files can take 100 ms), which none of this needs.
  static func python(environment: [String: String]) -> Python? {
    guard let exe = Subprocess.find("python3", path: environment["PATH"]),
      let result = Subprocess.run(exe, ["-S", "-c", "import sys; print(sys.version_info[0], sys.version_info[1], sys.implementation.name, sys.version_info[2]); print(sys.executable)"], environment: environment, timeout: 30),
      result.status == 0
    else { return nil }
    let output = String(decoding: result.stdout, as: UTF8.self)
    let lines = output.split(separator: "\n", maxSplits: 1)
    guard lines.count == 2 else { return nil }
    let words = lines[0].split(separator: " ")
    guard words.count == 4, let major = Int(words[0]), let minor = Int(words[1]), let micro = Int(words[3]) else { return nil }
    let impl: String
    switch words[2] {
    case "cpython": impl = "cp"
    case "pypy": impl = "pp"
    case "ironpython": impl = "ip"
    case "jython": impl = "jy"
    default: impl = String(words[2])
    }
    return Python(version: [major, minor, micro], implementation: impl, fullVersion: "\(major).\(minor).\(micro)", executable: String(lines[1].prefix(while: { $0 != "\n" && $0 != "\r" })))
  }
}
