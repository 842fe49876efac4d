public import PyIndexModel

/// The one way pyindex shows a URL: never with a secret in it.
public enum Redaction {
  /// `scheme://user:****@host/...?name=****`: the password is masked, a user name with no
  /// password is itself treated as the secret (`scheme://****@host/...`, as pip does for
  /// token-only URLs), and every query value is masked (presigned URLs carry signatures and
  /// tokens there, under names no list can know). Text that only looks like a URL (a typo
  /// without `//` or without a scheme, a scheme-relative `//user:pw@host`) is masked by the
  /// same rule: everything before an `@` of its authority-like part.
  public static func redact(_ text: String) -> String {
    let url = text
    // A delimiter fused with its neighbour into one grapheme, or an `@` look-alike: where the
    // userinfo ends cannot be read, so all but the scheme is masked.
    if url.utf8.contains(where: { $0 >= 0x80 }), isFused(Substring(url)) {
      guard let sep = url.firstRange(of: "://"), let f = url.first, f.isASCII, f.isLetter,
        url[..<sep.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
      else { return "****" }
      return url[..<sep.upperBound] + "****"
    }
    // Nothing to hide without a userinfo separator or a query (the common case: file URLs).
    guard url.utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "?") }) else { return url }
    // A `://` after a `?` or `#` is in a query or fragment: no scheme URL then.
    guard let sep = url.firstRange(of: "://"), !url[..<sep.lowerBound].contains(where: { $0 == "?" || $0 == "#" }) else { return maskLoose(url) }
    let head = String(url[..<sep.upperBound])
    let after = url[sep.upperBound...]
    if SafeURL(url) == nil || looksLikeRawSecret(url), let at = after.lastIndex(of: "@") {
      // Unparseable, or a secret with a raw '/', '?' or '#': hide everything up to the last '@'.
      return head + mask(userinfo: after[..<at]) + "@" + maskTail(after[after.index(after: at)...], queryBegan: url[..<at].contains("?"))
    }
    let authEnd = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
    let authority = after[..<authEnd]
    // The fragment (never sent; pip's `#sha256=…`) is shown as it is; path and query are masked.
    let rest = after[authEnd...]
    let hash = rest.firstIndex(of: "#") ?? rest.endIndex
    let tail = maskNested(maskQuery(String(rest[..<hash]))) + rest[hash...]
    guard let at = authority.lastIndex(of: "@") else { return head + authority + tail }
    return head + mask(userinfo: authority[..<at]) + "@" + authority[authority.index(after: at)...] + tail
  }

  /// Text that is not a `scheme://` URL but may hold a userinfo: `https:/u:pw@h/`,
  /// `https:u:pw@h`, `https//u:pw@h`, `u:pw@h/simple/`, `//u:pw@h/`. Everything between a
  /// leading scheme (and slashes) and the last `@` before the query is masked whole: where the
  /// user name ends cannot be known in a typo, nor whether a `?` or `/` before the `@` is part
  /// of a raw secret, so the last `@` counts.
  static func maskLoose(_ text: String) -> String {
    guard let at = text.lastIndex(of: "@") else { return maskQuery(text) }
    var start = text.startIndex
    // A scheme-like prefix (`https:`; `user:` of `user:pw@host` reads the same and may stay
    // too) and the slashes after it are kept; the rest up to the `@` is masked. Masking again
    // changes nothing.
    if let colon = text[..<at].firstIndex(of: ":"), let first = text.first, first.isASCII, first.isLetter,
      text[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) })
    {
      start = text.index(after: colon)
    }
    // The `//` of a typo such as `https//u:pw@h` (never one inside a query) and the slashes
    // after it stay; a `?` before the `@` never moves the start past it, so query values are
    // masked as well.
    let queryStart = text[..<at].firstIndex(of: "?") ?? at
    if start < queryStart, let slashes = text[start..<queryStart].ranges(of: "//").last { start = slashes.upperBound }
    while start < queryStart, text[start] == "/" { start = text.index(after: start) }
    let tail = maskTail(text[text.index(after: at)...], queryBegan: text[..<at].contains("?"))
    guard start < at else { return text[..<at] + "@" + tail }
    return text[..<start] + "****@" + tail
  }

  /// Text that may hold URLs anywhere in it (a requirement, a requirements-file line): each
  /// word (split at any white space) with an `@` or a `?` is redacted as a URL. A URL whose
  /// password holds raw white space is one URL across several words: from a word with `://`
  /// and no `/` after it up to the word with the `@`, all of it is masked. A word whose `@`,
  /// `:`, `/`, `?` or `#` is fused with a neighbouring character into one grapheme (U+0600
  /// before `@`), or that holds a look-alike `@` (fullwidth, small), is masked whole: where
  /// its userinfo ends cannot be read the way a server reads it.
  public static func redactText(_ text: String) -> String {
    // `@`, `?`, or the lead byte of the look-alikes (U+FF20 and U+FE6B begin with 0xEF).
    guard text.utf8.contains(where: { $0 == 0x40 || $0 == 0x3F || $0 == 0xEF }) else { return text }
    var out = ""
    var words: [(word: Substring, separator: Substring)] = []
    var rest = Substring(text)
    while !rest.isEmpty {
      let end = rest.unicodeScalars.firstIndex(where: { $0.properties.isWhitespace }) ?? rest.endIndex
      let afterSeparator = rest[end...].unicodeScalars.firstIndex(where: { !$0.properties.isWhitespace }) ?? rest.endIndex
      words.append((rest[..<end], rest[end..<afterSeparator]))
      rest = rest[afterSeparator...]
    }
    var i = 0
    while i < words.count {
      let word = words[i].word
      if let (close, at) = splitURLEnd(words, from: i) {
        // `https://user:pa ss@host/`: the scheme is kept, everything to the `@` masked.
        let head = word[..<(word.firstRange(of: "://")?.upperBound ?? word.startIndex)]
        let last = words[close].word
        out += head + "****@" + maskTail(last[last.index(after: at)...], queryBegan: false) + words[close].separator
        i = close + 1
        continue
      }
      if isFused(word) {
        out += "****"
      } else {
        out += looksLikeURL(word) ? redact(String(word)) : String(word)
      }
      out += words[i].separator
      i += 1
    }
    return out
  }

  static var lookAlikeAt: Set<Unicode.Scalar> { URLMasking.lookAlikeAt }
  static func isFused(_ word: Substring) -> Bool { URLMasking.isFused(word) }

  /// When word `i` starts a URL (`scheme://…`) whose authority does not end in that word (no
  /// `/`, `?` or `#` after the `://`): the authority runs on through the next words up to the
  /// first `/`, `?` or `#` (or the end of the text), and a server ends its userinfo at the last
  /// `@` in it. When that `@` is in a later word: that word's index and the `@`.
  static func splitURLEnd(_ words: [(word: Substring, separator: Substring)], from i: Int) -> (Int, Substring.Index)? {
    let first = words[i].word
    guard let sep = first.firstRange(of: "://"), !first[sep.upperBound...].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }),
      !first[..<sep.lowerBound].isEmpty
    else { return nil }
    var last: (Int, Substring.Index)? = nil
    var j = i + 1
    while j < words.count {
      let w = words[j].word
      let authEnd = w.unicodeScalars.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? w.endIndex
      if let at = w[..<authEnd].unicodeScalars.lastIndex(of: "@") { last = (j, at) }
      if authEnd != w.endIndex { break }
      j += 1
    }
    return last
  }

  /// A word that may be a URL with a secret: a letter or digit before an `@`, or a `?`
  /// followed by `name=`; not prose such as `'@'` or `'?' → %3F`.
  static func looksLikeURL(_ word: Substring) -> Bool {
    if let at = word.lastIndex(of: "@"), word[..<at].contains(where: { $0.isLetter || $0.isNumber }) { return true }
    if let q = word.firstIndex(of: "?"), word[q...].contains("=") { return true }
    return false
  }

  static func maskNested(_ s: String) -> String { URLMasking.maskNested(s) }
  private static func mask(userinfo: Substring) -> String { URLMasking.mask(userinfo: userinfo) }
  static func maskQuery(_ s: String) -> String { URLMasking.maskQuery(s) }

  /// What follows the `@` that ends a masked part: a host and path with their own query, or,
  /// when a `?` came before that `@`, the rest of a query (every item of it masked, the first
  /// one whole: it is the end of a value).
  static func maskTail(_ tail: Substring, queryBegan: Bool) -> String {
    queryBegan ? URLMasking.maskItems(tail, continuing: true) : maskQuery(String(tail))
  }

  /// Whether `url` looks like one whose userinfo holds a raw `/`, `?` or `#`: its authority
  /// has no `@`, but an `@` follows later.
  static func looksLikeRawSecret(_ text: String) -> Bool {
    let url = text
    guard let sep = url.firstRange(of: "://") else { return false }
    let after = url[sep.upperBound...]
    let authEnd = after.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? after.endIndex
    return !after[..<authEnd].contains("@") && after[authEnd...].contains("@")
  }
}
