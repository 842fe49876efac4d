/// A target platform in uv's spelling (`--python-platform`): `x86_64-manylinux_2_28`,
/// `aarch64-unknown-linux-gnu`, `x86_64-unknown-linux-musl`, `x86_64-pc-windows-msvc`,
/// `aarch64-apple-darwin`, `linux`, `windows`, `macos`, ... — as pip `--platform` values, best
/// first. What each accepts was read off uv 0.13.9 (`uv pip compile --python-platform`): the
/// `-unknown-linux-gnu` triples and `linux` are manylinux 2.28 (down to 2.17, and
/// `linux_ARCH`), musl is musllinux 1.2, macOS is 13.0 (arm64 or x86_64, and universal2).
public struct PythonPlatform: Sendable, Hashable {
  /// As typed.
  public let name: String
  /// pip `--platform` values, most preferred first (the first decides the markers).
  public let platforms: [String]

  /// nil when `text` is none of uv's spellings.
  public init?(_ text: String) {
    let t = text.lowercased()
    let aliases = ["linux": "x86_64-unknown-linux-gnu", "windows": "x86_64-pc-windows-msvc", "macos": "aarch64-apple-darwin"]
    let triple = aliases[t] ?? t
    guard let platforms = PythonPlatform.platforms(triple) else { return nil }
    name = text
    self.platforms = platforms
  }

  static func platforms(_ t: String) -> [String]? {
    switch t {
    case "x86_64-pc-windows-msvc": return ["win_amd64"]
    case "aarch64-pc-windows-msvc": return ["win_arm64"]
    case "i686-pc-windows-msvc": return ["win32"]
    case "aarch64-apple-darwin": return ["macosx_13_0_arm64"]
    case "x86_64-apple-darwin": return ["macosx_13_0_x86_64"]
    case "x86_64-unknown-linux-gnu": return manylinux("x86_64", 28)
    case "aarch64-unknown-linux-gnu": return manylinux("aarch64", 28)
    case "x86_64-unknown-linux-musl": return musllinux("x86_64")
    case "aarch64-unknown-linux-musl": return musllinux("aarch64")
    default: break
    }
    // ARCH-manylinux_2_X and ARCH-manylinux2014.
    for arch in ["x86_64", "aarch64"] where t.hasPrefix(arch + "-manylinux") {
      let rest = t.dropFirst(arch.count + "-manylinux".count)
      if rest == "2014" { return manylinux(arch, 17) }
      if rest.hasPrefix("_2_"), let minor = Int(rest.dropFirst(3)), (17...60).contains(minor) { return manylinux(arch, minor) }
    }
    return nil
  }

  /// manylinux_2_MINOR down to the oldest glibc the architecture has, with the legacy aliases
  /// in their places, then `linux_ARCH`.
  static func manylinux(_ arch: String, _ minor: Int) -> [String] {
    let oldest = arch == "x86_64" ? 5 : 17
    var out: [String] = []
    for m in stride(from: minor, through: oldest, by: -1) {
      out.append("manylinux_2_\(m)_\(arch)")
      if m == 17 { out.append("manylinux2014_\(arch)") }
      if m == 12, arch == "x86_64" { out.append("manylinux2010_\(arch)") }
      if m == 5, arch == "x86_64" { out.append("manylinux1_\(arch)") }
    }
    return out + ["linux_\(arch)"]
  }

  static func musllinux(_ arch: String) -> [String] {
    ["musllinux_1_2_\(arch)", "musllinux_1_1_\(arch)", "musllinux_1_0_\(arch)", "linux_\(arch)"]
  }
}
