public import PyIndexModel
public import PyIndexAuth
public import PyIndexTransport
import Dispatch
public import PyIndexParsing

import PyIndexSystem

/// How several indexes are searched (`--index-strategy`).
public enum IndexStrategy: String, Sendable, CaseIterable {
  /// A project found on an earlier index is never taken from a later one.
  case firstIndex = "first-index"
  /// Every index is searched and their files are merged.
  case unsafeBestMatch = "unsafe-best-match"
}

/// A `--find-links` location: a directory of distributions, or a page of links.
public enum FindLinks: Sendable, Hashable {
  /// A local directory (its files are the candidates); never carries credentials.
  case directory(String)
  /// A local HTML file; never carries credentials.
  case localPage(String)
  /// An http(s) page of links (URL without userinfo), fetched under the same credential
  /// rules as an index; `source` carries the userinfo it was given, for the credential store.
  case page(SafeURL, source: IndexURL)

  /// Reads a `--find-links` value: an http(s) URL, a `file:` URL or a path.
  public init(_ value: String) throws(AuthError) {
    let lower = value.lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
      // Validated as an index URL (userinfo rules), requested with its path as given.
      let source = try IndexURL(value)
      guard let url = SafeURL(value)?.withoutUserinfo else { throw AuthError.invalidURL(redacted: source.redacted, reason: "not an absolute http(s) URL") }
      self = .page(url, source: source)
      return
    }
    var path = value
    if lower.hasPrefix("file://") { path = URLReference.percentDecode(Substring(value.dropFirst(7))) ?? String(value.dropFirst(7)) }
    var st = stat()
    if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { self = .directory(path) } else { self = .localPage(path) }
  }
}

/// Where to look: the configured indexes in order, how to combine them, and `--find-links`.
public struct IndexSettings: Sendable {
  public var indexes: [IndexURL]
  public var strategy: IndexStrategy
  public var findLinks: [FindLinks]
  /// `--no-index`: only `--find-links` locations are searched.
  public var noIndex: Bool
  public init(indexes: [IndexURL], strategy: IndexStrategy = .firstIndex, findLinks: [FindLinks] = [], noIndex: Bool = false) {
    self.indexes = indexes
    self.strategy = strategy
    self.findLinks = findLinks
    self.noIndex = noIndex
  }
}

/// Reads project pages from the configured indexes (http(s) through the ``Transport``,
/// `file:` trees from disk) and streams their files to a sink.
public struct IndexClient: Sendable {
  /// The network (``Transport``, or a scripted one in tests).
  public let transport: any HTTPFetching
  public let settings: IndexSettings
  /// Receives `warning:` texts (index failures skipped over, page notes).
  public let warn: @Sendable (String) -> Void

  /// The HTTP cache for project pages; nil with `--no-cache`.
  public let cache: PageCache?

  public init(transport: any HTTPFetching, settings: IndexSettings, cache: PageCache? = nil, warn: @escaping @Sendable (String) -> Void) {
    self.transport = transport
    self.settings = settings
    self.cache = cache
    self.warn = warn
  }

  /// PEP 792: what the first index that gave one said of the project's status.
  public struct ProjectStatus: Sendable, Hashable {
    /// `archived`, `quarantined`, `deprecated`, or another value the index gave.
    public let status: String
    public let reason: String?
    /// The index, redacted.
    public let index: String
  }

  /// What one index said about a project.
  enum PageOutcome: Sendable {
    case found(PageInfo)
    case notFound(status: Int, source: CredentialSource)
    /// Not asked at all (plain http to a host that is neither local nor trusted).
    case skipped(String)
    case failure(ClientError)
  }

  /// Walks the indexes for `project` under the index strategy, handing each listed file and
  /// the base URL its links resolve against to `sink`.
  ///
  /// A 404 passes to the next index; 401, 403, a sign-in page or an unreadable page stop
  /// the search; a network failure is reported and the search goes on. When every index was
  /// searched, an authentication failure wins over a network one, which wins over "not found".
  /// - Throws: ``ClientError``.
  /// - Parameter detail: `.listing` when only names, yanked and Requires-Python are read.
  public func files(for project: ProjectName, detail: PageDetail = .full, _ sink: (DistributionFile, SafeURL?) -> Void) async throws(ClientError) {
    _ = try await fileBatches(for: project, detail: detail) { batch in batch.forEach { sink($0, batch.base) } }
  }

  /// ``files(for:detail:_:)`` in batches, handed over from the parser's thread before their
  /// links are turned into ``DistributionFile`` values: a consumer on another core (a listing)
  /// takes that work off the parser.
  @discardableResult
  public func fileBatches(for project: ProjectName, detail: PageDetail = .full, _ sink: (FileBatch) -> Void) async throws(ClientError) -> ProjectStatus? {
    var searched: [SearchedLocation] = []
    var failures: [(index: String, error: ClientError)] = []
    var found = false
    var foundOn: [String] = []
    var status: ProjectStatus? = nil
    var quarantine: ClientError? = nil
    for index in settings.noIndex ? [] : settings.indexes {
      let outcome = await page(index: index, project: project, detail: detail, sink)
      switch outcome {
      case .found(let info):
        for w in info.warnings { warn("\(index.redacted): \(w)") }
        guard noteStatus(info, index: index, project: project, status: &status, quarantine: &quarantine) else { continue }
        foundOn.append(index.redacted)
        found = true
      case .notFound(let status, let source):
        searched.append(SearchedLocation(shown: index.redacted, status: status, source: source, isRemote: !index.isFile, note: nil))
      case .skipped(let note):
        searched.append(SearchedLocation(shown: index.redacted, status: nil, source: .none, isRemote: true, note: note))
      case .failure(let error):
        switch error.code {
        case .network, .httpStatus:
          searched.append(SearchedLocation(shown: index.redacted, status: nil, source: .none, isRemote: !index.isFile, note: nil))
          failures.append((index.redacted, error))
        default:
          throw error
        }
      }
      if found, settings.strategy == .firstIndex { break }
    }
    // --find-links locations are always searched too, as pip does.
    if try await searchFindLinks(project, sink, searched: &searched, failures: &failures) { found = true }
    if settings.strategy == .unsafeBestMatch, foundOn.count > 1 {
      warn(
        "\(project.typed) is on more than one index: \(foundOn.joined(separator: ", ")); under unsafe-best-match the best version of any of them is taken, so a name of yours can be shadowed by another index's (--index-strategy first-index takes the first index that has it)")
    }
    // The failure that decides the outcome is thrown; every other one is reported.
    let thrown = found ? nil : failures.first?.error
    for (k, f) in failures.enumerated() where !(thrown != nil && k == 0) { warn("skipped \(f.index): \(f.error)") }
    if found { return status }
    if let quarantine { throw quarantine }
    if let thrown { throw thrown }
    throw .projectNotFound(project, searched: searched)
  }

  /// The `--find-links` locations, for `project`: whether one of them has a file of it.
  private func searchFindLinks(
    _ project: ProjectName, _ sink: (FileBatch) -> Void, searched: inout [SearchedLocation], failures: inout [(index: String, error: ClientError)]
  ) async throws(ClientError) -> Bool {
    var found = false
    for location in settings.findLinks {
      var matching = 0
      let outcome = await links(location) { batch in
        batch.forEach { file in if DistributionKind(filename: file.filename, project: project) != nil { matching += 1 } }
        sink(batch)
      }
      switch outcome {
      case .found:
        if matching > 0 { found = true } else { searched.append(SearchedLocation(shown: location.shown, status: nil, source: .none, isRemote: location.credentialSource != nil, note: "no files")) }
      case .notFound(let status, let source):
        searched.append(SearchedLocation(shown: location.shown, status: status, source: source, isRemote: location.credentialSource != nil, note: nil))
      case .skipped(let note):
        searched.append(SearchedLocation(shown: location.shown, status: nil, source: .none, isRemote: true, note: note))
      case .failure(let error):
        switch error.code {
        case .network, .httpStatus, .fileSystem:
          searched.append(SearchedLocation(shown: location.shown, status: nil, source: .none, isRemote: location.credentialSource != nil, note: nil))
          failures.append((location.shown, error))
        default: throw error
        }
      }
    }
    return found
  }

  /// PEP 792: keeps the first status an index gives and warns for `archived` and
  /// `deprecated`; false for a quarantined page that lists nothing (another index may still
  /// have the project; if none does, `quarantine` is the error).
  private func noteStatus(_ info: PageInfo, index: IndexURL, project: ProjectName, status: inout ProjectStatus?, quarantine: inout ClientError?) -> Bool {
    guard let s = info.projectStatus else { return true }
    status = status ?? ProjectStatus(status: s, reason: info.projectStatusReason, index: index.redacted)
    if s == "quarantined", info.linkCount == 0 {
      quarantine = quarantine ?? .quarantined(project, index: index.redacted, reason: info.projectStatusReason)
      return false
    }
    if s == "archived" || s == "deprecated" {
      warn("\(project.typed) is \(s) on \(index.redacted)\(info.projectStatusReason.map { ": " + ServerText.clean($0).prefix(300) } ?? "") (PEP 792)")
    }
    return true
  }

  private func page(index: IndexURL, project: ProjectName, detail: PageDetail, _ sink: (FileBatch) -> Void) async -> PageOutcome {
    if let dir = index.filePath { return localPage(directory: dir, project: project, sink) }
    if let skipped = insecure(index.url, shown: index.redacted) { return skipped }
    return await fetchPage(index.projectURL(project), accept: PageFormat.acceptHeader, cacheable: true, detail: detail, sink)
  }

  /// pip's rule: plain http is only for local hosts and `--trusted-host`; any other http
  /// location is skipped with pip's warning.
  private func insecure(_ url: SafeURL, shown: String) -> PageOutcome? {
    let parts = url
    guard parts.scheme == "http", !transport.allowsPlainHTTP(to: parts) else { return nil }
    warn("The repository located at \(parts.host) is not a trusted or secure host and is being ignored. If this repository is available via HTTPS we recommend you use HTTPS instead, otherwise you may silence this warning and allow it anyway with '--trusted-host \(parts.host)'.")
    return .skipped("ignored: plain http to a host that is not --trusted-host")
  }

  /// GETs a page and reads it; every failure becomes a ``PageOutcome``.
  /// - Parameter alwaysHTML: read the body as HTML whatever its `Content-Type` (links pages).
  private func fetchPage(_ url: SafeURL, accept: String, alwaysHTML: Bool = false, cacheable: Bool = false, detail: PageDetail = .full, _ sink: (FileBatch) -> Void) async -> PageOutcome {
    // A page fetched over http(s) names files; it does not reach into the machine: its links
    // to file:, http+unix: or any other scheme are ignored, each with a warning.
    let warn = self.warn
    let refused: @Sendable (DistributionFile, String) -> Void = { file, scheme in
      warn("ignored the link to \(ServerText.clean(file.filename)) on \((url)): an index page may link to http and https URLs only, not \(scheme):")
    }
    return await fetchAnyPage(url, accept: accept, alwaysHTML: alwaysHTML, cacheable: cacheable, detail: detail) { batch in
      sink(batch.webLinksOnly(refused: refused))
    }
  }

  private func fetchAnyPage(_ url: SafeURL, accept: String, alwaysHTML: Bool, cacheable: Bool, detail: PageDetail, _ sink: (FileBatch) -> Void) async -> PageOutcome {
    var entry: PageCache.Entry? = nil
    if cacheable, let cache {
      entry = cache.lookup(url: url, accept: accept)
      let now = Double(time(nil))
      if let e = entry, cache.offline || e.isFresh(now: now) {
        transport.note("cache: \((url)) from the cache (\(cache.offline ? "--offline" : "fresh for \(Int(e.maxAge - (now - e.storedAt))) s more"), no request)")
        return IndexClient.fromCache(e, detail: detail, sink)
      }
      if cache.offline {
        return .failure(.network(.other(url: (url), detail: "the page is not in the cache, and --offline forbids the network")))
      }
    }
    // A body cut short or stalled is fetched again, as long as none of the page was used.
    var emitted = false
    var attempt = 0
    while true {
      let (outcome, cut) = await fetchPageOnce(url, accept: accept, alwaysHTML: alwaysHTML, cacheable: cacheable, entry: entry, detail: detail) { batch in
        emitted = true
        sink(batch)
      }
      guard cut, !emitted, attempt < transport.retries else { return outcome }
      attempt += 1
      do { try await transport.pause(beforeRetry: attempt, of: url, reason: "a body cut short") } catch { return outcome }
    }
  }

  /// One GET of a page; `cut` when its body stopped arriving (worth another try).
  private func fetchPageOnce(
    _ url: SafeURL, accept: String, alwaysHTML: Bool, cacheable: Bool, entry: PageCache.Entry?, detail: PageDetail, _ sink: (FileBatch) -> Void
  ) async -> (PageOutcome, cut: Bool) {
    do {
      return (try await transport.get(url, headers: [("Accept", accept)] + (entry?.validators ?? [])) { response in
        let now = Double(time(nil))
        if response.meaning == .notModified, let entry, let cache {
          _ = try? await response.body.collect(upTo: 64 * 1024)
          await cache.refresh(entry, maxAge: PageCache.maxAge(cacheControl: response.header("cache-control")) ?? 0, now: now)
          transport.note("cache: \((url)) not modified (304), the stored page is used")
          return IndexClient.fromCache(entry, detail: detail, sink)
        }
        var writer: PageCache.Writer? = nil
        // Stored only when it can be used again: fresh for a while, or with a validator.
        if cacheable, let cache, response.meaning == .content, let type = response.header("content-type"), (try? PageFormat(contentType: type)) != nil,
          let maxAge = PageCache.maxAge(cacheControl: response.header("cache-control")),
          maxAge > 0 || response.header("etag") != nil || response.header("last-modified") != nil
        {
          writer = cache.writer(
            url: url, pageURL: response.finalURL, accept: accept, contentType: type, etag: response.header("etag"), lastModified: response.header("last-modified"), maxAge: maxAge, now: now)
        }
        do {
          let outcome: PageOutcome
          if alwaysHTML, response.header("content-type").map({ (try? PageFormat(contentType: $0)) == nil }) ?? true {
            outcome = try await handle(response.replacingContentType("text/html"), detail: detail, tee: writer, sink)
          } else {
            outcome = try await handle(response, detail: detail, tee: writer, sink)
          }
          if case .found = outcome { try? await writer?.commit() } else { writer?.discard() }
          return outcome
        } catch let e as TransportError where e.isCutShort {
          throw BodyCut(error: e)
        }
      }, false)
    } catch let b as BodyCut {
      return (.failure(.network(b.error)), true)
    } catch {
      return (.failure(ClientError(error, at: url.description)), false)
    }
  }

  /// A page from the cache: parsed from the entry's file, as it was accepted when stored.
  static func fromCache(_ entry: PageCache.Entry, detail: PageDetail, _ sink: (FileBatch) -> Void) -> PageOutcome {
    let fd = open(entry.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return .failure(.fileSystem(path: entry.path, detail: String(cString: strerror(errno)))) }
    defer { close(fd) }
    guard lseek(fd, off_t(entry.bodyOffset), SEEK_SET) >= 0, let format = try? PageFormat(contentType: entry.contentType) else {
      return .failure(.fileSystem(path: entry.path, detail: "unreadable cache entry"))
    }
    do {
      switch format {
      case .json: return .found(try JSONPageParser.parse(fileDescriptor: fd, pageURL: entry.url, detail: detail, batches: sink))
      case .html(let charset): return .found(try HTMLPageParser.parse(fileDescriptor: fd, pageURL: entry.url, charset: charset, batches: sink))
      }
    } catch {
      return .failure(.unreadablePage(url: (entry.url), error))
    }
  }

  /// What one answer for a page means (by ``ResponseMeaning``), its files handed to `sink`.
  private func handle(_ response: Response, detail: PageDetail, tee: PageCache.Writer? = nil, _ sink: (FileBatch) -> Void) async throws -> PageOutcome {
    let meaning = response.meaning
    guard meaning == .content else {
      _ = try? await response.body.collect(upTo: 64 * 1024)
      if case .missing(let status) = meaning { return .notFound(status: status, source: response.credentialSource) }
      return .failure(meaning.failure(url: response.finalURL, source: response.credentialSource) ?? .httpStatus(url: response.finalURL, status: response.status))
    }
    let format: PageFormat
    do { format = try PageFormat(contentType: response.header("content-type")) } catch {
      _ = try? await response.body.collect(upTo: 64 * 1024)
      return .failure(.unreadablePage(url: response.finalURL, error))
    }
    var sawDistribution = false
    let parsed: Result<PageInfo, ParseError> = try await withoutActuallyEscaping(sink) { sink in
      try await parse(response, format: format, detail: detail, tee: tee) { batch in
        // Only a page without any distribution link can be a sign-in page: stop looking at the first.
        if !sawDistribution { sawDistribution = batch.contains { ClientIO.looksLikeDistribution($0.filename) } }
        sink(batch)
      }
    }
    switch parsed {
    case .failure(let e): return .failure(.unreadablePage(url: response.finalURL, e))
    case .success(let info) where info.hasPasswordField && !sawDistribution:
      return .failure(.authentication(url: response.finalURL, status: response.status, loginPage: true, source: response.credentialSource))
    case .success(let info): return .found(info)
    }
  }

  /// Parses a page's body: a small one whole, here; a larger or compressed one streamed to a
  /// parser thread, inflated on the way, within ``maxPage``.
  private func parse(_ response: Response, format: PageFormat, detail: PageDetail, tee: PageCache.Writer?, _ perBatch: @escaping (FileBatch) -> Void) async throws -> Result<PageInfo, ParseError> {
    let finalURL = response.finalURL
    var inflater: Inflater? = nil
    if let encoding = response.header("content-encoding")?.lowercased(), encoding != "identity" {
      // Servers may compress pages even unasked: the body is inflated on its way to the
      // parser, within the same bound as any page.
      guard ["gzip", "x-gzip", "deflate"].contains(encoding) else {
        return .failure(ParseError.unreadable("unsupported Content-Encoding '\(encoding)'"))
      }
      do { inflater = try Inflater() } catch { return .failure(ParseError.unreadable("\(error)")) }
    }
    if inflater == nil, let length = response.header("content-length").flatMap(WireNumber.count), length <= IndexClient.smallPage {
      // A small page is read whole and parsed here: no parser thread, no pipe.
      let bytes = try await response.body.collect(upTo: IndexClient.smallPage)
      bytes.withUnsafeBytes { tee?.write($0) }
      return IndexClient.parseWhole(bytes, format: format, pageURL: finalURL, detail: detail, perBatch)
    }
    return try await PageStream.parse(response.body, inflater: inflater, limit: IndexClient.maxPage, tee: tee) { (fd: Int32) throws(ParseError) -> PageInfo in
      switch format {
      case .json: try JSONPageParser.parse(fileDescriptor: fd, pageURL: finalURL, detail: detail, batches: perBatch)
      case .html(let charset): try HTMLPageParser.parse(fileDescriptor: fd, pageURL: finalURL, charset: charset, batches: perBatch)
      }
    }
  }

  /// Pages up to this size (by `Content-Length`) are parsed whole rather than streamed.
  static let smallPage = 1 << 20

  /// The largest page read, after decompression: past it the page is unreadable (exit 4).
  static let maxPage = 256 << 20

  /// Parses a whole page in memory, handing its files over in batches of one base URL.
  static func parseWhole(_ bytes: [UInt8], format: PageFormat, pageURL: SafeURL, detail: PageDetail, _ sink: (FileBatch) -> Void) -> Result<PageInfo, ParseError> {
    var files: [DistributionFile] = []
    var base: SafeURL? = pageURL
    let collect: (DistributionFile, SafeURL?) -> Void = { file, b in
      if b != base, !files.isEmpty {
        sink(FileBatch(files: files, base: base))
        files.removeAll()
      }
      base = b
      files.append(file)
    }
    let result: Result<PageInfo, ParseError>
    do {
      switch format {
      case .json: result = .success(try JSONPageParser.parse(bytes: bytes, pageURL: pageURL, detail: detail, sink: collect))
      case .html(let charset): result = .success(try HTMLPageParser.parse(bytes: bytes, pageURL: pageURL, charset: charset, sink: collect))
      }
    } catch {
      result = .failure(error)
    }
    if !files.isEmpty { sink(FileBatch(files: files, base: base)) }
    return result
  }

  /// Reads one `--find-links` location.
  private func links(_ location: FindLinks, _ sink: (FileBatch) -> Void) async -> PageOutcome {
    switch location {
    case .directory(let dir):
      guard let d = opendir(dir) else { return .failure(.fileSystem(path: dir, detail: String(cString: strerror(errno)))) }
      defer { closedir(d) }
      let base = SafeURL(filePath: dir.hasSuffix("/") ? dir : dir + "/")
      var names: [String] = []
      while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self) }
        if name.hasPrefix(".") { continue }
        names.append(name)
      }
      sink(FileBatch(files: names.sorted().map { DistributionFile(filename: $0, href: SafeURL.percentEncode($0, keeping: .segment)) }, base: base))
      var info = PageInfo()
      info.baseURL = base
      return .found(info)
    case .localPage(let path):
      let fd = open(path, O_RDONLY)
      guard fd >= 0 else { return .failure(.fileSystem(path: path, detail: String(cString: strerror(errno)))) }
      defer { close(fd) }
      do {
        return .found(try HTMLPageParser.parse(fileDescriptor: fd, pageURL: SafeURL(filePath: path), batches: sink))
      } catch {
        return .failure(.unreadablePage(url: SafeURL(filePath: path), error))
      }
    case .page(let url, _):
      if let skipped = insecure(url, shown: location.shown) { return skipped }
      return await fetchPage(url, accept: "text/html", alwaysHTML: true, sink)
    }
  }

  private func localPage(directory: String, project: ProjectName, _ sink: (FileBatch) -> Void) -> PageOutcome {
    let path = directory + project.normalized + "/index.html"
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
      if errno == ENOENT || errno == ENOTDIR { return .notFound(status: ResponseMeaning.notFoundStatus, source: .none) }
      return .failure(.fileSystem(path: path, detail: String(cString: strerror(errno))))
    }
    defer { close(fd) }
    let pageURL = SafeURL(filePath: path)
    do {
      return .found(try HTMLPageParser.parse(fileDescriptor: fd, pageURL: pageURL, batches: sink))
    } catch {
      return .failure(.unreadablePage(url: (pageURL), error))
    }
  }
}

extension FindLinks {
  /// The URL whose userinfo the credential store should know, for http(s) pages.
  public var credentialSource: IndexURL? {
    if case .page(_, let source) = self { return source }
    return nil
  }

  /// How the location is shown (redacted).
  var shown: String {
    switch self {
    case .directory(let p), .localPage(let p): p
    case .page(let u, _): u.description
    }
  }
}

/// A response body that stopped arriving after the response was handed over: the caller may
/// try again (pages) or resume (files); the transport has not retried it.
struct BodyCut: Error {
  let error: TransportError
}

/// Small helpers shared by the client: what looks like a distribution, path encoding.
enum ClientIO {
  static func looksLikeDistribution(_ filename: String) -> Bool {
    filename.hasASCIISuffixIgnoringCase(".whl") || SdistFilename.archiveExtension(of: filename) != nil
  }
}

extension String {
  func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}

