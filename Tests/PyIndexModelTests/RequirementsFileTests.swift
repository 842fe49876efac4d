import PyIndexModel
import Testing

@Suite("requirements files")
struct RequirementsFileTests {
  static func load(_ files: [String: String], environment: [String: String] = [:], root: String = "reqs/main.txt") throws -> RequirementsFile {
    try RequirementsFile.load(root, environment: environment) { path in
      guard let text = files[path] else { throw RequirementsFile.ParseError.unreadable(path: path, reason: "no such file") }
      return text
    }
  }

  @Test("comments, continuations, ${VAR}, nesting relative to the including file, option lines")
  func fullFile() throws {
    let file = try Self.load([
      "reqs/main.txt": """
        # a comment
        --index-url https://__token__:${PYPI_TOKEN}@pkgs.example/simple/
        --extra-index-url=https://mirror.example/simple/
        -f ../wheels
        --trusted-host pkgs.example
        demo-pkg==1.3.0 \\
            --hash=sha256:AAAA \\
            --hash sha256:bbbb   # two allowed digests
        other[extra]>=2,<3 ; python_version >= "3.8"
        -r more/extra.txt
        -c constraints.txt
        url-pkg @ https://files.example/url_pkg-1.0-py3-none-any.whl
        --pre
        frag-pkg @ https://files.example/frag_pkg-1.0.tar.gz#sha256=abc
        """,
      "reqs/more/extra.txt": "third==0.1 --hash=sha512:CC\n",
      "reqs/constraints.txt": "other<2.5\n",
    ], environment: ["PYPI_TOKEN": "pypi-secret", "lower": "x"])
    #expect(file.indexURL == "https://__token__:pypi-secret@pkgs.example/simple/")
    #expect(file.extraIndexURLs == ["https://mirror.example/simple/"])
    #expect(file.findLinks == ["reqs/../wheels"])
    #expect(file.trustedHosts == ["pkgs.example"])
    #expect(file.pre)
    #expect(file.requireHashes)
    #expect(file.requirements.map(\.requirement.name.normalized) == ["demo-pkg", "other", "third", "url-pkg", "frag-pkg"])
    let names = file.requirements.map(\.requirement.text)
    #expect(names.first == "demo-pkg==1.3.0")
    #expect(file.requirements[0].hashes == ["sha256": ["aaaa", "bbbb"]])
    #expect(file.requirements[0].origin == "reqs/main.txt:6")
    #expect(file.requirements[1].requirement.extras == ["extra"])
    #expect(file.requirements[1].requirement.marker == "python_version >= \"3.8\"")
    #expect(file.requirements.contains { $0.requirement.text == "third==0.1" && $0.hashes == ["sha512": ["cc"]] && $0.origin == "reqs/more/extra.txt:1" })
    #expect(file.requirements.contains { $0.requirement.url == "https://files.example/url_pkg-1.0-py3-none-any.whl" })
    #expect(file.constraints.map(\.requirement.text) == ["other<2.5"])
  }

  @Test("${VAR} follows pip: upper case, digits and _ only; unset ones stay as written")
  func expansion() {
    let env = ["TOKEN": "t0k", "lower": "no", "A_1": "ok"]
    #expect(RequirementsFile.expand("x${TOKEN}y ${lower} ${MISSING} ${A_1} $TOKEN", environment: env) == "xt0ky ${lower} ${MISSING} ok $TOKEN")
  }

  @Test("errors name the file and line", arguments: [
    ("pkg==1 --install-option=x\n", "reqs/main.txt:1: the option --install-option is not supported on a requirement line"),
    ("\n--editable ./src\n", "reqs/main.txt:2: the option --editable is not supported in requirements files"),
    ("pkg==1 --hash=sha256\n", "reqs/main.txt:1: --hash needs algorithm:hexdigest, as in --hash=sha256:2cf2…"),
    ("pkg==1 --hash=crc32:00\n", "reqs/main.txt:1: unknown hash algorithm 'crc32' (md5, sha1, sha256, sha384, sha512)"),
    ("-r missing.txt\n", "cannot read the requirements file reqs/missing.txt: no such file"),
    ("pkg===\n", "reqs/main.txt:1: invalid requirement 'pkg===':"),
  ])
  func errors(_ text: String, _ message: String) {
    #expect {
      try Self.load(["reqs/main.txt": text])
    } throws: { error in
      "\(error)".hasPrefix(message)
    }
  }

  @Test func includeCycleIsBounded() {
    #expect(throws: RequirementsFile.ParseError.self) {
      try Self.load(["reqs/main.txt": "-r main.txt\n"])
    }
  }
}

@Suite("Content-Disposition file names")
struct ContentDispositionTests {
  @Test(arguments: [
    ("attachment; filename=\"a-1.0.tar.gz\"", "a-1.0.tar.gz"),
    ("attachment; filename=a-1.0.tar.gz", "a-1.0.tar.gz"),
    ("attachment; filename=\"x.bin\"; filename*=UTF-8''a%2D1.0.whl", "a-1.0.whl"),
    ("attachment; filename*=utf-8''a-1.0.whl; filename=\"x.bin\"", "a-1.0.whl"),
    ("attachment; filename=\"../../etc/a-1.0.whl\"", "a-1.0.whl"),
    ("attachment; filename=\"dir\\\\a-1.0.whl\"", "a-1.0.whl"),
    ("attachment; filename=\"a;b.whl\"", "a;b.whl"),
  ])
  func names(_ header: String, _ expected: String) {
    #expect(ContentDisposition.filename(header) == expected)
  }

  @Test(arguments: ["attachment", "inline; size=3", "attachment; filename=\"\"", "attachment; filename=\"../\""])
  func none(_ header: String) {
    #expect(ContentDisposition.filename(header) == nil)
  }
}
