import PyIndexConfig
import PyIndexModel
import Testing

@Suite struct PipConfigFileTests {
  @Test func sectionsKeysCommentsAndContinuations() throws {
    let text = """
      # a comment
      [global]
      index-url = https://example.com/simple/
      Extra_Index_URL =
          https://a.example/simple/
          ; a comment inside the value is skipped

          https://b.example/simple/
      timeout: 60
      [download]
      --pre = yes\r
      """
    let f = try PipConfigFile(parsing: text, path: "/p/pip.conf")
    #expect(f.entries.map(\.key) == ["index-url", "extra-index-url", "timeout", "pre"])
    #expect(f.entries.map(\.section) == ["global", "global", "global", "download"])
    #expect(f.entries.map(\.line) == [3, 4, 9, 11])
    #expect(f.entries[1].value == "https://a.example/simple/\n\nhttps://b.example/simple/")
    #expect(f.entries[2].value == "60")
    #expect(f.entries[3].value == "yes")
  }

  @Test(arguments: [
    ("index-url = x\n", 1, "before any [section]"),
    ("[global]\nindex-url = x\nindex_url = y\n", 3, "appears twice"),
    ("[global]\n[global]\n", 2, "appears twice"),
    ("[global]\njust words\n", 2, "neither"),
    ("[global]\n = value\n", 2, "without a key"),
  ])
  func malformedFilesNameTheLine(text: String, line: Int, reason: String) {
    #expect {
      _ = try PipConfigFile(parsing: text, path: "/etc/pip.conf")
    } throws: { error in
      guard let e = error as? ConfigError else { return false }
      return e.source == .file(path: "/etc/pip.conf", line: line) && e.description.hasPrefix("/etc/pip.conf:\(line): ") && e.reason.contains(reason) && e.exitCode == 64
    }
  }
}

@Suite struct ConfigLocationsTests {
  @Test func pipOrder() {
    let env = ["HOME": "/h", "XDG_CONFIG_DIRS": "/x1:/x2", "XDG_CONFIG_HOME": "/c", "VIRTUAL_ENV": "/v"]
    let files = ConfigLocations.pipFiles(environment: env) { _ in true }.map(\.path)
    #expect(files == ["/x1/pip/pip.conf", "/x2/pip/pip.conf", "/etc/pip.conf", "/h/.pip/pip.conf", "/c/pip/pip.conf", "/v/pip.conf"])
    let defaults = ConfigLocations.pipFiles(environment: ["HOME": "/h"]) { _ in true }.map(\.path)
    #expect(defaults == ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/h/.pip/pip.conf", "/h/.config/pip/pip.conf"])
  }

  @Test func pipConfigFileSkipsTheUsersFilesWhenItExistsAndDevNullTurnsAllOff() {
    let env = ["HOME": "/h", "PIP_CONFIG_FILE": "/e/pip.conf"]
    #expect(ConfigLocations.pipFiles(environment: env) { _ in true }.map(\.path) == ["/etc/xdg/pip/pip.conf", "/etc/pip.conf", "/e/pip.conf"])
    #expect(ConfigLocations.pipFiles(environment: env) { $0 != "/e/pip.conf" }.map(\.path).contains("/h/.config/pip/pip.conf"))
    #expect(ConfigLocations.pipFiles(environment: ["HOME": "/h", "PIP_CONFIG_FILE": "/dev/null"]) { _ in true }.isEmpty)
  }

  @Test func uvOrder() {
    let env = ["HOME": "/h", "XDG_CONFIG_DIRS": "/x1:/x2"]
    #expect(ConfigLocations.uvFiles(environment: env) { _ in true } == ["/h/.config/uv/uv.toml", "/x1/uv/uv.toml"])
    #expect(ConfigLocations.uvFiles(environment: env) { $0 == "/etc/uv/uv.toml" } == ["/etc/uv/uv.toml"])
    #expect(ConfigLocations.uvFiles(environment: env.merging(["UV_NO_CONFIG": "1"]) { $1 }) { _ in true }.isEmpty)
    #expect(ConfigLocations.uvFiles(environment: env.merging(["UV_NO_CONFIG": "1", "UV_CONFIG_FILE": "/u.toml"]) { $1 }) { _ in true } == ["/u.toml"])
  }
}
