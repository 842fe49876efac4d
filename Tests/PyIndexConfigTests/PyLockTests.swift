import PyIndexConfig
import PyIndexModel
import Testing

@Suite struct PyLockTests {
  @Test func readsPackagesAndFiles() throws {
    let text = """
      lock-version = "1.0"
      requires-python = ">=3.10"
      environments = ["sys_platform == 'linux'"]
      default-groups = ["dev"]
      [[packages]]
      name = "a"
      version = "1.0"
      marker = "'dev' in dependency_groups"
      wheels = [{ url = "https://x.example/files/a-1.0-py3-none-any.whl?sig=1", size = 3, hashes = { SHA256 = "ABC" } }]
      sdist = { name = "a-1.0.tar.gz", path = "dist/a.tgz", hashes = { sha256 = "def" } }
      [[packages]]
      name = "b"
      [packages.vcs]
      type = "git"
      url = "https://x.example/b.git"
      """
    let lock = try PyLock(parsing: text, path: "/w/pylock.toml")
    #expect(lock.requiresPython == ">=3.10" && lock.environments == ["sys_platform == 'linux'"] && lock.defaultGroups == ["dev"])
    #expect(lock.packages.map(\.name) == ["a", "b"])
    let wheel = try #require(lock.packages[0].wheels.first)
    #expect(wheel.name == "a-1.0-py3-none-any.whl" && wheel.size == 3 && wheel.hashes == ["sha256": "abc"])
    #expect(lock.packages[0].sdist?.name == "a-1.0.tar.gz" && lock.packages[0].sdist?.path == "dist/a.tgz")
    #expect(lock.packages[1].unsupportedSource == "vcs")
  }

  @Test(arguments: [("lock-version = \"2.0\"\n", "is not one pyindex reads"), ("[[packages]]\nname = \"a\"\n", "no lock-version"), ("lock-version = \n", "")])
  func refused(text: String, reason: String) {
    #expect {
      _ = try PyLock(parsing: text, path: "/w/pylock.toml")
    } throws: { e in
      guard let e = e as? ConfigError, e.exitCode == 64, case .file(path: "/w/pylock.toml", _) = e.source else { return false }
      return e.reason.contains(reason)
    }
  }

  @Test func lockFileNames() {
    #expect(PyLock.isLockFile("pylock.toml") && PyLock.isLockFile("/a/pylock.linux.toml"))
    #expect(!PyLock.isLockFile("requirements.txt") && !PyLock.isLockFile("pylock..toml") && !PyLock.isLockFile("mypylock.toml"))
  }

  @Test func dependencyGroupsAreSetsInMarkers() throws {
    let env = MarkerEnvironment(["dependency_groups": "dev test", "extras": ""])
    #expect(try Marker("'dev' in dependency_groups").evaluate(env))
    #expect(try !Marker("'de' in dependency_groups").evaluate(env))
    #expect(try Marker("'docs' not in extras").evaluate(env))
  }
}
