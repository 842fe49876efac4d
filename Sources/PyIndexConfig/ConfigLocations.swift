import PyIndexModel

/// Where pip and uv look for their configuration files on Linux and macOS, worked out from the
/// environment alone (whether each exists is for the reader to find).
public enum ConfigLocations {
  /// The kinds of pip's files, in pip's order (later ones win).
  public enum PipKind: String, Sendable, Hashable {
    case global, user, site, env
  }

  /// pip's files in pip's order: global (`pip/pip.conf` under each of `$XDG_CONFIG_DIRS`,
  /// default `/etc/xdg`, then `/etc/pip.conf`), user (`~/.pip/pip.conf`, then
  /// `${XDG_CONFIG_HOME:-~/.config}/pip/pip.conf`; skipped, as pip skips them, when
  /// `PIP_CONFIG_FILE` names a file that exists), site (`$VIRTUAL_ENV/pip.conf`), then
  /// `$PIP_CONFIG_FILE`. Empty when `PIP_CONFIG_FILE` is `/dev/null`.
  /// - Parameter exists: whether a path names an existing file.
  public static func pipFiles(environment env: [String: String], exists: (String) -> Bool) -> [(kind: PipKind, path: String)] {
    let configFile = env["PIP_CONFIG_FILE"]
    if configFile == "/dev/null" { return [] }
    var files: [(PipKind, String)] = []
    for dir in xdgConfigDirs(env) { files.append((.global, dir + "/pip/pip.conf")) }
    files.append((.global, "/etc/pip.conf"))
    let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 }
    if !(configFile.map { !$0.isEmpty && exists($0) } ?? false) {
      if let home { files.append((.user, home + "/.pip/pip.conf")) }
      if let dir = xdgConfigHome(env) { files.append((.user, dir + "/pip/pip.conf")) }
    }
    if let venv = env["VIRTUAL_ENV"], !venv.isEmpty { files.append((.site, venv + "/pip.conf")) }
    if let configFile, !configFile.isEmpty { files.append((.env, configFile)) }
    return files
  }

  /// uv's files, highest priority first: `$UV_CONFIG_FILE` alone when set; none with
  /// `UV_NO_CONFIG`; else the user's (`${XDG_CONFIG_HOME:-~/.config}/uv/uv.toml`) and the
  /// system's (the first `uv/uv.toml` under `$XDG_CONFIG_DIRS`, default `/etc/xdg`, else
  /// `/etc/uv/uv.toml`), each when it exists.
  public static func uvFiles(environment env: [String: String], exists: (String) -> Bool) -> [String] {
    if let file = env["UV_CONFIG_FILE"], !file.isEmpty { return [file] }
    if let no = env["UV_NO_CONFIG"], Truth.parse(no) ?? !no.isEmpty { return [] }
    var files: [String] = []
    if let dir = xdgConfigHome(env), exists(dir + "/uv/uv.toml") { files.append(dir + "/uv/uv.toml") }
    let system = (xdgConfigDirs(env).map { $0 + "/uv/uv.toml" } + ["/etc/uv/uv.toml"]).first(where: exists)
    if let system { files.append(system) }
    return files
  }

  static func xdgConfigDirs(_ env: [String: String]) -> [String] {
    let dirs = (env["XDG_CONFIG_DIRS"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    return dirs.isEmpty ? ["/etc/xdg"] : dirs
  }

  static func xdgConfigHome(_ env: [String: String]) -> String? {
    if let dir = env["XDG_CONFIG_HOME"]?.trimmingASCIIWhitespace(), !dir.isEmpty { return dir }
    return env["HOME"].flatMap { $0.isEmpty ? nil : $0 + "/.config" }
  }
}

/// pip's and uv's yes and no: `1`, `yes`, `y`, `true`, `t`, `on` and `0`, `no`, `n`, `false`,
/// `f`, `off`, in any case.
public enum Truth {
  public static func parse(_ text: String) -> Bool? {
    switch text.trimmingASCIIWhitespace().lowercased() {
    case "1", "yes", "y", "true", "t", "on": true
    case "0", "no", "n", "false", "f", "off": false
    default: nil
    }
  }
}
