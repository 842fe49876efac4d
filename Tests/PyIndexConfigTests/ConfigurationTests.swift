import PyIndexConfig
import PyIndexModel
import Testing

/// Files from a table, for ``Configuration/load`` without a disk.
private func reader(_ files: [String: String]) -> ConfigReader {
  { path in files[path] }
}

@Suite struct ConfigurationTests {
  let home = ["HOME": "/h"]

  @Test func pipPrecedence() throws {
    let files = [
      "/etc/pip.conf": "[global]\nindex-url = https://global.example/simple/\ntimeout = 5\n[download]\nretries = 7\n",
      "/h/.config/pip/pip.conf": "[global]\nindex-url = https://user.example/simple/\nretries = 1\ntimeout = 9\nno-cache-dir = yes\n[install]\nupgrade = yes\n",
    ]
    let c = try Configuration.load(command: "download", environment: home, read: reader(files))
    #expect(c.indexes.map(\.url) == ["https://user.example/simple/"])
    #expect(c.indexes[0].source == .file(path: "/h/.config/pip/pip.conf", line: 2))
    #expect(c.timeout == Sourced(9, .file(path: "/h/.config/pip/pip.conf", line: 4)))
    // The command's section beats [global], whichever file it is in (pip's order).
    #expect(c.retries == Sourced(7, .file(path: "/etc/pip.conf", line: 5)))
    #expect(c.files == ["/etc/pip.conf", "/h/.config/pip/pip.conf"])
    #expect(c.ignored.map(\.key) == ["no-cache-dir", "[install] upgrade"])
    // Without the command's section, [global] is read alone.
    let serve = try Configuration.load(command: nil, environment: home, read: reader(files))
    #expect(serve.retries.value == 1)

    var env = home
    env["PIP_DEFAULT_TIMEOUT"] = "30"
    env["PIP_INDEX_URL"] = "https://pip-env.example/simple/"
    #expect(try Configuration.load(command: "download", environment: env, read: reader(files)).timeout == Sourced(30, .variable("PIP_DEFAULT_TIMEOUT")))
    env["PYINDEX_INDEX_URL"] = "https://pyindex-env.example/simple/"
    #expect(try Configuration.load(command: "download", environment: env, read: reader(files)).indexes[0] == .init(url: "https://pyindex-env.example/simple/", source: .variable("PYINDEX_INDEX_URL"), name: nil))
    var flags = ExplicitSettings()
    flags.indexURL = Sourced("https://flag.example/simple/", .flag("--index-url"))
    flags.timeout = Sourced(2, .flag("--timeout"))
    let c2 = try Configuration.load(command: "download", explicit: flags, environment: env, read: reader(files))
    #expect(c2.indexes[0].source == .flag("--index-url"))
    #expect(c2.timeout.value == 2)
  }

  @Test func listsSplitAndBooleansParse() throws {
    let files = ["/h/.config/pip/pip.conf": "[global]\nextra-index-url =\n  https://a.example/simple/\n  https://b.example/simple/\ntrusted-host = a.example b.example\nno-index = off\npre = true\n"]
    let c = try Configuration.load(command: "index", environment: home, read: reader(files))
    #expect(c.indexes.map(\.url) == [Configuration.pypi, "https://a.example/simple/", "https://b.example/simple/"])
    #expect(c.indexes[0].source == .default)
    #expect(c.trustedHosts.map(\.value) == ["a.example", "b.example"])
    #expect(c.noIndex.value == false && c.pre.value == true)
  }

  @Test(arguments: [
    ("timeout = soon", "is not a positive number"), ("retries = -1", "is not a whole number"), ("pre = maybe", "is not a yes/no value"),
    ("keyring-provider = magic", "none of auto"),
  ])
  func badValuesNameTheirPlace(line: String, reason: String) {
    let files = ["/h/.config/pip/pip.conf": "[global]\n\(line)\n"]
    #expect {
      _ = try Configuration.load(command: nil, environment: home, read: reader(files))
    } throws: { error in
      (error as? ConfigError).map { $0.source == .file(path: "/h/.config/pip/pip.conf", line: 2) && $0.reason.contains(reason) } ?? false
    }
  }

  @Test func uvIsReadOnlyWhenPipNamesNoIndex() throws {
    let uv = """
      [[index]]
      name = "internal-repo"
      url = "https://internal.example/simple/"

      [[index]]
      name = "pinned"
      url = "https://pinned.example/simple/"
      explicit = true

      [[index]]
      name = "mirror"
      url = "https://mirror.example/simple/"
      default = true
      """
    var env = home
    env["UV_INDEX"] = "extra=https://env.example/simple/"
    env["UV_INDEX_INTERNAL_REPO_USERNAME"] = "me"
    env["UV_INDEX_INTERNAL_REPO_PASSWORD"] = "pw"
    let files = ["/h/.config/uv/uv.toml": uv]
    let c = try Configuration.load(command: "download", environment: env, read: reader(files))
    #expect(c.indexOrigin == .uv)
    #expect(c.indexes.map(\.url) == ["https://env.example/simple/", "https://internal.example/simple/", "https://mirror.example/simple/"])
    #expect(c.indexes.map(\.source) == [.variable("UV_INDEX"), .file(path: "/h/.config/uv/uv.toml", line: 1), .file(path: "/h/.config/uv/uv.toml", line: 10)])
    #expect(c.indexCredentials == [.init(index: c.indexes[1], username: "me", password: "pw", variables: "UV_INDEX_INTERNAL_REPO_USERNAME/UV_INDEX_INTERNAL_REPO_PASSWORD")])
    // pip's configuration names an index: uv's is not read.
    env["PIP_EXTRA_INDEX_URL"] = "https://pip.example/simple/"
    let pip = try Configuration.load(command: "download", environment: env, read: reader(files))
    #expect(pip.indexOrigin == .pip)
    #expect(pip.indexes.map(\.url) == [Configuration.pypi, "https://pip.example/simple/"])
    #expect(pip.indexCredentials.isEmpty)
  }

  @Test func uvWithoutADefaultSearchesPyPILast() throws {
    let env = ["HOME": "/h", "UV_EXTRA_INDEX_URL": "https://x.example/simple/", "UV_INDEX_URL": "https://legacy.example/simple/"]
    let c = try Configuration.load(command: nil, environment: env, read: reader([:]))
    #expect(c.indexes.map(\.url) == ["https://x.example/simple/", "https://legacy.example/simple/"])
    let bare = try Configuration.load(command: nil, environment: ["HOME": "/h", "UV_INDEX": "https://only.example/simple/"], read: reader([:]))
    #expect(bare.indexes.map(\.url) == ["https://only.example/simple/", Configuration.pypi])
    #expect(bare.indexes.last?.source == .default)
  }

  @Test func malformedUVTomlNamesItsLine() {
    let files = ["/h/.config/uv/uv.toml": "[[index]]\nname = \"x\"\nurl = \n"]
    #expect {
      _ = try Configuration.load(command: nil, environment: home, read: reader(files))
    } throws: { error in
      (error as? ConfigError).map { $0.source == .file(path: "/h/.config/uv/uv.toml", line: 3) && $0.exitCode == 64 } ?? false
    }
    let noURL = ["/h/.config/uv/uv.toml": "[[index]]\nname = \"x\"\n"]
    #expect(throws: ConfigError("an [[index]] entry without a url", at: .file(path: "/h/.config/uv/uv.toml", line: 1))) {
      _ = try Configuration.load(command: nil, environment: home, read: reader(noURL))
    }
  }
}
