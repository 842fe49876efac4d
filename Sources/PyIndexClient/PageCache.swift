import PyIndexModel
import Crypto
import PyIndexAuth

import PyIndexSystem

/// The HTTP cache for project pages, in `$XDG_CACHE_HOME/pyindex/pages` (else
/// `~/.cache/pyindex/pages`): `Cache-Control: max-age` makes a page fresh (no request while it
/// is), `ETag` and `Last-Modified` revalidate a stale one (304: the stored page is used).
///
/// Keys are the SHA-256 of the URL without userinfo and of the `Accept` header: no credential
/// is ever part of a key, nor stored (only the page body and its validators are). Each entry
/// is one file written under a temporary name and renamed, so concurrent runs never see half
/// an entry.
public struct PageCache: Sendable {
  public let directory: String
  /// `--offline`: use what is stored, however old, and never ask the network.
  public let offline: Bool

  public init(directory: String, offline: Bool = false) {
    self.directory = directory
    self.offline = offline
  }

  /// The default directory for `environment`: `$XDG_CACHE_HOME/pyindex`, else `~/.cache/pyindex`.
  public static func defaultDirectory(environment: [String: String]) -> String? {
    if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/pyindex" }
    guard let home = environment["HOME"], !home.isEmpty else { return nil }
    return home + "/.cache/pyindex"
  }

  /// What is stored about one page.
  struct Entry {
    /// The page's final URL, without query or fragment: what its links resolve against.
    var url: SafeURL
    var contentType: String
    var etag: String?
    var lastModified: String?
    /// When it was stored or last revalidated, seconds since 1970.
    var storedAt: Double
    /// Seconds it stays fresh (0: revalidate every time).
    var maxAge: Double
    /// Where the body starts in the file.
    var bodyOffset: Int
    var path: String

    func isFresh(now: Double) -> Bool { now - storedAt < maxAge }

    /// `If-None-Match` / `If-Modified-Since`.
    var validators: [(String, String)] {
      var h: [(String, String)] = []
      if let etag { h.append(("If-None-Match", etag)) }
      if let lastModified { h.append(("If-Modified-Since", lastModified)) }
      return h
    }
  }

  func path(url: SafeURL, accept: String) -> String {
    let key = SHA256.hash(data: Array((url.withoutUserinfo.revealedForRequest() + "\n" + accept).utf8)).map { String($0, radix: 16).leftPad(2) }.joined()
    return directory + "/pages/" + key.prefix(2) + "/" + key
  }

  /// The stored entry for `url`, if any (and readable).
  func lookup(url: SafeURL, accept: String) -> Entry? {
    let path = path(url: url, accept: accept)
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var head = [UInt8](repeating: 0, count: 8192)
    let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n > 0, let end = head[0..<n].firstIndex(of: 0x0A) else { return nil }
    // One header line: tab-separated key=value fields.
    var fields: [String: String] = [:]
    for part in String(decoding: head[0..<end], as: UTF8.self).split(separator: "\t") {
      guard let eq = part.firstIndex(of: "=") else { continue }
      fields[String(part[..<eq])] = PageCache.unescape(part[part.index(after: eq)...])
    }
    guard fields["v"] == "1", let url = fields["url"].flatMap(SafeURL.init), let type = fields["type"], let stored = fields["stored"].flatMap(WireNumber.count).map(Double.init),
      let maxAge = fields["max-age"].flatMap({ WireNumber.seconds($0, limit: PageCache.longestMaxAge) })
    else { return nil }
    return Entry(url: url, contentType: type, etag: fields["etag"], lastModified: fields["last-modified"], storedAt: stored, maxAge: maxAge, bodyOffset: end + 1, path: path)
  }

  /// Freshness a response allows: `max-age` (0 without one, or with `no-cache`); nil when it
  /// must not be stored (`no-store`).
  static func maxAge(cacheControl: String?) -> Double? {
    guard let cacheControl else { return 0 }
    var age = 0.0
    for directive in cacheControl.lowercased().split(separator: ",") {
      let d = directive.trimmingASCIIWhitespace()
      if d == "no-store" { return nil }
      if d == "no-cache" { return 0 }
      // A year at most: a server's `max-age=1e300` must not overflow what is stored.
      if d.hasPrefix("max-age="), let v = WireNumber.seconds(d.dropFirst(8), limit: PageCache.longestMaxAge) { age = v }
    }
    return age
  }

  /// The longest freshness honoured: a year.
  static let longestMaxAge = 365 * 86_400.0

  /// The header line of an entry.
  static func header(url: SafeURL, contentType: String, etag: String?, lastModified: String?, maxAge: Double, now: Double) -> [UInt8] {
    var fields = ["v=1", "url=" + escape(url.withoutUserinfo.with(path: url.path, query: nil).revealedForRequest()), "type=" + escape(contentType), "stored=\(Int(now))", "max-age=\(Int(maxAge))"]
    if let etag { fields.append("etag=" + escape(etag)) }
    if let lastModified { fields.append("last-modified=" + escape(lastModified)) }
    return Array((fields.joined(separator: "\t") + "\n").utf8)
  }

  /// An entry being written: the header first, then the body as it arrives. Not fsynced: an
  /// entry lost to a crash is fetched again.
  typealias Writer = StagedFile

  /// The bytes of an entry that may wait for the disk; past them the entry is dropped (the
  /// page is still read, only not stored).
  static let maxQueued = 16 << 20

  /// A writer for a new entry for a request to `url`, whose answer came from `pageURL` (after
  /// redirects: what its links resolve against). The stored URL keeps no query or fragment: a
  /// presigned redirect target carries its signature and token there.
  func writer(url: SafeURL, pageURL: SafeURL, accept: String, contentType: String, etag: String?, lastModified: String?, maxAge: Double, now: Double) -> Writer? {
    let writer = try? Writer(finalPath: path(url: url, accept: accept), durable: false, makeDirectories: true)
    PageCache.header(url: pageURL, contentType: contentType, etag: etag, lastModified: lastModified, maxAge: maxAge, now: now).withUnsafeBytes { writer?.write($0) }
    return writer
  }

  /// After a 304: the stored entry again, fresh from `now`, the body copied over.
  func refresh(_ entry: Entry, maxAge: Double, now: Double) async {
    let fd = open(entry.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    defer { close(fd) }
    guard let writer = try? Writer(finalPath: entry.path, durable: false, makeDirectories: true) else { return }
    PageCache.header(url: entry.url, contentType: entry.contentType, etag: entry.etag, lastModified: entry.lastModified, maxAge: maxAge, now: now).withUnsafeBytes { writer.write($0) }
    guard lseek(fd, off_t(entry.bodyOffset), SEEK_SET) >= 0 else { return writer.discard() }
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = buf.withUnsafeMutableBytes { LibC.read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n < 0 { return writer.discard() }
      if n == 0 { break }
      buf.withUnsafeBytes { writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      if writer.queued > PageCache.maxQueued { try? await writer.drain() }
    }
    try? await writer.commit()
  }

  /// Header values never hold tabs or newlines once escaped.
  static func escape(_ s: String) -> String {
    s.replacingOccurrences("%", "%25").replacingOccurrences("\t", "%09").replacingOccurrences("\n", "%0A").replacingOccurrences("\r", "%0D")
  }

  static func unescape(_ s: Substring) -> String {
    String(s).replacingOccurrences("%0D", "\r").replacingOccurrences("%0A", "\n").replacingOccurrences("%09", "\t").replacingOccurrences("%25", "%")
  }
}

extension String {
  func replacingOccurrences(_ a: String, _ b: String) -> String {
    guard contains(a) else { return self }
    return split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
  }
}
