import PyIndexModel
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Expected tag lists were generated with `packaging.tags` (what pip vendors) and are kept in
/// fixtures/tags; the first line of each file names the target.
@Suite("PEP 425 tags and targets")
struct TagTests {
  static let root: String = {
    let file = #filePath
    return String(file[..<file.firstRange(of: "/Tests/")!.lowerBound]) + "/fixtures/tags/"
  }()

  static func lines(_ name: String) throws -> [String] {
    let text = try #require(readText(root + name))
    return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
  }

  @Test("supported tags match pip's get_supported", arguments: [
    ("cp312-manylinux2014_x86_64.txt", Target(platforms: ["manylinux2014_x86_64"], pythonVersion: [3, 12])),
    ("cp311-win_amd64.txt", Target(platforms: ["win_amd64"], pythonVersion: [3, 11], implementation: "cp")),
    ("cp37-manylinux_2_28_aarch64.txt", Target(platforms: ["manylinux_2_28_aarch64"], pythonVersion: [3, 7])),
    ("pp310-linux_x86_64.txt", Target(platforms: ["linux_x86_64"], pythonVersion: [3, 10], implementation: "pp")),
    // Free-threaded builds: no abi3, abi3t instead (PEP 803); and a GIL build of the same version.
    ("cp313t-manylinux_2_28_x86_64.txt", Target(platforms: ["manylinux_2_28_x86_64"], pythonVersion: [3, 13], implementation: "cp", abis: ["cp313t"])),
    ("cp315t-manylinux_2_28_x86_64.txt", Target(platforms: ["manylinux_2_28_x86_64"], pythonVersion: [3, 15], implementation: "cp", abis: ["cp315t"])),
    ("cp315-manylinux_2_28_x86_64.txt", Target(platforms: ["manylinux_2_28_x86_64"], pythonVersion: [3, 15, 1], implementation: "cp", abis: ["cp315"])),
  ])
  func supportedTags(_ file: String, _ target: Target) throws {
    let expected = try TagTests.lines(file)
    let actual = try #require(target.supportedTags).map(\.description)
    #expect(actual == expected)
  }

  @Test("macOS platforms expand as packaging's mac_platforms", arguments: [
    ("macosx_11_0_arm64.txt", "macosx_11_0_arm64"), ("macosx_10_9_x86_64.txt", "macosx_10_9_x86_64"),
  ])
  func macPlatforms(_ file: String, _ platform: String) throws {
    #expect(Target(platforms: [platform]).expandedPlatforms == (try TagTests.lines(file)))
  }

  @Test func pythonVersionForms() throws {
    #expect(try Target.parsePythonVersion("3.12") == [3, 12])
    #expect(try Target.parsePythonVersion("312") == [3, 12])
    #expect(try Target.parsePythonVersion("3") == [3])
    #expect(try Target.parsePythonVersion("3.11.7") == [3, 11, 7])
    #expect(try Target.parsePythonVersion(" 3.11.7 ") == [3, 11, 7])
    for bad in ["three", "3.x", "", "3..1", "3.11.7.1", "312345678901234567890", "3.99999999999999999999", "3.-1", "3.+1", "٣.١٢"] {
      #expect(throws: ModelError.self, "\(bad)") { try Target.parsePythonVersion(bad) }
    }
  }

  @Test func wheelFilenames() throws {
    let w = try #require(WheelFilename("Demo.Pkg-1.0-1b-py2.py3-none-any.whl"))
    #expect(w.name == "Demo.Pkg")
    #expect(w.version.description == "1.0")
    #expect(w.build?.number == 1 && w.build?.rest == "b")
    #expect(w.tags.map(\.description) == ["py2-none-any", "py3-none-any"])
    let m = try #require(WheelFilename("x-2.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"))
    #expect(m.tags.count == 2)
    for bad in ["x-1.0-py3-none.whl", "x-1.0-a-py3-none-any.whl", "x-nope-py3-none-any.whl", "x-1.0-py3-none-any.zip", "x y-1.0-py3-none-any.whl", ".whl", "x-1.0-1-2-py3-none-any.whl", "x-1.0-..-none-any.whl", "x-1.0-py3--any.whl"] {
      #expect(WheelFilename(bad) == nil, "\(bad)")
    }
  }

  @Test func sdistFilenames() throws {
    let p = try ProjectName("aws-adfs-ebsco")
    let s = try #require(SdistFilename("aws-adfs-ebsco-0.3.6-2.tar.gz", project: p))
    #expect(s.version.description == "0.3.6.post2")
    #expect(SdistFilename("aws_adfs_ebsco-1.0.zip", project: p)?.version.description == "1.0")
    #expect(SdistFilename("other-1.0.tar.gz", project: p) == nil)
    #expect(SdistFilename("aws-adfs-ebsco-1.0.egg", project: p) == nil)
    #expect(SdistFilename("aws-adfs-ebsco-1.0.exe", project: p) == nil)
    #expect(SdistFilename("aws-adfs-ebsco-latest.tar.gz", project: p) == nil)
    let q = try ProjectName("1-2")
    #expect(SdistFilename("1-2-3.tar.gz", project: q)?.version.description == "3")
  }

  @Test("Requires-Python sees the patch level; tags only major and minor")
  func patchLevel() throws {
    let t = Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11, 7])
    #expect(t.pythonVersionForRequiresPython?.description == "3.11.7")
    #expect(t.supportedTags == Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11]).supportedTags)
    #expect(MarkerEnvironment(target: t).values["python_full_version"] == "3.11.7")
    #expect(MarkerEnvironment(target: t).values["python_version"] == "3.11")
  }

  @Test("without a Python version, a free-threaded ABI takes abi3t wheels and not abi3 ones")
  func freeThreadedWithoutVersion() {
    let threaded = TagMatcher(target: Target(platforms: ["manylinux_2_28_x86_64"], abis: ["cp313t"]))
    #expect(threaded.isCompatible([Tag("cp313", "abi3t", "manylinux_2_28_x86_64")]))
    #expect(!threaded.isCompatible([Tag("cp37", "abi3", "manylinux_2_28_x86_64")]))
    let gil = TagMatcher(target: Target(platforms: ["manylinux_2_28_x86_64"], abis: ["cp313"]))
    #expect(gil.isCompatible([Tag("cp37", "abi3", "manylinux_2_28_x86_64")]))
    #expect(!gil.isCompatible([Tag("cp313", "abi3t", "manylinux_2_28_x86_64")]))
  }

  @Test func compatibility() throws {
    let m = TagMatcher(target: Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11]))
    #expect(m.isCompatible([Tag("cp311", "cp311", "manylinux_2_17_x86_64")]))
    #expect(m.isCompatible([Tag("cp38", "abi3", "manylinux_2_17_x86_64")]))
    #expect(m.isCompatible([Tag("py3", "none", "any")]))
    #expect(!m.isCompatible([Tag("cp312", "cp312", "manylinux_2_17_x86_64")]))
    #expect(!m.isCompatible([Tag("cp311", "cp311", "manylinux_2_28_x86_64")]))
    #expect(!m.isCompatible([Tag("cp311", "cp311", "musllinux_1_1_x86_64")]))
    #expect(try #require(m.rank([Tag("cp311", "cp311", "manylinux_2_17_x86_64")])) < (try #require(m.rank([Tag("py3", "none", "any")]))))
    // Python version only: any platform.
    let any = TagMatcher(target: Target(pythonVersion: [3, 12]))
    #expect(any.isCompatible([Tag("cp312", "cp312", "win_amd64")]))
    #expect(!any.isCompatible([Tag("cp311", "cp311", "win_amd64")]))
    // Platform only: any Python.
    let plat = TagMatcher(target: Target(platforms: ["win_amd64"]))
    #expect(plat.isCompatible([Tag("cp39", "cp39", "win_amd64")]))
    #expect(!plat.isCompatible([Tag("cp39", "cp39", "macosx_11_0_arm64")]))
  }
}

@Suite("candidate selection")
struct SelectionTests {
  let project = try! ProjectName("demo-pkg")
  func file(_ name: String, yanked: String? = nil, requiresPython: String? = nil) -> DistributionFile {
    DistributionFile(filename: name, href: name, requiresPython: requiresPython, yanked: yanked)
  }

  @Test func versionListing() {
    let evaluator = CandidateEvaluator(project: project, target: Target(platforms: ["win_amd64"], pythonVersion: [3, 12]))
    var c = VersionCollector(evaluator: evaluator, includePrereleases: false)
    for f in [
      file("demo_pkg-1.0-py3-none-any.whl"), file("demo_pkg-1.0.0.tar.gz"), file("demo_pkg-1.2-py3-none-any.whl", yanked: ""),
      file("demo_pkg-1.3-py3-none-any.whl", requiresPython: ">=3.13"), file("demo_pkg-1.4-cp312-cp312-win_amd64.whl"),
      file("demo_pkg-1.5-cp311-cp311-win_amd64.whl"), file("demo_pkg-2.0rc1-py3-none-any.whl"),
      file("other-9.0-py3-none-any.whl"), file("demo_pkg-1.6-py3-none-any.whl", requiresPython: "&gt;=3.99"),
      file("demo_pkg-1.7.egg"), file("README.txt"),
    ] { c.add(f) }
    // 1.6's Requires-Python is invalid (double-escaped) and therefore ignored, as pip does.
    #expect(c.sorted.map(\.description) == ["1.6", "1.4", "1.0"])
  }

  @Test func selectionPrefersNewestThenBestTag() throws {
    let target = Target(platforms: ["manylinux_2_17_x86_64"], pythonVersion: [3, 11])
    let e = CandidateEvaluator(project: project, target: target)
    let files = [
      file("demo_pkg-1.0-py3-none-any.whl"), file("demo_pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"),
      file("demo_pkg-1.0.tar.gz"), file("demo_pkg-1.1-py3-none-any.whl", yanked: "bad"), file("demo_pkg-2.0b1.tar.gz"),
    ]
    let candidates = files.compactMap { try? e.evaluate($0).get() }
    let any = CandidateSelector(specifier: SpecifierSet(), allowPrereleases: false)
    #expect(any.best(from: candidates)?.file.filename == "demo_pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl")
    let pinned = CandidateSelector(specifier: try SpecifierSet("==1.1"), allowPrereleases: false)
    #expect(pinned.best(from: candidates)?.file.filename == "demo_pkg-1.1-py3-none-any.whl")
    let range = CandidateSelector(specifier: try SpecifierSet(">=1.1"), allowPrereleases: false)
    #expect(range.best(from: candidates)?.file.filename == "demo_pkg-2.0b1.tar.gz")  // only a pre-release is left
    let pre = CandidateSelector(specifier: SpecifierSet(), allowPrereleases: true)
    #expect(pre.best(from: candidates)?.version.description == "2.0b1")
    var sdistOnly = FormatControl()
    sdistOnly.add(":all:", onlyBinary: false)
    let e2 = CandidateEvaluator(project: project, target: target, formats: sdistOnly)
    #expect(any.best(from: files.compactMap { try? e2.evaluate($0).get() })?.file.filename == "demo_pkg-1.0.tar.gz")
  }

  @Test func formatControl() throws {
    var f = FormatControl()
    f.add(":all:", onlyBinary: true)
    f.add("demo-pkg", onlyBinary: false)
    #expect(f.allowsSource(project))
    #expect(!f.allowsSource(try ProjectName("other")))
    f.add(":none:", onlyBinary: true)
    #expect(f.allowsSource(try ProjectName("other")))
  }
}

@Suite("URL references (RFC 3986)")
struct URLReferenceTests {
  /// RFC 3986 section 5.4.1 normal examples.
  @Test(arguments: [
    ("g", "http://a/b/c/g"), ("./g", "http://a/b/c/g"), ("g/", "http://a/b/c/g/"), ("/g", "http://a/g"),
    ("//g", "http://g"), ("?y", "http://a/b/c/d;p?y"), ("g?y", "http://a/b/c/g?y"), ("#s", "http://a/b/c/d;p?q#s"),
    ("g#s", "http://a/b/c/g#s"), ("g?y#s", "http://a/b/c/g?y#s"), (";x", "http://a/b/c/;x"), ("", "http://a/b/c/d;p?q"),
    (".", "http://a/b/c/"), ("./", "http://a/b/c/"), ("..", "http://a/b/"), ("../", "http://a/b/"), ("../g", "http://a/b/g"),
    ("../..", "http://a/"), ("../../g", "http://a/g"), ("../../../g", "http://a/g"), ("https://x/y/../z", "https://x/z"),
  ])
  func resolve(_ ref: String, _ expected: String) {
    #expect(URLReference.resolve(ref, against: "http://a/b/c/d;p?q") == expected)
  }

  @Test func filenames() {
    #expect(URLReference.filename(of: "../../files/a%252Fb.whl#sha256=00") == "a%2Fb.whl")
    #expect(URLReference.filename(of: "https://h/x/demo-1.0.tar.gz?sig=1") == "demo-1.0.tar.gz")
    #expect(URLReference.percentDecode("a+b%2Fc%zz") == "a+b/c%zz")
    #expect(URLReference.percentDecode("%FF") == nil)
  }
}

func readText(_ path: String) -> String? {
  guard let f = fopen(path, "r") else { return nil }
  defer { fclose(f) }
  var bytes: [UInt8] = []
  var buf = [UInt8](repeating: 0, count: 4096)
  while true {
    let n = fread(&buf, 1, buf.count, f)
    if n <= 0 { break }
    bytes += buf[0..<n]
  }
  return String(decoding: bytes, as: UTF8.self)
}
