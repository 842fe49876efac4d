import ArgumentParser
import Foundation
import PyIndexModel
import Testing

@testable import PyIndexCLI

/// The documentation in `docs/` and the README, checked against the code where a table can be:
/// every option `--help` shows is in the command reference, every exit code in its table, and
/// every link points at a file of the repository.
@Suite struct DocumentationTests {
  static let root: String = {
    let file = #filePath
    guard let r = file.range(of: "/Tests/") else { return FileManager.default.currentDirectoryPath }
    return String(file[..<r.lowerBound])
  }()

  static func read(_ path: String) throws -> String {
    try String(contentsOfFile: root + "/" + path, encoding: .utf8)
  }

  /// Each command as `docs/commands.md` titles it, with its type.
  static let commands: [(title: String, type: any ParsableCommand.Type)] = [
    ("pyindex index versions", PyIndexCommand.Index.Versions.self),
    ("pyindex download", PyIndexCommand.Download.self),
    ("pyindex auth check", PyIndexCommand.Auth.Check.self),
    ("pyindex auth helper", PyIndexCommand.Auth.Helper.self),
    ("pyindex serve", PyIndexCommand.Serve.self),
    ("pyindex keyring", PyIndexCommand.Keyring.self),
    ("pyindex config", PyIndexCommand.Config.self),
    ("pyindex fixture", PyIndexCommand.Fixture.self),
  ]

  /// The long options (`--name`) in a piece of help text, in one group (`OPTIONS:`) or all.
  static func options(in help: String, group: String? = nil) -> Set<String> {
    var lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let group {
      guard let start = lines.firstIndex(of: group + ":") else { return [] }
      lines = Array(lines[(start + 1)...].prefix { !$0.isEmpty })
    }
    var found: Set<String> = []
    for line in lines where line.hasPrefix("  -") {
      // Only the option column (the description may name other options).
      // The label: option names and value placeholders, up to the description.
      for word in line.split(separator: " ").map({ $0.trimmingCharacters(in: [","]) }) {
        guard word.hasPrefix("-") || word.hasPrefix("<") else { break }
        if word.hasPrefix("--") { found.insert(word) }
      }
    }
    return found
  }

  /// Whether `text` names `option` as a whole word (`--cache` is not `--cache-dir`).
  static func names(_ text: String, _ option: String) -> Bool {
    var rest = Substring(text)
    while let r = rest.range(of: option) {
      let before = r.lowerBound == text.startIndex ? " " : text[text.index(before: r.lowerBound)]
      let after = r.upperBound == text.endIndex ? " " : text[r.upperBound]
      let part: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
      if !part(before) && !part(after) { return true }
      rest = text[r.upperBound...]
    }
    return false
  }

  /// The text of `## `TITLE…`` up to the next `## ` heading.
  static func section(_ title: String, of text: String) -> String? {
    guard let start = text.range(of: "\n## `\(title)") else { return nil }
    let rest = text[start.upperBound...]
    let end = rest.range(of: "\n## ")?.lowerBound ?? rest.endIndex
    return String(rest[..<end])
  }

  @Test("every option of every command's --help is in docs/commands.md; a command's own options under its heading")
  func everyOptionDocumented() throws {
    let reference = try Self.read("docs/commands.md")
    var checked = 0
    for (title, type) in Self.commands {
      let help = PyIndexCommand.helpMessage(for: type, columns: 1000)
      let all = Self.options(in: help)
      #expect(all.count >= 2, "no options read from the help of \(title)")
      for option in all {
        #expect(Self.names(reference, option), "\(title): \(option) is not in docs/commands.md")
        checked += 1
      }
      let section = try #require(Self.section(title, of: reference), "docs/commands.md has no section for \(title)")
      for option in Self.options(in: help, group: "OPTIONS") where !["--help", "--version"].contains(option) {
        #expect(Self.names(section, option), "\(title): its own option \(option) is not under its heading")
      }
    }
    #expect(checked > 100)
  }

  @Test("docs/exit-codes.md lists every failure kind with its exit code")
  func exitCodes() throws {
    let page = try Self.read("docs/exit-codes.md")
    for kind in FailureKind.allCases {
      #expect(page.contains("| \(kind.exitCode) | `\(kind.rawValue)` |"), "\(kind) (\(kind.exitCode)) is not in docs/exit-codes.md")
    }
  }

  @Test("the README is a guide of at most 400 lines, naming nothing outside the repository")
  func readme() throws {
    let readme = try Self.read("README.md")
    let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).count
    #expect(lines <= 400, "README.md has \(lines) lines")
    #expect(!readme.contains("../"), "README.md names a path outside the repository")
    for setup in ["scripts/demo", "scripts/test"] { #expect(readme.contains("\n\(setup)\n")) }
  }

  @Test("every relative link in the README, CHANGELOG.md and docs/ points at a file that exists")
  func links() throws {
    let docs = try FileManager.default.contentsOfDirectory(atPath: Self.root + "/docs").filter { $0.hasSuffix(".md") }
    #expect(docs.count >= 10)
    var checked = 0
    for page in ["README.md", "CHANGELOG.md"] + docs.map({ "docs/" + $0 }) {
      let text = try Self.read(page)
      let directory = (page as NSString).deletingLastPathComponent
      var rest = Substring(text)
      while let open = rest.range(of: "](") {
        let after = rest[open.upperBound...]
        guard let close = after.firstIndex(of: ")") else { break }
        let target = String(after[..<close]).components(separatedBy: "#")[0]
        rest = after[close...]
        if target.isEmpty || target.contains("://") { continue }
        let path = directory.isEmpty ? target : directory + "/" + target
        let resolved = (Self.root + "/" + path as NSString).standardizingPath
        #expect(resolved.hasPrefix(Self.root + "/"), "\(page) links outside the repository: \(target)")
        #expect(FileManager.default.fileExists(atPath: resolved), "\(page) links to \(target), which does not exist")
        checked += 1
      }
    }
    #expect(checked > 20)
  }

  @Test("the wheel's build lays out the functions of scripts/lib/pyindex.order first, listed as gold reads them")
  func linkOrder() throws {
    let flags = try Self.read("scripts/lib/release-flags")
    #expect(flags.contains("--section-ordering-file=$order_file"))
    #expect(flags.contains("scripts/lib/pyindex.order"))
    #expect(flags.contains("-function-sections") && flags.contains("-ffunction-sections"))
    for script in ["scripts/wheel", "scripts/bench", "scripts/compare-resolve", "scripts/order-file"] {
      #expect(try Self.read(script).contains("source scripts/lib/release-flags"), "\(script) builds without the release flags")
    }
    let lines = try Self.read("scripts/lib/pyindex.order").split(separator: "\n")
    #expect(lines.count > 1000)
    let malformed = lines.filter { !$0.hasPrefix(".text.") || $0.count == 6 || $0.contains(where: \.isWhitespace) }
    #expect(malformed.isEmpty, "not an input section name: \(malformed.prefix(3))")
    // Made from pyindex itself: its resolver, client and CLI are on the list.
    for module in ["15PyIndexResolver", "13PyIndexClient", "10PyIndexCLI", "16PyIndexTransport"] {
      #expect(lines.contains { $0.hasPrefix(".text.$s\(module)") }, "no function of \(module)")
    }
  }

  @Test("--version names the license, which LICENSE holds")
  func license() throws {
    let version = PyIndexCommand.configuration.version
    #expect(version == "pyindex \(PyIndexVersion.current)\nLicense: Apache-2.0")
    #expect(try Self.read("LICENSE").contains("Apache License\n                           Version 2.0, January 2004"))
    #expect(try Self.read("CHANGELOG.md").contains("## \(PyIndexVersion.current) "))
  }

  @Test("shell completions for bash, zsh and fish name every subcommand", arguments: [CompletionShell.bash, .zsh, .fish])
  func completions(shell: CompletionShell) {
    let script = PyIndexCommand.completionScript(for: shell)
    for name in ["index", "versions", "download", "auth", "check", "serve", "keyring", "config", "fixture", "index-url", "python-platform"] {
      #expect(script.contains(name), "the \(shell) completion script lacks \(name)")
    }
  }
}
