import PyIndexModel
import Testing

@Suite("PEP 440 versions")
struct VersionTests {
  @Test("normalised forms", arguments: [
    ("1.0-RC1", "1.0rc1"), ("v1.0", "1.0"), ("1.0-1", "1.0.post1"), ("1.0-r2", "1.0.post2"),
    ("1.0_alpha.2", "1.0a2"), ("1.0c1", "1.0rc1"), ("1.0a", "1.0a0"), ("1.0.POST", "1.0.post0"),
    (" 1.0 ", "1.0"), ("1.0+Ubuntu-1", "1.0+ubuntu.1"), ("1!2.0", "1!2.0"), ("0!1.0", "1.0"),
    ("1.0.dev", "1.0.dev0"), ("1.0-preview-3", "1.0rc3"), ("1.0.rev4", "1.0.post4"),
    ("01.002.0003", "1.2.3"), ("1.0a1-1", "1.0a1.post1"), ("1.0.beta.2.dev_3", "1.0b2.dev3"),
    ("1.0a.", "1.0a0"), ("2013.01.21", "2013.1.21"),
  ])
  func normalisation(_ input: String, _ expected: String) throws {
    #expect(try Version(input).description == expected)
  }

  @Test("invalid strings are rejected", arguments: [
    "", "abc", "1.0.", "1.0+", "1..0", "1.0-", "1.0+local..x", "1.0.60:61", "2013-01-21T20:33:09+0100",
    "1.0 a1", "1.0+ü", "99999999999999999999999.0",
  ])
  func invalid(_ input: String) {
    #expect(Version.parse(input) == nil)
  }

  /// PEP 440's "Summary of permitted suffixes and relative ordering" and packaging's examples.
  @Test("total order", arguments: [
    ["1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
     "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7",
     "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"],
    ["0.9", "1.0.dev1", "1.0a1.dev1", "1.0a1", "1.0a1.post1", "1.0b1", "1.0rc1", "1.0", "1.0+local.2",
     "1.0+local.10", "1.0.post1.dev1", "1.0.post1", "1.1.dev0", "1!0.1"],
  ])
  func order(_ chain: [String]) throws {
    let versions = try chain.map { try Version($0) }
    for (a, b) in zip(versions, versions.dropFirst()) {
      #expect(a < b, "\(a) < \(b)")
      #expect(!(b < a))
    }
    #expect(versions.shuffled().sorted() == versions)
  }

  @Test func equalityIgnoresTrailingZeros() throws {
    #expect(try Version("1.0") == Version("1.0.0"))
    #expect(try Set([Version("1.0"), Version("1.0.0"), Version("1")]).count == 1)
    #expect(try Version("1.0") != Version("1.0.post0"))
    #expect(try Version("1.0+a") != Version("1.0"))
  }

  @Test func prereleaseFlags() throws {
    #expect(try Version("1.0rc1").isPrerelease)
    #expect(try Version("1.0.dev0").isPrerelease)
    #expect(try !Version("1.0.post1").isPrerelease)
    #expect(try Version("1.0.post1").isPostrelease)
    #expect(try Version("1!2.0rc1+x").baseVersion.description == "1!2.0")
  }
}

@Suite("PEP 440 specifiers")
struct SpecifierTests {
  @Test("clause semantics", arguments: [
    ("==1.0", "1.0+abc", true), ("==1.0", "1.0.post1", false), ("==1.0", "1.0.0", true),
    ("==1.0+abc", "1.0", false), ("==1.0+abc", "1.0+abc", true),
    (">1.0", "1.0.post1", false), (">1.0", "1.0+x", false), (">1.0", "1.1", true), (">1.0.post1", "1.0.post2", true),
    ("<1.1", "1.1a1", false), ("<1.1a2", "1.1a1", true), ("<1.1", "1.0", true), ("<1.1", "1.1", false),
    ("<=1.1", "1.1+local", true), (">=1.0", "1.0+local", true),
    ("==1.*", "1.9.2", true), ("==1.*", "2.0", false), ("==1.0.*", "1.0", true), ("==1.0.*", "1.0rc1", true),
    ("!=1.0.*", "1.0.3", false), ("!=1.0.*", "1.1", true), ("!=1.0", "1.0.0", false),
    ("~=1.4.2", "1.4.5", true), ("~=1.4.2", "1.5", false), ("~=1.4.2", "1.4.1", false),
    ("~=2.2", "2.3", true), ("~=2.2", "3.0", false), ("~=1.4.5a4", "1.4.5", true), ("~=2.2.post3", "2.3", true),
    ("===1.0", "1.0", true), ("===1.0", "1.0.0", false),
  ])
  func contains(_ spec: String, _ version: String, _ expected: Bool) throws {
    #expect(try Specifier(spec).contains(Version(version), original: version) == expected)
  }

  @Test("invalid specifiers", arguments: ["~=1", ">=1.0.*", "==1.0.*+local", "foo", ">=", "<1.0+local", "=1.0"])
  func invalid(_ spec: String) {
    #expect(throws: ModelError.self) { try SpecifierSet(spec) }
  }

  @Test func filterFollowsPipPrereleaseRules() throws {
    let v = { (s: [String]) in try s.map { try Version($0) } }
    #expect(try SpecifierSet(">=1.0").filter(v(["1.0", "1.1rc1"]), prereleases: false) == v(["1.0"]))
    #expect(try SpecifierSet(">=1.0").filter(v(["1.1rc1"]), prereleases: false) == v(["1.1rc1"]))
    #expect(try SpecifierSet("").filter(v(["2.0b1", "1.0"]), prereleases: false) == v(["1.0"]))
    #expect(try SpecifierSet("").filter(v(["2.0b1", "1.0"]), prereleases: true) == v(["2.0b1", "1.0"]))
    #expect(try SpecifierSet(">=1.0rc1").filter(v(["1.0rc2", "0.9"]), prereleases: false) == v(["1.0rc2"]))
    #expect(try SpecifierSet(">=1.0, <2").contains(Version("1.5")))
    #expect(try !SpecifierSet(">=1.0, <2").contains(Version("2.0")))
    #expect(try SpecifierSet("==1.0,").specifiers.count == 1)
  }
}

@Suite("PEP 503 names")
struct ProjectNameTests {
  @Test(arguments: [("Foo.Bar_baz", "foo-bar-baz"), ("a--_b", "a-b"), ("Django", "django"), ("zope.interface", "zope-interface"), ("A", "a")])
  func normalisation(_ input: String, _ expected: String) throws {
    #expect(try ProjectName(input).normalized == expected)
    #expect(try ProjectName(input).typed == input)
  }

  @Test(arguments: ["", "-foo", "foo-", ".foo", "a b", "foo\n", "foo/bar", "ü", "../x"])
  func invalid(_ input: String) {
    #expect(throws: ModelError.self) { try ProjectName(input) }
  }
}

@Suite("PEP 508 requirements")
struct RequirementTests {
  @Test func forms() throws {
    let r = try Requirement("Demo_Pkg[Extra1, b] (>=1.0,<2) ; python_version >= '3.8'")
    #expect(r.name.normalized == "demo-pkg")
    #expect(r.extras == ["extra1", "b"])
    #expect(r.specifier.description == ">=1.0,<2")
    #expect(r.marker == "python_version >= '3.8'")
    #expect(try Requirement("name").specifier.isEmpty)
    #expect(try Requirement("name==1.2").specifier.description == "==1.2")
    #expect(try Requirement("name @ https://h/x.whl").url == "https://h/x.whl")
  }

  @Test(arguments: ["", "==1.0", "demo-pkg===", "demo[", "demo (>=1", "demo @ nowhere", "demo ~=1"])
  func invalid(_ text: String) {
    #expect(throws: ModelError.self) { try Requirement(text) }
  }
}
