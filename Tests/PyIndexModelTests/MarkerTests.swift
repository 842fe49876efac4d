import PyIndexModel
import Testing

@Suite("PEP 508 markers")
struct MarkerTests {
  static let linux311 = MarkerEnvironment(target: Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11], implementation: "cp", abis: nil), pythonFullVersion: "3.11.7")
  static let windows312 = MarkerEnvironment(target: Target(platforms: ["win_amd64"], pythonVersion: [3, 12], implementation: "cp", abis: nil))
  static let macPyPy = MarkerEnvironment(target: Target(platforms: ["macosx_14_0_arm64"], pythonVersion: [3, 10], implementation: "pp", abis: nil))

  @Test("evaluated for the target", arguments: [
    ("python_version >= \"3.8\"", true, true, true),
    ("python_version < '3.11'", false, false, true),
    ("python_full_version >= \"3.11.4\"", true, true, false),
    ("sys_platform == 'win32'", false, true, false),
    ("sys_platform != \"win32\" and platform_machine == 'x86_64'", true, false, false),
    ("platform_system == 'Darwin' or os_name == \"nt\"", false, true, true),
    ("implementation_name == 'pypy'", false, false, true),
    ("platform_python_implementation == 'CPython'", true, true, false),
    ("platform_machine == 'AMD64'", false, true, false),
    ("platform_machine == 'arm64'", false, false, true),
    ("(python_version == '3.11' or python_version == '3.12') and os_name == 'posix'", true, false, false),
    ("'linux' in sys_platform", true, false, false),
    ("sys_platform not in 'win32 cygwin'", true, false, true),
    ("os.name == 'posix'", true, false, true),
    ("python_version ~= '3.10'", true, true, true),
    ("python_version == '3.1*'", false, false, false),
  ])
  func evaluate(_ text: String, _ linux: Bool, _ windows: Bool, _ mac: Bool) throws {
    let m = try Marker(text)
    #expect(m.evaluate(Self.linux311) == linux, "linux: \(m)")
    #expect(m.evaluate(Self.windows312) == windows, "windows: \(m)")
    #expect(m.evaluate(Self.macPyPy) == mac, "mac: \(m)")
  }

  @Test("extra compares as a normalized name; no extra is the empty string")
  func extras() throws {
    let m = try Marker("extra == 'Test_Utils'")
    #expect(m.evaluate(Self.linux311, extra: "test-utils"))
    #expect(!m.evaluate(Self.linux311))
  }

  @Test("bad markers are errors that say why", arguments: [
    ("python_version >= ", "ends"), ("python_version >> '3'", "unknown operator"), ("pyversion == '3'", "unknown marker variable"),
    ("(python_version == '3'", "unclosed '('"), ("python_version == '3", "unclosed string"), ("python_version '3'", "expected a comparison"),
  ])
  func errors(_ text: String, _ reason: String) {
    #expect {
      try Marker(text)
    } throws: { error in
      "\(error)".contains(reason)
    }
  }

  @Test("a requirement's marker is checked when it is parsed, and applies(to:) evaluates it")
  func requirement() throws {
    let r = try Requirement("pywin32>=300 ; sys_platform == 'win32'")
    #expect(!r.applies(to: Self.linux311))
    #expect(r.applies(to: Self.windows312))
    #expect(throws: ModelError.self) { try Requirement("x ; python_version >> '3'") }
  }
}

@Suite("markers: inputs that must not exhaust the stack (found by fuzzing)")
struct MarkerLimitTests {
  @Test("deep parentheses and very long chains are errors, not crashes")
  func limits() throws {
    let deep = String(repeating: "(", count: 100_000) + "os_name == 'nt'" + String(repeating: ")", count: 100_000)
    #expect(throws: ModelError.self) { try Marker(deep) }
    let long = Array(repeating: "os_name == 'nt'", count: 5_000).joined(separator: " and ")
    #expect(throws: ModelError.self) { try Marker(long) }
    // Reasonable ones still parse: 32 levels, and a chain of 100.
    let ok = String(repeating: "(", count: 32) + "os_name == 'nt'" + String(repeating: ")", count: 32)
    #expect(try Marker(ok).evaluate(MarkerEnvironment(["os_name": "nt"])))
    let chain = Array(repeating: "os_name == 'nt'", count: 100).joined(separator: " or ")
    #expect(try Marker(chain).evaluate(MarkerEnvironment(["os_name": "posix"])) == false)
    // The same through a requirement (a Requires-Dist line).
    #expect(throws: ModelError.self) { try Requirement("pkg ; " + deep) }
  }
}
