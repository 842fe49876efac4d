import PyIndexAuth
import PyIndexModel

#if canImport(Glibc)
  import Glibc
#endif

/// The machine pyindex runs on, as a download target: platform tags from the OS
/// (architecture, glibc version) and Python version and implementation from `python3`.
enum HostTarget {
  struct Python: Equatable { var version: [Int]; var implementation: String; var fullVersion: String }

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
    #if canImport(Glibc)
      var buf = [CChar](repeating: 0, count: 64)
      guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buf, buf.count) > 0 else { return nil }
      let text = String(decoding: buf.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
      guard text.hasPrefix("glibc ") else { return nil }
      let parts = text.dropFirst(6).split(separator: ".").compactMap { Int($0) }
      guard parts.count >= 2 else { return nil }
      return (parts[0], parts[1])
    #else
      return nil
    #endif
  }

  /// Platform tags for this machine, best first, as packaging's `platform_tags()` lists them.
  static func platformTags() -> [String] {
    let arch = architecture()
    var tags: [String] = []
    if let (major, minor) = glibcVersion(), major == 2 {
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
  static func python(environment: [String: String]) -> Python? {
    guard let exe = Subprocess.find("python3", path: environment["PATH"]),
      let result = Subprocess.run(exe, ["-c", "import sys; print(sys.version_info[0], sys.version_info[1], sys.implementation.name, sys.version_info[2])"], environment: environment, timeout: 30),
      result.status == 0
    else { return nil }
    let output = String(decoding: result.stdout, as: UTF8.self)
    let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard words.count == 4, let major = Int(words[0]), let minor = Int(words[1]), let micro = Int(words[3]) else { return nil }
    let impl: String
    switch words[2] {
    case "cpython": impl = "cp"
    case "pypy": impl = "pp"
    case "ironpython": impl = "ip"
    case "jython": impl = "jy"
    default: impl = String(words[2])
    }
    return Python(version: [major, minor], implementation: impl, fullVersion: "\(major).\(minor).\(micro)")
  }
}
