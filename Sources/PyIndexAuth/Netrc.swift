import PyIndexModel

/// A parsed netrc file: `machine`, `default`, `login`, `password`, `account`, quoted tokens,
/// and `macdef` bodies skipped.
public struct Netrc: Sendable, Hashable {
  public struct Entry: Sendable, Hashable {
    public var login: String?
    public var password: String?
  }
  public private(set) var machines: [String: Entry] = [:]
  public private(set) var defaultEntry: Entry?

  /// Parses netrc text; malformed parts are skipped rather than fatal.
  public init(_ text: String) {
    let tokens = Netrc.tokens(text)
    var i = 0
    var current: Entry? = nil
    var currentMachine: String? = nil
    var isDefault = false
    func flush() {
      guard let entry = current else { return }
      if isDefault { if defaultEntry == nil { defaultEntry = entry } } else if let m = currentMachine, machines[m] == nil { machines[m] = entry }
    }
    while i < tokens.count {
      let t = tokens[i]
      switch t.text {
      case "machine" where !t.quoted:
        flush()
        current = Entry(); isDefault = false
        currentMachine = i + 1 < tokens.count ? SafeURL.asciiLowercased(tokens[i + 1].text) : nil
        i += 2
      case "default" where !t.quoted:
        flush()
        current = Entry(); isDefault = true; currentMachine = nil
        i += 1
      case "login" where !t.quoted, "user" where !t.quoted:
        if i + 1 < tokens.count { current?.login = tokens[i + 1].text }
        i += 2
      case "password" where !t.quoted:
        if i + 1 < tokens.count { current?.password = tokens[i + 1].text }
        i += 2
      case "account" where !t.quoted:
        i += 2
      case "macdef" where !t.quoted:
        i += 2  // the body was dropped by the tokenizer
      default:
        i += 1
      }
    }
    flush()
  }

  /// The entry for `host` (ports play no part), else the `default` entry.
  public func entry(host: String) -> Entry? {
    machineEntry(host: host) ?? defaultEntry
  }

  /// The `machine` entry for `host` (ports play no part), never the `default` one.
  public func machineEntry(host: String) -> Entry? {
    var h = SafeURL.asciiLowercased(host)
    let whole = h
    if h.hasPrefix("["), h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
    return machines[h] ?? machines[whole]
  }

  private struct Token { var text: String; var quoted: Bool }

  private static func tokens(_ text: String) -> [Token] {
    var out: [Token] = []
    let lines = text.textLines
    var inMacdef = false
    var skipNextAsMacName = false
    for line in lines {
      if inMacdef {
        if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { inMacdef = false }
        continue
      }
      if line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") { continue }
      var chars = Substring(line)
      while true {
        chars = chars.drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "," })
        guard let first = chars.first else { break }
        var word = ""
        var quoted = false
        if first == "\"" {
          quoted = true
          chars = chars.dropFirst()
          while let c = chars.first, c != "\"" {
            if c == "\\", chars.count > 1 { chars = chars.dropFirst(); word.append(chars.first!) } else { word.append(c) }
            chars = chars.dropFirst()
          }
          chars = chars.dropFirst()
        } else {
          while let c = chars.first, c != " ", c != "\t", c != "\r" {
            if c == "\\", chars.count > 1 { chars = chars.dropFirst(); word.append(chars.first!) } else { word.append(c) }
            chars = chars.dropFirst()
          }
        }
        out.append(Token(text: word, quoted: quoted))
        if skipNextAsMacName { skipNextAsMacName = false; inMacdef = true }
        if !quoted, word == "macdef" { skipNextAsMacName = true }
      }
    }
    return out
  }
}
